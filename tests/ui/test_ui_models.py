"""Every table model in helpdesk.ui.models, filled with real rows from the small school, passes
Qt's model tester (pytest-qt's ``qtmodeltester``: row and column counts, indexes, parents, header
and data roles, and the signals of a reset) and shows the rows it was given."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

import pytest
from PySide6.QtCore import QModelIndex, Qt

from helpdesk.services.records import browse
from helpdesk.services.repairs import ticket_queue, tickets
from helpdesk.services.reporting import reports
from helpdesk.ui.models.overdue_model import OverdueModel
from helpdesk.ui.models.paged_model import PagedTableModel
from helpdesk.ui.models.queue_model import AGE_COLUMN, QueueModel
from helpdesk.ui.models.report_model import ReportModel
from helpdesk.ui.records.panel import DEVICE_COLUMNS, STUDENT_COLUMNS

DISPLAY = Qt.ItemDataRole.DisplayRole


def _lend(factory, card: str, tag: str, due: datetime) -> None:  # noqa: ANN001
    """A day loan already handed out (due in the past for an overdue one)."""
    from sqlalchemy import select

    from helpdesk.domain.enums import DeviceStatus, LoanType
    from helpdesk.domain.models import Device, Loan, Staff, Student

    with factory() as session, session.begin():
        student = session.scalar(select(Student).where(Student.card_code == card))
        device = session.scalar(select(Device).where(Device.asset_tag == tag))
        device.status = DeviceStatus.ON_LOAN
        session.add(
            Loan(
                device_id=device.id,
                student_id=student.id,
                loan_type=LoanType.DAY,
                accessories="charger",
                issued_at=due - timedelta(hours=6),
                issued_by_id=session.scalar(select(Staff)).id,
                due_at=due,
            )
        )


@pytest.fixture
def repairs(ctx, school):  # noqa: ANN001
    """Two tickets: Anna's cracked screen logged three weeks ago, Ben's battery today."""
    now = datetime.now().replace(microsecond=0)
    screen = tickets.DamageReport("screen", "Screen cracked from the corner.")
    battery = tickets.DamageReport("battery", "Battery will not hold a charge.")
    tickets.open_ticket(
        ctx.factory, "admin", device_code=school.anna_laptop, damage=screen,
        now=now - timedelta(days=21),
    )  # fmt: skip
    tickets.open_ticket(ctx.factory, "admin", device_code=school.ben_laptop, damage=battery)
    return school


def _column(model, column: int) -> list[str]:  # noqa: ANN001
    return [model.index(row, column).data(DISPLAY) for row in range(model.rowCount())]


def test_the_overdue_model(qtmodeltester, ctx, school) -> None:  # noqa: ANN001
    now = datetime.now().replace(microsecond=0)
    _lend(ctx.factory, school.anna, "LNR-001", now - timedelta(days=3))
    _lend(ctx.factory, school.ben, "LNR-002", now - timedelta(hours=1))
    model = OverdueModel()
    model.set_rows(browse.overdue_rows(ctx.factory))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert _column(model, 0) == ["Ben Jones", "Anna Smith"]  # latest due first
    assert _column(model, 3) == ["LNR-002", "LNR-001"]
    assert model.index(1, 7).data(DISPLAY) == "3"
    assert model.index(0, 0).parent() == QModelIndex()
    assert model.rowCount(model.index(0, 0)) == 0  # a table: no row has children
    model.set_rows([])
    qtmodeltester.check(model)
    assert model.rowCount() == 0


def test_the_ticket_queue_model(qtmodeltester, ctx, repairs) -> None:  # noqa: ANN001
    model = QueueModel()
    model.set_rows(list(ticket_queue.ticket_queue(ctx.factory).rows))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert _column(model, 1) == [repairs.anna_laptop, repairs.ben_laptop]  # oldest first
    old = model.index(0, AGE_COLUMN)
    assert int(old.data(DISPLAY)) > 5
    assert old.data(Qt.ItemDataRole.ForegroundRole) is not None  # past five school days: red
    assert model.index(1, AGE_COLUMN).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(1, 0).data(Qt.ItemDataRole.UserRole).asset_tag == repairs.ben_laptop
    model.sort(1, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    assert _column(model, 1) == [repairs.ben_laptop, repairs.anna_laptop]


@pytest.mark.parametrize("name", reports.report_names())
def test_the_report_model(qtmodeltester, ctx, repairs, name: str) -> None:  # noqa: ANN001
    table = reports.run_report(ctx.factory, ctx.actor, name)
    model = ReportModel()
    model.set_table(table)
    qtmodeltester.check(model)
    assert model.rowCount() == len(table.rows)
    assert model.columnCount() == len(table.headings)
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(len(table.headings))
    ]
    assert headers == list(table.headings)
    if name == "open-tickets":
        assert model.rowCount() > 0  # the two open tickets
    model.set_table(None)
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and model.columnCount() == 0


@pytest.mark.parametrize(
    ("fetch", "columns", "query", "first"),
    [
        (browse.device_page, DEVICE_COLUMNS, "LNR", "LNR-001"),
        (browse.student_page, STUDENT_COLUMNS, "", "Jones"),
    ],
    ids=["devices", "students"],
)
def test_the_paged_model(qtmodeltester, qtbot, ctx, school, fetch, columns, query, first) -> None:  # noqa: ANN001
    model = PagedTableModel(columns, partial(fetch, ctx.factory), ctx.runner, page_size=2)
    with qtbot.waitSignal(model.loaded, timeout=5000) as loaded:
        model.search(query)
    assert loaded.args == [model.rowCount()]
    assert model.rowCount() >= 3  # more rows than one page: the later pages load when painted
    # asking for a row whose page is not here yet shows "…" and fetches that page
    qtbot.waitUntil(lambda: "…" not in _column(model, 0), timeout=5000)
    qtmodeltester.check(model)
    assert model.index(0, 0).data(DISPLAY) == first


@pytest.mark.threaded
def test_a_page_read_for_a_model_already_gone_is_dropped(qtbot, ctx, school) -> None:  # noqa: ANN001
    """A window closed while its list was being read: the answer arrives for a model that is no
    longer there and is dropped, with no error."""
    import threading

    import shiboken6

    release = threading.Event()

    def slow_fetch(*args: object) -> tuple[list[object], int]:
        release.wait(5)
        return browse.student_page(ctx.factory, *args)  # type: ignore[arg-type]

    model = PagedTableModel(STUDENT_COLUMNS, slow_fetch, ctx.runner, page_size=2)
    model.search("")
    shiboken6.delete(model)  # the window and its model go while the page is read
    release.set()
    # busy until the answer has been handed to the (gone) model through the event loop
    qtbot.waitUntil(lambda: not ctx.runner.busy(), timeout=5000)


def test_the_audit_model(qtmodeltester, qtbot, ctx, repairs) -> None:  # noqa: ANN001
    """Newest first, a page at a time, capped: only the newest ``cap`` rows are offered while
    ``total`` still says how many match (for "narrow the filters")."""
    from helpdesk.ui.models.audit_model import AuditFilters, AuditModel

    model = AuditModel(ctx.factory, "admin", ctx.db, page_size=2, cap=5)
    with qtbot.waitSignal(model.loaded, timeout=5000) as loaded:
        model.show(AuditFilters())
    total = loaded.args[0]
    assert total > 5 and model.rowCount() == 5  # the school's rows and two tickets: past the cap
    qtbot.waitUntil(lambda: "…" not in _column(model, 0), timeout=5000)
    qtmodeltester.check(model)
    whens = [model.index(row, 0).data(Qt.ItemDataRole.UserRole).at for row in range(5)]
    assert whens == sorted(whens, reverse=True)
    with qtbot.waitSignal(model.loaded, timeout=5000) as loaded:
        model.show(AuditFilters(record=repairs.ben_laptop))
    qtbot.waitUntil(lambda: "…" not in _column(model, 0), timeout=5000)
    qtmodeltester.check(model)
    assert 0 < model.rowCount() == loaded.args[0] <= 5
    assert set(_column(model, 3)) == {model.index(0, 3).data(DISPLAY)}
    assert model.index(0, 3).data(DISPLAY).startswith("devices ")
