"""The loaner swap (a repair ticket on the student's own laptop and a swap loan of a pool laptop,
as one transaction) and collecting the repaired laptop once the loaner is back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.domain.enums import Condition, LoanType, TicketState
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Assignment, Device, Student
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import (
    active_assignment_of,
    find_device,
    find_student,
    open_ticket_of,
    settle_status,
)
from helpdesk.services.core.settings import load_settings
from helpdesk.services.core.unit_of_work import SessionFactory, now_of, unit_of_work
from helpdesk.services.core.views import (
    CoverCheck,
    LoanInfo,
    TicketInfo,
    claim_of,
    cover_from_claim,
    loan_info,
    student_label,
    ticket_info,
    ticket_info_of,
)
from helpdesk.services.counter.lending import (
    accessories_of,
    check_can_lend,
    lend,
    loan_type_of,
    say_who_has_it,
)
from helpdesk.services.counter.quick_swaps import quick_swap
from helpdesk.services.repairs.tickets import (
    DamageReport,
    book_ticket_and_claim,
    change_state,
    find_ticket,
    open_swap_loan,
    photos_read,
)

__all__ = ["SwapInfo", "collect", "swap"]


@dataclass(frozen=True)
class SwapInfo:
    ticket: TicketInfo
    loan: LoanInfo
    cover: CoverCheck | None


def swap(
    factory: SessionFactory,
    actor: str,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    own_device_code: str | None = None,
    own_device_id: int | None = None,
    loaner_code: str | None = None,
    loaner_id: int | None = None,
    damage: DamageReport | None = None,
    accessories: Iterable[str] = ("charger",),
    due_at: datetime | None = None,
    school_days: int | None = None,
    now: datetime | None = None,
) -> SwapInfo:
    """The loaner swap, all or nothing: a repair ticket on the student's own laptop and a swap
    loan of a pool laptop, linked to that ticket.

    Without ``damage``, the laptop must already be booked in: the loaner goes with its open ticket.
    """
    loan_type_of(LoanType.SWAP, school_days)
    extras = accessories_of(accessories)
    damage = photos_read(damage)
    if (  # what the counter scanned, by ids: as a few statements (quick_swaps.py)
        damage is not None
        and due_at is None
        and student_id is not None
        and own_device_id is not None
        and loaner_id is not None
    ):
        quick = quick_swap(
            factory,
            actor,
            student_id=student_id,
            own_device_id=own_device_id,
            loaner_id=loaner_id,
            damage=damage,
            accessories=extras,
            school_days=school_days,
            now=now,
        )
        if quick is not None:
            return SwapInfo(*quick)
    try:
        with unit_of_work(factory, actor, action="loan.swap", now=now) as session:
            found = _by_ids(session, loaner_id, own_device_id, student_id)
            if found is not None:
                loaner, own, student, owner_id = found
            else:
                loaner, own = _both_devices(
                    session, loaner_code, loaner_id, own_device_code, own_device_id
                )
                student = find_student(
                    session, student_code=student_code, student_id=student_id, lock=True
                )
                assignment = active_assignment_of(session, own.id)
                owner_id = assignment.student_id if assignment else None
            if own.id == loaner.id:
                raise ValidationError(
                    f"{own.asset_tag} cannot be both the laptop in for repair and the loaner."
                )
            if owner_id != student.id:
                raise Refused(
                    f"{own.asset_tag} is not assigned to {student_label(student)}; a swap is for "
                    "the student's own laptop."
                )
            settings = load_settings(session)
            check_can_lend(session, loaner, student, settings)
            if damage is None:
                ticket = open_ticket_of(session, own.id)
                if ticket is None:
                    raise ValidationError(
                        f"Describe what is wrong with {own.asset_tag}: a swap books it in for repair."
                    )
                out = open_swap_loan(session, ticket)
                if out is not None:
                    raise Refused(
                        f"{ticket_code(ticket.id)} already has the loan laptop "
                        f"{out.device.asset_tag} out to {student_label(out.student)}."
                    )
                claim = claim_of(session, ticket.id)
                cover = cover_from_claim(claim) if claim else None
                booked = False
            else:
                ticket, cover, claim = book_ticket_and_claim(
                    session, own, student, damage, now=now_of(session), flush=False
                )
                booked = True
                # The new ticket is the laptop's one open ticket and alone decides its status
                # (in repair, or lost or stolen): its loans and assignment are not read again.
                settle_status(session, own, open_ticket=ticket, has_open_loan=False, assigned=True)
            loan = lend(
                session,
                loaner,
                student,
                loan_type=LoanType.SWAP,
                accessories=extras,
                due_at=due_at,
                school_days=school_days,
                condition_out=Condition.GOOD,
                notes="",
                ticket=ticket,
                checked=True,
                settings=settings,
            )
            session.flush()
            if booked:
                # Booked in just now: no parts or payments yet, its photos those just stored and
                # its one swap loan this one, so nothing needs reading back.
                photos = [photo.path for photo in ticket.photos]
                info = ticket_info_of(ticket, claim, loan, (), photos, ())
            else:
                info = ticket_info(session, ticket)
            return SwapInfo(ticket=info, loan=loan_info(loan), cover=cover)
    except IntegrityError:
        say_who_has_it(factory, loaner_id, loaner_code)
        raise


def _by_ids(
    session: Session, loaner_id: int | None, own_id: int | None, student_id: int | None
) -> tuple[Device, Device, Student, int | None] | None:
    """What the counter scanned, by ids: the loaner, the student's laptop and the student, all
    three locked, with the student the laptop is assigned to, in one statement. ``None`` when
    something is missing or not given by id: the caller then finds them one by one, and says
    which is missing."""
    if loaner_id is None or own_id is None or student_id is None:
        return None
    owner = (
        select(Assignment.student_id)
        .where(Assignment.device_id == own_id, Assignment.ended_at.is_(None))
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Device, Student, owner)
        .join(Student, Student.id == student_id)
        .where(Device.id.in_({loaner_id, own_id}))
        .order_by(Device.id)
        .with_for_update(of=[Device.__table__, Student.__table__])
    ).all()
    devices = {row[0].id: row[0] for row in rows}
    if loaner_id not in devices or own_id not in devices:
        return None
    return devices[loaner_id], devices[own_id], rows[0][1], rows[0][2]


def _both_devices(
    session: Session,
    loaner_code: str | None,
    loaner_id: int | None,
    own_code: str | None,
    own_id: int | None,
) -> tuple[Device, Device]:
    """The loaner and the student's own laptop, locked for the swap: in one statement when the
    counter gives both ids (what it scanned), otherwise one after the other by their codes."""
    if loaner_id is None or own_id is None:
        loaner = find_device(session, device_code=loaner_code, device_id=loaner_id, lock=True)
        own = find_device(session, device_code=own_code, device_id=own_id, lock=True)
        return loaner, own
    found = {
        device.id: device
        for device in session.scalars(
            select(Device)
            .where(Device.id.in_({loaner_id, own_id}))
            .order_by(Device.id)
            .with_for_update()
        )
    }
    for wanted in (loaner_id, own_id):
        if wanted not in found:
            raise NotFound(f"There is no device with the id {wanted}.")
    return found[loaner_id], found[own_id]


def collect(
    factory: SessionFactory,
    actor: str,
    *,
    ticket_id: int | str,
    now: datetime | None = None,
) -> TicketInfo:
    """The student collects the repaired laptop: refused while the swap loaner is still out."""
    with unit_of_work(factory, actor, action="ticket.collect", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        change_state(session, ticket, TicketState.COLLECTED)
        session.flush()
        return ticket_info(session, ticket)
