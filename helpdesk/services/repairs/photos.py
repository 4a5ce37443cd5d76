"""Damage photos, kept in the database with their ticket: the image as it was taken and a small
JPEG thumbnail, written in the same transaction as the ticket or the bench's action, so every
counter sees them and a backup of the database (or pg_dump) holds them.

A photo is read and checked before the transaction opens (:func:`read_photo`): a file that is not
an image, or above :data:`MAX_PHOTO_MB`, is refused with one sentence and nothing is written. The
screens read thumbnails and full photos through :func:`photo_thumbnails` and :func:`photo_data`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import Ticket, TicketPhoto
from helpdesk.services.core.records import find_ticket
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work

MAX_PHOTO_MB = 10  # the largest photo kept, per photo (a phone's photo is 2 to 6 MB)
MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024
THUMB_SIDE = 240  # pixels on the long side of a thumbnail
# The image formats a camera, a phone or a scanner gives, with their media types.
MEDIA_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # a phone's JPEG with a second picture inside
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
}


@dataclass(frozen=True)
class PhotoFile:
    """A photo read from a file and checked, with its thumbnail: ready to be stored."""

    name: str
    data: bytes
    thumbnail: bytes
    media_type: str


@dataclass(frozen=True)
class PhotoThumb:
    """A ticket's photo as a thumbnail; ``thumbnail`` is None when the photo is missing (its file
    was gone when the photos moved into the database)."""

    id: int
    name: str
    caption: str
    taken_at: datetime
    size: int
    thumbnail: bytes | None

    @property
    def missing(self) -> bool:
        return self.thumbnail is None and self.size == 0


@dataclass(frozen=True)
class PhotoData:
    """A photo in full, as it was taken."""

    id: int
    ticket_id: int
    name: str
    media_type: str
    data: bytes

    @property
    def suffix(self) -> str:
        """The file name ending for the photo's kind (``.jpg``), for opening it in a viewer."""
        kind = self.media_type.rsplit("/", 1)[-1]
        return {"jpeg": ".jpg", "tiff": ".tif"}.get(kind, f".{kind}" if kind else "")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def make_thumbnail(data: bytes) -> tuple[bytes, str]:
    """(a JPEG thumbnail at most THUMB_SIDE pixels on the long side, the photo's media type);
    ValueError when ``data`` is not an image of a kind in MEDIA_TYPES."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = MEDIA_TYPES.get(image.format or "")
            if kind is None:
                raise ValueError(f"not a photo format: {image.format}")
            image.load()
            small = (ImageOps.exif_transpose(image) or image).convert("RGB")
            small.thumbnail((THUMB_SIDE, THUMB_SIDE))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(str(exc)) from exc
    return out.getvalue(), kind


def read_photo(source: str | Path) -> PhotoFile:
    """Read and check a photo file (not an image, or too big: refused) and make its thumbnail."""
    source = Path(source)
    if not source.is_file():
        raise ValidationError(f"The photo {source} cannot be found; take it again.")
    try:
        size = source.stat().st_size
        if size > MAX_PHOTO_BYTES:
            raise ValidationError(
                f"{source.name} is {_megabytes(size)}; a photo may be at most {MAX_PHOTO_MB} MB."
            )
        data = source.read_bytes()
    except OSError as exc:
        raise ValidationError(
            f"The photo {source} cannot be read: {exc.strerror or exc}."
        ) from None
    try:
        thumbnail, media_type = make_thumbnail(data)
    except ValueError:
        raise ValidationError(
            f"{source.name} is not a photo: the file is damaged or of another kind."
        ) from None
    return PhotoFile(source.name, data, thumbnail, media_type)


def read_photos(sources: Sequence[str | Path]) -> tuple[PhotoFile, ...]:
    return tuple(read_photo(source) for source in sources)


def store_photos(
    session: Session,
    ticket: Ticket,
    photos: Sequence[PhotoFile],
    now: datetime,
    *,
    caption: str = "",
) -> None:
    """Add the photos to the ticket, in the action's own transaction."""
    for photo in photos:
        ticket.photos.append(
            TicketPhoto(
                path=photo.name[:400],
                caption=caption[:200],
                taken_at=now,
                data=photo.data,
                thumbnail=photo.thumbnail,
                media_type=photo.media_type,
                size=len(photo.data),
            )
        )


