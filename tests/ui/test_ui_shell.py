"""The main window's shell: the printer state in the status bar, the print queue view (print
again, discard), the counter's last slip again by one key, and scans made in another area."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from clocks import HandClock, type_keys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labels"))


def _pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` on it."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QPageSize, QPainter, QPdfWriter

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A6))
    painter = QPainter(writer)
    painter.drawText(200, 400, text)
    painter.end()
    buffer.close()
    return bytes(data)


@pytest.fixture
def window(qtbot, ctx, school):  # noqa: ANN001
    from helpdesk.ui.main_window import MainWindow

    ctx.machine.sounds = False
    ctx.machine.print_slips = True
    ctx.machine.set_printer("slip", "No-Such-Printer")
    win = MainWindow(ctx, school_name="Northfield")
    win.scan_router.clock = HandClock()  # keys come as fast or as slow as a test says
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    yield win
    win.close()


def _keep_a_slip(qtbot, win, title: str) -> None:  # noqa: ANN001
    from helpdesk.ui.printing import PrintJob

    with qtbot.waitSignal(win.print_queue.failed):
        assert not win.print_queue.submit(PrintJob("slip", title, _pdf(title)))


def _answer(button: QMessageBox.StandardButton) -> None:
    """Answer the confirmation that is about to open."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)


def test_kept_slip_is_shown_amber_and_discarded_after_asking(qtbot, window):  # noqa: ANN001
    from helpdesk.ui.printing import kept_jobs

    assert window.printer_label.text() == "Printer: No-Such-Printer"
    _keep_a_slip(qtbot, window, "Loan slip LOAN-000077")
    qtbot.waitUntil(lambda: "kept" in window.printer_label.text())
    assert window.printer_label.text() == "Printer: No-Such-Printer refused; 1 slip kept (click)"
    assert window.printer_label.property("tone") == "warn"

    qtbot.mouseClick(window.printer_label, Qt.MouseButton.LeftButton)
    dialog = window.print_queue_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "Loan slip LOAN-000077"
    assert dialog.table.item(0, 1).text() == "Slip"
    assert "No-Such-Printer" in dialog.table.item(0, 3).text()
    assert dialog.table.item(0, 2).text()  # when it was kept

    _answer(QMessageBox.StandardButton.No)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert len(kept_jobs()) == 1 and dialog.table.rowCount() == 1

    _answer(QMessageBox.StandardButton.Yes)
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert kept_jobs() == [] and dialog.table.rowCount() == 0
    qtbot.waitUntil(lambda: window.printer_label.text() == "Printer: No-Such-Printer")
    assert window.printer_label.property("tone") == ""


def test_print_again_to_a_missing_printer_keeps_it_with_the_reason(qtbot, window, ctx):  # noqa: ANN001
    from helpdesk.ui.printing import kept_jobs

    _keep_a_slip(qtbot, window, "Repair receipt TKT-000005")
    _keep_a_slip(qtbot, window, "Loan slip LOAN-000006")
    qtbot.waitUntil(lambda: "2 slips kept" in window.printer_label.text())
    ctx.machine.set_printer("slip", "Another-Missing-Printer")
    dialog = window.open_print_queue()
    dialog.print_all_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    assert "still kept" in dialog.status.text(), dialog.status.text()
    jobs = kept_jobs()
    assert len(jobs) == 2 and all("Another-Missing-Printer" in j.reason for j in jobs)
    qtbot.waitUntil(lambda: "Another-Missing-Printer refused" in window.printer_label.text())


@pytest.mark.cups
def test_kept_slip_printed_again_through_cups_is_forgotten(qtbot, window, ctx):  # noqa: ANN001
    from cups_queue import queue_or_skip
    from pdf_shapes import render

    from helpdesk.ui.printing import kept_jobs

    queue = queue_or_skip("HelpdeskShellPDF")
    try:
        title = f"Loan slip LOAN-{int(time.time()) % 1_000_000:06d}"
        _keep_a_slip(qtbot, window, title)
        _keep_a_slip(qtbot, window, "Loan slip stays")
        ctx.machine.set_printer("slip", queue.name)
        dialog = window.open_print_queue()
        assert dialog.table.rowCount() == 2
        assert [dialog.table.item(r, 0).text() for r in (0, 1)] == [title, "Loan slip stays"]
        dialog.table.selectRow(0)
        since = time.time()
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter prints the selected job
        qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
        assert dialog.status.property("tone") == "good", dialog.status.text()
        assert [j.title for j in kept_jobs()] == ["Loan slip stays"]
        assert dialog.table.rowCount() == 1
        written = queue.wait_for_pdf(title.split()[-1], since)
        assert render(written, 72)
        written.unlink()
        qtbot.waitUntil(lambda: "1 slip kept" in window.printer_label.text())
    finally:
        queue.remove()


