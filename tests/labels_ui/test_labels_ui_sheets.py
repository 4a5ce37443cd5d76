"""The labels panel beyond the first sheet and beyond the mouse: paging through a batch of
several sheets, devices scanned into the batch, a saved PDF that stays 'not yet labelled' until
marked as printed from the keyboard, and the area on a 1280x720 screen."""

from __future__ import annotations

from labels_ui_helpers import HAND_OUT_7A, HAND_OUT_8B, decode_cell, label_prints, render_pages
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from helpdesk.labels.templates import get_template

SIX = ["PER-000201", "PER-000202", "PER-000203", "PER-000204", "PER-000205", "LNR-001"]


def _ink(image, template, index: int) -> int:  # noqa: ANN001
    """Dark pixels inside label cell ``index`` of a sheet picture."""
    scale = image.width() / template.page_width
    c = template.cell(index)
    return sum(
        1
        for y in range(int(c.y * scale) + 4, int((c.y + c.height) * scale) - 4, 2)
        for x in range(int(c.x * scale) + 4, int((c.x + c.width) * scale) - 4, 2)
        if image.pixelColor(x, y).lightness() < 80
    )


def test_the_preview_pages_to_the_last_sheet(qtbot, labels_ui_panel, tmp_path):  # noqa: ANN001
    panel = labels_ui_panel
    t = get_template("avery-l7160")  # 21 a sheet
    panel.set_template(t.id)
    panel.set_source("tags", "\n".join(SIX))
    panel.choices.copies.setValue(9)  # 54 labels: 21 + 21 + 12
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    pager = panel.sheets
    assert panel.preview.pages == 3 and "3 sheets" in panel.summary.text()
    assert pager.where.text() == "Sheet 1 of 3"
    assert not pager.previous_button.isEnabled() and pager.next_button.isEnabled()
    first = panel.preview_view.image

    # Page Down from the keyboard, then the Next button, reach the last sheet
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=5000)
    panel.choices.source.setFocus()
    qtbot.keyClick(panel.choices.source, Qt.Key.Key_PageDown)
    qtbot.waitUntil(
        lambda: pager.where.text() == "Sheet 2 of 3" and pager.is_drawn(), timeout=15000
    )
    qtbot.mouseClick(pager.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: pager.where.text() == "Sheet 3 of 3" and pager.is_drawn(), timeout=15000
    )
    assert not pager.next_button.isEnabled() and pager.previous_button.isEnabled()
    last = panel.preview_view.image
    assert last is not first
    # the last sheet holds the last 12 labels: 3 of PER-000205, 9 of LNR-001, then empty cells
    assert all(_ink(last, t, i) > 50 for i in range(12))
    assert all(_ink(last, t, i) == 0 for i in range(12, t.per_page))
    assert all(_ink(first, t, i) > 50 for i in range(t.per_page))

    # the same sheet as saved: the labels the preview showed, tag by tag
    out = tmp_path / "six.pdf"
    panel.save_pdf(str(out))
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    pages = render_pages(out)
    assert len(pages) == 3
    read = [decode_cell(pages[2], t.cell(i)) for i in range(13)]
    assert read == [["PER-000205"]] * 3 + [["LNR-001"]] * 9 + [[]]

    # Page Up goes back, to a sheet drawn already; a new batch starts at its first sheet again
    qtbot.keyClick(panel.choices.source, Qt.Key.Key_PageUp)
    assert pager.where.text() == "Sheet 2 of 3" and pager.is_drawn()
    panel.choices.copies.setValue(1)
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert pager.where.text() == "Sheet 1 of 1"
    assert not pager.next_button.isEnabled() and not pager.previous_button.isEnabled()


