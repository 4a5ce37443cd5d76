"""Accessories missing on a return (kept on the loan, shown on the student's card until brought
back), refusals kept in the audit log, and a counter's day read back from it, one line per action
at that station."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Loan
from helpdesk.services.counter.accessories import accessories_returned
from helpdesk.services.counter.counter_log import counter_day, record_refusal, set_station
from helpdesk.services.counter.loans import DamageReport, issue_loan, return_loan, swap
from helpdesk.services.counter.lookup import lookup


@pytest.fixture(autouse=True)
def _station():
    set_station("desk-1")
    yield
    set_station(None)


def test_a_missing_charger_stays_on_the_loan_and_the_card_until_brought_back(any_school):
    out = issue_loan(any_school, "counter1", student_code="S1002", device_code="LNR-001",
                     accessories=("charger", "case"), now=NOW)  # fmt: skip
    back = return_loan(any_school, "counter1", device_code="LNR-001", missing=["Charger"],
                       now=NOW + timedelta(hours=2))  # fmt: skip
    assert back.loan.accessories_missing == ("charger",)
    assert back.loan.returned_at is not None and back.loan.condition_in == "good"
    with any_school() as session:
        assert session.get(Loan, out.id).accessories_missing == "charger"

    card = lookup(any_school, "S1002", now=NOW + timedelta(hours=3))
    assert card.open_loans == ()
    assert [(x.code, x.accessories_missing) for x in card.missing_accessories] == [
        (out.code, ("charger",))
    ]
    assert lookup(any_school, "S1001", now=NOW).missing_accessories == ()

    now_back = accessories_returned(
        any_school, "counter1", loan_id=out.code, now=NOW + timedelta(days=1)
    )
    assert now_back.loan.accessories_missing == () and now_back.items == ("charger",)
    assert lookup(any_school, "S1002", now=NOW + timedelta(days=1)).missing_accessories == ()
    with pytest.raises(Refused, match=f"Nothing is missing from {out.code}"):
        accessories_returned(any_school, "counter1", loan_id=out.id)


def test_only_what_went_out_can_be_missing(school):
    issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    with pytest.raises(ValidationError, match="'stylus' did not go out with .* charger"):
        return_loan(school, "counter1", device_code="LNR-001", missing=["stylus"], now=NOW)
    with school() as session:  # nothing written: the loan is still out
        assert session.scalar(select(Loan.returned_at)) is None


def test_part_of_the_missing_accessories_brought_back(school):
    out = issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001",
                     accessories=("charger", "case"), now=NOW)  # fmt: skip
    return_loan(school, "counter1", loan_id=out.id, missing=("charger", "case"), now=NOW)
    left = accessories_returned(school, "counter1", loan_id=out.id, items=["case"], now=NOW)
    assert left.loan.accessories_missing == ("charger",) and left.items == ("case",)
    with pytest.raises(ValidationError, match="'case' is not missing"):
        accessories_returned(school, "counter1", loan_id=out.id, items=["case"], now=NOW)


def test_a_refusal_is_one_audit_row_of_its_station(any_school):
    record_refusal(any_school, "counter1", "desk-2", "LNR-009 is not a loan laptop.", "LNR-009",
                   now=NOW)  # fmt: skip
    with any_school() as session:
        row = session.scalars(select(AuditEntry).where(AuditEntry.action == "refuse")).one()
    assert (row.entity, row.entity_id, row.station, row.at) == ("counter", None, "desk-2", NOW)
    assert row.staff_id is not None and '"code": "LNR-009"' in row.after


def test_the_counter_day_one_line_per_action_newest_first(any_school):
    school = any_school
    t = NOW
    out = issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001",
                     accessories=("charger", "case"), now=t)  # fmt: skip
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-002", now=t)
    record_refusal(school, "counter1", "desk-1", "Cara Brown (11C) left the school.", "S1003",
                   now=t + timedelta(minutes=1))  # fmt: skip
    return_loan(school, "counter1", device_code="LNR-001", missing=["charger"],
                now=t + timedelta(minutes=2))  # fmt: skip
    return_loan(school, "counter1", device_code="LNR-002", now=t + timedelta(minutes=3),
                damage=DamageReport("screen", "Cracked"))  # fmt: skip
    done = swap(school, "counter1", student_code="S1001", own_device_code="LAP-0001",
                loaner_code="LNR-003", damage=DamageReport("keyboard", "Keys off"),
                now=t + timedelta(minutes=4))  # fmt: skip
    accessories_returned(school, "counter1", loan_id=out.id, now=t + timedelta(minutes=5))
    # elsewhere, or another day: not on this counter's list today
    set_station("desk-2")
    record_refusal(school, "counter1", "desk-2", "Not here.", "X", now=t)
    issue_loan(school, "counter1", student_code="S1002", device_code="LNR-004", now=t)
    set_station("desk-1")
    record_refusal(school, "counter1", "desk-1", "Yesterday.", "Y", now=t - timedelta(days=1))

    lines = counter_day(school, "desk-1", NOW.date())
    assert [x.line for x in lines] == [
        f"10:05 Charger brought back for LNR-001 ({out.code}, Ben Jones (8B))",
        f"10:04 Swap: LAP-0001 booked in as {done.ticket.code}; LNR-003 lent to Anna Smith (7A)",
        "10:03 LNR-002 back from Dev Patel (9D), damaged: booked in as "
        f"TKT-{done.ticket.id - 1:06d}",
        "10:02 LNR-001 back from Ben Jones (8B); not returned: charger",
        "10:01 Refused: Cara Brown (11C) left the school.",
        "10:00 LNR-002 lent to Dev Patel (9D)",
        "10:00 LNR-001 lent to Ben Jones (8B)",
    ]
    assert [x.refused for x in lines] == [False] * 4 + [True] + [False] * 2
    assert [x.text for x in counter_day(school, "desk-2", NOW.date())] == [
        "LNR-004 lent to Ben Jones (8B)",
        "Refused: Not here.",
    ]
