"""Damage photos are kept in the database with their ticket: stored and read back, refused when
not an image or too big (nothing written), seen from a second computer on the same PostgreSQL
database, and held by `helpdesk backup` so a database restored from the backup shows them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from photo_files import write_big_jpeg, write_photo
from PIL import Image
from service_school import NOW
from sqlalchemy import func, select

from helpdesk.cli import main
from helpdesk.db import open_database
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import AuditEntry, TicketPhoto
from helpdesk.services.repairs import bench_actions
from helpdesk.services.repairs.photos import (
    MAX_PHOTO_MB,
    THUMB_SIDE,
    photo_data,
    photo_thumbnails,
)
from helpdesk.services.repairs.tickets import DamageReport, get_ticket, open_ticket


def _book(factory, photos=(), device="LAP-0001"):  # noqa: ANN001, ANN202
    return open_ticket(
        factory,
        "admin",
        device_code=device,
        damage=DamageReport("screen", "Cracked corner", photos=tuple(photos)),
        now=NOW,
    )


def _photo_rows(factory) -> int:  # noqa: ANN001
    with factory() as session:
        return session.scalar(select(func.count()).select_from(TicketPhoto))


def test_a_photo_is_stored_in_the_database_and_read_back(school, tmp_path):
    source = write_photo(tmp_path / "screen.jpg", 1600, 900)
    ticket = _book(school, [source])
    assert ticket.photos == ("screen.jpg",)
    assert not (tmp_path / "photos").exists()  # no folder beside the database any more

    [thumb] = photo_thumbnails(school, ticket.id)
    assert (thumb.name, thumb.size, thumb.missing) == ("screen.jpg", source.stat().st_size, False)
    small = Image.open(io.BytesIO(thumb.thumbnail))
    assert small.format == "JPEG" and max(small.size) == THUMB_SIDE
    assert small.size == (240, 135)  # the photo's shape kept

    full = photo_data(school, thumb.id)
    assert full.data == source.read_bytes()
    assert (full.name, full.media_type, full.suffix) == ("screen.jpg", "image/jpeg", ".jpg")

    # a second photo from the bench, a PNG, after the first
    png = write_photo(tmp_path / "keyboard.png", 300, 400)
    info = bench_actions.add_photo(school, "tech1", ticket.id, png, caption="keys")
    assert info.photos == ("screen.jpg", "keyboard.png")
    second = photo_thumbnails(school, ticket.id)[1]
    assert second.caption == "keys"
    assert photo_data(school, second.id).media_type == "image/png"

    # the audit log says a photo was added and how big, without the picture itself
    with school() as session:
        after = session.scalars(
            select(AuditEntry.after).where(
                AuditEntry.entity == "ticket_photos", AuditEntry.action == "insert"
            )
        ).all()
    logged = json.loads(after[0])
    assert logged["path"] == "screen.jpg"
    assert logged["data"] == f"{source.stat().st_size} bytes"
    assert all(len(text) < 2000 for text in after)


def test_not_an_image_and_too_big_are_refused_and_nothing_is_written(school, tmp_path):
    ticket = _book(school)
    text = tmp_path / "crack.jpg"
    text.write_text("a text file with a photo's name")
    with pytest.raises(ValidationError) as err:
        bench_actions.add_photo(school, "tech1", ticket.id, text)
    assert str(err.value) == "crack.jpg is not a photo: the file is damaged or of another kind."

    big = write_big_jpeg(tmp_path / "huge.jpg", MAX_PHOTO_MB * 1024 * 1024 + 1)
    megabytes = big.stat().st_size / (1024 * 1024)
    with pytest.raises(ValidationError) as err:
        bench_actions.add_photo(school, "tech1", ticket.id, big)
    assert str(err.value) == f"huge.jpg is {megabytes:.1f} MB; a photo may be at most 10 MB."

    # booking in with a bad photo books nothing at all
    with pytest.raises(ValidationError):
        _book(school, [write_photo(tmp_path / "ok.jpg"), text], device="LAP-0002")
    assert get_ticket(school, ticket.id).photos == ()
    assert _photo_rows(school) == 0
    with pytest.raises(ValidationError) as err:
        _book(school, [tmp_path / "gone.jpg"], device="LAP-0002")
    assert str(err.value) == f"The photo {tmp_path / 'gone.jpg'} cannot be found; take it again."


def test_a_photo_of_an_action_that_fails_is_not_kept(school, tmp_path, monkeypatch):
    ticket = _book(school)
    photo = write_photo(tmp_path / "crack.png")

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("the database went away")

    monkeypatch.setattr(bench_actions, "ticket_info", broken)
    with pytest.raises(RuntimeError):
        bench_actions.add_photo(school, "tech1", ticket.id, photo)
    assert _photo_rows(school) == 0
    with pytest.raises(NotFound, match="There is no photo number 1"):
        photo_data(school, 1)


@pytest.mark.postgres
def test_a_photo_taken_on_one_computer_is_seen_on_another(
    pg_session_factory, tmp_path, monkeypatch
):
    """Two computers (two Helpdesk data folders) on one PostgreSQL database: the bench's photo is
    read at the counter, and neither data folder holds a copy."""
    from service_school import build_school

    build_school(pg_session_factory)
    url = pg_session_factory.kw["bind"].url.render_as_string(hide_password=False)
    bench_dir, counter_dir = tmp_path / "bench-pc", tmp_path / "counter-pc"
    bench_dir.mkdir()
    counter_dir.mkdir()

    monkeypatch.setenv("HELPDESK_DATA_DIR", str(bench_dir))
    bench = open_database(url)
    try:
        ticket = _book(bench)
        bench_actions.add_photo(bench, "tech1", ticket.id, write_photo(tmp_path / "lid.jpg"))
    finally:
        bench.kw["bind"].dispose()

    monkeypatch.setenv("HELPDESK_DATA_DIR", str(counter_dir))
    counter = open_database(url)
    try:
        [thumb] = photo_thumbnails(counter, ticket.id)
        assert photo_data(counter, thumb.id).data == (tmp_path / "lid.jpg").read_bytes()
    finally:
        counter.kw["bind"].dispose()
    for folder in (bench_dir, counter_dir):
        assert not list(folder.rglob("*.jpg")), f"a photo file was left in {folder}"


def test_backup_holds_the_photos(school, sqlite_url, tmp_path, capsys):
    photo = write_photo(tmp_path / "screen.jpg")
    ticket = _book(school, [photo])
    backup = tmp_path / "usb"
    backup.mkdir()
    assert main(["--db", sqlite_url, "backup", str(backup)]) == 0
    assert "1 ticket_photos" in capsys.readouterr().out
    assert list(backup.iterdir()) == [backup / Path(sqlite_url).name]  # one file, nothing beside

    # the school's computer is lost: the backup file is all there is
    Path(sqlite_url.removeprefix("sqlite:///")).unlink()
    photo.unlink()
    factory = open_database(f"sqlite:///{backup / Path(sqlite_url).name}")
    try:
        assert get_ticket(factory, ticket.id).photos == ("screen.jpg",)
        [thumb] = photo_thumbnails(factory, ticket.id)
        assert thumb.thumbnail and not thumb.missing
        restored = photo_data(factory, thumb.id).data
        assert Image.open(io.BytesIO(restored)).size == (800, 600)
    finally:
        factory.kw["bind"].dispose()
