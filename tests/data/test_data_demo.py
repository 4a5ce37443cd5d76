"""The demo school on a real SQLite file: its size, every ticket state, cover status and charge
status present, the records consistent with the rules, and the same school for the same seed."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpdesk.cli import main
from helpdesk.db import open_database
from helpdesk.demo.build import build_demo
from helpdesk.domain.enums import ChargeStatus, CoverStatus, TicketState
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Claim,
    Closure,
    CoverPeriod,
    Device,
    Loan,
    Staff,
    Student,
    Ticket,
)
from helpdesk.services.core.records import expected_status

NOW = datetime(2026, 11, 25, 11, 20)

# The demo school's fee schedules, written out by hand: the charge for claim 1, 2, 3 of a period
# by scheme and incident. Standard: first claim free, later ones £50.00, theft or loss £150.00;
# Premium: first two free, the third £25.00, theft or loss £75.00.
# fmt: off
DEMO_FEES = {
    ("Standard", "accidental_damage"): (0,     5000,  5000),
    ("Standard", "liquid"):            (0,     5000,  5000),
    ("Standard", "theft"):             (15000, 15000, 15000),
    ("Standard", "loss"):              (15000, 15000, 15000),
    ("Premium",  "accidental_damage"): (0,     0,     2500),
    ("Premium",  "liquid"):            (0,     0,     2500),
    ("Premium",  "theft"):             (7500,  7500,  7500),
    ("Premium",  "loss"):              (7500,  7500,  7500),
}
# fmt: on


def _build(path: Path, seed: int = 7):
    factory = open_database(f"sqlite:///{path}")
    summary = build_demo(factory, seed=seed, now=NOW)
    return factory, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    factory, summary = _build(path)
    yield factory, summary, path
    factory.kw["bind"].dispose()


def scalar(factory, query):
    with factory() as session:
        return session.scalar(query)


def test_the_school_has_its_students_devices_and_staff(demo):
    factory, summary, _path = demo
    assert scalar(factory, select(func.count(Student.id))) == 900
    with factory() as session:
        years = dict(
            session.execute(
                select(Student.year_group, func.count()).group_by(Student.year_group)
            ).all()
        )
        forms = set(session.scalars(select(Student.form)))
        kinds = Counter(session.execute(select(Device.kind, Device.pool)).all())
        roles = dict(session.execute(select(Staff.username, Staff.role)).all())
        left = session.scalar(select(func.count(Student.id)).where(Student.status == "left"))
    assert years == {7: 180, 8: 180, 9: 180, 10: 180, 11: 180}
    assert {"7A", "7F", "11A", "11F"} <= forms and len(forms) == 30
    assert kinds[("laptop", "allocation")] == 950
    assert kinds[("charger", "allocation")] == 950
    assert kinds[("laptop", "loan")] == 60
    assert roles["admin"] == "admin"
    assert {"counter", "technician", "manager", "admin"} == set(roles.values())
    assert left == 10
    assert summary.students == 900 and summary.loaners == 60


def test_every_active_student_has_a_laptop_and_a_charger(demo):
    factory, _summary, _path = demo
    with factory() as session:
        held = Counter(
            session.execute(
                select(Assignment.student_id, Device.kind)
                .join(Device, Device.id == Assignment.device_id)
                .where(Assignment.ended_at.is_(None))
            ).all()
        )
        active = session.scalars(select(Student.id).where(Student.status == "active")).all()
    for student_id in active:
        assert held[(student_id, "laptop")] == 1
        assert held[(student_id, "charger")] <= 1
    spare = scalar(
        factory,
        select(func.count(Device.id)).where(
            Device.kind == "laptop", Device.pool == "allocation", Device.status == "in_stock"
        ),
    )
    assert spare > 0


def test_history_has_every_ticket_state_cover_status_and_charge_status(demo):
    factory, summary, _path = demo
    with factory() as session:
        states = set(session.scalars(select(Ticket.state)))
        cover = set(session.scalars(select(CoverPeriod.status)))
        charges = set(session.scalars(select(Claim.charge_status)))
        closures = session.scalar(select(func.count(Closure.id)))
        open_loans = session.scalar(select(func.count(Loan.id)).where(Loan.returned_at.is_(None)))
        overdue = session.scalar(
            select(func.count(Loan.id)).where(Loan.returned_at.is_(None), Loan.due_at < NOW)
        )
        returned = session.scalar(select(func.count(Loan.id)).where(Loan.returned_at.is_not(None)))
        swaps = session.scalar(select(func.count(Loan.id)).where(Loan.loan_type == "swap"))
    assert states == set(TicketState)
    assert cover == set(CoverStatus)
    assert charges == set(ChargeStatus)
    assert closures > 20
    assert open_loans > 0 and overdue > 0 and returned > 100 and swaps > 0
    assert all(summary.history.tickets_by_state[s.value] > 0 for s in TicketState)
    assert "tickets:" in "\n".join(summary.lines())


def test_records_follow_the_rules(demo):
    factory, _summary, _path = demo
    with factory() as session:
        for device in session.scalars(select(Device)):
            loans = session.scalar(
                select(func.count(Loan.id)).where(
                    Loan.device_id == device.id, Loan.returned_at.is_(None)
                )
            )
            ticket = session.scalar(
                select(Ticket).where(
                    Ticket.device_id == device.id,
                    Ticket.state.not_in(["collected", "written_off", "cancelled"]),
                )
            )
            assigned = session.scalar(
                select(func.count(Assignment.id)).where(
                    Assignment.device_id == device.id, Assignment.ended_at.is_(None)
                )
            )
            assert loans <= 1
            assert device.status == expected_status(
                device.status,
                has_open_loan=bool(loans),
                open_ticket_category=ticket.damage_category if ticket else None,
                assigned=bool(assigned),
            ), device.asset_tag
        per_student = Counter(
            session.scalars(select(Loan.student_id).where(Loan.returned_at.is_(None)))
        )
        assert max(per_student.values()) == 1
        claims = session.scalars(select(Claim).where(Claim.claim_number.is_not(None))).all()
        assert len(claims) > 10
        for claim in claims:
            fees = DEMO_FEES[(claim.cover_period.scheme.name, claim.incident_type.value)]
            assert claim.charge_pence == fees[claim.claim_number - 1], claim.rule
        for loan in session.scalars(select(Loan)):
            assert loan.issued_at < NOW and (loan.returned_at is None or loan.returned_at <= NOW)


def test_devices_have_their_places_and_a_cart_can_be_counted(demo):
    from helpdesk.services.sessions import start_session

    factory, _summary, _path = demo
    with factory() as session:
        rows = session.execute(
            select(Device.asset_tag, Device.kind, Device.pool, Device.status, Device.location)
        ).all()
    places = Counter(location for *_rest, location in rows)
    assert set(places) == {"ICT office", "Cart A", "Cart B", "Store room", "Bench", None}
    for tag, kind, pool, status, location in rows:
        if status == "in_repair":
            assert location == "Bench", tag
        elif pool == "loan":
            home = ("ICT office", "Cart A", "Cart B")[(int(tag[3:]) - 1) // 20]
            assert location == home, tag
        elif status in ("in_stock", "retired"):
            assert location == "Store room", (tag, kind)
        else:
            assert location is None, (tag, status)
    stored = Counter(kind for _t, kind, _p, _s, location in rows if location == "Store room")
    assert stored["laptop"] > 0 and stored["charger"] > 0 and places["Bench"] > 0
    in_cart = sum(1 for *_rest, location in rows if location == "Cart A")
    assert 15 <= in_cart <= 20
    counted = start_session(factory, "technician", "stocktake", location="Cart A", now=NOW)
    assert counted.expected == in_cart


def test_history_is_audited_at_the_time_it_happened(demo):
    factory, _summary, _path = demo
    with factory() as session:
        rows = session.execute(
            select(AuditEntry.at, Staff.username)
            .join(Staff, Staff.id == AuditEntry.staff_id)
            .where(AuditEntry.entity == "loans", AuditEntry.action == "insert")
        ).all()
        loans = session.scalar(select(func.count(Loan.id)))
    assert len(rows) == loans
    assert {who for _at, who in rows} <= {"jlewis", "pkaur"}
    assert len({at.date() for at, _who in rows}) > 20


def test_the_demo_refuses_a_database_with_a_school_in_it(demo, capsys):
    _factory, _summary, path = demo
    code = main(["demo", "--db", f"sqlite:///{path}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == (
        "helpdesk: This database already has 900 students and 1960 devices; the demo school "
        "goes only into an empty database (give another one with --db).\n"
    )


def _fingerprint(factory) -> str:
    digest = hashlib.sha256()
    with factory() as session:
        for query in (
            select(Student.card_code, Student.first_name, Student.last_name, Student.form),
            select(Device.asset_tag, Device.serial, Device.status, Device.location),
            select(Loan.device_id, Loan.student_id, Loan.issued_at, Loan.returned_at),
            select(Ticket.device_id, Ticket.state, Ticket.damage_category, Ticket.opened_at),
            select(Claim.ticket_id, Claim.charge_pence, Claim.charge_status),
        ):
            for row in session.execute(query.order_by(*query.selected_columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_school(demo, tmp_path):
    factory, _summary, _path = demo
    other, _ = _build(tmp_path / "again.sqlite3")
    try:
        assert _fingerprint(other) == _fingerprint(factory)
    finally:
        other.kw["bind"].dispose()


def test_the_demo_accounts_sign_in_on_a_demo_database_only(demo, session_factory):
    from helpdesk.services.core.auth import sign_in, sign_in_badge
    from helpdesk.services.core.demo_accounts import demo_accounts, is_demo_database

    factory, summary, _path = demo
    assert is_demo_database(factory) and not is_demo_database(session_factory)
    assert demo_accounts(session_factory) == ()
    accounts = demo_accounts(factory)
    assert [a.username for a in accounts] == ["counter", "technician", "manager", "admin"]
    for account in accounts:
        assert account.password == f"demo-{account.username}"
        member = sign_in(factory, account.username, account.password)
        assert member.role == account.role.value and member.badge == account.badge
        assert sign_in_badge(factory, account.badge, account.pin).username == account.username
    assert {"counter", "technician", "manager", "admin"} <= set(summary.staff)
