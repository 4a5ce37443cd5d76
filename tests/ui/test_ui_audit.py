"""The audit viewer on a real SQLite school: the Audit area of the real main window filtered by
staff (sign-ins, lock-outs and refusals among the rows), a record's trail opened from its detail
window, the CSV export equal to ``helpdesk audit --csv`` for the same filters, and a counter
member of staff told in one sentence that the trail is a manager's."""

from __future__ import annotations

import csv
import io
import sys

import pytest
from PySide6.QtCore import Qt

from helpdesk.cli import main
from helpdesk.domain.errors import HelpdeskError
from helpdesk.services.core import auth
from helpdesk.services.core.staff import add_staff, record_refused, set_role
from helpdesk.services.counter.loans import issue_loan, return_loan
from helpdesk.services.records.browse import device_page
from helpdesk.ui.audit.panel import AuditPanel
from helpdesk.ui.main_window import MainWindow
from helpdesk.ui.records.detail_dialog import DetailDialog

PASSWORD = "a long enough password"
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def audited(ctx, school):  # noqa: ANN001
    """A manager 'mo' and a counter member 'cat' who signed in (once wrongly first), lent
    LNR-001 to Anna and took it back; 'cat' then tried to make themself an admin and was refused."""
    for username, role in (("mo", "manager"), ("cat", "counter")):
        add_staff(
            ctx.factory, "admin", username=username, display_name=username.title(), role=role,
            password=PASSWORD,
        )  # fmt: skip
    with pytest.raises(HelpdeskError):
        auth.sign_in(ctx.factory, "cat", "not the password")
    auth.sign_in(ctx.factory, "cat", PASSWORD)
    issue_loan(ctx.factory, "cat", student_code=school.anna, device_code="LNR-001")
    return_loan(ctx.factory, "cat", device_code="LNR-001")
    with pytest.raises(HelpdeskError) as refused:
        set_role(ctx.factory, "cat", "cat", "admin")
    record_refused(ctx.factory, "cat", "staff.role", str(refused.value))  # as `helpdesk staff`
    auth.sign_out(ctx.factory, "cat")
    return school


def _rows(model, column: int) -> list[str]:  # noqa: ANN001
    return [model.index(row, column).data(DISPLAY) for row in range(model.rowCount())]


def _wait_loaded(qtbot, panel: AuditPanel) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: not panel.model.searching, timeout=5000)
    qtbot.waitUntil(lambda: "…" not in _rows(panel.model, 0), timeout=5000)


def _audit_area(qtbot, ctx) -> tuple[MainWindow, AuditPanel]:  # noqa: ANN001
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.wait(100)  # the counter takes the focus first
    qtbot.keyClick(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: isinstance(window.panels.get("audit"), AuditPanel), timeout=5000)
    panel = window.panels["audit"]
    assert isinstance(panel, AuditPanel)
    assert window.stack.currentWidget() is panel
    _wait_loaded(qtbot, panel)
    return window, panel


def test_the_trail_filtered_by_staff_shows_only_their_rows(qtbot, ctx, audited) -> None:  # noqa: ANN001
    ctx.actor = "mo"
    _window, panel = _audit_area(qtbot, ctx)
    everyone = set(_rows(panel.model, 1))
    assert {"admin", "cat", "system"} <= everyone  # before any filter: everybody's rows
    assert panel.staff.hasFocus()  # keyboard first: the first filter takes the typing
    qtbot.keyClicks(panel.staff, "cat")
    qtbot.keyClick(panel.staff, Qt.Key.Key_Return)  # Enter applies
    _wait_loaded(qtbot, panel)
    assert panel.model.filters.staff == "cat"
    whats = _rows(panel.model, 2)
    assert set(_rows(panel.model, 1)) == {"cat"}
    assert {"sign-in", "sign-in-refused", "sign-out", "refuse", "insert", "update"} <= set(whats)
    assert whats[0] == "sign-out"  # newest first
    assert panel.count.text() == f"{len(whats)} rows, newest first"
    refusal = whats.index("refuse")
    assert "needs an admin" in panel.model.index(refusal, 5).data(DISPLAY)
    assert "{" not in panel.model.index(refusal, 5).data(DISPLAY)  # readable, not JSON

    panel.date_from.setText("2001-13-01")
    qtbot.keyClick(panel.date_from, Qt.Key.Key_Return)
    assert panel.message.text() == (
        "The first day '2001-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01."
    )
    panel.date_from.setText("")
    panel.record.setText("NOPE-1")
    qtbot.keyClick(panel.record, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=5000)
    assert panel.message.text() == "No record has the code 'NOPE-1'."
    assert not panel.view.isVisible()


def test_a_records_whole_trail_from_its_detail_window(qtbot, ctx, audited) -> None:  # noqa: ANN001
    ctx.actor = "mo"
    rows, _total = device_page(ctx.factory, "LNR-001", 0, 5, False)
    dialog = DetailDialog(ctx, "device", rows[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.audit_button.isEnabled(), timeout=5000)
    assert dialog.detail is not None and dialog.detail.code == "LNR-001"
    dialog.audit_button.click()
    viewer = dialog.audit_dialog
    assert viewer is not None and viewer.isVisible()
    _wait_loaded(qtbot, viewer.panel)
    model = viewer.panel.model
    assert viewer.panel.record.text() == "LNR-001"
    assert model.rowCount() >= 2  # out on loan and back
    assert set(_rows(model, 3)) == {f"devices {rows[0].id}"}
    # out and back: its status before and after each, as a person reads it
    changes = list(zip(_rows(model, 2), _rows(model, 4), _rows(model, 5), strict=True))
    assert ("update", "status: in_stock", "status: on_loan") in changes
    assert ("update", "status: on_loan", "status: in_stock") in changes


def test_the_csv_export_is_the_commands_csv(
    qtbot, ctx, audited, capsys, monkeypatch, tmp_path
) -> None:  # noqa: ANN001
    ctx.actor = "mo"
    _window, panel = _audit_area(qtbot, ctx)
    panel.staff.setText("cat")
    panel.record.setText("LNR-001")
    panel.apply()
    _wait_loaded(qtbot, panel)
    panel.staff.setText("typed but not applied")  # the export is of what is shown
    target = str(tmp_path / "trail.csv")
    with qtbot.waitSignal(panel.exported, timeout=5000):
        panel.export_csv(target)
    with open(target, encoding="utf-8", newline="") as saved:
        exported = saved.read()

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    url = str(ctx.factory.kw["bind"].url)
    code = main(["audit", "--staff", "cat", "--record", "LNR-001", "--csv", "--db", url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert exported == out
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) >= 2 and {r["who"] for r in rows} == {"cat"}
    assert len(rows) == panel.model.rowCount()
    assert panel.message.text() == f"Saved {len(rows)} rows to {target}."


def test_a_counter_member_is_told_the_trail_is_a_managers(qtbot, ctx, audited) -> None:  # noqa: ANN001
    ctx.actor = "cat"
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_area("audit")
    panel = window.panels["audit"]
    assert isinstance(panel, AuditPanel)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=5000)
    assert panel.message.text() == "Reading the audit trail needs a manager."
    assert not panel.view.isVisible() and not panel.filters_bar.isVisible()
    assert panel.model.rowCount() == 0
    panel.export_csv("never-written.csv")  # Ctrl+E does nothing for someone refused
    assert panel.message.text() == "Reading the audit trail needs a manager."
