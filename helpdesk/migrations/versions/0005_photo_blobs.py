"""ticket photos kept in the database: the image, a thumbnail, its type and size

Until now a damage photo was a file in a ``photos`` folder beside a SQLite file (or in the user's
data folder for a server) and ``ticket_photos.path`` named it. From here the photo's bytes and a
small JPEG thumbnail are columns of the row, so every counter sees it and a backup of the database
holds it. The upgrade reads each row's file from the old folder into the row; a file that is not
there leaves ``data`` empty (the screen says the photo is missing) and the row is kept. The folder
itself is renamed ``photos.moved-into-database``, never deleted. ``path`` keeps the name the file
had.

The downgrade writes every photo back out into the ``photos`` folder (taking back a renamed one).

Revision ID: 0005_photo_blobs
Revises: 0004
Create Date: 2026-12-07 00:45:00
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005_photo_blobs"
down_revision = "0004"
branch_labels = None
depends_on = None

PHOTOS_FOLDER = "photos"
MOVED_FOLDER = "photos.moved-into-database"
THUMB_SIDE = 240
MEDIA_TYPES = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
}

log = logging.getLogger("helpdesk.migrations")


def _base_folder() -> Path:
    """Where the photo folders were kept: beside a SQLite file, or the user's data folder."""
    url = op.get_bind().engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve().parent
    from helpdesk.logs import data_dir

    return data_dir()


def _thumbnail(data: bytes) -> tuple[bytes, str] | None:
    """(a JPEG at most THUMB_SIDE on the long side, the media type), or None for no image."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = MEDIA_TYPES.get(image.format or "")
            if kind is None:
                return None
            image.load()
            small = ImageOps.exif_transpose(image) or image
            small = small.convert("RGB")
            small.thumbnail((THUMB_SIDE, THUMB_SIDE))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            return out.getvalue(), kind
    except Exception:  # noqa: BLE001 - a damaged file is kept as bytes without a thumbnail
        return None


def upgrade() -> None:
    with op.batch_alter_table("ticket_photos", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("thumbnail", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("media_type", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("size", sa.Integer(), nullable=False, server_default="0"))
    base = _base_folder()
    # a rerun after a failed commit finds the files in the folder already renamed
    folders = [base / PHOTOS_FOLDER, base / MOVED_FOLDER]
    photos = sa.table(
        "ticket_photos",
        sa.column("id", sa.Integer),
        sa.column("path", sa.String),
        sa.column("data", sa.LargeBinary),
        sa.column("thumbnail", sa.LargeBinary),
        sa.column("media_type", sa.String),
        sa.column("size", sa.Integer),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(photos.c.id, photos.c.path).order_by(photos.c.id)).all()
    moved = missing = 0
    for row_id, path in rows:
        found = next((f / path for f in folders if path and (f / path).is_file()), None)
        if found is None:
            missing += 1
            continue
        data = found.read_bytes()
        small = _thumbnail(data)
        conn.execute(
            photos.update()
            .where(photos.c.id == row_id)
            .values(
                data=data,
                thumbnail=small[0] if small else None,
                media_type=small[1] if small else "application/octet-stream",
                size=len(data),
            )
        )
        moved += 1
    if (base / PHOTOS_FOLDER).is_dir() and not (base / MOVED_FOLDER).exists():
        (base / PHOTOS_FOLDER).rename(base / MOVED_FOLDER)
    if rows:
        log.info("ticket photos moved into the database: %d, missing: %d", moved, missing)


def downgrade() -> None:
    base = _base_folder()
    folder = base / PHOTOS_FOLDER
    if not folder.exists() and (base / MOVED_FOLDER).is_dir():
        (base / MOVED_FOLDER).rename(folder)
    photos = sa.table(
        "ticket_photos",
        sa.column("id", sa.Integer),
        sa.column("ticket_id", sa.Integer),
        sa.column("path", sa.String),
        sa.column("data", sa.LargeBinary),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(photos.c.id, photos.c.ticket_id, photos.c.path).where(photos.c.data.is_not(None))
    ).all()
    for row_id, ticket_id, path in rows:
        # a photo stored since the upgrade has a bare file name: one folder per ticket, as before
        relative = path if "/" in path else f"TKT-{ticket_id:06d}/{row_id}-{Path(path).name}"
        target = folder / relative
        if not target.is_file():
            data = conn.execute(sa.select(photos.c.data).where(photos.c.id == row_id)).scalar_one()
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if relative != path:
            conn.execute(photos.update().where(photos.c.id == row_id).values(path=relative))
    with op.batch_alter_table("ticket_photos", schema=None) as batch_op:
        batch_op.drop_column("size")
        batch_op.drop_column("media_type")
        batch_op.drop_column("thumbnail")
        batch_op.drop_column("data")
