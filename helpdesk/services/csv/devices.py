"""Importing devices from CSV: asset tags and serials unique, assignments from ``assigned_to``.

``assigned_to`` is a student's card code: it starts the 1:1 assignment (ending the device's
previous one) and makes the device 'assigned'. A status the counter sets (on loan, in repair) is
never set by an import, and a device that is out on loan or in for repair keeps its status.

``location`` is the device's place (a room, a cart, a cupboard: what a stocktake counts). As with
every optional column, an empty cell keeps the place recorded, so a file without places can be
imported again without losing them; a place is cleared one device at a time (``helpdesk locate
TAG ""``). A control character in a place is refused (no one could type that place back at a
stocktake), and a place written in another letter case than one recorded takes the recorded
spelling (services/records/places.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import (
    CLOSED_TICKET_STATES,
    DeviceKind,
    DevicePool,
    DeviceStatus,
    StudentStatus,
)
from helpdesk.domain.models import Assignment, Device, Loan, Student, Ticket
from helpdesk.services.core.unit_of_work import SessionFactory, now_of
from helpdesk.services.csv.apply import (
    DEVICE_COLUMNS,
    DEVICE_OPTIONAL,
    ImportResult,
    by_key,
    choices_of,
    chunks,
    required_choice,
    run_import,
    set_changed,
)
from helpdesk.services.csv.clashes import CodeIndex
from helpdesk.services.csv.reader import Row, RowError, Table, choice_value, date_value, text_value
from helpdesk.services.records.places import known_places, place_problem

KINDS = choices_of(k.value for k in DeviceKind)
POOLS = choices_of(p.value for p in DevicePool)
DEVICE_STATUSES = choices_of(s.value for s in DeviceStatus)


def _device_importer(session: Session, table: Table) -> Callable[[Row], str]:
    rows = table.rows
    by_tag = by_key(session, Device, Device.asset_tag, (r.get("asset_tag") for r in rows))
    by_serial = by_key(session, Device, Device.serial, (r.get("serial") for r in rows))
    students = by_key(session, Student, Student.card_code, (r.get("assigned_to") for r in rows))
    ids = [d.id for d in by_tag.values()]
    assignments: dict[int, Assignment] = {}
    busy: dict[int, str] = {}  # device id -> why its status is not the import's to change
    for chunk in chunks(ids):
        for a in session.scalars(
            select(Assignment).where(Assignment.device_id.in_(chunk), Assignment.ended_at.is_(None))
        ):
            assignments[a.device_id] = a
        for (device_id,) in session.execute(
            select(Loan.device_id).where(Loan.device_id.in_(chunk), Loan.returned_at.is_(None))
        ):
            busy[device_id] = "is out on loan; its status changes when it is returned"
        for (device_id,) in session.execute(
            select(Ticket.device_id).where(
                Ticket.device_id.in_(chunk), Ticket.state.not_in(CLOSED_TICKET_STATES)
            )
        ):
            busy.setdefault(device_id, "has an open repair ticket; close the ticket first")
    seen_tags: dict[str, int] = {}
    seen_serials: dict[str, int] = {}
    codes = CodeIndex(session)
    now = now_of(session)
    places = known_places(session)

    def apply(row: Row) -> str:
        tag = text_value(row, "asset_tag", limit=64)
        if tag in seen_tags:
            raise RowError("asset_tag", f"the asset tag '{tag}' is also on line {seen_tags[tag]}.")
        device = by_tag.get(tag)
        serial = text_value(row, "serial", limit=64)
        if serial in seen_serials:
            raise RowError(
                "serial", f"the serial '{serial}' is also on line {seen_serials[serial]}."
            )
        owner = by_serial.get(serial)
        if owner is not None and owner is not device:
            raise RowError("serial", f"the serial '{serial}' belongs to {owner.asset_tag} already.")
        codes.check(tag, ("device", tag), "asset tag", "asset_tag")
        codes.check(serial, ("device", tag), "serial", "serial")
        values: dict[str, Any] = {
            "serial": serial,
            "make": text_value(row, "make", required=False, limit=64),
            "model": text_value(row, "model", required=False),
            "kind": DeviceKind(required_choice(row, "kind", KINDS, "a kind of device")),
            "pool": DevicePool(required_choice(row, "pool", POOLS, "a pool")),
        }
        status = choice_value(row, "status", DEVICE_STATUSES, "a device status")
        place = _place(row, places)
        if place:
            values["location"] = place
        for column in ("purchased_on", "warranty_until"):
            day = date_value(row, column)
            if day is not None:
                values[column] = day
        student = None
        code = row.get("assigned_to")
        if code:
            student = students.get(code)
            if student is None:
                raise RowError("assigned_to", f"no student has the card code '{code}'.")
            if student.status == StudentStatus.LEFT:
                raise RowError("assigned_to", f"{student.full_name} ({code}) has left the school.")
            if values["pool"] == DevicePool.LOAN:
                raise RowError(
                    "assigned_to",
                    "a loan pool device is lent, not assigned; "
                    "give it the pool allocation or leave assigned_to empty.",
                )
        current = assignments.get(device.id) if device is not None else None
        if current is not None and values["pool"] == DevicePool.LOAN:
            raise RowError(
                "pool",
                f"{tag} is assigned to {current.student.full_name} ({current.student.card_code}); "
                "unassign it before it joins the loan pool.",
            )
        new_status = _device_status(device, status, student, busy)
        if new_status is not None:
            values["status"] = new_status
        seen_tags[tag] = seen_serials[serial] = row.line
        if place:
            places.setdefault(place.casefold(), place)
        codes.add(tag, ("device", tag), "asset tag", row.line)
        codes.add(serial, ("device", tag), "serial", row.line)
        if device is None:
            device = Device(asset_tag=tag, notes="", **{"status": DeviceStatus.IN_STOCK, **values})
            session.add(device)
            by_tag[tag] = by_serial[serial] = device
            outcome = "added"
        else:
            outcome = "updated" if set_changed(device, values) else "unchanged"
            by_serial[serial] = device
        ends = current is not None and (
            (student is not None and current.student_id != student.id)
            or new_status in (DeviceStatus.IN_STOCK, DeviceStatus.RETIRED)
        )
        if current is not None and ends:
            current.ended_at = now
            del assignments[device.id]
        if student is not None and (current is None or ends):
            assignment = Assignment(device=device, student=student, started_at=now)
            session.add(assignment)
            if device.id is not None:
                assignments[device.id] = assignment
        if outcome == "unchanged" and (ends or (student is not None and current is None)):
            outcome = "updated"
        return outcome

    return apply


def _place(row: Row, places: dict[str, str]) -> str:
    """The row's place in the spelling already recorded (``places``, by lower case), or ""."""
    place = row.get("location").strip()
    problem = place_problem(place)
    if problem:
        raise RowError("location", problem[0].lower() + problem[1:])
    return places.get(place.casefold(), place)


