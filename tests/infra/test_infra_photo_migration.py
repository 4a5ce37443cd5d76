"""Migration 0005_photo_blobs on a SQLite file and on PostgreSQL: a database at 0004 whose ticket
photos are files in the old ``photos`` folder (beside the SQLite file, or in the data folder of
the computer that upgrades a server) has them in the database after the upgrade, a photo whose
file is gone is kept as missing, the folder is renamed and not deleted, and the downgrade writes
every photo back out."""

from __future__ import annotations

import io
from pathlib import Path

import infra_rows as rows
import pytest
from photo_files import write_photo
from PIL import Image
from sqlalchemy import text

from helpdesk import db as hdb
from helpdesk.domain.errors import NotFound
from helpdesk.logs import data_dir
from helpdesk.services.repairs.photos import photo_data, photo_thumbnails


def _photo_home(backend: str, url: str) -> Path:
    if backend == "sqlite":
        return Path(url.removeprefix("sqlite:///")).parent
    return data_dir()


@pytest.fixture
def engine_at_0004(empty_url):
    engine = hdb.make_engine(empty_url)
    hdb.upgrade(engine, "0004")
    yield engine
    engine.dispose()


def test_the_photos_folder_moves_into_the_database(
    engine_at_0004, backend, empty_url, tmp_path
) -> None:
    engine = engine_at_0004
    home = _photo_home(backend, empty_url)
    folder = home / "photos" / "TKT-000001"
    folder.mkdir(parents=True)
    crack = write_photo(folder / "1-crack.jpg", 1200, 800)
    lid = write_photo(folder / "3-lid.png", 200, 400, colour="#224488")
    crack_bytes, lid_size = crack.read_bytes(), lid.stat().st_size
    with engine.begin() as conn:
        tech = rows.staff(conn, "tech1", "technician")
        amy = rows.student(conn, "C0001")
        own = rows.device(conn, "HD-0001", pool="allocation", status="in_repair")
        ticket = rows.ticket(conn, own, amy, tech)
        for path in ("TKT-000001/1-crack.jpg", "TKT-000001/2-gone.jpg", "TKT-000001/3-lid.png"):
            rows.insert(
                conn, "ticket_photos", ticket_id=ticket, path=path, caption="", taken_at=rows.T0
            )

    hdb.upgrade(engine, "head")

    assert hdb.current_revision(engine) == hdb.head_revision(engine)
    factory = hdb.make_session_factory(engine)
    thumbs = photo_thumbnails(factory, ticket)
    assert [(t.name, t.missing) for t in thumbs] == [
        ("1-crack.jpg", False),
        ("2-gone.jpg", True),
        ("3-lid.png", False),
    ]
    assert photo_data(factory, thumbs[0].id).data == crack_bytes
    assert Image.open(io.BytesIO(thumbs[0].thumbnail)).size == (240, 160)
    png = photo_data(factory, thumbs[2].id)
    assert (png.media_type, len(png.data)) == ("image/png", lid_size)
    with pytest.raises(NotFound) as err:
        photo_data(factory, thumbs[1].id)
    assert str(err.value) == (
        "The photo 2-gone.jpg is missing: its file was not found when the photos moved into the "
        "database."
    )
    with engine.connect() as conn:
        gone = conn.execute(
            text("SELECT data, size FROM ticket_photos WHERE path LIKE '%gone%'")
        ).one()
    assert tuple(gone) == (None, 0)
    # the old folder is kept, under a name that says where its photos went
    assert not (home / "photos").exists()
    moved = home / "photos.moved-into-database" / "TKT-000001"
    assert (moved / "1-crack.jpg").read_bytes() == crack_bytes

    # the downgrade gives the folder back, with a photo stored since the upgrade written out
    from helpdesk.services.repairs.bench_actions import add_photo

    with engine.begin() as conn:
        rows.staff(conn, "admin", "admin")
    add_photo(factory, "admin", ticket, write_photo(tmp_path / "new.jpg"))
    added = photo_thumbnails(factory, ticket)[-1].id
    from test_infra_migrations import downgrade

    downgrade(engine, "0004")
    folder = home / "photos" / "TKT-000001"
    assert (folder / "1-crack.jpg").read_bytes() == crack_bytes
    assert (folder / f"{added}-new.jpg").read_bytes() == (tmp_path / "new.jpg").read_bytes()
    with engine.connect() as conn:
        paths = conn.execute(text("SELECT path FROM ticket_photos ORDER BY id")).scalars().all()
    assert paths[-1] == f"TKT-000001/{added}-new.jpg"