def test_scanned_devices_join_the_batch_of_tags(qtbot, labels_ui_panel):  # noqa: ANN001
    panel = labels_ui_panel
    panel.set_source("form", "7A")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert panel.handle_scan("PER-000204") is True  # looked up on the database thread
    qtbot.waitUntil(lambda: panel.choices.source.currentData() == "tags")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == ["PER-000204"]
    assert panel.handle_scan(" 5cg0000001 ") is True  # Cole's laptop by its serial number
    qtbot.waitUntil(lambda: "PER-000201" in panel.choices.tags_box.toPlainText())
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == ["PER-000204", "PER-000201"]
    assert panel.handle_scan("PER-000204") is True  # scanned twice: labelled once
    qtbot.waitUntil(lambda: "already in the tags" in panel.message_text())
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == ["PER-000204", "PER-000201"]
    assert "2 labels" in panel.summary.text()

    with qtbot.waitSignal(panel.scan_not_taken) as handed_on:  # a student's card: the counter's
        assert panel.handle_scan("S0001") is True
    assert handed_on.args == ["S0001"]
    refusal = panel.message_text()
    assert refusal == (
        "'S0001' is not the asset tag or serial number of a device, so no label was added."
    )
    assert panel.message.property("tone") == "warn"
    assert panel.choices.tags_box.toPlainText().split() == ["PER-000204", "PER-000201"]
    assert label_prints(panel.ctx.factory) == []


def test_a_saved_pdf_stays_unlabelled_until_marked_from_the_keyboard(
    qtbot, labels_ui_panel, tmp_path
):  # noqa: ANN001
    panel = labels_ui_panel
    factory = panel.ctx.factory
    panel.choices.only_unlabelled.setChecked(True)
    panel.set_source("form", "8B")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.save_pdf(str(tmp_path / "8B.pdf"))
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    assert label_prints(factory) == []
    panel.set_source("unlabelled")  # the saved devices are still waiting for a label
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == HAND_OUT_7A + HAND_OUT_8B + ["LNR-001"]

    # Alt+M, the button's key, says the saved sheets were printed
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow, timeout=5000)
    assert panel.mark_button.isVisible() and panel.mark_button.focusPolicy() != Qt.NoFocus
    qtbot.keyClick(panel.choices.source, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: label_prints(factory) != [], timeout=15000)
    assert label_prints(factory) == [(tag, "avery-l7160", "admin") for tag in HAND_OUT_8B]
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == HAND_OUT_7A + ["LNR-001"]
    assert not panel.mark_button.isVisible()


def _inside(widget, window) -> bool:  # noqa: ANN001
    """Shown, not clipped by a parent, and wholly inside the window."""
    top_left = widget.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, widget.size())
    shown = widget.visibleRegion().boundingRect().size() == widget.size()
    return widget.isVisible() and shown and window.rect().contains(rect)


def test_the_labels_area_fits_a_1280_by_720_screen(
    qtbot, labels_ui_ctx, labels_ui_school, tmp_path
):  # noqa: ANN001
    from helpdesk.ui.main_window import MainWindow

    window = MainWindow(labels_ui_ctx, school_name="Northfield Academy")
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.show_area("labels")
    panel = window.panels["labels"]
    panel.choices.copies.setValue(10)  # several sheets, so the page row is in use
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.save_pdf(str(tmp_path / "7A.pdf"))  # brings up the message and 'Mark as printed'
    qtbot.waitUntil(panel.mark_button.isVisible, timeout=15000)
    QApplication.sendPostedEvents()  # the layout the message asked for is done
    QApplication.processEvents()
    assert window.size().width() == 1280 and window.size().height() == 720
    key = [
        panel.summary,
        panel.preview_view,
        panel.sheets.previous_button,
        panel.sheets.where,
        panel.sheets.next_button,
        panel.message,
        panel.mark_button,
        panel.printer_choice,
        panel.align_button,
        panel.save_button,
        panel.print_button,
        panel.choices.source,
        panel.choices.form_choice,
    ]
    for widget in key:
        assert _inside(widget, window), widget
    buttons = [panel.printer_choice, panel.align_button, panel.save_button, panel.print_button]
    buttons += [panel.sheets.previous_button, panel.sheets.next_button, panel.mark_button]
    for button in buttons:  # wide enough for their words
        assert button.width() >= button.minimumSizeHint().width(), button
    rects = [QRect(b.mapTo(window, QPoint(0, 0)), b.size()) for b in buttons]
    for i, a in enumerate(rects):
        assert not any(a.intersects(b) for b in rects[i + 1 :]), buttons[i]
    assert panel.preview_view.height() >= 220
    assert "Sheet 1 of" in panel.sheets.where.text()
    window.grab().save("/tmp/labels-1280.png")
    window.close()
