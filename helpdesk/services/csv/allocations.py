"""Importing planned allocations (card_code, asset_tag): the laptop each student is to be given on
pickup day; a pickup session then accepts only that laptop for them.

Refused rows, each named: a card code or asset tag no record has, a student who has left, a
device that is not of the allocation pool, a laptop allocated to someone else already, a student
or a laptop on two rows, a laptop planned already for a student the file does not plan again.
A student planned already gets the file's laptop (the file is the plan); the same plan again is
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DevicePool, StudentStatus
from helpdesk.domain.models import Assignment, Device, PlannedAllocation, Student
from helpdesk.services.core.unit_of_work import SessionFactory, now_of
from helpdesk.services.core.views import student_label
from helpdesk.services.csv.apply import ImportResult, by_key, chunks, run_import
from helpdesk.services.csv.reader import Row, RowError, Table, text_value

ALLOCATION_COLUMNS = ("card_code", "asset_tag")


def _allocation_importer(session: Session, table: Table) -> Callable[[Row], str]:
    rows = table.rows
    students = by_key(session, Student, Student.card_code, (r.get("card_code") for r in rows))
    devices = by_key(session, Device, Device.asset_tag, (r.get("asset_tag") for r in rows))
    plans_by_student: dict[int, PlannedAllocation] = {}
    plans_by_device: dict[int, PlannedAllocation] = {}
    for plan in session.scalars(select(PlannedAllocation)):
        plans_by_student[plan.student_id] = plan
        plans_by_device[plan.device_id] = plan
    holders: dict[int, Assignment] = {}
    for chunk in chunks([d.id for d in devices.values()]):
        for a in session.scalars(
            select(Assignment).where(Assignment.device_id.in_(chunk), Assignment.ended_at.is_(None))
        ):
            holders[a.device_id] = a
    in_file = {r.get("card_code") for r in rows}
    seen_students: dict[str, int] = {}
    seen_devices: dict[str, int] = {}
    now = now_of(session)

    def apply(row: Row) -> str:
        code = text_value(row, "card_code", limit=64)
        tag = text_value(row, "asset_tag", limit=64)
        if code in seen_students:
            raise RowError("card_code", f"'{code}' is also planned on line {seen_students[code]}.")
        if tag in seen_devices:
            raise RowError("asset_tag", f"'{tag}' is also planned on line {seen_devices[tag]}.")
        student = students.get(code)
        if student is None:
            raise RowError("card_code", f"no student has the card code '{code}'.")
        device = devices.get(tag)
        if device is None:
            raise RowError("asset_tag", f"no device has the asset tag '{tag}'.")
        if student.status is StudentStatus.LEFT:
            raise RowError("card_code", f"{student_label(student)} has left the school.")
        if device.pool is not DevicePool.ALLOCATION:
            raise RowError("asset_tag", f"{tag} is in the loan pool, not the allocation pool.")
        holder = holders.get(device.id)
        if holder is not None and holder.student_id != student.id:
            raise RowError(
                "asset_tag", f"{tag} is allocated to {student_label(holder.student)} already."
            )
        other = plans_by_device.get(device.id)
        if other is not None and other.student_id != student.id:
            other_student = session.get(Student, other.student_id)
            if other_student is not None and other_student.card_code not in in_file:
                raise RowError(
                    "asset_tag", f"{tag} is planned for {student_label(other_student)} already."
                )
        seen_students[code] = seen_devices[tag] = row.line
        plan = plans_by_student.get(student.id)
        if plan is not None and plan.device_id == device.id:
            return "unchanged"
        if other is not None and other.student_id != student.id:
            session.delete(other)  # the file plans that student again, on a row of its own
            plans_by_student.pop(other.student_id, None)
            session.flush()
        if plan is not None:
            plans_by_device.pop(plan.device_id, None)
            plan.device_id = device.id
            plan.planned_at = now
            plans_by_device[device.id] = plan
            session.flush()
            return "updated"
        plan = PlannedAllocation(student_id=student.id, device_id=device.id, planned_at=now)
        session.add(plan)
        session.flush()
        plans_by_student[student.id] = plans_by_device[device.id] = plan
        return "added"

    return apply


def import_allocations(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Planned allocations from a CSV file (card_code, asset_tag)."""
    return run_import(
        factory,
        actor,
        data,
        kind="planned allocations",
        required=ALLOCATION_COLUMNS,
        optional=(),
        make_importer=_allocation_importer,
        skip_bad=skip_bad,
        now=now,
    )
