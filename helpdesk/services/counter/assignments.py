"""The 1:1 allocation: assign a device to a student, and end it (the device back in stock, or to
the bench with a ticket when it came back damaged).

The rules live in :func:`check_assignable`, :func:`make_assignment` and :func:`end_assignment`,
used inside a unit of work by the counter's actions here and by the pickup and hand-in sessions
(:mod:`helpdesk.services.sessions`), so both say the same sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import Condition, DeviceKind, DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Assignment, Device, Student, Ticket
from helpdesk.services.core.codes import session_code
from helpdesk.services.core.records import (
    active_assignment_of,
    find_device,
    find_student,
    settle_status,
)
from helpdesk.services.core.unit_of_work import SessionFactory, now_of, unit_of_work
from helpdesk.services.core.views import (
    AssignmentInfo,
    device_summary,
    student_label,
    student_summary,
)
from helpdesk.services.repairs.tickets import DamageReport, book_ticket

ACCESSORIES = ("charger", "case")
AGREEMENTS = ("paper", "screen")


def _info(assignment: Assignment, ticket: Ticket | None = None) -> AssignmentInfo:
    return AssignmentInfo(
        id=assignment.id,
        device=device_summary(assignment.device),
        student=student_summary(assignment.student),
        started_at=assignment.started_at,
        ended_at=assignment.ended_at,
        ticket_id=ticket.id if ticket is not None else None,
    )


def held_of_kind(session: Session, student_id: int, kind: DeviceKind) -> str | None:
    """The asset tag of the device of ``kind`` the student holds now, if any."""
    return session.scalar(
        select(Device.asset_tag)
        .join(Assignment, Assignment.device_id == Device.id)
        .where(
            Assignment.student_id == student_id,
            Assignment.ended_at.is_(None),
            Device.kind == kind,
        )
    )


def check_assignable(
    session: Session,
    device: Device,
    student: Student,
    current: Assignment | None,
    same_kind: str | None | bool = True,
) -> None:
    """Refuse, in one sentence, giving ``device`` (whose open assignment is ``current``) to
    ``student``: a loan-pool device, one held by anyone, one not in stock, a student who has left,
    a student who holds a device of that kind already (``same_kind``: its tag when the caller
    read it, ``True`` to read it here). Never reassigns."""
    tag, who = device.asset_tag, student_label(student)
    if device.pool is DevicePool.LOAN:
        raise Refused(f"{tag} is a loan-pool device; lend it instead of assigning it.")
    if current is not None:
        holder = student_label(current.student)
        if current.student_id == student.id:
            raise Refused(f"{tag} is already assigned to {holder}.")
        raise Refused(f"{tag} is assigned to {holder}; unassign it first.")
    if device.status is not DeviceStatus.IN_STOCK:
        raise Refused(f"{tag} cannot be assigned: it is {device.status.label}.")
    if student.status is StudentStatus.LEFT:
        raise Refused(f"{who} has left the school; a device cannot be assigned to them.")
    if same_kind is True:
        same_kind = held_of_kind(session, student.id, device.kind)
    if isinstance(same_kind, str):
        raise Refused(
            f"{who} already has {device.kind.value} {same_kind} assigned; unassign it first."
        )


def make_assignment(
    session: Session,
    device: Device,
    student: Student,
    *,
    agreement: str | None = None,
    agreement_name: str | None = None,
    known: tuple[Assignment | None, str | None] | None = None,
) -> Assignment:
    """The allocation, written with the hand-over agreement's record when one is given ('paper':
    the signed sheet ticked; 'screen': the name typed), after :func:`check_assignable`.
    ``known``: the device's open assignment and the tag of the student's device of that kind,
    when the caller has just read them (with the rows locked)."""
    if known is None:
        check_assignable(session, device, student, active_assignment_of(session, device.id))
    else:
        check_assignable(session, device, student, known[0], known[1])
    now = now_of(session)
    assignment = Assignment(device=device, student=student, started_at=now)
    if agreement is not None:
        if agreement not in AGREEMENTS:
            raise ValidationError(f"'{agreement}' is not a way to sign (paper or screen).")
        name = (agreement_name or "").strip()
        if agreement == "screen" and not name:
            raise ValidationError("Type the name of the person signing the agreement.")
        assignment.agreement = agreement
        assignment.agreement_name = name[:100] or None
        assignment.agreement_at = now
    session.add(assignment)
    # in stock (checked above), so no open loan and no open ticket
    settle_status(session, device, has_open_loan=False, open_ticket=None, assigned=True)
    session.flush()
    return assignment


def accessories_of(missing: Iterable[str]) -> tuple[str, ...]:
    """The accessories named as not handed back (charger, case), checked, in a fixed order."""
    named = {m.strip().lower() for m in missing if m and m.strip()}
    unknown = sorted(named - set(ACCESSORIES))
    if unknown:
        raise ValidationError(
            f"'{unknown[0]}' is not an accessory that comes back ({', '.join(ACCESSORIES)})."
        )
    return tuple(a for a in ACCESSORIES if a in named)


def condition_of(condition: str | Condition | None) -> Condition | None:
    if condition is None or isinstance(condition, Condition):
        return condition
    try:
        return Condition(condition.strip().lower())
    except ValueError:
        raise ValidationError(
            f"'{condition}' is not a condition (good, fair or damaged)."
        ) from None


def end_assignment(
    session: Session,
    assignment: Assignment,
    *,
    condition: Condition | None = None,
    missing: tuple[str, ...] = (),
    scan_session_id: int | None = None,
) -> Ticket | None:
    """End the allocation with the condition it came back in and the accessories not handed
    back; a damaged laptop goes to the bench with a repair ticket booked in the normal way
    (cover checked, a claim raised for its holder). The device's status follows."""
    device = assignment.device
    assignment.ended_at = now_of(session)
    assignment.returned_condition = condition
    assignment.returned_missing = ",".join(missing) or None
    ticket = None
    if condition is Condition.DAMAGED:
        where = f" ({session_code(scan_session_id)})" if scan_session_id else ""
        report = DamageReport(category="other", description=f"Damaged when handed in{where}.")
        session.flush()
        ticket, _check = book_ticket(
            session, device, assignment.student, report, now=now_of(session)
        )
    settle_status(session, device)
    session.flush()
    return ticket


def assign_device(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None = None,
    device_id: int | None = None,
    student_code: str | None = None,
    student_id: int | None = None,
    now: datetime | None = None,
) -> AssignmentInfo:
    """Give a student their own device (one device of each kind per student)."""
    with unit_of_work(factory, actor, action="device.assign", now=now) as session:
        student = find_student(session, student_code=student_code, student_id=student_id, lock=True)
        device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
        return _info(make_assignment(session, device, student))


def unassign_device(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None = None,
    device_id: int | None = None,
    condition: str | None = None,
    missing: Iterable[str] = (),
    now: datetime | None = None,
) -> AssignmentInfo:
    """End a device's assignment: back in stock (or still in repair while a ticket is open), with
    the condition it came back in and the accessories not handed back; damaged: to the bench
    with a repair ticket."""
    state = condition_of(condition)
    accessories = accessories_of(missing)
    with unit_of_work(factory, actor, action="device.unassign", now=now) as session:
        device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
        assignment = active_assignment_of(session, device.id)
        if assignment is None:
            raise Refused(f"{device.asset_tag} is not assigned to anyone.")
        ticket = end_assignment(session, assignment, condition=state, missing=accessories)
        return _info(assignment, ticket)
