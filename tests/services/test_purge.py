"""Purging leavers: a dry run changes nothing; --apply anonymises the leaver everywhere (columns,
free text, photos, the audit trail, and on SQLite the file's bytes and its log) while their
loans, tickets, claims and payments stay counted; leavers still owing or holding something are
skipped with the reason; the purge's own audit row holds counts only; the audit log is
append-only again afterwards; only an admin may purge, and only an admin is reminded."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from leavers import add_leaver
from service_school import BACKENDS, NOW, build_school
from sqlalchemy import func, select, text, update

from helpdesk.domain.base import Base
from helpdesk.domain.enums import ChargeStatus, StudentStatus
from helpdesk.domain.models import (
    AuditEntry,
    Claim,
    Loan,
    Payment,
    Student,
    Ticket,
    TicketPhoto,
)
from helpdesk.services.care.purge import purge_leavers
from helpdesk.services.care.retention import leavers_due, retention_cutoff
from helpdesk.services.care.scrub import former_code
from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.core.staff import add_staff
from helpdesk.services.counter.loans import issue_loan
from helpdesk.services.repairs.tickets import DamageReport, open_ticket

CUT = date(2025, 9, 1)
WHERE = ("ZQ-7781", "Zebedee", "Quarmby")


def dump(factory) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row of every table, in order."""
    with factory() as session:
        return {
            table.name: [
                tuple(r)
                for r in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def _mentions(factory, *words: str) -> list[str]:  # noqa: ANN001
    """Where any of ``words`` (any case) is still held: table and row."""
    found = []
    for name, rows in dump(factory).items():
        for row in rows:
            flat = " ".join(
                v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in row
            ).lower()
            found += [f"{name}: {row[:3]}" for w in words if w.lower() in flat]
    return found


@pytest.fixture(params=BACKENDS)
def leaver_school(request: pytest.FixtureRequest):
    name = "session_factory" if request.param == "sqlite" else "pg_session_factory"
    factory = request.getfixturevalue(name)
    build_school(factory)
    leaver = add_leaver(factory, *WHERE)
    return factory, leaver


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(leaver_school):
    factory, _ = leaver_school
    before = dump(factory)
    outcome = purge_leavers(factory, "admin", CUT)
    assert not outcome.applied
    assert (outcome.students, outcome.loans, outcome.tickets, outcome.claims, outcome.photos) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    assert outcome.skipped == ()  # Cara left in July 2026: not before the cut-off
    assert dump(factory) == before


def test_apply_anonymises_the_leaver_and_keeps_the_counts(leaver_school):
    factory, leaver = leaver_school
    with factory() as session:
        kept = {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Loan, Ticket, Claim, Payment)
        }
    assert _mentions(factory, *WHERE)  # the leaver is everywhere to begin with
    outcome = purge_leavers(factory, "admin", CUT, apply=True, now=NOW)
    assert outcome.applied and outcome.students == 1 and outcome.photos == 1
    assert outcome.audit_rows >= 8 and outcome.texts >= 4
    assert _mentions(factory, *WHERE) == []
    with factory() as session:
        student = session.get(Student, leaver.id)
        assert (student.first_name, student.last_name) == ("Former student", f"#{leaver.id}")
        assert student.card_code == former_code(leaver.id) and student.form == "11Z"
        assert student.status is StudentStatus.LEFT and student.left_on == date(2025, 7, 18)
        for model, count in kept.items():
            table = {"Loan": Loan, "Ticket": Ticket, "Claim": Claim, "Payment": Payment}[model]
            assert session.scalar(select(func.count()).select_from(table)) == count
        assert session.scalar(select(func.count()).select_from(TicketPhoto)) == 0
        ticket = session.scalar(select(Ticket).where(Ticket.student_id == leaver.id))
        assert ticket.fault == f"Former student #{leaver.id} dropped it on the stairs"
        loan = session.scalar(select(Loan).where(Loan.student_id == leaver.id))
        assert loan.notes == (
            f"Former student #{leaver.id} said the charger is Former student #{leaver.id}'s own"
        )
        # the other students are untouched
        assert session.scalar(select(Student.last_name).where(Student.card_code == "S1003")) == (
            "Brown"
        )


def test_the_purge_is_in_the_audit_trail_by_counts_only(leaver_school):
    factory, leaver = leaver_school
    purge_leavers(factory, "admin", CUT, apply=True, now=NOW)
    with factory() as session:
        row = session.scalar(select(AuditEntry).where(AuditEntry.entity == "purge"))
    assert row.action == "update" and row.entity_id is None and row.before is None
    counts = json.loads(row.after)
    assert counts == {
        "left_before": "2025-09-01", "students": 1, "skipped": 0, "loans": 1, "tickets": 1,
        "claims": 1, "photos_deleted": 1, "texts_rewritten": counts["texts_rewritten"],
        "audit_rows_rewritten": counts["audit_rows_rewritten"],
    }  # fmt: skip
    assert all(isinstance(v, int) for k, v in counts.items() if k != "left_before")


def test_the_audit_log_is_append_only_again_after_a_purge(leaver_school):
    factory, _ = leaver_school
    purge_leavers(factory, "admin", CUT, apply=True, now=NOW)
    with factory() as session, pytest.raises(Exception, match="append-only"):
        session.execute(update(AuditEntry).values(station="tampered"))
        session.flush()


def test_a_purged_leaver_is_not_purged_twice(leaver_school):
    factory, _ = leaver_school
    purge_leavers(factory, "admin", CUT, apply=True, now=NOW)
    again = purge_leavers(factory, "admin", CUT)
    assert (again.students, again.skipped) == (0, ())


def test_apply_leaves_no_name_in_the_sqlite_file_or_its_log(session_factory):
    build_school(session_factory)
    leaver = add_leaver(session_factory, *WHERE)
    path = Path(session_factory.kw["bind"].url.database)
    wal = path.with_name(path.name + "-wal")

    def raw() -> bytes:
        return (path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).lower()

    assert all(w.lower().encode() in raw() for w in WHERE)
    outcome = purge_leavers(session_factory, "admin", CUT, apply=True, now=NOW)
    assert outcome.compacted is True
    data = raw()
    for word in WHERE:
        assert word.lower().encode() not in data, word
    assert f"#{leaver.id}".encode() in data
    assert not wal.exists() or wal.stat().st_size == 0


def _make_leaver(factory, card: str) -> None:  # noqa: ANN001
    with factory() as session, session.begin():
        session.execute(
            update(Student)
            .where(Student.card_code == card)
            .values(status=StudentStatus.LEFT, left_on=date(2025, 7, 1))
        )


def test_leavers_who_still_hold_or_owe_something_are_skipped_with_the_reason(school):
    issue_loan(school, "admin", student_code="S1004", device_code="LNR-001", now=NOW)
    open_ticket(school, "admin", device_code="LAP-0002", student_code="S1002",
                damage=DamageReport(category="software", description="Slow"), now=NOW)  # fmt: skip
    owing = add_leaver(school, "OW-1", "Olive", "Owing", charge=ChargeStatus.DUE)
    for card in ("S1001", "S1002", "S1004"):  # Anna keeps her laptop, Ben's is in for repair
        _make_leaver(school, card)
    before = dump(school)
    outcome = purge_leavers(school, "admin", CUT, apply=True, now=NOW)
    lines = sorted(s.line for s in outcome.skipped)
    assert lines == [
        "Anna Smith (S1001, 7A, left 01/07/2025): a laptop still assigned",
        "Ben Jones (S1002, 8B, left 01/07/2025): an open repair ticket; a laptop still assigned",
        "Dev Patel (S1004, 9D, left 01/07/2025): an open loan",
        "Olive Owing (OW-1, 11Z, left 18/07/2025): unpaid charges of £50.00",
    ]
    assert outcome.students == 0
    after = dump(school)
    assert after["students"] == before["students"]
    assert after["ticket_photos"] == before["ticket_photos"]
    assert owing.first == "Olive"


@pytest.mark.parametrize("role", ["counter", "technician", "manager"])
def test_only_an_admin_may_purge_or_see_what_a_purge_would_do(leaver_school, role):
    factory, _ = leaver_school
    add_staff(factory, "admin", username=f"{role}9", display_name=role.title(), role=role)
    before = dump(factory)
    for apply in (False, True):
        with pytest.raises(PermissionRefused, match=r"^Purging leavers' records needs an admin\.$"):
            purge_leavers(factory, f"{role}9", CUT, apply=apply, now=NOW)
    assert dump(factory) == before
    assert leavers_due(factory, f"{role}9", today=date(2026, 12, 7)) is None


def test_the_retention_period_runs_from_the_start_of_the_academic_year(session_factory):
    assert retention_cutoff(date(2026, 12, 7), 1) == date(2025, 9, 1)
    assert retention_cutoff(date(2026, 8, 31), 1) == date(2024, 9, 1)
    assert retention_cutoff(date(2026, 9, 1), 2) == date(2024, 9, 1)
    build_school(session_factory)
    add_leaver(session_factory, *WHERE)  # left 18/07/2025
    due = leavers_due(session_factory, "admin", today=date(2026, 12, 7))
    assert (due.count, due.left_before) == (1, date(2025, 9, 1))  # Cara (July 2026) not yet
    assert leavers_due(session_factory, "admin", today=date(2026, 8, 31)).count == 0
    assert leavers_due(session_factory, "admin", today=date(2027, 9, 1)).count == 2
    assert "--left-before 2025-09-01" in due.sentence


def test_the_retention_period_is_a_setting(session_factory):
    from dataclasses import replace

    from helpdesk.services.core.settings import get_settings, save_settings

    build_school(session_factory)
    add_leaver(session_factory, *WHERE)
    save_settings(
        session_factory, "admin", replace(get_settings(session_factory), retention_years=2)
    )
    assert get_settings(session_factory).retention_years == 2
    assert leavers_due(session_factory, "admin", today=date(2026, 12, 7)).count == 0
    assert leavers_due(session_factory, "admin", today=date(2027, 9, 1)).count == 1


def test_on_sqlite_the_triggers_are_the_same_after_a_purge(session_factory):
    build_school(session_factory)
    add_leaver(session_factory, *WHERE)

    def triggers() -> list[tuple]:
        with session_factory() as session:
            return [tuple(r) for r in session.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger' ORDER BY name"))]  # fmt: skip

    before = triggers()
    assert before
    purge_leavers(session_factory, "admin", CUT, apply=True, now=datetime(2026, 12, 7))
    assert triggers() == before


@pytest.mark.postgres
def test_on_postgresql_the_counters_login_is_refused_in_one_sentence(pg_server, pg_session_factory):
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from helpdesk.db import make_session_factory
    from helpdesk.domain.errors import Refused
    from helpdesk.services.care.scrub import OWNER_NEEDED
    from helpdesk.services.core.grants import grants_sql

    build_school(pg_session_factory)
    add_leaver(pg_session_factory, *WHERE)
    owner_url = pg_session_factory.kw["bind"].url
    login = pg_server.new_name("login").lower()
    owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f"CREATE ROLE {login} LOGIN PASSWORD 'app-secret-1'"))
        for statement in grants_sql(login):
            conn.execute(text(statement))
    app_engine = create_engine(make_url(owner_url).set(username=login, password="app-secret-1"))
    try:
        before = dump(pg_session_factory)
        with pytest.raises(Refused) as refused:
            purge_leavers(make_session_factory(app_engine), "admin", CUT, apply=True, now=NOW)
        assert str(refused.value) == OWNER_NEEDED
        assert dump(pg_session_factory) == before
    finally:
        app_engine.dispose()
        with owner.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {login}"))
            conn.execute(text(f"DROP ROLE {login}"))
        owner.dispose()
