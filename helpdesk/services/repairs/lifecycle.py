"""The rules of a ticket's move that need nothing but the ticket's state and its claim's
charge, with their sentences: shared by the move through the ORM (tickets.change_state) and the
bench's quick move (quick_moves.py), so that both refuse alike."""

from __future__ import annotations

from helpdesk.domain.enums import ALLOWED_TRANSITIONS, ChargeStatus, TicketState
from helpdesk.domain.errors import InvalidTransition, Refused
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.views import money

WORK_STATES = frozenset({TicketState.AWAITING_PARTS, TicketState.WITH_VENDOR, TicketState.REPAIRED})


def _states(states: list[TicketState]) -> str:
    names = [s.label for s in states]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def check_transition(ticket_id: int, current: TicketState, to_state: TicketState) -> None:
    """Refuse a move the lifecycle does not allow, in one sentence."""
    code = ticket_code(ticket_id)
    if to_state is current:
        raise InvalidTransition(f"{code} is already {current.label}.")
    allowed = ALLOWED_TRANSITIONS[current]
    if to_state not in allowed:
        if not allowed:
            raise InvalidTransition(
                f"{code} cannot go from {current.label} to {to_state.label}: "
                f"a {current.label} ticket is closed."
            )
        order = [s for s in TicketState if s in allowed]
        raise InvalidTransition(
            f"{code} cannot go from {current.label} to {to_state.label}; from {current.label} "
            f"it can go to {_states(order)}."
        )


def check_paid(
    ticket_id: int,
    current: TicketState,
    to_state: TicketState,
    charge_status: ChargeStatus | None,
    charge_pence: int,
) -> None:
    """Work does not start on a ticket awaiting payment while its charge is due."""
    if (
        current is TicketState.AWAITING_PAYMENT
        and to_state in WORK_STATES
        and charge_status is ChargeStatus.DUE
    ):
        raise Refused(
            f"The charge of {money(charge_pence)} for {ticket_code(ticket_id)} is not paid yet: "
            "record the payment or waive it first."
        )
