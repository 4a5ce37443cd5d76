"""Payments towards a charge: part payments, no overpaying, each with its method and receipt
number; a manager (or admin) reverses one with a reason, and the row stays, marked reversed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Claim, Payment
from helpdesk.services.core.staff import add_staff
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs.tickets import (
    DamageReport,
    open_ticket,
    record_payment,
    reverse_payment,
    waive_charge,
)

LATER = NOW + timedelta(hours=1)


def book_due(factory):
    """Ben's laptop, his cover lapsed: £85.00 due."""
    return open_ticket(
        factory,
        "tech1",
        device_code="LAP-0002",
        damage=DamageReport(category="screen", description="Cracked in the corner"),
        now=NOW,
    )


def test_part_payments_until_paid(any_school):
    due = book_due(any_school)
    assert (due.charge_pence, due.balance_pence) == (8500, 8500)
    part = record_payment(any_school, "admin", due.id, 3000, "cash", "R-101", now=LATER)
    assert (part.charge_status, part.paid_pence, part.balance_pence) == ("due", 3000, 5500)
    student = lookup(any_school, "S1002", now=LATER)
    assert student.unpaid_pence == 5500
    done = record_payment(any_school, "admin", due.code, 5500, "card", "R-102", now=LATER)
    assert (done.charge_status, done.paid_pence, done.balance_pence) == ("paid", 8500, 0)
    assert [(p.amount_pence, p.method, p.receipt_number, p.taken_by) for p in done.payments] == [
        (3000, "cash", "R-101", "admin"),
        (5500, "card", "R-102", "admin"),
    ]
    assert lookup(any_school, "S1002", now=LATER).unpaid_pence == 0


def test_overpaying_and_bad_payments_are_refused(school):
    due = book_due(school)
    record_payment(school, "admin", due.id, 5000, "online", "WEB-9", now=LATER)
    with pytest.raises(Refused) as err:
        record_payment(school, "admin", due.id, 3600, "cash", "R-1", now=LATER)
    assert str(err.value) == f"£36.00 is more than the £35.00 still to pay for {due.code}."
    with pytest.raises(ValidationError) as err:
        record_payment(school, "admin", due.id, 0, "cash", "R-1", now=LATER)
    assert str(err.value) == "A payment must be more than £0.00."
    with pytest.raises(ValidationError) as err:
        record_payment(school, "admin", due.id, 100, "bitcoin", "R-1", now=LATER)
    assert str(err.value) == "'bitcoin' is not a way to pay (use cash, card, online, cheque)."
    with school() as session:
        assert session.scalars(select(Payment.amount_pence)).all() == [5000]


def test_only_a_manager_reverses_and_the_row_stays(any_school):
    add_staff(any_school, "admin", username="boss", display_name="Mo Manager", role="manager")
    due = book_due(any_school)
    paid = record_payment(any_school, "admin", due.id, None, "cheque", "CHQ-7", now=LATER)
    assert paid.charge_status == "paid"
    payment_id = paid.payments[0].id
    for who in ("counter1", "tech1"):
        with pytest.raises(Refused) as err:
            reverse_payment(any_school, who, payment_id, "Cheque bounced", now=LATER)
        assert str(err.value) == "Reversing a payment needs a manager."
    with pytest.raises(ValidationError):
        reverse_payment(any_school, "boss", payment_id, "  ", now=LATER)
    undone = reverse_payment(any_school, "boss", payment_id, "Cheque bounced", now=LATER)
    assert (undone.charge_status, undone.paid_pence, undone.balance_pence) == ("due", 0, 8500)
    (payment,) = undone.payments
    assert (payment.is_reversed, payment.reversed_by, payment.reversal_reason) == (
        True,
        "boss",
        "Cheque bounced",
    )
    with pytest.raises(Refused):
        reverse_payment(any_school, "admin", payment_id, "Again", now=LATER)
    with any_school() as session:
        row = session.get(Payment, payment_id)
        assert row is not None and row.reversed_at == LATER and row.amount_pence == 8500
        claim = session.scalar(select(Claim).where(Claim.ticket_id == due.id))
        assert claim.settled_at is None
        audited = session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.entity == "payments", AuditEntry.entity_id == payment_id
            )
        ).all()
        assert audited == ["insert", "update"]
    assert lookup(any_school, "S1002", now=LATER).unpaid_pence == 8500
    # paid again in full after the reversal
    again = record_payment(any_school, "admin", due.id, 8500, "card", "R-200", now=LATER)
    assert (again.charge_status, again.balance_pence, len(again.payments)) == ("paid", 0, 2)


def test_a_part_paid_charge_can_be_waived(school):
    due = book_due(school)
    record_payment(school, "admin", due.id, 2000, "cash", "R-5", now=LATER)
    waived = waive_charge(school, "admin", due.id, "Hardship fund", now=LATER)
    assert (waived.charge_status, waived.paid_pence, waived.balance_pence) == ("waived", 2000, 0)
    assert lookup(school, "S1002", now=LATER).unpaid_pence == 0
