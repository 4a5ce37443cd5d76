"""Returns that ask what came back, messages that last one transaction, and the counter's day
list read back from the audit log: driven through the real counter on a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from helpdesk.domain.models import AuditEntry, Loan


def _make_panel(qtbot, ctx):  # noqa: ANN001, ANN202
    from helpdesk.ui.counter.panel import CounterPanel

    widget = CounterPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def panel(qtbot, ctx, school):  # noqa: ANN001
    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    widget = _make_panel(qtbot, ctx)
    yield widget
    widget.shutdown()


def scan(qtbot, panel, code: str) -> None:  # noqa: ANN001
    qtbot.keyClicks(panel.scan_box, code)
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)


def enter(qtbot, panel) -> None:  # noqa: ANN001
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)


def minutes_later(panel, minutes: int = 10) -> None:  # noqa: ANN001
    """Time passes at the counter: a loan made just now is no longer a few minutes old."""
    panel.flow.clock = lambda: datetime.now() + timedelta(minutes=minutes)


def lend(qtbot, panel, student: str, loaner: str, *, case: bool = False) -> None:  # noqa: ANN001
    scan(qtbot, panel, student)
    if case:
        panel.accessory_boxes["case"].setChecked(True)
    scan(qtbot, panel, loaner)
    enter(qtbot, panel)
    assert panel.last_tone == "good", panel.last_message
    minutes_later(panel)  # the loaner comes back later, not minutes after it went out


def answer_missing_dialog(qtbot, keys: str, seen: list) -> None:  # noqa: ANN001
    """Once the chooser is open: press each letter (untick what is missing), then Enter."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "missingDialog":
            QTimer.singleShot(20, answer)
            return
        seen.append({name: box.text() for name, box in dialog.boxes.items()})
        target = dialog.focusWidget() or dialog
        for key in keys:
            qtbot.keyClick(target, key)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)

    QTimer.singleShot(20, answer)


def test_return_with_a_missing_charger_shows_on_the_students_card(qtbot, panel, ctx, school):  # noqa: ANN001
    lend(qtbot, panel, school.anna, "LNR-001", case=True)  # charger and case go out

    scan(qtbot, panel, "LNR-001")
    assert panel.prompt.text() == (
        "LNR-001 back from Anna Smith (7A), went out with: charger, case. "
        "Enter: all back in good order; M: something is missing; D: damaged."
    )
    seen: list = []
    answer_missing_dialog(qtbot, "c", seen)  # C unticks the charger: it did not come back
    scan(qtbot, panel, "M")
    assert seen == [{"charger": "&Charger", "case": "C&ase"}]
    assert panel.last_tone == "good", panel.last_message
    assert "Charger is not returned" in panel.last_message
    with ctx.factory() as session:
        loan = session.scalars(select(Loan)).one()
    assert loan.returned_at is not None and loan.accessories_missing == "charger"
    line = f"Charger not returned with LNR-001 (lent {loan.issued_at:%d/%m})"
    assert (
        panel.card.view.kind == "student" and line in dict(panel.card.view.sections)["Not returned"]
    )

    scan(qtbot, panel, school.anna)  # the warning stays on her card
    assert panel.last_message == ""
    assert dict(panel.card.view.sections)["Not returned"] == (line,)

    # the charger is brought in later: her loan slip, then A
    scan(qtbot, panel, f"LOAN-{loan.id:06d}")
    assert "came back without: charger" in panel.prompt.text()
    scan(qtbot, panel, "A")
    assert panel.last_tone == "good" and "Charger brought back" in panel.last_message
    scan(qtbot, panel, school.anna)
    assert "Not returned" not in dict(panel.card.view.sections)
    assert panel.recent.texts()[0].endswith(
        f"Charger brought back for LNR-001 (LOAN-{loan.id:06d}, Anna Smith (7A))"
    )


def test_esc_in_the_chooser_goes_back_to_the_return(qtbot, panel, ctx, school):  # noqa: ANN001
    lend(qtbot, panel, school.ben, "LNR-002")
    scan(qtbot, panel, "LNR-002")
    prompt = panel.prompt.text()

    def escape() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "missingDialog":
            QTimer.singleShot(20, escape)
            return
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)

    QTimer.singleShot(20, escape)
    scan(qtbot, panel, "M")
    assert panel.prompt.text() == prompt
    with ctx.factory() as session:
        assert session.scalars(select(Loan)).one().returned_at is None
    enter(qtbot, panel)  # all back after all
    assert panel.last_tone == "good" and "LNR-002 is back" in panel.last_message


def test_a_refusal_is_cleared_by_the_next_scan(qtbot, panel, ctx, school):  # noqa: ANN001
    scan(qtbot, panel, school.cara)
    assert panel.last_tone == "bad" and "has left the school" in panel.last_message
    assert panel.message.isVisible()
    scan(qtbot, panel, school.ben)
    assert panel.card.view.title == "Ben Jones"
    assert panel.last_message == "" and not panel.message.isVisible()

    scan(qtbot, panel, "LNR-001")
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Escape)
    qtbot.waitUntil(panel.idle, timeout=5000)
    assert panel.last_message == "" and not panel.message.isVisible()
    assert panel.prompt.text().startswith("Scan a student card")


def test_the_day_list_survives_a_restart_with_its_refusals(qtbot, ctx, school):  # noqa: ANN001
    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    first = _make_panel(qtbot, ctx)
    lend(qtbot, first, school.ben, "LNR-003")
    long_code = "NOT-A-CODE-" + "X" * 60
    scan(qtbot, first, long_code)
    assert first.last_tone == "bad"
    shown = first.recent.texts()
    first.shutdown()
    first.close()

    again = _make_panel(qtbot, ctx)  # the app started again on the same file
    qtbot.waitUntil(lambda: again.recent.texts() == shown, timeout=5000)
    assert len(shown) == 2
    assert f"Refused: Nothing has the code '{long_code}'" in shown[0]
    assert shown[1].endswith("LNR-003 lent to Ben Jones (8B)")
    with ctx.factory() as session:
        refusal = session.scalars(select(AuditEntry).where(AuditEntry.action == "refuse")).one()
    assert refusal.station == again.station and long_code in refusal.after
    # the long refusal wraps inside the 420 px column instead of being cut off
    label = again.recent.labels[0]
    assert label.wordWrap()
    assert label.width() <= again.recent.viewport().width()
    assert label.height() >= 2 * label.fontMetrics().height()
    again.shutdown()
