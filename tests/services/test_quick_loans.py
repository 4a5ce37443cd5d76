"""A day loan out and back in good order run as a few plain statements (quick_loans.py) behind
the one entry of each action (issue_loan, return_loan), whoever calls: the counter with ids,
the command line with codes. The result, the records and the audit log (station included) must
be exactly those of the general path through the ORM, and everything out of the ordinary must
still be refused with the general path's words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_school import NOW, build_school
from sqlalchemy import event, select

from helpdesk.domain.enums import Condition, LoanType
from helpdesk.domain.errors import AlreadyOnLoan, NotFound, Refused
from helpdesk.domain.models import AuditEntry, Device, Loan, Student
from helpdesk.services.core.settings import get_settings, save_settings
from helpdesk.services.counter import loans as loan_service
from helpdesk.services.counter import quick_loans
from helpdesk.services.counter.loans import issue_loan, return_loan

LATER = NOW + timedelta(hours=3)


def _ids(factory) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001
    with factory() as session:
        devices = {d.asset_tag: d.id for d in session.scalars(select(Device))}
        students = {s.card_code: s.id for s in session.scalars(select(Student))}
    return devices, students


def _story(factory) -> list:  # noqa: ANN001
    """Loans out and back by tag, serial and slip, late and with notes, and as the counter makes
    them (ids from its scans, back by the loan's id); what each call gave."""
    devices, students = _ids(factory)
    out = [
        issue_loan(factory, "counter1", student_code="S1002", device_code="LNR-001", now=NOW),
        issue_loan(
            factory,
            "counter1",
            student_code="S1004",
            device_code="SNL00002",  # the serial
            loan_type="long",
            accessories=("charger", "case"),
            notes="Spare charger",
            now=NOW,
        ),
    ]
    out.append(return_loan(factory, "tech1", device_code="LNR-001", notes="Sticky key", now=LATER))
    out.append(return_loan(factory, "counter1", loan_id=out[1].code, condition="fair",
                           now=NOW + timedelta(days=30)))  # fmt: skip
    out.append(issue_loan(factory, "counter1", student_code="S1002", device_code="LNR-001",
                          school_days=3, now=LATER))  # fmt: skip
    # the counter's own calls (helpdesk/ui/counter/actions.py: issue, give_back)
    lent = issue_loan(factory, "counter1", student_id=students["S1004"],
                      device_id=devices["LNR-003"], accessories=("charger",),
                      loan_type=LoanType.DAY, due_at=None, now=LATER)  # fmt: skip
    out.append(lent)
    out.append(return_loan(factory, "counter1", loan_id=lent.id, condition=Condition.FAIR,
                           missing=(), now=LATER + timedelta(hours=1)))  # fmt: skip
    return out


def _records(factory) -> tuple[list, list, list]:  # noqa: ANN001
    with factory() as session:
        audit = [
            (a.at, a.staff_id, a.action, a.entity, a.entity_id, a.before, a.after, a.station)
            for a in session.scalars(select(AuditEntry).order_by(AuditEntry.entity, AuditEntry.id))
            if a.staff_id is not None  # the story's rows, not the school's set-up
        ]
        loans = [
            {c.key: getattr(loan, c.key) for c in Loan.__table__.c}
            for loan in session.scalars(select(Loan).order_by(Loan.id))
        ]
        devices = [
            (d.asset_tag, d.status) for d in session.scalars(select(Device).order_by(Device.id))
        ]
    return audit, loans, devices


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_quick_path_writes_what_the_general_path_writes(backend, request, monkeypatch):
    name = "session_factory" if backend == "sqlite" else "pg_session_factory"
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    quick_factory = request.getfixturevalue(name)
    build_school(quick_factory)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Front desk")
    calls = {"issue": 0, "return": 0}
    real_issue, real_return = quick_loans.quick_issue, quick_loans.quick_return

    def counting(kind, real):  # noqa: ANN001, ANN202
        def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            found = real(*args, **kwargs)
            calls[kind] += found is not None
            return found

        return run

    monkeypatch.setattr(loan_service, "quick_issue", counting("issue", real_issue))
    monkeypatch.setattr(loan_service, "quick_return", counting("return", real_return))
    told_quick = _notices(quick_factory)
    quick = _story(quick_factory)
    assert calls == {"issue": 4, "return": 3}  # every step took the quick path

    # the same story on a second school, through the ORM only
    from sqlalchemy.orm import close_all_sessions

    close_all_sessions()
    general_factory = _second_school(request, backend)
    monkeypatch.setattr(loan_service, "quick_issue", lambda *a, **k: None)
    monkeypatch.setattr(loan_service, "quick_return", lambda *a, **k: None)
    told_general = _notices(general_factory)
    general = _story(general_factory)
    # the same word to the other counters (PostgreSQL), sent inside the quick path's last write
    assert told_quick == told_general
    assert (len(told_quick) == 7) is (backend == "postgres")

    assert quick == general
    records = _records(quick_factory)
    assert len(records[0]) == 14  # 4 loans and 3 returns: a loan row and a device row each
    assert {row[-1] for row in records[0]} == {"Front desk"}
    assert records == _records(general_factory)


def _notices(factory) -> list[str]:  # noqa: ANN001
    """What each action told the other counters (PostgreSQL's pg_notify payloads)."""
    told: list[str] = []

    def heard(_conn, _cursor, statement, params, *_rest) -> None:  # noqa: ANN001
        if "pg_notify" in statement:  # the unit of work's, or a quick path's last statement's
            told.append(params.get("payload") or params["changes_word"])

    event.listen(factory.kw["bind"], "before_cursor_execute", heard)
    return told


def _second_school(request, backend: str):  # noqa: ANN001, ANN202
    """Another school like the fixture's: the same staff, so the same ids."""
    from helpdesk.db import open_database
    from helpdesk.domain.enums import StaffRole
    from helpdesk.domain.models import Staff

    if backend == "sqlite":
        factory = open_database(f"sqlite:///{request.getfixturevalue('tmp_path') / 'g.sqlite3'}")
        with factory() as session, session.begin():
            session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
    else:
        server, template = (
            request.getfixturevalue("pg_server"),
            request.getfixturevalue("_pg_template"),
        )
        name = server.new_name("general")
        factory = open_database(server.create_database(name, template=template))
        request.addfinalizer(lambda: server.drop_database(name))
    request.addfinalizer(factory.kw["bind"].dispose)
    build_school(factory)
    return factory


def test_refusals_still_come_in_the_general_path_words(any_school):
    school = any_school
    issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    with pytest.raises(AlreadyOnLoan, match="LNR-001 is already on loan to Ben Jones"):
        issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    with pytest.raises(Refused, match="already has 1 open loan"):
        issue_loan(school, "counter1", student_code="S1002", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused, match="left the school"):
        issue_loan(school, "counter1", student_code="S1003", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused, match="not in the loan pool"):
        issue_loan(school, "counter1", student_code="S1004", device_code="LAP-0003", now=NOW)
    with pytest.raises(Refused, match="no longer an active staff member"):
        issue_loan(school, "gone", student_code="S1004", device_code="LNR-002", now=NOW)
    with pytest.raises(NotFound, match="No student has the card code 'S9999'"):
        issue_loan(school, "counter1", student_code="S9999", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused, match="LNR-002 is not on loan"):
        return_loan(school, "counter1", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused, match="no longer an active staff member"):
        return_loan(school, "gone", device_code="LNR-001", now=NOW)
    back = return_loan(school, "counter1", device_code="lnr-001", now=LATER)  # other case
    assert back.loan.returned_to == "counter1"
    with pytest.raises(Refused, match="was already returned"):
        return_loan(school, "counter1", loan_id=back.loan.code, now=LATER)


def test_the_counter_s_ids_are_refused_in_the_same_words(any_school, monkeypatch):
    school = any_school
    devices, students = _ids(school)
    taken = {"issue": 0, "return": 0}
    real_issue, real_return = quick_loans.quick_issue, quick_loans.quick_return

    def watch(kind, real):  # noqa: ANN001, ANN202
        def run(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            found = real(*args, **kwargs)
            taken[kind] += found is not None
            return found

        return run

    monkeypatch.setattr(loan_service, "quick_issue", watch("issue", real_issue))
    monkeypatch.setattr(loan_service, "quick_return", watch("return", real_return))

    def lend(card: str, tag: str, **extra):  # noqa: ANN003, ANN202
        return issue_loan(school, "counter1", student_id=students[card], device_id=devices[tag],
                          accessories=("charger", "case"), now=NOW, **extra)  # fmt: skip

    first = lend("S1002", "LNR-001")
    assert taken["issue"] == 1
    with pytest.raises(AlreadyOnLoan, match="LNR-001 is already on loan to Ben Jones"):
        lend("S1004", "LNR-001")
    with pytest.raises(Refused, match="already has 1 open loan"):
        lend("S1002", "LNR-002")
    with pytest.raises(Refused, match="left the school"):
        lend("S1003", "LNR-002")
    with pytest.raises(Refused, match="not in the loan pool"):
        lend("S1004", "LAP-0003")
    with pytest.raises(NotFound, match="There is no device with the id 9999"):
        issue_loan(school, "counter1", student_id=students["S1004"], device_id=9999, now=NOW)
    # a chosen due day is out of the ordinary: the general path, the same loan otherwise
    chosen = lend("S1004", "LNR-002", due_at=NOW.date() + timedelta(days=2))
    assert taken["issue"] == 1
    assert chosen.due_at.date() == NOW.date() + timedelta(days=2)
    # accessories missing stay on the loan (the general path); a plain return does not
    back = return_loan(school, "counter1", loan_id=first.id, condition=Condition.GOOD,
                       missing=("case",), now=LATER)  # fmt: skip
    assert back.loan.accessories_missing == ("case",)
    assert taken["return"] == 0
    plain = return_loan(school, "counter1", loan_id=chosen.id, condition=Condition.GOOD,
                        missing=(), now=LATER)  # fmt: skip
    assert plain.loan.accessories_missing == () and taken["return"] == 1
    with pytest.raises(Refused, match="was already returned"):
        return_loan(school, "counter1", loan_id=first.id, now=LATER)


def test_unpaid_charges_block_the_quick_path_too(any_school):
    from helpdesk.services.repairs.tickets import DamageReport, open_ticket

    school = any_school
    save_settings(school, "admin", replace_settings(get_settings(school)))
    # Ben's cover has lapsed: a cracked screen is charged at the uninsured price
    open_ticket(school, "counter1", device_code="LAP-0002", damage=DamageReport("screen", "Crack"),
                now=NOW)  # fmt: skip
    with pytest.raises(Refused, match="unpaid charges"):
        issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)


def replace_settings(settings):  # noqa: ANN001, ANN201
    from dataclasses import replace

    return replace(settings, block_loans_with_unpaid_charges=True)