def photo_thumbnails(factory: SessionFactory, ticket_id: int | str) -> tuple[PhotoThumb, ...]:
    """The ticket's photos as thumbnails, in the order they were added (read-only)."""
    with read_session(factory) as session:
        ticket = find_ticket(session, ticket_id, lock=False)
        rows = session.execute(
            select(
                TicketPhoto.id,
                TicketPhoto.path,
                TicketPhoto.caption,
                TicketPhoto.taken_at,
                TicketPhoto.size,
                TicketPhoto.thumbnail,
            )
            .where(TicketPhoto.ticket_id == ticket.id)
            .order_by(TicketPhoto.id)
        ).all()
    return tuple(
        PhotoThumb(r.id, r.path.rsplit("/", 1)[-1], r.caption, r.taken_at, r.size, r.thumbnail)
        for r in rows
    )


def photo_data(factory: SessionFactory, photo_id: int) -> PhotoData:
    """One photo in full (read-only); a missing photo is refused with a sentence."""
    with read_session(factory) as session:
        row = session.execute(
            select(
                TicketPhoto.id,
                TicketPhoto.ticket_id,
                TicketPhoto.path,
                TicketPhoto.media_type,
                TicketPhoto.data,
            ).where(TicketPhoto.id == photo_id)
        ).one_or_none()
    if row is None:
        raise NotFound(f"There is no photo number {photo_id}.")
    name = row.path.rsplit("/", 1)[-1]
    if row.data is None:
        raise NotFound(
            f"The photo {name} is missing: its file was not found when the photos moved into "
            "the database."
        )
    return PhotoData(row.id, row.ticket_id, name, row.media_type, row.data)


@dataclass(frozen=True)
class PhotosFilled:
    """What :func:`fill_missing_photos` did: photos read in, photos still missing, and the name the
    folder was given afterwards (None: not renamed)."""

    moved: int
    still_missing: int
    renamed_to: Path | None


MOVED_FOLDER = "photos.moved-into-database"
FILL_BATCH = 25  # photos read into one transaction (bounds the memory a large folder takes)


def fill_missing_photos(factory: SessionFactory, actor: str, folder: Path) -> PhotosFilled:
    """The photos the upgrade could not find, read in from an old photos folder: on a server, the
    folder of another bench computer than the one that upgraded. Each row still without its
    photo whose file is in ``folder`` gets it (with its thumbnail); a folder that held any of
    them is then renamed ``photos.moved-into-database``, never deleted."""
    with read_session(factory) as session:
        wanted = session.execute(
            select(TicketPhoto.id, TicketPhoto.path)
            .where(TicketPhoto.data.is_(None))
            .order_by(TicketPhoto.id)
        ).all()
    files = [(row_id, folder / path) for row_id, path in wanted if (folder / path).is_file()]
    for start in range(0, len(files), FILL_BATCH):
        with unit_of_work(factory, actor, action="db.photos") as session:
            for row_id, file in files[start : start + FILL_BATCH]:
                photo = session.get(TicketPhoto, row_id)
                if photo is None or photo.data is not None:  # filled meanwhile by another
                    continue
                data = file.read_bytes()
                try:
                    thumbnail, media_type = make_thumbnail(data)
                except ValueError:  # kept as it was, shown without a thumbnail
                    thumbnail, media_type = None, "application/octet-stream"
                photo.data, photo.thumbnail = data, thumbnail
                photo.media_type, photo.size = media_type, len(data)
    renamed = None
    target = folder.with_name(MOVED_FOLDER)
    # only a folder that held missing photos is renamed: any other (a mistyped one, the one
    # holding the database) is left where it is
    if files and folder.is_dir() and not target.exists():
        folder.rename(target)
        renamed = target
    return PhotosFilled(len(files), len(wanted) - len(files), renamed)
