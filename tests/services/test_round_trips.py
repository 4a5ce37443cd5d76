"""PostgreSQL: an action's BEGIN travels with its first statement and a quick action's COMMIT
with its last (helpdesk/db/round_trips.py), counted as round trips through the bench's delay
proxy on the real server; and what that must not change: a failed action keeps nothing, a
refused last statement commits nothing, a statement after the COMMIT is refused, reads stay
outside transactions, and the counter's warm-up writes nothing and draws no number."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from service_school import NOW, build_school
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from helpdesk.db import make_engine, make_session_factory
from helpdesk.db.round_trips import AfterCommit
from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import AuditEntry, Device, Loan, Staff, Student
from helpdesk.services.core.codes import loan_code
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.unit_of_work import read_session, unit_of_work
from helpdesk.services.counter import counter_log
from helpdesk.services.counter.loans import issue_loan, return_loan
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.counter.quick_loans import audit_rows
from helpdesk.services.counter.warm import warm_up

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from netdelay import DelayProxy, proxied_url, target_of  # noqa: E402

pytestmark = pytest.mark.postgres


@pytest.fixture
def through_proxy(pg_session_factory):  # noqa: ANN001, ANN201
    """The small school on PostgreSQL, and a session factory reaching it through a proxy that
    counts round trips (no delay added)."""
    build_school(pg_session_factory)
    url = pg_session_factory.kw["bind"].url.render_as_string(hide_password=False)
    host, port = target_of(url)
    proxy = DelayProxy()
    listen = proxy.start(target_host=host, target_port=port, delay_ms=0.0)
    engine = make_engine(proxied_url(url, listen))
    yield make_session_factory(engine), proxy, pg_session_factory
    engine.dispose()
    proxy.stop()


def _trips(proxy: DelayProxy, action) -> int:  # noqa: ANN001
    before = proxy.turns
    action()
    return proxy.turns - before


def _ids(factory) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001
    with read_session(factory) as session:
        devices = {d.asset_tag: d.id for d in session.scalars(select(Device))}
        students = {s.card_code: s.id for s in session.scalars(select(Student))}
    return devices, students


def test_the_counter_s_actions_cost_a_round_trip_per_statement_and_no_more(through_proxy) -> None:  # noqa: ANN001
    factory, proxy, _direct = through_proxy
    devices, students = _ids(factory)
    warm_up(factory)  # connected, and nothing left to set up on the first call
    lent = []

    def lend() -> None:
        lent.append(
            issue_loan(
                factory,
                "counter1",
                student_id=students["S1002"],
                device_id=devices["LNR-001"],
                now=NOW,
            )  # fmt: skip
        )

    # the locked read with its BEGIN, the open loans, the writes with their COMMIT
    assert _trips(proxy, lend) == 3
    # the locked read with its BEGIN, the writes with their COMMIT
    assert _trips(proxy, lambda: return_loan(factory, "counter1", loan_id=lent[0].id, now=NOW)) == 2
    # the staff member with the BEGIN, the row and the word with the COMMIT
    assert (
        _trips(proxy, lambda: counter_log.record_refusal(factory, "counter1", "desk", "No.")) == 2
    )
    # a read takes no transaction: one statement, one round trip
    assert _trips(proxy, lambda: lookup(factory, loan_code(lent[0].id))) >= 1

    # the general path (the ORM): its BEGIN rides with its first statement, COMMIT is its own
    def rename() -> None:
        with unit_of_work(factory, "admin", action="staff.add") as session:
            staff = session.scalar(select(Staff).where(Staff.username == "counter1"))
            assert staff is not None
            staff.display_name = "Counter One"

    # the acting staff member with the BEGIN, the row, its UPDATE, its audit row, the word, the
    # COMMIT (psycopg on its own: one more, for the BEGIN)
    assert _trips(proxy, rename) == 6


def test_a_failure_after_the_first_statement_keeps_nothing(through_proxy) -> None:  # noqa: ANN001
    factory, _proxy, _direct = through_proxy
    with pytest.raises(RuntimeError, match="half-way"):
        with unit_of_work(factory, None, action="staff.add") as session:
            session.add(Staff(username="halfway", display_name="Half", role=StaffRole.COUNTER))
            session.flush()  # the INSERT went first, with the BEGIN
            raise RuntimeError("half-way")
    with read_session(factory) as session:
        assert session.scalar(select(Staff).where(Staff.username == "halfway")) is None


def test_a_last_statement_the_server_refuses_commits_nothing(through_proxy) -> None:  # noqa: ANN001
    factory, _proxy, _direct = through_proxy
    with read_session(factory) as session:
        audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    row = {"at": NOW, "staff_id": 10**9, "action": "refuse", "entity": "counter",
           "entity_id": None, "before": None, "after": None, "station": "desk"}  # fmt: skip
    with pytest.raises(IntegrityError):  # no staff member 10**9: the key is refused
        with unit_of_work(factory, None, action="counter.refusal") as session:
            conn = session.connection()
            conn.execute(
                text("UPDATE staff SET display_name = 'Changed' WHERE username = 'counter1'")
            )
            write_in_one(conn, audit_rows(1), {f"{k}_0": v for k, v in row.items()})
    with read_session(factory) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
        name = session.scalar(select(Staff.display_name).where(Staff.username == "counter1"))
        assert name != "Changed"
    counter_log.record_refusal(factory, "counter1", "desk", "Still works.")  # the pool is well


def test_nothing_runs_after_the_commit_a_last_statement_sent(through_proxy) -> None:  # noqa: ANN001
    factory, _proxy, _direct = through_proxy
    with read_session(factory) as session:
        staff_id = session.scalar(select(Staff.id).where(Staff.username == "counter1"))
    row = {"at": NOW, "staff_id": staff_id, "action": "refuse", "entity": "counter",
           "entity_id": None, "before": None, "after": None, "station": "desk"}  # fmt: skip
    with pytest.raises(AfterCommit):
        with unit_of_work(factory, None, action="counter.refusal") as session:
            conn = session.connection()
            write_in_one(conn, audit_rows(1), {f"{k}_0": v for k, v in row.items()})
            conn.execute(text("UPDATE staff SET display_name = 'Late' WHERE id = :id"),
                         {"id": staff_id})  # fmt: skip
    with read_session(factory) as session:
        assert session.scalar(select(Staff.display_name).where(Staff.id == staff_id)) != "Late"


def test_the_warm_up_writes_nothing_and_draws_no_number(through_proxy) -> None:  # noqa: ANN001
    factory, _proxy, direct = through_proxy
    sequences = ("loans", "tickets", "claims", "audit_log")

    def state() -> tuple:
        with read_session(direct) as session:
            counts = tuple(
                session.scalar(select(func.count()).select_from(model))
                for model in (Loan, AuditEntry, Staff, Student, Device)
            )
            drawn = tuple(
                session.scalar(
                    text(f"SELECT last_value FROM {name}_id_seq")  # noqa: S608 - our own names
                )
                for name in sequences
            )
        return counts, drawn

    before = state()
    assert warm_up(factory) > 0
    assert state() == before


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_warm_up_runs_whole_on_both_databases(request, backend: str, caplog) -> None:  # noqa: ANN001
    factory = request.getfixturevalue(
        "session_factory" if backend == "sqlite" else "pg_session_factory"
    )
    build_school(factory)
    with caplog.at_level("WARNING", logger="helpdesk.warm"):
        warm_up(factory)
    assert [r for r in caplog.records if r.name == "helpdesk.warm"] == []
