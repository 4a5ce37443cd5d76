"""Repair tickets: booking damage in (with the cover check and the claim it raises), moving a ticket
through its lifecycle, parts, vendor and RMA, time on the bench, payment and waiver."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from types import EllipsisType

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import (
    CLOSED_TICKET_STATES,
    ChargeStatus,
    DeviceStatus,
    IncidentType,
    TicketState,
)
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Claim, Device, Loan, Student, Ticket, TicketPart
from helpdesk.services.core.codes import parse_ticket_code, ticket_code
from helpdesk.services.core.permissions import require
from helpdesk.services.core.records import (
    active_assignment_of,
    find_device,
    find_student,
    find_ticket,
    open_loan_of,
    open_ticket_of,
    settle_status,
)
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    actor_of,
    now_of,
    read_session,
    unit_of_work,
)
from helpdesk.services.core.views import (
    CoverCheck,
    TicketInfo,
    claim_and_swap,
    claim_of,
    student_label,
    ticket_info,
)
from helpdesk.services.repairs.charges import record_payment, reverse_payment, waive_charge
from helpdesk.services.repairs.insurance import FAULTS, check_cover, cover_period_on, make_intake
from helpdesk.services.repairs.lifecycle import check_paid, check_transition
from helpdesk.services.repairs.photos import PhotoFile, read_photo, store_photos
from helpdesk.services.repairs.quick_moves import quick_move


@dataclass(frozen=True)
class DamageReport:
    """The damage as the counter books it in."""

    category: str
    description: str
    photos: tuple[Path | PhotoFile, ...] = ()  # files, or photos read already (photos_read)
    occurred_on: date | None = None
    reported_on: date | None = None
    crime_reference: str = ""
    deliberate: bool = False
    in_case: bool = True


def photos_read(damage: DamageReport | None) -> DamageReport | None:
    """The damage with its photo files read, checked and thumbnailed: done before the action's
    transaction opens, so a photo refused writes nothing and the transaction stays short."""
    if damage is None or all(isinstance(p, PhotoFile) for p in damage.photos):
        return damage
    return replace(
        damage,
        photos=tuple(p if isinstance(p, PhotoFile) else read_photo(p) for p in damage.photos),
    )


def book_ticket(
    session: Session,
    device: Device,
    student: Student | None,
    damage: DamageReport,
    *,
    now: datetime,
) -> tuple[Ticket, CoverCheck | None]:
    """Open a ticket on ``device`` inside a unit of work: the checks, the cover check, the claim.

    The caller settles the device's status once its loans are in order.
    """
    ticket, check, _ = book_ticket_and_claim(session, device, student, damage, now=now)
    return ticket, check


def book_ticket_and_claim(
    session: Session,
    device: Device,
    student: Student | None,
    damage: DamageReport,
    *,
    now: datetime,
    flush: bool = True,
) -> tuple[Ticket, CoverCheck | None, Claim | None]:
    """:func:`book_ticket`, with the claim it raised (``None`` for a fault or without a student).
    ``flush=False``: the ticket is written with the caller's next flush (its id unknown until
    then), so that the whole action is written in one."""
    staff = actor_of(session)
    description = (damage.description or "").strip()
    if not description:
        raise ValidationError("Describe the damage or fault before booking it in.")
    photos = tuple(p if isinstance(p, PhotoFile) else read_photo(p) for p in damage.photos)
    intake = make_intake(
        damage.category,
        occurred_on=damage.occurred_on,
        reported_on=damage.reported_on,
        crime_reference=damage.crime_reference,
        deliberate=damage.deliberate,
        in_case=damage.in_case,
        today=now.date(),
    )
    if device.status is DeviceStatus.RETIRED:
        raise Refused(f"{device.asset_tag} is retired and cannot be booked in for repair.")
    existing = open_ticket_of(session, device.id)
    if existing is not None:
        raise Refused(
            f"{device.asset_tag} already has an open repair ticket, {ticket_code(existing.id)} "
            f"({existing.state.label})."
        )
    period = (
        cover_period_on(session, student.id, intake.occurred_on) if student is not None else None
    )
    check = check_cover(session, student, intake, period=period) if student is not None else None
    if intake.category.value == "stolen" and not intake.crime_reference:
        raise Refused("A theft can only be booked in with a police crime reference.")
    ticket = Ticket(
        device=device,
        student=student,
        damage_category=intake.category,
        fault=description,
        diagnosis="",
        state=TicketState.LOGGED,
        deliberate=damage.deliberate,
        in_case=damage.in_case,
        opened_at=now,
        opened_by_id=staff.id,
        state_changed_at=now,
        parts=[],  # a new ticket has none: known without reading them back after the flush
        photos=[],
        warranty=bool(
            intake.category in FAULTS
            and device.warranty_until is not None
            and device.warranty_until >= intake.occurred_on
        ),
    )
    session.add(ticket)
    if flush:
        session.flush()
    store_photos(session, ticket, photos, now)
    claim = None
    if student is not None and check is not None and intake.category not in FAULTS:
        settled = check.charge_pence == 0
        claim = Claim(
            ticket=ticket,
            student_id=student.id,
            cover_period=period,  # the object, so the ticket's card needs no reading back
            incident_type=IncidentType(check.incident_type),  # as it reads back
            occurred_on=intake.occurred_on,
            reported_on=intake.reported_on,
            crime_reference=intake.crime_reference,
            claim_number=check.claim_number,
            charge_pence=check.charge_pence,
            rule=check.rule[:300],
            charge_status=ChargeStatus.PAID if settled else ChargeStatus.DUE,
            settled_at=now if settled else None,
            created_at=now,
        )
        session.add(claim)  # written with the caller's next flush, with the rest of the action
    return ticket, check, claim


def open_ticket(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None = None,
    device_id: int | None = None,
    student_code: str | None = None,
    student_id: int | None = None,
    damage: DamageReport,
    now: datetime | None = None,
) -> TicketInfo:
    """Book a device in for repair. Without a student, the student it is assigned to (if any)
    is the one whose cover is checked and who is charged."""
    damage = photos_read(damage) or damage
    with unit_of_work(factory, actor, action="ticket.open", now=now) as session:
        device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
        loan = open_loan_of(session, device.id)
        if loan is not None:
            raise Refused(
                f"{device.asset_tag} is on loan to {student_label(loan.student)}: take it back "
                "first and book the damage in with the return."
            )
        if student_code is not None or student_id is not None:
            student: Student | None = find_student(
                session, student_code=student_code, student_id=student_id
            )
        else:
            assignment = active_assignment_of(session, device.id)
            student = assignment.student if assignment else None
        ticket, _ = book_ticket(session, device, student, damage, now=now_of(session))
        settle_status(session, device)
        return ticket_info(session, ticket)


def _require_open(ticket: Ticket) -> None:
    if ticket.state in CLOSED_TICKET_STATES:
        raise Refused(
            f"{ticket_code(ticket.id)} is {ticket.state.label} and closed; it cannot be changed."
        )


def open_swap_loan(session: Session, ticket: Ticket) -> Loan | None:
    return session.scalar(
        select(Loan).where(Loan.ticket_id == ticket.id, Loan.returned_at.is_(None))
    )


def change_state(
    session: Session,
    ticket: Ticket,
    to_state: TicketState,
    note: str = "",
    *,
    claim: Claim | None | EllipsisType = ...,
) -> None:
    """Move a ticket one step (inside a unit of work), with every rule of the lifecycle.
    ``claim``: the ticket's claim (or ``None``) when the caller has read it already."""
    now = now_of(session)
    staff = actor_of(session)
    check_transition(ticket.id, ticket.state, to_state)
    if isinstance(claim, EllipsisType):
        claim = claim_of(session, ticket.id)
    if claim is not None:
        check_paid(ticket.id, ticket.state, to_state, claim.charge_status, claim.charge_pence)
    if to_state is TicketState.COLLECTED:
        loan = open_swap_loan(session, ticket)
        if loan is not None:
            raise Refused(
                f"Return the loan laptop {loan.device.asset_tag} first: "
                f"{student_label(loan.student)} still has it on a swap loan."
            )
    ticket.state = to_state
    ticket.state_changed_at = now
    if to_state in CLOSED_TICKET_STATES:
        ticket.closed_at = now
    if to_state is TicketState.DIAGNOSING and ticket.technician_id is None:
        ticket.technician_id = staff.id
    if note.strip():
        line = f"{now:%d/%m/%Y %H:%M} {staff.username}: {note.strip()}"
        ticket.diagnosis = f"{ticket.diagnosis}\n{line}" if ticket.diagnosis else line
    device = ticket.device
    if to_state is TicketState.WRITTEN_OFF:
        assignment = active_assignment_of(session, device.id)
        if assignment is not None:
            assignment.ended_at = now
        device.status = DeviceStatus.RETIRED
    elif to_state is TicketState.CANCELLED:
        if claim is not None:
            claim.claim_number = None
            if claim.charge_status is ChargeStatus.DUE:
                require(staff.role, "charge.waive")  # cancelling lets the family off the charge
                claim.charge_status = ChargeStatus.WAIVED
                claim.waiver_reason = "The repair ticket was cancelled."
                claim.settled_at = now
    if to_state in (TicketState.CANCELLED, TicketState.COLLECTED) and device.status in (
        DeviceStatus.LOST,
        DeviceStatus.STOLEN,
    ):
        device.status = DeviceStatus.IN_STOCK  # found again (or back from repair): settled below
    if ticket.state in CLOSED_TICKET_STATES:
        settle_status(session, device)
    else:
        # Still open, it is the device's one open ticket (a second is refused at booking in),
        # and an open ticket alone decides the status: the loan and assignment are not read.
        settle_status(session, device, open_ticket=ticket, has_open_loan=False, assigned=False)


