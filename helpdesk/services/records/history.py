"""A device's or a student's full history: loans out and back, assignments, repair tickets, and
the charges they raised, newest first, each as one line a person can read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import ChargeStatus, TicketState
from helpdesk.domain.models import Assignment, AuditEntry, Claim, Loan, Ticket
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.core.records import find_device, find_student
from helpdesk.services.core.shapes import HistoryAssignment, HistoryLoan, HistoryTicket
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.core.views import HistoryRow, money, student_label

OPEN_STATES = frozenset(state.value for state in TicketState if state.is_open)


def rows_of(
    loans: Sequence[HistoryLoan],
    assignments: Sequence[HistoryAssignment],
    tickets: Sequence[HistoryTicket],
    claims: Sequence[Claim],
    moves: Sequence[tuple[datetime, int, str]] = (),
    *,
    for_student: bool,
) -> list[HistoryRow]:
    rows: list[HistoryRow] = []
    for at, ticket_id, state in moves:
        label = TicketState(state).label
        code = ticket_code(ticket_id)
        rows.append(HistoryRow(at, "moved", f"Repair ticket {code} {label}", code))
    for loan in loans:
        code = loan_code(loan.id)
        other = loan.device.asset_tag if for_student else student_label(loan.student)
        verb = "Borrowed" if for_student else "Lent to"
        rows.append(
            HistoryRow(
                loan.issued_at,
                "loan",
                f"{verb} {other}: {loan.loan_type.value} loan, due {loan.due_at:%d/%m/%Y %H:%M}",
                code,
            )
        )
        if loan.returned_at is not None:
            late = " (late)" if loan.returned_at > loan.due_at else ""
            condition = loan.condition_in.value if loan.condition_in else ""
            rows.append(
                HistoryRow(
                    loan.returned_at,
                    "return",
                    f"{loan.device.asset_tag} returned{late}, condition {condition}",
                    code,
                )
            )
    for assignment in assignments:
        other = assignment.device.asset_tag if for_student else student_label(assignment.student)
        rows.append(HistoryRow(assignment.started_at, "assigned", f"Assigned {other}", ""))
        if assignment.ended_at is not None:
            rows.append(HistoryRow(assignment.ended_at, "unassigned", f"Unassigned {other}", ""))
    for ticket in tickets:
        code = ticket_code(ticket.id)
        what = ticket.device.asset_tag if for_student else ticket.damage_category.label
        detail = ticket.damage_category.label if for_student else ticket.fault
        state = "" if ticket.closed_at else f" (now {ticket.state.label})"
        rows.append(
            HistoryRow(
                ticket.opened_at, "ticket", f"Booked in for repair: {what}, {detail}{state}", code
            )
        )
        if ticket.closed_at is not None:
            rows.append(
                HistoryRow(
                    ticket.closed_at, "closed", f"Repair ticket {code} {ticket.state.label}", code
                )
            )
    for claim in claims:
        code = ticket_code(claim.ticket_id)
        rows.append(
            HistoryRow(
                claim.created_at,
                "claim",
                f"Charge {money(claim.charge_pence)} ({claim.incident_type.label}): {claim.rule}",
                code,
            )
        )
        if claim.settled_at is not None and claim.charge_pence > 0:
            if claim.charge_status is ChargeStatus.PAID:
                text = f"Paid {money(claim.charge_pence)}"
            else:
                text = f"Charge of {money(claim.charge_pence)} waived: {claim.waiver_reason}"
            rows.append(HistoryRow(claim.settled_at, "payment", text, code))
    kinds = [
        "loan",
        "assigned",
        "ticket",
        "claim",
        "moved",
        "payment",
        "return",
        "closed",
        "unassigned",
    ]
    rows.sort(key=lambda r: (r.at, kinds.index(r.kind)), reverse=True)
    return rows


def ticket_moves(session: Session, ticket_ids: list[int]) -> list[tuple[datetime, int, str]]:
    """(when, ticket, new state) of every move of these tickets to an open state, from the audit
    log (closing moves are shown by the ticket itself)."""
    if not ticket_ids:
        return []
    moves = []
    for at, ticket_id, after in session.execute(
        select(AuditEntry.at, AuditEntry.entity_id, AuditEntry.after)
        .where(
            AuditEntry.entity == "tickets",
            AuditEntry.entity_id.in_(ticket_ids),
            AuditEntry.action == "update",
        )
        .order_by(AuditEntry.id.desc())  # newest first, also among moves made in one minute
    ):
        try:
            state = json.loads(after or "{}").get("state")
        except ValueError:
            continue
        if state and state in OPEN_STATES and ticket_id is not None:
            moves.append((at, ticket_id, state))
    return moves


def device_rows(
    session: Session, device_id: int, limit: int = 500, *, brief: bool = False
) -> list[HistoryRow]:
    """A device's history, newest first. ``brief``: loans, assignments and tickets only, without
    the moves of tickets between open states and the charges (the short history on a scanned
    device's card)."""
    loans = session.scalars(
        select(Loan).where(Loan.device_id == device_id).order_by(Loan.issued_at.desc()).limit(limit)
    ).all()
    assignments = session.scalars(
        select(Assignment).where(Assignment.device_id == device_id).order_by(Assignment.id.desc())
    ).all()
    tickets = (
        session.scalars(
            select(Ticket)
            .where(Ticket.device_id == device_id)
            .order_by(Ticket.opened_at.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )
    claims = (  # a claim is always raised by a ticket: none without tickets
        session.scalars(
            select(Claim)
            .join(Ticket, Ticket.id == Claim.ticket_id)
            .where(Ticket.device_id == device_id)
        ).all()
        if tickets and not brief
        else []
    )
    moves = ticket_moves(session, [t.id for t in tickets]) if not brief else []
    return rows_of(loans, assignments, tickets, claims, moves, for_student=False)[:limit]


def student_rows(session: Session, student_id: int, limit: int = 500) -> list[HistoryRow]:
    loans = session.scalars(
        select(Loan).where(Loan.student_id == student_id).order_by(Loan.id.desc()).limit(limit)
    ).all()
    assignments = session.scalars(
        select(Assignment).where(Assignment.student_id == student_id)
    ).all()
    tickets = (
        session.scalars(
            select(Ticket)
            .where(Ticket.student_id == student_id)
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        .unique()
        .all()
    )
    claims = (
        session.scalars(select(Claim).where(Claim.student_id == student_id)).all()
        if tickets
        else []
    )
    moves = ticket_moves(session, [t.id for t in tickets])
    return rows_of(loans, assignments, tickets, claims, moves, for_student=True)[:limit]


def device_history(
    factory: SessionFactory,
    device_code: str | None = None,
    *,
    device_id: int | None = None,
    limit: int = 500,
) -> tuple[HistoryRow, ...]:
    """Everything that happened to one device, newest first."""
    with read_session(factory) as session:
        device = find_device(session, device_code=device_code, device_id=device_id)
        return tuple(device_rows(session, device.id, limit))


def student_history(
    factory: SessionFactory,
    student_code: str | None = None,
    *,
    student_id: int | None = None,
    limit: int = 500,
) -> tuple[HistoryRow, ...]:
    """Everything one student borrowed, was assigned, booked in and was charged, newest first."""
    with read_session(factory) as session:
        student = find_student(session, student_code=student_code, student_id=student_id)
        return tuple(student_rows(session, student.id, limit))