def test_last_slip_again_by_one_key_at_the_counter(qtbot, window, ctx, school):  # noqa: ANN001
    from test_ui_counter import enter, scan

    from helpdesk.ui.main_window import LAST_SLIP_KEY
    from helpdesk.ui.printing import kept_jobs

    counter = window.panel("counter")
    window.print_last_slip()
    assert counter.last_message == "No slip has been printed at this counter yet."
    scan(qtbot, counter, school.ben)
    scan(qtbot, counter, "LNR-005")
    enter(qtbot, counter)
    qtbot.waitUntil(lambda: len(kept_jobs()) == 1, timeout=20_000)
    qtbot.waitUntil(lambda: "Not printed" in counter.recent.texts()[0], timeout=5_000)
    assert counter.last_tone == "good"  # the loan's sentence stays; the printer is amber below
    assert "LNR-005 lent to Ben Jones" in counter.last_message
    qtbot.waitUntil(lambda: "1 slip kept" in window.printer_label.text())

    assert LAST_SLIP_KEY == "F8"
    window.show_area("bench")
    qtbot.keyClick(window, Qt.Key.Key_F8)
    assert window.current_area() == "counter"
    qtbot.waitUntil(lambda: len(kept_jobs()) == 2, timeout=20_000)
    titles = [job.title for job in kept_jobs()]
    assert titles[0] == titles[1] and titles[0].startswith("Loan slip LOAN-")
    assert kept_jobs()[1].pdf.startswith(b"%PDF")


def test_scan_in_the_students_search_goes_to_the_counter(qtbot, window, school):  # noqa: ANN001
    window.show_area("records")
    records = window.panel("records")
    search = records.students.search_box
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search)
    clock = window.scan_router.clock
    type_keys(qtbot, search, "Jo", clock, 150)  # a person starts typing
    clock.advance(400)
    type_keys(qtbot, search, school.ben, clock, 5)  # then the scanner: a burst and Enter
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.current_area() == "counter"
    counter = window.panel("counter")
    qtbot.waitUntil(lambda: counter.card.view is not None, timeout=5_000)
    assert counter.card.view.title == "Ben Jones"
    assert search.text() == "Jo"  # the scan was taken out of the search box


def test_slow_typing_in_the_students_search_stays_there(qtbot, window):  # noqa: ANN001
    window.show_area("records")
    records = window.panel("records")
    search = records.students.search_box
    search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is search)
    clock = window.scan_router.clock
    type_keys(qtbot, search, "Jones", clock, 120)
    clock.advance(120)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.current_area() == "records"
    assert search.text() == "Jones"
    assert window.panel("counter").card.view is None


def test_scan_on_the_bench_goes_to_the_bench(qtbot, window, school):  # noqa: ANN001
    window.show_area("bench")
    bench = window.panel("bench")
    bench.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is bench.view)
    qtbot.keyClicks(bench.view, school.spare)
    qtbot.keyClick(bench.view, Qt.Key.Key_Return)
    assert window.current_area() == "bench"
    qtbot.waitUntil(lambda: bench.message.isVisible(), timeout=5_000)
    assert bench.message.text() == f"{school.spare} has no open repair ticket."


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_bench_columns_fit_the_screen(qtbot, window, ctx, school, size, tmp_path):  # noqa: ANN001
    from helpdesk.services.repairs.tickets import DamageReport, open_ticket

    for tag in (school.anna_laptop, school.ben_laptop):
        open_ticket(
            ctx.factory,
            "admin",
            device_code=tag,
            damage=DamageReport("screen", "Screen cracked in the corner after a fall"),
        )
    assert window.minimumSize().width() <= 1280 and window.minimumSize().height() <= 720
    window.resize(*size)
    window.show_area("bench")
    bench = window.panel("bench")
    qtbot.waitUntil(lambda: bench.model.rowCount() == 2, timeout=10_000)
    QApplication.processEvents()
    header = bench.view.horizontalHeader()
    assert header.length() <= bench.view.viewport().width() + 1  # no column cut off at the right
    metrics = header.fontMetrics()
    for column in range(bench.model.columnCount()):
        title = bench.model.headerData(column, Qt.Orientation.Horizontal, 0)
        assert header.sectionSize(column) >= metrics.horizontalAdvance(title), title
    shot = tmp_path / f"bench-{size[0]}x{size[1]}.png"
    assert window.grab().save(str(shot))
    if os.environ.get("HELPDESK_SHOTS"):
        window.grab().save(str(Path(os.environ["HELPDESK_SHOTS"]) / shot.name))


