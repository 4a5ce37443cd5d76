"""Pickup day: scan a student's card, then the laptop they take away.

The card alone marks nothing: the student is accepted (outcome "done", "Anna Smith (7A): now
scan the laptop.") and the station keeps them as the pending student (``pending_student_id`` in
the answer, passed back with the next scan). The laptop's scan then makes the allocation, the
hand-over agreement's record (a paper tick, or the typed name and the time) and the student's
item done, in one transaction. The student's and the laptop's rows are locked first (student,
then device, always in that order), so two stations scanning the same student or the same laptop
at the same moment make exactly one allocation; the item's guarded UPDATE is the last word.

A student with a planned allocation (imported from a CSV) is given only that laptop, and a
laptop planned for someone else is refused; otherwise any laptop of the allocation pool in stock.
A laptop allocated to someone else is refused naming its holder and is never reassigned.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DeviceKind, DevicePool, StudentStatus
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import (
    Device,
    LabelPrint,
    PlannedAllocation,
    ScanSession,
    Student,
)
from helpdesk.services.core.records import (
    active_assignment_of,
    device_by_code,
    find_student,
)
from helpdesk.services.core.views import student_label
from helpdesk.services.counter.assignments import held_of_kind, make_assignment
from helpdesk.services.sessions.common import Draft, ScanOptions, item_of


def _student_by_card(session: Session, code: str) -> Student | None:
    try:
        return find_student(session, student_code=code)
    except NotFound:
        return None


def scan_pickup(session: Session, row: ScanSession, code: str, options: ScanOptions) -> Draft:
    """A card or a laptop at a pickup station (see the module's docstring)."""
    pending = options.pending_student_id
    if pending is not None:
        # the student's row first, then the laptop's: every station locks in this order
        waiting = find_student(session, student_id=pending, lock=True)
        device = device_by_code(session, code, lock=True)
        if device is not None:
            return _laptop(session, row, waiting, device, options)
    student = _student_by_card(session, code)
    if student is not None:
        draft = _student(session, row, student)
        if pending is not None and draft.waiting_for == "student":
            # another card while a student waits for their laptop: they still wait
            draft.waiting_for, draft.pending_student_id = "laptop", pending
        return draft
    if pending is None and device_by_code(session, code) is not None:
        raise Refused("Scan the student's card first.")
    raise NotFound(f"No student or laptop has the code '{code}'.")


def _held(session: Session, student: Student) -> str | None:
    return held_of_kind(session, student.id, DeviceKind.LAPTOP)


def _planned_tag(session: Session, student_id: int) -> str | None:
    return session.scalar(
        select(Device.asset_tag)
        .join(PlannedAllocation, PlannedAllocation.device_id == Device.id)
        .where(PlannedAllocation.student_id == student_id)
    )


def _student(session: Session, row: ScanSession, student: Student) -> Draft:
    who = student_label(student)
    if student.status is StudentStatus.LEFT:
        raise Refused(f"{who} has left the school; a laptop cannot be handed to them.")
    item = item_of(session, row.id, student_id=student.id)
    if item is None:
        return Draft(
            "unexpected",
            f"{student.first_name} {student.last_name} is not on this list: they are in "
            f"{student.form} (year {student.year_group}).",
            student=student,
            waiting_for="student",
        )
    held = _held(session, student)
    if held is not None:
        return Draft(
            "already",
            f"{who} already has {held}.",
            student=student,
            item_id=item.id,
            mark="may",
            waiting_for="student",
        )
    if item.done_at is not None:
        return Draft(
            "already", f"{who} has been done already.", student=student, waiting_for="student"
        )
    planned = _planned_tag(session, student.id)
    wanted = f"the laptop {planned}" if planned else "the laptop"
    return Draft(
        "done",
        f"{who}: now scan {wanted}.",
        student=student,
        waiting_for="laptop",
        pending_student_id=student.id,
    )


def _laptop(
    session: Session, row: ScanSession, student: Student, device: Device, options: ScanOptions
) -> Draft:
    who, tag = student_label(student), device.asset_tag
    item = item_of(session, row.id, student_id=student.id)
    if item is None:
        return Draft(
            "unexpected",
            f"{who} is not on this list; scan a student card first.",
            student=student,
            device=device,
            waiting_for="student",
        )
    if student.status is StudentStatus.LEFT:
        raise Refused(f"{who} has left the school; a laptop cannot be handed to them.")
    if device.kind is not DeviceKind.LAPTOP:
        raise Refused(f"{tag} is a {device.kind.value}, not a laptop: scan {who}'s laptop.")
    held = _held(session, student)
    if held is not None:
        return Draft(
            "already",
            f"{who} already has {held}.",
            student=student,
            device=device,
            item_id=item.id,
            mark="may",
            waiting_for="student",
        )
    if device.pool is DevicePool.LOAN:
        raise Refused(f"{tag} is a loan-pool laptop; scan an allocation laptop for {who}.")
    current = active_assignment_of(session, device.id)
    if current is not None:
        raise Refused(
            f"{tag} is allocated to {student_label(current.student)} and stays with them; "
            f"scan another laptop for {who}."
        )
    plans = list(
        session.scalars(
            select(PlannedAllocation).where(
                (PlannedAllocation.student_id == student.id)
                | (PlannedAllocation.device_id == device.id)
            )
        )
    )
    for plan in plans:
        if plan.student_id == student.id and plan.device_id != device.id:
            raise Refused(f"{who} is to get {_planned_tag(session, student.id)}, not {tag}.")
        if plan.device_id == device.id and plan.student_id != student.id:
            other = session.get(Student, plan.student_id)
            name = student_label(other) if other else "another student"
            raise Refused(f"{tag} is set aside for {name}; scan another laptop for {who}.")
    if options.agreement not in ("paper", "screen"):
        raise ValidationError(f"'{options.agreement}' is not a way to sign (paper or screen).")
    assignment = make_assignment(
        session,
        device,
        student,
        agreement=options.agreement,
        agreement_name=options.agreement_name,
        known=(None, None),  # read above: no holder, and no laptop held by the student
    )
    labelled = session.scalar(select(exists().where(LabelPrint.device_id == device.id)))
    return Draft(
        "done",
        f"{tag} handed to {who}.",
        student=student,
        device=device,
        item_id=item.id,
        mark="must",
        already=f"{who} has been done already at another station.",
        waiting_for="student",
        assignment_id=assignment.id,
        print_label=not labelled,
        print_agreement=assignment.agreement_printed_at is None,
    )
