"""The 1:1 allocation: assign a device to a student, and end it (the device back in stock)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.domain.enums import DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.errors import Refused
from helpdesk.domain.models import Assignment, Device
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


def _info(assignment: Assignment) -> AssignmentInfo:
    return AssignmentInfo(
        id=assignment.id,
        device=device_summary(assignment.device),
        student=student_summary(assignment.student),
        started_at=assignment.started_at,
        ended_at=assignment.ended_at,
    )


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
        device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
        student = find_student(session, student_code=student_code, student_id=student_id)
        tag, who = device.asset_tag, student_label(student)
        if device.pool is DevicePool.LOAN:
            raise Refused(f"{tag} is a loan-pool device; lend it instead of assigning it.")
        current = active_assignment_of(session, device.id)
        if current is not None:
            holder = student_label(current.student)
            if current.student_id == student.id:
                raise Refused(f"{tag} is already assigned to {holder}.")
            raise Refused(f"{tag} is assigned to {holder}; unassign it first.")
        if device.status is not DeviceStatus.IN_STOCK:
            raise Refused(f"{tag} cannot be assigned: it is {device.status.label}.")
        if student.status is StudentStatus.LEFT:
            raise Refused(f"{who} has left the school; a device cannot be assigned to them.")
        same_kind = session.scalar(
            select(Device.asset_tag)
            .join(Assignment, Assignment.device_id == Device.id)
            .where(
                Assignment.student_id == student.id,
                Assignment.ended_at.is_(None),
                Device.kind == device.kind,
            )
        )
        if same_kind is not None:
            raise Refused(
                f"{who} already has {device.kind.value} {same_kind} assigned; unassign it first."
            )
        assignment = Assignment(device=device, student=student, started_at=now_of(session))
        session.add(assignment)
        settle_status(session, device)
        session.flush()
        return _info(assignment)


def unassign_device(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None = None,
    device_id: int | None = None,
    now: datetime | None = None,
) -> AssignmentInfo:
    """End a device's assignment: back in stock (or still in repair while a ticket is open)."""
    with unit_of_work(factory, actor, action="device.unassign", now=now) as session:
        device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
        assignment = active_assignment_of(session, device.id)
        if assignment is None:
            raise Refused(f"{device.asset_tag} is not assigned to anyone.")
        assignment.ended_at = now_of(session)
        settle_status(session, device)
        session.flush()
        return _info(assignment)
