"""A stocktake: scan what is in a cart, a cupboard or a room. A device on the list is found here
("done"); one recorded elsewhere is "unexpected", with where it is recorded and who has it; a tag
no device has is a "problem"; a repeat is "already". What was not scanned is the missing list.
:func:`move_found_here` then gives the devices found here that were recorded elsewhere the
session's place, in one step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound, Refused
from helpdesk.domain.models import Device, ScanSession, SessionItem, SessionScan
from helpdesk.services.core.records import active_assignment_of, device_by_code, open_loan_of
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import student_label
from helpdesk.services.sessions.common import Draft, ScanOptions, find_session, item_of


def _whereabouts(session: Session, device: Device) -> str:
    place = f"recorded at {device.location}" if device.location else "recorded at no place"
    assignment = active_assignment_of(session, device.id)
    if assignment is not None:
        return f"{place}, allocated to {student_label(assignment.student)}"
    loan = open_loan_of(session, device.id)
    if loan is not None:
        return f"{place}, on loan to {student_label(loan.student)}"
    return f"{place}, {device.status.label}"


def scan_stocktake(session: Session, row: ScanSession, code: str, options: ScanOptions) -> Draft:
    device = device_by_code(session, code)
    if device is None:
        raise NotFound(f"No device has the tag {code}.")
    tag = device.asset_tag
    item = item_of(session, row.id, device_id=device.id)
    if item is not None:
        if item.done_at is not None:
            return Draft("already", f"{tag} was counted already.", device=device)
        return Draft(
            "done",
            f"{tag} found here.",
            device=device,
            item_id=item.id,
            mark="must",
            already=f"{tag} was counted already.",
        )
    seen = session.scalar(
        select(
            exists().where(
                SessionScan.session_id == row.id,
                SessionScan.device_id == device.id,
                SessionScan.outcome == "unexpected",
            )
        )
    )
    if seen:
        return Draft("already", f"{tag} was counted already; it belongs elsewhere.", device=device)
    return Draft(
        "unexpected", f"{tag} belongs elsewhere: {_whereabouts(session, device)}.", device=device
    )


def move_found_here(
    factory: SessionFactory, actor: str, session_code: str, now: datetime | None = None
) -> int:
    """Give the devices this stocktake found, and that are recorded at another place (or none),
    the session's place; how many were moved."""
    with unit_of_work(factory, actor, action="devices.relocate", now=now) as session:
        row = find_session(session, session_code)
        if row.kind != "stocktake":
            raise Refused("Only a stocktake's devices can be moved to its place.")
        place = row.location
        if not place:
            raise Refused(
                "This stocktake has no place to move devices to; start it with a location."
            )
        scanned = select(SessionScan.device_id).where(
            SessionScan.session_id == row.id,
            SessionScan.outcome == "unexpected",
            SessionScan.device_id.is_not(None),
        )
        found = select(SessionItem.device_id).where(
            SessionItem.session_id == row.id,
            SessionItem.done_at.is_not(None),
            SessionItem.device_id.is_not(None),
        )
        devices = session.scalars(
            select(Device)
            .where(Device.id.in_(scanned.union(found)))
            .where((Device.location.is_(None)) | (Device.location != place))
            .with_for_update()
        ).all()
        for device in devices:
            device.location = place
        return len(devices)
