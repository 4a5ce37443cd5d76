"""The bench's small actions on a ticket: a diagnosis note without a move, a photo of the damage
from a file or the camera (kept in the database with the ticket), and the spare devices a
written-off laptop can be replaced with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from helpdesk.domain.enums import CLOSED_TICKET_STATES, DeviceKind, DevicePool, DeviceStatus
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Device
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import find_ticket
from helpdesk.services.core.unit_of_work import SessionFactory, now_of, read_session, unit_of_work
from helpdesk.services.core.views import TicketInfo, ticket_info
from helpdesk.services.repairs.photos import read_photo, store_photos


def add_diagnosis_note(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    note: str,
    *,
    now: datetime | None = None,
) -> TicketInfo:
    """A line of diagnosis notes, signed and dated (the ticket stays where it is)."""
    text = " ".join((note or "").split())
    if not text:
        raise ValidationError("Write the diagnosis note first.")
    with unit_of_work(factory, actor, action="ticket.diagnosis", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        if ticket.state in CLOSED_TICKET_STATES:
            raise Refused(
                f"{ticket_code(ticket.id)} is {ticket.state.label} and closed; it cannot be "
                "changed."
            )
        stamp = now_of(session)
        line = f"{stamp:%d/%m/%Y %H:%M} {session.info['staff'].username}: {text}"
        ticket.diagnosis = f"{ticket.diagnosis}\n{line}" if ticket.diagnosis else line
        session.flush()
        return ticket_info(session, ticket)


def add_photo(
    factory: SessionFactory,
    actor: str,
    ticket_id: int | str,
    source: str | Path,
    *,
    caption: str = "",
    now: datetime | None = None,
) -> TicketInfo:
    """Keep a photo of the damage with the ticket, in the database (checked and thumbnailed
    before the transaction opens: a file refused writes nothing)."""
    photo = read_photo(source)
    with unit_of_work(factory, actor, action="ticket.photo", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        code = ticket_code(ticket.id)
        if ticket.state in CLOSED_TICKET_STATES:
            raise Refused(f"{code} is {ticket.state.label} and closed; it cannot be changed.")
        store_photos(session, ticket, (photo,), now_of(session), caption=caption)
        session.flush()
        return ticket_info(session, ticket)


@dataclass(frozen=True)
class SpareDevice:
    id: int
    asset_tag: str
    model: str


def spare_devices(
    factory: SessionFactory, kind: str = "laptop", limit: int = 50
) -> list[SpareDevice]:
    """Devices in stock in the allocation pool, ready to be assigned as a replacement."""
    with read_session(factory) as session:
        devices = session.scalars(
            select(Device)
            .where(
                Device.pool == DevicePool.ALLOCATION,
                Device.status == DeviceStatus.IN_STOCK,
                Device.kind == DeviceKind(kind),
            )
            .order_by(Device.asset_tag)
            .limit(limit)
        ).all()
        return [SpareDevice(d.id, d.asset_tag, f"{d.make} {d.model}".strip()) for d in devices]