def _device_status(
    device: Device | None, status: str | None, student: Student | None, busy: dict[int, str]
) -> DeviceStatus | None:
    """The status the row gives the device, or None to leave it as it is."""
    wanted = DeviceStatus(status) if status else None
    current = device.status if device is not None else None
    if wanted is None or wanted == current:
        if student is not None and current in (None, DeviceStatus.IN_STOCK):
            return DeviceStatus.ASSIGNED
        return None if device is not None else (wanted or DeviceStatus.IN_STOCK)
    if wanted in (DeviceStatus.ON_LOAN, DeviceStatus.IN_REPAIR):
        how = "issuing a loan" if wanted == DeviceStatus.ON_LOAN else "opening a repair ticket"
        raise RowError(
            "status", f"'{wanted.label}' is set by {how} at the counter, not by an import."
        )
    if device is not None and device.id in busy:
        raise RowError("status", f"{device.asset_tag} {busy[device.id]}.")
    if wanted == DeviceStatus.ASSIGNED and student is None:
        raise RowError("status", "'assigned' needs the student's card code in assigned_to.")
    if student is not None and wanted in (DeviceStatus.IN_STOCK, DeviceStatus.RETIRED):
        raise RowError("status", f"a device assigned to a student cannot be '{wanted.label}'.")
    return wanted


def import_devices(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Devices (asset_tag, serial, make, model, kind, pool[, status, purchased_on,
    warranty_until, assigned_to, location]). ``assigned_to`` is a student's card code: it starts the 1:1
    assignment (ending the device's previous one) and makes the device 'assigned'."""
    return run_import(
        factory,
        actor,
        data,
        kind="devices",
        required=DEVICE_COLUMNS,
        optional=DEVICE_OPTIONAL,
        make_importer=_device_importer,
        skip_bad=skip_bad,
        now=now,
    )
