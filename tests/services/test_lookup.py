"""Looking up any scanned code: student card, asset tag, serial, loan slip, repair receipt."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from service_school import NOW

from helpdesk.domain.enums import LoanType
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.services.core.settings import get_settings, loan_due, save_settings
from helpdesk.services.counter.loans import issue_loan, return_loan
from helpdesk.services.counter.lookup import DeviceCard, LoanCard, StudentCard, TicketCard, lookup
from helpdesk.services.repairs.tickets import DamageReport, open_ticket


def test_student_card_shows_devices_loans_and_cover(any_school):
    school = any_school
    issue_loan(school, "counter1", student_code="S1001", device_code="LNR-002", now=NOW)
    card = lookup(school, " S1001 ", now=NOW)
    assert isinstance(card, StudentCard)
    assert card.kind == "student"
    assert (card.name, card.form, card.year_group, card.status) == ("Anna Smith", "7A", 7, "active")
    assert [d.asset_tag for d in card.assigned_devices] == ["LAP-0001"]
    assert [loan.asset_tag for loan in card.open_loans] == ["LNR-002"]
    assert card.cover.status == "insured"
    assert card.cover.scheme == "Standard cover"
    assert (card.cover.claims_used, card.cover.claims_allowed) == (0, 2)
    assert card.cover.ends_on == date(2027, 8, 31)
    assert card.unpaid_pence == 0


def test_student_without_cover_and_left_student(school):
    dev = lookup(school, "S1004", now=NOW)
    assert dev.cover.status is None  # no cover on record
    assert dev.cover.label == "no cover on record"
    cara = lookup(school, "s1003", now=NOW)  # typed in lower case
    assert cara.status == "left"
    assert cara.left_on == date(2026, 7, 20)


def test_device_by_tag_and_by_serial(school):
    by_tag = lookup(school, "LAP-0001", now=NOW)
    by_serial = lookup(school, "SNA00001", now=NOW)
    assert isinstance(by_tag, DeviceCard)
    assert by_tag == by_serial
    assert by_tag.assigned_to.label == "Anna Smith (7A)"
    assert by_tag.status == "assigned"
    assert by_tag.open_loan is None and by_tag.open_ticket is None
    assert lookup(school, "lnr-001", now=NOW).asset_tag == "LNR-001"


def test_loan_slip_and_repair_receipt(any_school):
    school = any_school
    loan = issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    card = lookup(school, loan.code, now=NOW)
    assert isinstance(card, LoanCard)
    assert card.loan == loan
    assert card.student.label == "Ben Jones (8B)"
    assert card.device.asset_tag == "LNR-001"

    ticket = open_ticket(
        school,
        "tech1",
        device_code="LAP-0001",
        damage=DamageReport(category="screen", description="Cracked screen"),
        now=NOW,
    )
    card = lookup(school, ticket.code.lower(), now=NOW)
    assert isinstance(card, TicketCard)
    assert card.ticket.code == ticket.code
    assert card.student.card_code == "S1001"
    assert card.cover.rule == "Insured with Standard cover: claim 1 of 2, accidental damage: free."
    device = lookup(school, "LAP-0001", now=NOW)
    assert device.open_ticket.code == ticket.code
    assert device.status == "in_repair"
    assert [row.kind for row in device.history][:2] == ["ticket", "assigned"]


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("", ValidationError, "Nothing was scanned."),
        (
            "XYZ-999",
            NotFound,
            "Nothing has the code 'XYZ-999': it is not a student card, asset tag, serial number, "
            "loan slip or repair receipt.",
        ),
        ("LOAN-000777", NotFound, "The loan slip LOAN-000777 is not in the records."),
        ("TKT-000045", NotFound, "The repair receipt TKT-000045 is not in the records."),
    ],
)
def test_unknown_codes_are_told_in_a_sentence(school, code, error, message):
    with pytest.raises(error) as err:
        lookup(school, code)
    assert str(err.value) == message


def test_cover_badge_counts_claims_and_shows_ended_cover(school):
    open_ticket(
        school,
        "tech1",
        device_code="LAP-0001",
        damage=DamageReport(category="screen", description="Cracked screen"),
        now=NOW,
    )
    anna = lookup(school, "S1001", now=NOW)
    assert (anna.cover.claims_used, anna.cover.claims_allowed) == (1, 2)
    assert anna.open_tickets[0].asset_tag == "LAP-0001"
    assert anna.unpaid_pence == 0  # the first claim is free
    ben_after = lookup(school, "S1002", now=NOW.replace(year=2027, month=9, day=6))
    assert (ben_after.cover.status, ben_after.cover.label) == ("lapsed", "ended 31/08/2027")
    open_ticket(
        school,
        "tech1",
        device_code="LAP-0002",
        damage=DamageReport(category="keyboard", description="Keys off"),
        now=NOW,
    )
    assert lookup(school, "S1002", now=NOW).unpaid_pence == 6000


def test_student_card_says_the_loan_limit_and_whether_charges_block_loans(school):
    # Ben's cover has lapsed: a cracked screen is charged at once
    open_ticket(
        school,
        "tech1",
        device_code="LAP-0002",
        damage=DamageReport(category="screen", description="Dropped"),
        now=NOW,
    )
    card = lookup(school, "S1002", now=NOW)
    assert (card.loan_limit, card.blocks_on_unpaid, card.unpaid_pence) == (1, False, 8500)
    save_settings(
        school,
        "admin",
        replace(get_settings(school), loan_limit=2, block_loans_with_unpaid_charges=True),
    )
    card = lookup(school, "S1002", now=NOW)
    assert (card.loan_limit, card.blocks_on_unpaid) == (2, True)


def test_the_due_time_shown_before_lending_is_the_one_the_loan_gets(school):
    for kind in (LoanType.DAY, LoanType.LONG):
        shown = loan_due(school, kind, now=NOW)
        loan = issue_loan(
            school, "counter1", student_code="S1001", device_code="LNR-001", loan_type=kind, now=NOW
        )
        assert loan.due_at == shown
        return_loan(school, "counter1", loan_id=loan.id, now=NOW)
    chosen = date(2026, 10, 9)
    loan = issue_loan(
        school, "counter1", student_code="S1001", device_code="LNR-001", due_at=chosen, now=NOW
    )
    assert loan.due_at == loan_due(school, LoanType.DAY, on=chosen) == datetime(2026, 10, 9, 15, 30)
