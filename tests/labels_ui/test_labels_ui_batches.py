"""The labels panel on a real SQLite file: a form's labels previewed, saved as a PDF that scans
back tag by tag in hand-out order, marked as printed, and then left out of the devices not yet
labelled."""

from __future__ import annotations

from labels_ui_helpers import HAND_OUT_7A, HAND_OUT_8B, decode_cell, label_prints, render_pages
from PySide6.QtCore import QPoint, Qt

from helpdesk.labels.templates import get_template


def _wait_ready(qtbot, panel) -> None:  # noqa: ANN001
    qtbot.waitUntil(panel.is_ready, timeout=15000)


def _wait_problem(qtbot, panel) -> None:  # noqa: ANN001
    qtbot.waitUntil(panel.is_settled, timeout=15000)
    assert panel.summary.property("tone") in ("warn", "bad")
    assert panel.preview is None and not panel.preview_view.has_image()


def test_form_preview_save_scan_back_and_record(qtbot, labels_ui_panel, tmp_path):  # noqa: ANN001
    panel = labels_ui_panel
    factory = panel.ctx.factory
    panel.set_template("avery-l7160")
    panel.set_source("form", "7A")
    _wait_ready(qtbot, panel)
    assert panel.preview_view.has_image()
    assert "3 labels" in panel.summary.text() and "1 sheet" in panel.summary.text()
    assert panel.choices.header.text() == "Property of Northfield Academy"
    # the preview shows ink where the first label is, and none in the last cell
    image = panel.preview.image
    t = get_template("avery-l7160")
    scale = image.width() / t.page_width

    def dark_in(index: int) -> int:
        c = t.cell(index)
        return sum(
            1
            for y in range(int(c.y * scale) + 4, int((c.y + c.height) * scale) - 4, 2)
            for x in range(int(c.x * scale) + 4, int((c.x + c.width) * scale) - 4, 2)
            if image.pixelColor(x, y).lightness() < 80
        )

    assert dark_in(0) > 50 and dark_in(t.per_page - 1) == 0

    # a partly used sheet: click the fifth label of the grid, two copies per tag
    rect = panel.choices.grid.cell_rect(4)
    qtbot.mouseClick(
        panel.choices.grid,
        Qt.MouseButton.LeftButton,
        pos=QPoint(*map(int, rect.center().toTuple())),
    )
    assert panel.choices.start.value() == 5
    panel.choices.copies.setValue(2)
    _wait_ready(qtbot, panel)
    assert "6 labels" in panel.summary.text() and "the first from label 5" in panel.summary.text()
    image = panel.preview.image
    used, free = t.cell(0), t.cell(4)  # the peeled-off positions are shaded in the preview
    assert image.pixelColor(int((used.x + 2) * scale), int((used.y + 2) * scale)).lightness() < 235
    assert image.pixelColor(int((free.x + 2) * scale), int((free.y + 2) * scale)).lightness() > 250
    assert dark_in(4) > 50 and dark_in(0) == 0

    out = tmp_path / "form-7A.pdf"
    panel.save_pdf(str(out))
    assert panel.progress.isVisible() and not panel.save_button.isEnabled()  # busy meanwhile
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    assert not panel.progress.isVisible()
    assert out.read_bytes().startswith(b"%PDF")
    pages = render_pages(out)
    assert len(pages) == 1
    expected = [tag for tag in HAND_OUT_7A for _ in range(2)]
    read = [decode_cell(pages[0], t.cell(4 + i)) for i in range(6)]
    assert read == [[tag] for tag in expected]
    for empty in (0, 3, 10):  # used positions and the rest of the sheet stay blank
        assert decode_cell(pages[0], t.cell(empty)) == []
    # a PDF is a preview: nothing recorded until the person says the sheets were printed
    assert label_prints(factory) == []
    assert "not recorded as printed" in panel.message_text()
    assert panel.mark_button.isVisible() and not panel.mark_button.isDefault()
    assert panel.mark_button.text().replace("&", "") == "Mark as printed"
    qtbot.mouseClick(panel.mark_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Recorded 6 labels" in panel.message_text(), timeout=15000)
    assert label_prints(factory) == [(tag, "avery-l7160", "admin") for tag in expected]
    assert panel.message_text() == "Recorded 6 labels of form 7A as printed by admin."
    assert not panel.mark_button.isVisible()

    # only the devices not yet labelled: form 7A has none left, 8B and the loan laptop have
    panel.choices.only_unlabelled.setChecked(True)
    _wait_problem(qtbot, panel)
    assert "Every device of form 7A has a label already" in panel.summary.text()
    assert not panel.print_button.isEnabled() and not panel.save_button.isEnabled()
    panel.choices.only_unlabelled.setChecked(False)  # printing them again: said so
    _wait_ready(qtbot, panel)
    assert "form 7A: 3 devices (3 labelled before)" in panel.summary.text()
    panel.choices.only_unlabelled.setChecked(True)
    panel.set_source("unlabelled")
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == HAND_OUT_8B + ["LNR-001"]
    assert "labelled before" not in panel.summary.text()

    # the last batch again: the same devices, whatever is chosen now
    panel.set_source("reprint")
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == HAND_OUT_7A


def test_year_group_in_form_order_and_bad_choices_explained(qtbot, labels_ui_panel):  # noqa: ANN001
    panel = labels_ui_panel
    panel.set_source("year", 8)
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == HAND_OUT_8B
    panel.set_source("tags", "PER-000204\nPER-000201\t\n PER-000204 \r\nPER-000203,PER-000201")
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == [
        "PER-000204",
        "PER-000201",
        "PER-000203",
    ]
    # a handheld scanner: each tag a burst of keys ending in Enter
    panel.set_source("tags", "")
    for tag in ("PER-000205", "LNR-001"):
        qtbot.keyClicks(panel.choices.tags_box, tag)
        qtbot.keyClick(panel.choices.tags_box, Qt.Key.Key_Return)
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == ["PER-000205", "LNR-001"]
    panel.set_source("tags", "PER-000204\nNOPE-1\n")
    _wait_problem(qtbot, panel)
    assert "No device has the asset tag NOPE-1" in panel.summary.text()
    panel.set_source("range", ("PER-000202", "LNR-9"))
    _wait_problem(qtbot, panel)
    assert "same prefix" in panel.summary.text()
    panel.set_source("range", ("PER-000202", "PER-000204"))
    _wait_ready(qtbot, panel)
    assert [d.asset_tag for d in panel.preview.devices] == [
        "PER-000202",
        "PER-000203",
        "PER-000204",
    ]
    panel.set_template("dymo-99012")  # a roll: a page per label, no sheet to start part-way
    _wait_ready(qtbot, panel)
    assert panel.preview.pages == 3 and "on the roll" in panel.summary.text()
    assert not panel.choices.grid.isVisible() and not panel.choices.start.isVisible()
    panel.set_source("reprint")
    _wait_problem(qtbot, panel)
    assert "Nothing has been printed here yet" in panel.summary.text()
    assert label_prints(panel.ctx.factory) == []
