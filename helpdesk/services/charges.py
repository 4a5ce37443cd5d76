"""The charge a ticket raised: record the family's payment, or waive it with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from helpdesk.domain.enums import ChargeStatus
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Claim, Ticket
from helpdesk.services.codes import ticket_code
from helpdesk.services.records import find_ticket
from helpdesk.services.unit_of_work import SessionFactory, now_of, unit_of_work
from helpdesk.services.views import TicketInfo, claim_of, money, ticket_info


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


def record_payment(
    factory: SessionFactory, actor: str, ticket_id: int | str, *, now: datetime | None = None
) -> TicketInfo:
    """The family paid the ticket's charge."""
    with unit_of_work(factory, actor, now=now) as session:
        ticket = find_ticket(session, ticket_id)
        claim = _due_claim(session, ticket)
        claim.charge_status = ChargeStatus.PAID
        claim.settled_at = now_of(session)
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
    """Let the family off the ticket's charge; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Give a reason for waiving the charge.")
    with unit_of_work(factory, actor, now=now) as session:
        ticket = find_ticket(session, ticket_id)
        claim = _due_claim(session, ticket)
        claim.charge_status = ChargeStatus.WAIVED
        claim.waiver_reason = reason[:300]
        claim.settled_at = now_of(session)
        session.flush()
        return ticket_info(session, ticket)
