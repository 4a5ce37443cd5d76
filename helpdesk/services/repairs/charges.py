"""The charge a ticket raised: payments towards it (in parts if need be, each with its method and
receipt number, reversed by a manager with a reason but never deleted), or a waiver."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import ChargeStatus, PaymentMethod
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Claim, Payment, Ticket
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import find_ticket
from helpdesk.services.core.unit_of_work import SessionFactory, actor_of, now_of, unit_of_work
from helpdesk.services.core.views import TicketInfo, balance_of, claim_of, money, ticket_info

METHODS = ", ".join(m.value for m in PaymentMethod)


def _due_claim(session: Session, ticket: Ticket) -> Claim:
    code = ticket_code(ticket.id)
    claim = claim_of(session, ticket.id)
    if claim is None or claim.charge_pence == 0:
        raise Refused(f"{code} has nothing to pay.")
    if claim.charge_status is ChargeStatus.PAID:
        raise Refused(
            f"The charge of {money(claim.charge_pence)} for {code} was already paid"
            + (f" on {claim.settled_at:%d/%m/%Y}." if claim.settled_at else ".")
        )
    if claim.charge_status is ChargeStatus.WAIVED:
        raise Refused(
            f"The charge for {code} was waived ({claim.waiver_reason}); there is nothing to pay."
        )
    return claim


def _settle(session: Session, claim: Claim) -> None:
    """Paid when nothing is left to pay, due again when a reversal reopens the balance."""
    balance = balance_of(session, claim, settled_as_paid=False)
    if claim.charge_status is ChargeStatus.WAIVED:
        return
    if balance <= 0 and claim.charge_status is not ChargeStatus.PAID:
        claim.charge_status = ChargeStatus.PAID
        claim.settled_at = now_of(session)
    elif balance > 0 and claim.charge_status is ChargeStatus.PAID:
        claim.charge_status = ChargeStatus.DUE
        claim.settled_at = None


def record_payment(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    amount_pence: int | None = None,
    method: PaymentMethod | str = PaymentMethod.CASH,
    receipt_number: str = "",
    *,
    now: datetime | None = None,
) -> TicketInfo:
    """The family paid towards the ticket's charge: ``amount_pence`` (the whole balance when
    None; part payments allowed, never more than is owed), by ``method``, with the receipt's
    number. The charge is paid once nothing is left to pay."""
    try:
        how = PaymentMethod(method)
    except ValueError:
        raise ValidationError(f"'{method}' is not a way to pay (use {METHODS}).") from None
    receipt = (receipt_number or "").strip()
    if len(receipt) > 64:
        raise ValidationError("A receipt number is at most 64 characters.")
    with unit_of_work(factory, actor, action="payment.record", now=now) as session:
        staff = actor_of(session)
        ticket = find_ticket(session, ticket_id)
        claim = _due_claim(session, ticket)
        balance = balance_of(session, claim)
        amount = balance if amount_pence is None else amount_pence
        if amount <= 0:
            raise ValidationError("A payment must be more than £0.00.")
        if amount > balance:
            raise Refused(
                f"{money(amount)} is more than the {money(balance)} still to pay for "
                f"{ticket_code(ticket.id)}."
            )
        session.add(
            Payment(
                claim_id=claim.id,
                amount_pence=amount,
                method=how,
                receipt_number=receipt,
                taken_at=now_of(session),
                taken_by_id=staff.id,
                reversal_reason="",
            )
        )
        session.flush()
        _settle(session, claim)
        session.flush()
        return ticket_info(session, ticket)


def reverse_payment(
    factory: SessionFactory,
    actor: str,
    payment_id: int,
    reason: str,
    *,
    now: datetime | None = None,
) -> TicketInfo:
    """Undo a payment taken in error (with a reason; who may is in the permission table). The
    row is kept, marked reversed; the charge is due again if money is now owed."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for reversing the payment.")
    with unit_of_work(factory, actor, action="payment.reverse", now=now) as session:
        staff = actor_of(session)
        payment = session.scalar(select(Payment).where(Payment.id == payment_id).with_for_update())
        if payment is None:
            raise NotFound(f"There is no payment number {payment_id}.")
        claim = session.get(Claim, payment.claim_id)
        assert claim is not None  # the foreign key says so
        ticket = find_ticket(session, claim.ticket_id)
        if payment.reversed_at is not None:
            raise Refused(
                f"The payment of {money(payment.amount_pence)} for {ticket_code(ticket.id)} was "
                f"already reversed on {payment.reversed_at:%d/%m/%Y}."
            )
        payment.reversed_at = now_of(session)
        payment.reversed_by_id = staff.id
        payment.reversal_reason = reason[:300]
        session.flush()
        _settle(session, claim)
        session.flush()
        return ticket_info(session, ticket)


def waive_charge(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    reason: str,
    *,
    now: datetime | None = None,
) -> TicketInfo:
    """Let the family off what is left of the ticket's charge; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for waiving the charge.")
    with unit_of_work(factory, actor, action="charge.waive", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        claim = _due_claim(session, ticket)
        claim.charge_status = ChargeStatus.WAIVED
        claim.waiver_reason = reason[:300]
        claim.settled_at = now_of(session)
        session.flush()
        return ticket_info(session, ticket)