def move_ticket(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    to_state: TicketState | str,
    *,
    note: str = "",
    now: datetime | None = None,
) -> TicketInfo:
    """Move a ticket to another state, only as the lifecycle allows."""
    try:
        target = TicketState(to_state)
    except ValueError:
        names = ", ".join(s.value for s in TicketState)
        raise ValidationError(f"'{to_state}' is not a ticket state; use one of: {names}.") from None
    action = "ticket.write_off" if target is TicketState.WRITTEN_OFF else "ticket.move"
    number = parse_ticket_code(ticket_id) if isinstance(ticket_id, str) else ticket_id
    if number is not None and not note.strip():  # a plain move: a few statements
        quick = quick_move(factory, actor, number, target, now=now)
        if quick is not None:
            return quick
    with unit_of_work(factory, actor, action=action, now=now) as session:
        ticket = find_ticket(session, ticket_id, with_lists=True)  # parts, photos: the card's
        # The claim and swap loan read once, for the rules and for the card (a move changes
        # neither row set: it may change the claim's columns, which the object then holds).
        found = claim_and_swap(session, ticket)
        change_state(session, ticket, target, note, claim=found[0])
        session.flush()
        return ticket_info(session, ticket, found)


def get_ticket(factory: SessionFactory, ticket_id: int | str) -> TicketInfo:
    with read_session(factory) as session:
        return ticket_info(session, find_ticket(session, ticket_id, lock=False))