@pytest.mark.postgres
def test_another_bench_computer_reads_its_own_photos_in(
    pg_empty_url, tmp_path, monkeypatch, capsys
) -> None:
    """On a server the upgrade reads the photos folder of the computer that runs it; a photo kept
    by another bench computer stays missing until `helpdesk db photos` runs there."""
    from helpdesk.cli import main

    upgrader, other = tmp_path / "upgrading-pc", tmp_path / "other-pc"
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(other))
    (other / "photos" / "TKT-000001").mkdir(parents=True)
    hinge = write_photo(other / "photos" / "TKT-000001" / "1-hinge.jpg")
    hinge_bytes = hinge.read_bytes()
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(upgrader))
    engine = hdb.make_engine(pg_empty_url)
    try:
        hdb.upgrade(engine, "0004")
        with engine.begin() as conn:
            rows.staff(conn, "admin", "admin")
            tech = rows.staff(conn, "tech1", "technician")
            own = rows.device(conn, "HD-0001", pool="allocation", status="in_repair")
            ticket = rows.ticket(conn, own, None, tech)
            rows.insert(
                conn,
                "ticket_photos",
                ticket_id=ticket,
                path="TKT-000001/1-hinge.jpg",
                caption="",
                taken_at=rows.T0,
            )
        hdb.upgrade(engine, "head")
        factory = hdb.make_session_factory(engine)
        assert [t.missing for t in photo_thumbnails(factory, ticket)] == [True]
        from staff_passwords import TEST_PASSWORD

        from helpdesk.services.core.staff import set_password

        set_password(factory, None, "admin", TEST_PASSWORD)  # the admin signs in to run it

        monkeypatch.setenv("HELPDESK_DATA_DIR", str(other))
        assert main(["db", "photos", "--db", pg_empty_url]) == 0
        out = capsys.readouterr().out
        assert f"read 1 ticket photos into the database from {other / 'photos'}" in out
        [thumb] = photo_thumbnails(factory, ticket)
        assert not thumb.missing and photo_data(factory, thumb.id).data == hinge_bytes
        assert (other / "photos.moved-into-database" / "TKT-000001" / "1-hinge.jpg").is_file()
        assert main(["db", "photos", "--db", pg_empty_url]) == 1  # nothing left to read in
        assert "there is no photos folder at" in capsys.readouterr().err
    finally:
        engine.dispose()


def test_a_folder_without_missing_photos_is_left_where_it_is(session_factory, tmp_path, capsys):
    """`helpdesk db photos FOLDER` given a folder that holds no missing photo (a mistyped one, or
    the folder of the database itself) reads nothing and renames nothing."""
    from helpdesk.cli import main

    url = str(session_factory.kw["bind"].url)
    database = Path(url.removeprefix("sqlite:///"))
    (tmp_path / "notes.txt").write_text("not a photo\n")
    assert main(["db", "photos", str(tmp_path), "--db", url]) == 0
    assert capsys.readouterr().out == f"read 0 ticket photos into the database from {tmp_path}\n"
    assert tmp_path.is_dir() and database.is_file() and (tmp_path / "notes.txt").is_file()
    assert not (tmp_path.parent / "photos.moved-into-database").exists()
