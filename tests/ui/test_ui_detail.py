"""Students & devices: a student's and a device's detail window opened from the lists in the
real main window, on a real SQLite school with a loan and a repair in its history."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from helpdesk.services.counter.loans import issue_loan
from helpdesk.services.repairs.tickets import DamageReport, open_ticket
from helpdesk.ui.main_window import MainWindow
from helpdesk.ui.records.detail_dialog import DetailDialog
from helpdesk.ui.records.panel import RecordsPanel, SearchList

NOW = datetime(2026, 10, 5, 9, 30)


@pytest.fixture
def window(qtbot, ctx, school):  # noqa: ANN001
    """The main window on the small school, where Anna borrowed LNR-002 and Ben's laptop went in
    for repair."""
    issue_loan(ctx.factory, "admin", student_code=school.anna, device_code="LNR-002", now=NOW)
    open_ticket(
        ctx.factory,
        "admin",
        device_code=school.ben_laptop,
        damage=DamageReport(category="screen", description="Cracked in the corner"),
        now=NOW,
    )
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    return main


def _records(qtbot, window: MainWindow) -> RecordsPanel:  # noqa: ANN001
    qtbot.keyClick(window, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: isinstance(window.panels.get("records"), RecordsPanel), timeout=5000)
    panel = window.panels["records"]
    assert isinstance(panel, RecordsPanel)
    assert window.stack.currentWidget() is panel
    return panel


def _search(qtbot, found: SearchList, text: str) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: found.model.total > 0 and not found.model.searching, timeout=5000)
    qtbot.keyClicks(found.search_box, text)
    qtbot.waitUntil(
        lambda: (
            found.model.total == 1
            and not found.model.searching
            and found.count_label.text() == "1 found"
        ),
        timeout=5000,
    )


def _opened_detail(qtbot) -> DetailDialog:  # noqa: ANN001
    def dialogs() -> list[DetailDialog]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, DetailDialog)]

    qtbot.waitUntil(lambda: len(dialogs()) == 1, timeout=5000)
    dialog = dialogs()[0]
    qtbot.waitUntil(lambda: dialog.status.text() != "Loading…", timeout=10000)
    return dialog


def _column(dialog: DetailDialog, column: int) -> list[str]:
    table = dialog.history_table
    return [table.item(row, column).text() for row in range(table.rowCount())]


def _history(dialog: DetailDialog) -> list[str]:
    return _column(dialog, 1)


def test_student_detail_opens_from_the_search(qtbot, window):  # noqa: ANN001
    panel = _records(qtbot, window)
    students = panel.students
    assert panel.tabs.currentWidget() is students
    qtbot.waitUntil(students.search_box.hasFocus, timeout=5000)  # F4 lands in the search
    _search(qtbot, students, "Anna Smith")
    qtbot.keyClick(students.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(students.search_box, Qt.Key.Key_Return)
    dialog = _opened_detail(qtbot)
    assert "failed" not in dialog.status.text()
    assert dialog.detail is not None
    assert dialog.windowTitle() == "Student"
    assert dialog.card.title_label.text() == "Anna Smith"
    assert _history(dialog) == [
        "Borrowed LNR-002: day loan, due 05/10/2026 15:30",
        "Assigned PER-000001",
    ]
    assert _column(dialog, 0) == ["05/10/2026 09:30", "01/09/2026 08:00"]
    assert _column(dialog, 2) == ["LOAN-000001", ""]
    assert dialog.audit_table.rowCount() > 0


def test_device_detail_opens_by_double_click(qtbot, window, school):  # noqa: ANN001
    panel = _records(qtbot, window)
    panel.tabs.setCurrentIndex(1)
    devices = panel.devices
    _search(qtbot, devices, school.ben_laptop)
    view = devices.view
    qtbot.waitUntil(lambda: view.visualRect(devices.model.index(0, 0)).isValid(), timeout=5000)
    centre = view.visualRect(devices.model.index(0, 0)).center()
    # A real double click: a first click (which selects the row), then the second.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    dialog = _opened_detail(qtbot)
    assert "failed" not in dialog.status.text()
    assert dialog.windowTitle() == "Device"
    assert dialog.card.title_label.text() == school.ben_laptop
    history = _history(dialog)
    assert len(history) == 3
    assert history[0].startswith("Charge £0.00 (accidental damage): No cover on record")
    assert history[1:] == [
        "Booked in for repair: screen, Cracked in the corner (now logged)",
        "Assigned Ben Jones (8B)",
    ]
    assert _column(dialog, 2) == ["TKT-000001", "TKT-000001", ""]
    # The whole history is in the table, not repeated on the card.
    assert "History" not in dialog.card.sections_label.text()