def test_kept_label_batch_printed_from_the_queue_is_recorded_as_printed(qtbot, window, ctx):  # noqa: ANN001
    """A batch of asset labels the printer refused, printed again from the print queue, counts
    as labelled, as it would printed from the Labels area."""
    from cups_queue import queue_or_skip

    from helpdesk.services.reporting import documents
    from helpdesk.ui.printing import PrintJob, kept_jobs

    queue = queue_or_skip("HelpdeskShellLabels")
    try:
        before = documents.unlabelled_devices(ctx.factory)
        chosen = before[:2]
        assert len(chosen) == 2
        title = f"Asset labels (2) L{int(time.time()) % 1_000_000:06d}"
        job = PrintJob(
            "label",
            title,
            _pdf(title),
            printer="No-Such-Label-Printer",
            label_devices=tuple(r.device_id for r in chosen),
            label_template="avery-l7160",
        )
        with qtbot.waitSignal(window.print_queue.failed):
            assert not window.print_queue.submit(job)
        assert [j.label_devices for j in kept_jobs()] == [job.label_devices]
        ctx.machine.set_printer("label", queue.name)
        dialog = window.open_print_queue()
        dialog.table.selectRow(0)
        qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
        assert dialog.status.property("tone") == "good", dialog.status.text()
        assert kept_jobs() == []
        after = {r.device_id for r in documents.unlabelled_devices(ctx.factory)}
        assert after == {r.device_id for r in before} - {r.device_id for r in chosen}
    finally:
        queue.remove()


def _labels_source(qtbot, window):  # noqa: ANN001, ANN202
    window.show_area("labels")
    labels = window.panel("labels")
    combo = labels.choices.source
    combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is combo)
    return combo


def test_scan_on_a_list_or_combo_box_loses_no_key_and_changes_nothing(qtbot, window):  # noqa: ANN001
    """The first key of a scan would make a combo box jump to an item ('T': "Tags typed or
    scanned"): the scan takes it whole and the combo box stays as it was."""
    combo = _labels_source(qtbot, window)
    combo.setCurrentIndex(combo.findData("form"))
    before = combo.currentIndex()
    assert any(combo.itemText(i).startswith("T") for i in range(combo.count()))
    qtbot.keyClicks(combo, "TKT-999999")  # a repair receipt no ticket has
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    assert combo.currentIndex() == before
    # not a device to label (the labels area asks the database): the counter says why
    qtbot.waitUntil(lambda: window.current_area() == "counter", timeout=5_000)
    counter = window.panel("counter")
    qtbot.waitUntil(lambda: counter.last_tone == "bad", timeout=5_000)
    assert "TKT-999999" in counter.last_message, counter.last_message


def test_a_key_typed_by_a_person_on_a_combo_box_still_reaches_it(qtbot, window):  # noqa: ANN001
    combo = _labels_source(qtbot, window)
    before = combo.currentIndex()
    others = [
        i
        for i in range(combo.count())
        if i != before and combo.itemText(i)[:1].lower() != combo.itemText(before)[:1].lower()
    ]
    target = others[0]
    qtbot.keyClicks(combo, combo.itemText(target)[:1])
    qtbot.waitUntil(lambda: combo.currentIndex() == target, timeout=2_000)
    assert window.current_area() == "labels"


def test_a_scanner_pressing_shift_for_capitals_loses_no_letter(qtbot, window):  # noqa: ANN001
    """A scanner (like a person) presses Shift for each capital: those presses are part of the
    scan, not a break in it."""
    combo = _labels_source(qtbot, window)
    shift = Qt.KeyboardModifier.ShiftModifier
    for char in "TKT-999998":
        qtbot.keyPress(combo, Qt.Key.Key_Shift, shift)
        qtbot.keyClick(combo, char, shift if char.isupper() else Qt.KeyboardModifier.NoModifier)
        qtbot.keyRelease(combo, Qt.Key.Key_Shift)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_area() == "counter", timeout=5_000)
    counter = window.panel("counter")
    qtbot.waitUntil(lambda: counter.last_tone == "bad", timeout=5_000)
    assert "TKT-999998" in counter.last_message, counter.last_message
