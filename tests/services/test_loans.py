"""Issuing and returning loans: every refusal with its sentence, due times, the device's status,
damage found on return, history, and the audit log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import AlreadyOnLoan, NotFound, Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Claim, Device, Loan
from helpdesk.services.core.settings import get_settings, save_settings
from helpdesk.services.counter.loans import (
    DamageReport,
    device_history,
    issue_loan,
    return_loan,
    student_history,
)
from helpdesk.services.repairs.tickets import open_ticket, record_payment


def status_of(factory, tag: str) -> str:
    with factory() as session:
        return session.scalar(select(Device.status).where(Device.asset_tag == tag)).value


def test_issue_and_return_a_day_loan(any_school):
    loan = issue_loan(any_school, "counter1", student_code="S1001", device_code="LNR-004", now=NOW)
    assert loan.code == f"LOAN-{loan.id:06d}"
    assert (loan.asset_tag, loan.student_name, loan.form) == ("LNR-004", "Anna Smith", "7A")
    assert loan.loan_type == "day"
    assert loan.accessories == ("charger",)
    assert loan.issued_by == "counter1"
    assert loan.due_at == datetime(2026, 10, 5, 15, 30)
    assert status_of(any_school, "LNR-004") == "on_loan"

    back = return_loan(any_school, "counter1", device_code="LNR-004", now=NOW + timedelta(hours=5))
    assert back.loan.returned_at == NOW + timedelta(hours=5)
    assert back.loan.condition_in == "good"
    assert back.loan.returned_to == "counter1"
    assert back.ticket is None and not back.was_overdue
    assert status_of(any_school, "LNR-004") == "in_stock"
    with any_school() as session:
        actions = session.execute(
            select(AuditEntry.action, AuditEntry.entity, AuditEntry.at)
            .where(AuditEntry.entity.in_(["loans", "devices"]), AuditEntry.staff_id.is_not(None))
            .order_by(AuditEntry.id)
        ).all()
    assert sorted(tuple(a) for a in actions) == [
        ("insert", "loans", NOW),
        ("update", "devices", NOW),
        ("update", "devices", NOW + timedelta(hours=5)),
        ("update", "loans", NOW + timedelta(hours=5)),
    ]


def test_a_device_already_on_loan_names_who_has_it(any_school):
    issue_loan(any_school, "counter1", student_code="S1001", device_code="LNR-004", now=NOW)
    with pytest.raises(AlreadyOnLoan) as err:
        issue_loan(any_school, "counter1", student_code="S1002", device_code="LNR-004", now=NOW)
    assert str(err.value) == "LNR-004 is already on loan to Anna Smith (7A)."


@pytest.mark.parametrize(
    ("student", "device", "error", "message"),
    [
        (
            "S1001",
            "LAP-0003",
            Refused,
            "LAP-0003 is not in the loan pool: it is allocated to a student one to one.",
        ),
        (
            "S1003",
            "LNR-001",
            Refused,
            "Cara Brown (11C) left the school on 20/07/2026 and cannot borrow a device.",
        ),
        ("S9999", "LNR-001", NotFound, "No student has the card code 'S9999'."),
        ("S1001", "NOPE-1", NotFound, "No device has the asset tag or serial 'NOPE-1'."),
        ("", "LNR-001", ValidationError, "Scan or type the student's card."),
        ("S1001", " ", ValidationError, "Scan or type the device's asset tag."),
    ],
)
def test_issue_refusals(school, student, device, error, message):
    with pytest.raises(error) as err:
        issue_loan(school, "counter1", student_code=student, device_code=device, now=NOW)
    assert str(err.value) == message
    with school() as session:
        assert session.scalars(select(Loan)).all() == []


def test_device_in_repair_cannot_be_lent(school):
    open_ticket(
        school,
        "tech1",
        device_code="LNR-003",
        damage=DamageReport(category="keyboard", description="Keys missing"),
        now=NOW,
    )
    with pytest.raises(Refused) as err:
        issue_loan(school, "counter1", student_code="S1001", device_code="LNR-003", now=NOW)
    assert str(err.value) == "LNR-003 cannot be lent: it is in repair."


def test_loan_limit(school):
    issue_loan(school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW)
    with pytest.raises(Refused) as err:
        issue_loan(school, "counter1", student_code="S1001", device_code="LNR-002", now=NOW)
    assert str(err.value) == "Anna Smith (7A) already has 1 open loan (LNR-001); the limit is 1."
    save_settings(school, "admin", replace(get_settings(school), loan_limit=2))
    issue_loan(school, "counter1", student_code="S1001", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused) as err:
        issue_loan(school, "counter1", student_code="S1001", device_code="LNR-003", now=NOW)
    assert str(err.value) == (
        "Anna Smith (7A) already has 2 open loans (LNR-001, LNR-002); the limit is 2."
    )


def test_unpaid_charges_block_loans_only_when_the_setting_is_on(school):
    # Ben's cover has lapsed: a cracked screen costs the uninsured price, due now
    ticket = open_ticket(
        school,
        "tech1",
        device_code="LAP-0002",
        damage=DamageReport(category="screen", description="Dropped"),
        now=NOW,
    )
    assert (ticket.charge_pence, ticket.charge_status) == (8500, "due")
    loan = issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    return_loan(school, "counter1", loan_id=loan.code, now=NOW)
    save_settings(
        school, "admin", replace(get_settings(school), block_loans_with_unpaid_charges=True)
    )
    with pytest.raises(Refused) as err:
        issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    assert str(err.value) == (
        "Ben Jones (8B) has unpaid charges of £85.00: no loans until they are paid or waived."
    )
    record_payment(school, "admin", ticket.id, now=NOW)
    issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)


def test_due_times_from_the_rules_and_given(school):
    save_settings(
        school,
        "admin",
        replace(get_settings(school), closures=(date(2026, 10, 6),), long_loan_days=3),
    )
    late = datetime(2026, 10, 5, 16, 0)
    day = issue_loan(school, "counter1", student_code="S1001", device_code="LNR-001", now=late)
    assert day.due_at == datetime(2026, 10, 7, 15, 30)  # the 6th is closed
    long = issue_loan(
        school, "counter1", student_code="S1002", device_code="LNR-002", loan_type="long", now=NOW
    )
    assert long.due_at == datetime(2026, 10, 9, 15, 30)
    given = issue_loan(
        school,
        "counter1",
        student_code="S1004",
        device_code="LNR-003",
        due_at=datetime(2026, 10, 5, 12, 0),
        accessories=("Charger", "case", "charger"),
        now=NOW,
    )
    assert given.due_at == datetime(2026, 10, 5, 12, 0)
    assert given.accessories == ("charger", "case")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"due_at": datetime(2026, 10, 5, 9, 0)},
            "The loan cannot be due at 05/10/2026 09:00: that is not after now (05/10/2026 10:00).",
        ),
        ({"loan_type": "weekend"}, "'weekend' is not a type of loan; use one of: day, swap, long."),
        (
            {"loan_type": "swap"},
            "A swap loan goes with a repair ticket: use the swap at the counter.",
        ),
        ({"school_days": 0}, "A loan must last at least 1 school day."),
        (
            {"condition_out": "shiny"},
            "'shiny' is not a condition; use one of: good, fair, damaged.",
        ),
    ],
)
def test_bad_loan_details(school, kwargs, message):
    with pytest.raises(ValidationError) as err:
        issue_loan(
            school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW, **kwargs
        )
    assert str(err.value) == message


def test_staff_must_exist_and_be_active(school):
    with pytest.raises(Refused) as err:
        issue_loan(school, "gone", student_code="S1001", device_code="LNR-001", now=NOW)
    assert str(err.value) == "Gone Away (gone) is no longer an active staff member."


def test_return_refusals(school):
    with pytest.raises(Refused) as err:
        return_loan(school, "counter1", device_code="LNR-001", now=NOW)
    assert str(err.value) == "LNR-001 is not on loan."
    with pytest.raises(Refused) as err:
        return_loan(school, "counter1", device_code="LAP-0001", now=NOW)
    assert str(err.value) == "LAP-0001 is not on loan: it is assigned to Anna Smith (7A)."
    loan = issue_loan(school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW)
    with pytest.raises(ValidationError) as err:
        return_loan(school, "counter1", device_code="LNR-001", condition="damaged", now=NOW)
    assert str(err.value) == "Describe the damage: a damaged return opens a repair ticket."
    return_loan(school, "counter1", loan_id=loan.id, now=NOW + timedelta(hours=1))
    with pytest.raises(Refused) as err:
        return_loan(school, "counter1", loan_id=loan.code, now=NOW + timedelta(hours=2))
    assert str(err.value) == f"{loan.code} (LNR-001) was already returned on 05/10/2026 at 11:00."
    with pytest.raises(NotFound) as err:
        return_loan(school, "counter1", loan_id="LOAN-000999", now=NOW)
    assert str(err.value) == "There is no loan LOAN-000999."
    with pytest.raises(NotFound) as err:
        return_loan(school, "counter1", loan_id="slip", now=NOW)
    assert str(err.value) == "'slip' is not a loan slip number (e.g. LOAN-000123)."
    with pytest.raises(ValidationError) as err:
        return_loan(school, "counter1", now=NOW)
    assert str(err.value) == "Scan the device or the loan slip to take a loan back."


def test_damage_found_on_return_opens_a_ticket_charged_to_the_borrower(any_school):
    issue_loan(any_school, "counter1", student_code="S1004", device_code="LNR-002", now=NOW)
    back = return_loan(
        any_school,
        "counter1",
        device_code="LNR-002",
        notes="Came back in a bag",
        damage=DamageReport(category="liquid", description="Juice in the keyboard"),
        now=datetime(2026, 10, 6, 9, 0),
    )
    assert back.was_overdue
    assert back.loan.condition_in == "damaged"
    assert back.ticket is not None
    assert (back.ticket.asset_tag, back.ticket.student_name) == ("LNR-002", "Dev Patel")
    assert back.ticket.state == "logged"
    assert back.ticket.charge_pence == 12000  # no cover: the uninsured price
    assert back.ticket.cover.rule == (
        "No cover on record on 06/10/2026. The uninsured price for a liquid repair is £120.00."
    )
    assert status_of(any_school, "LNR-002") == "in_repair"
    with any_school() as session:
        assert session.scalar(select(Claim.charge_pence)) == 12000


def test_histories_of_a_device_and_a_student(school):
    loan = issue_loan(school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW)
    return_loan(school, "counter1", device_code="LNR-001", now=datetime(2026, 10, 5, 16, 0))
    rows = device_history(school, "LNR-001")
    assert [(r.kind, r.text, r.ref) for r in rows] == [
        ("return", "LNR-001 returned (late), condition good", loan.code),
        ("loan", "Lent to Anna Smith (7A): day loan, due 05/10/2026 15:30", loan.code),
    ]
    rows = student_history(school, "S1001")
    assert [r.kind for r in rows] == ["return", "loan", "assigned"]
    assert rows[-1].text == "Assigned LAP-0001"
    with pytest.raises(NotFound):
        device_history(school, "NOPE")


def test_due_given_as_a_day_a_zoned_time_or_nonsense(school):
    on_friday = issue_loan(
        school,
        "counter1",
        student_code="S1001",
        device_code="LNR-001",
        due_at=date(2026, 10, 9),
        accessories="charger, case",
        now=NOW,
    )
    assert on_friday.due_at == datetime(2026, 10, 9, 15, 30)  # the end of that school day
    assert on_friday.accessories == ("charger", "case")

    zoned = datetime(2026, 10, 6, 12, 0, tzinfo=UTC)
    loan = issue_loan(
        school, "counter1", student_code="S1002", device_code="LNR-002", due_at=zoned, now=NOW
    )
    assert loan.due_at == zoned.astimezone().replace(tzinfo=None)
    with pytest.raises(ValidationError) as err:
        issue_loan(
            school,
            "counter1",
            student_code="S1004",
            device_code="LNR-003",
            due_at="tomorrow",
            now=NOW,
        )
    assert str(err.value) == "The due time 'tomorrow' is not a date or a time."
