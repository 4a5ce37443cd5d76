"""The bench's small actions on a ticket: a diagnosis note without a move, a photo of the damage
from a file or the camera (copied into the photo folder beside the database, kept with the
backup), and the spare devices a written-off laptop can be replaced with."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event, select

from helpdesk.domain.enums import CLOSED_TICKET_STATES, DeviceKind, DevicePool, DeviceStatus
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Device, TicketPhoto
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import find_ticket
from helpdesk.services.core.unit_of_work import SessionFactory, now_of, read_session, unit_of_work
from helpdesk.services.core.views import TicketInfo, ticket_info
from helpdesk.services.repairs.photos import photo_folder

PHOTO_TYPES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"})
# The first bytes of the photo formats a camera or phone gives.
PHOTO_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")


def _looks_like_photo(head: bytes) -> bool:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return True
    return any(head.startswith(magic) for magic in PHOTO_MAGIC)


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
    """Copy a photo of the damage into the ticket's photo folder (kept with the backup)."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"The photo {source} cannot be found.")
    if source.suffix.lower() not in PHOTO_TYPES:
        kinds = ", ".join(sorted(PHOTO_TYPES))
        raise ValidationError(f"{source.name} is not a photo ({kinds}).")
    try:
        with source.open("rb") as handle:
            head = handle.read(12)
    except OSError as exc:
        raise ValidationError(
            f"The photo {source} cannot be read: {exc.strerror or exc}."
        ) from None
    if not _looks_like_photo(head):
        raise ValidationError(
            f"{source.name} is not a photo: the file is damaged or of another kind."
        )
    with unit_of_work(factory, actor, action="ticket.photo", now=now) as session:
        ticket = find_ticket(session, ticket_id)
        code = ticket_code(ticket.id)
        if ticket.state in CLOSED_TICKET_STATES:
            raise Refused(f"{code} is {ticket.state.label} and closed; it cannot be changed.")
        folder = photo_folder(session) / code
        folder.mkdir(parents=True, exist_ok=True)
        number = len(ticket.photos) + 1
        target = folder / f"{number}-{source.name}"
        while target.exists():
            number += 1
            target = folder / f"{number}-{source.name}"
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            raise ValidationError(
                f"The photo could not be copied to {folder}: {exc.strerror or exc}."
            ) from None
        # a copy made by an action that is rolled back is removed again
        event.listen(
            session, "after_soft_rollback", lambda *_: target.unlink(missing_ok=True), once=True
        )
        ticket.photos.append(
            TicketPhoto(
                path=f"{code}/{target.name}", caption=caption[:200], taken_at=now_of(session)
            )
        )
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
