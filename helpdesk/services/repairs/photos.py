"""Damage photos: kept in a folder beside a SQLite file (or in the user's data folder for a
server), one folder per ticket; copies made by an action that is rolled back are removed."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Ticket, TicketPhoto
from helpdesk.services.core.codes import ticket_code

PHOTOS_FOLDER = "photos"


def photo_folder(session: Session) -> Path:
    """Ticket photos live beside a SQLite file, or in the user's data folder for a server."""
    url = session.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / PHOTOS_FOLDER
    from helpdesk.logs import data_dir

    return data_dir() / PHOTOS_FOLDER


def store_photos(session: Session, ticket: Ticket, photos: tuple[Path, ...], now: datetime) -> None:
    """Copy the photos into the ticket's folder; removed again if the action is rolled back."""
    if not photos:
        return
    folder = photo_folder(session) / ticket_code(ticket.id)
    copied: list[Path] = []

    def remove_copies(_session: Session, _previous: object) -> None:
        for path in copied:
            path.unlink(missing_ok=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()

    event.listen(session, "after_soft_rollback", remove_copies, once=True)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        n = len(ticket.photos)
        for source in photos:
            source = Path(source)
            n += 1
            target = folder / f"{n}-{source.name}"
            while target.exists():  # never overwrite a photo the ticket has already
                n += 1
                target = folder / f"{n}-{source.name}"
            shutil.copyfile(source, target)
            copied.append(target)
            ticket.photos.append(
                TicketPhoto(
                    path=f"{ticket_code(ticket.id)}/{target.name}", caption="", taken_at=now
                )
            )
    except OSError as exc:
        raise ValidationError(
            f"The photo {source} could not be kept in {folder}: {exc.strerror or exc}."
        ) from None