def add_part(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    description: str,
    *,
    part_number: str = "",
    quantity: int = 1,
    unit_cost_pence: int = 0,
    now: datetime | None = None,
) -> TicketInfo:
    """A part used (or ordered) for the repair, with its cost."""
    if not description.strip():
        raise ValidationError("Say which part it is.")
    if quantity < 1:
        raise ValidationError("The quantity of a part must be at least 1.")
    if unit_cost_pence < 0:
        raise ValidationError("A part cannot cost less than nothing.")
    with unit_of_work(factory, actor, action="ticket.part", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        _require_open(ticket)
        ticket.parts.append(
            TicketPart(
                description=description.strip(),
                part_number=part_number.strip(),
                quantity=quantity,
                unit_cost_pence=unit_cost_pence,
            )
        )
        session.flush()
        return ticket_info(session, ticket)


def set_vendor(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    vendor: str,
    rma_number: str = "",
    *,
    warranty: bool | None = None,
    now: datetime | None = None,
) -> TicketInfo:
    """The repairer the device goes to, their RMA number, and whether it is a warranty repair."""
    if not vendor.strip():
        raise ValidationError("Give the vendor's name.")
    with unit_of_work(factory, actor, action="ticket.vendor", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        _require_open(ticket)
        ticket.vendor = vendor.strip()
        ticket.rma_number = rma_number.strip()
        if warranty is not None:
            ticket.warranty = warranty
        session.flush()
        return ticket_info(session, ticket)


def add_time(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    minutes: int,
    *,
    now: datetime | None = None,
) -> TicketInfo:
    """Minutes spent on the bench."""
    if not isinstance(minutes, int) or minutes < 1:
        raise ValidationError("Time spent must be a whole number of minutes, at least 1.")
    with unit_of_work(factory, actor, action="ticket.time", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        _require_open(ticket)
        ticket.minutes_spent += minutes
        session.flush()
        return ticket_info(session, ticket)


# The ticket actions, with payment and waiver (charges.py) and photos (photos.py) in modules of
# their own.
__all__ = [
    "DamageReport",
    "add_part",
    "add_time",
    "book_ticket",
    "book_ticket_and_claim",
    "change_state",
    "find_ticket",
    "get_ticket",
    "move_ticket",
    "open_swap_loan",
    "open_ticket",
    "photos_read",
    "record_payment",
    "reverse_payment",
    "set_vendor",
    "waive_charge",
]
