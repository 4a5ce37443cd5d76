"""Damage photos are stored beside the database, copied by `helpdesk backup`, and a database
restored from the backup finds every ticket's photos again."""

from __future__ import annotations

from pathlib import Path

from service_school import NOW

from helpdesk.cli import main
from helpdesk.db import open_database
from helpdesk.services.repairs.tickets import DamageReport, get_ticket, open_ticket


def test_photos_stored_backed_up_and_restored(school, sqlite_url, tmp_path, capsys):  # noqa: ANN001
    photo = tmp_path / "screen.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 cracked screen")
    ticket = open_ticket(
        school,
        "admin",
        device_code="LAP-0001",
        damage=DamageReport("screen", "Cracked corner", photos=(photo,)),
        now=NOW,
    )
    assert len(ticket.photos) == 1
    database = Path(sqlite_url.removeprefix("sqlite:///"))
    stored = database.parent / "photos" / ticket.photos[0]
    assert stored.read_bytes() == photo.read_bytes()

    backup = tmp_path / "backup"
    backup.mkdir()
    assert main(["--db", sqlite_url, "backup", str(backup)]) == 0
    capsys.readouterr()

    # the school's computer is lost: the backup folder is all there is
    stored.unlink()
    restored_url = f"sqlite:///{backup / database.name}"
    factory = open_database(restored_url)
    try:
        again = get_ticket(factory, ticket.id)
        assert again.photos == ticket.photos
        assert (backup / "photos" / again.photos[0]).read_bytes() == photo.read_bytes()
    finally:
        factory.kw["bind"].dispose()
