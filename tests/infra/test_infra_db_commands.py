"""`helpdesk db upgrade`, `helpdesk db current`, `helpdesk backup` and the upgrade the app does on
start, through helpdesk.cli.main on real SQLite files and PostgreSQL databases."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import infra_rows as rows
import pytest
from sqlalchemy import inspect, text

from helpdesk import db as hdb
from helpdesk.cli import main

# A revision that exists only in these tests, chained on the real head, so that a database at the
# real head is "behind" and every upgrade path (backup first, then migrate) runs for real.
EXTRA_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "zz_infra_test"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("infra_test_marker", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("infra_test_marker")
"""


@pytest.fixture
def real_head(sqlite_url) -> str:
    return hdb.head_revision(hdb.make_engine(sqlite_url))


@pytest.fixture
def newer_release(tmp_path, monkeypatch, real_head) -> str:
    """Pretend this is a newer Helpdesk that has one more migration; returns its head."""
    versions = tmp_path / "extra_versions"
    versions.mkdir()
    (versions / "zz_infra_test.py").write_text(EXTRA_REVISION.format(head=real_head))
    original = hdb._alembic_config

    def with_extra(engine):
        cfg = original(engine)
        shipped = Path(cfg.get_main_option("script_location")) / "versions"
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", f"{shipped}:{versions}")
        return cfg

    monkeypatch.setattr(hdb, "_alembic_config", with_extra)
    return "zz_infra_test"


def populate(url: str, students: int = 3, at: str = "head") -> None:
    """A database at revision ``at`` holding a little of everything, written with plain SQL."""
    engine = hdb.make_engine(url)
    hdb.upgrade(engine, at)
    with engine.begin() as conn:
        staff = rows.staff(conn, "counter1")
        loaner = rows.device(conn, "LOAN-01")
        for n in range(students):
            student = rows.student(conn, f"C{n:04}")
        rows.loan(conn, loaner, student, staff)
    engine.dispose()


def revision_of(url: str) -> str | None:
    engine = hdb.make_engine(url)
    try:
        return hdb.current_revision(engine)
    finally:
        engine.dispose()


def count(url: str, table: str) -> int:
    engine = hdb.make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text(f"SELECT count(*) FROM {table}"))
    finally:
        engine.dispose()


# --- db upgrade / db current -------------------------------------------------------------------


def test_db_upgrade_creates_the_schema_in_an_empty_database(empty_url, real_head, capsys):
    assert main(["db", "current", "--db", empty_url]) == 0
    assert "revision: none" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", empty_url]) == 0
    out = capsys.readouterr().out
    assert f"upgraded from an empty database to revision {real_head}" in out
    assert "copy of the database" not in out  # nothing to keep in an empty database
    assert revision_of(empty_url) == real_head
    assert main(["db", "upgrade", "--db", empty_url]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["db", "current", "--db", empty_url]) == 0
    assert f"revision: {real_head} (up to date)" in capsys.readouterr().out


def test_db_upgrade_copies_a_sqlite_file_first_and_keeps_the_data(
    sqlite_url, real_head, newer_release, capsys
):
    populate(sqlite_url, at=real_head)
    assert main(["db", "current", "--db", sqlite_url]) == 0
    assert f"behind {newer_release}" in capsys.readouterr().out

    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert f"upgraded from {real_head} to revision {newer_release}" in out
    copy_line = next(line for line in out.splitlines() if line.startswith("copy of the database"))
    copy = Path(copy_line.split(": ", 1)[1])
    assert copy.is_file() and copy.parent == Path(sqlite_url.removeprefix("sqlite:///")).parent
    assert ".before-upgrade-" in copy.name

    assert revision_of(sqlite_url) == newer_release
    assert count(sqlite_url, "students") == 3 and count(sqlite_url, "loans") == 1
    # the copy is the database as it was: the old revision, the same rows
    copy_url = f"sqlite:///{copy}"
    assert revision_of(copy_url) == real_head
    assert count(copy_url, "students") == 3
    assert "infra_test_marker" not in inspect(hdb.make_engine(copy_url)).get_table_names()


@pytest.mark.postgres
def test_db_upgrade_on_postgresql_reports_both_revisions(
    pg_empty_url, real_head, newer_release, capsys
):
    populate(pg_empty_url, at=real_head)
    assert main(["db", "upgrade", "--db", pg_empty_url]) == 0
    out = capsys.readouterr().out
    assert f"upgraded from {real_head} to revision {newer_release}" in out
    assert revision_of(pg_empty_url) == newer_release
    assert count(pg_empty_url, "students") == 3


def test_the_app_upgrades_on_start_after_a_backup_copy(sqlite_url, real_head, newer_release):
    """open_database is what the main window and every command call first."""
    populate(sqlite_url, students=5, at=real_head)
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    factory = hdb.open_database(sqlite_url)
    factory.kw["bind"].dispose()
    assert revision_of(sqlite_url) == newer_release
    copies = sorted(folder.glob("*.before-upgrade-*.sqlite3"))
    assert len(copies) == 1
    assert revision_of(f"sqlite:///{copies[0]}") == real_head
    assert count(f"sqlite:///{copies[0]}", "students") == 5
    # starting again changes nothing and copies nothing more
    hdb.open_database(sqlite_url).kw["bind"].dispose()
    assert len(list(folder.glob("*.before-upgrade-*.sqlite3"))) == 1


def test_a_database_newer_than_this_version_is_refused_in_one_line(sqlite_url, capsys):
    populate(sqlite_url)
    engine = hdb.make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d1234'"))
    engine.dispose()
    assert main(["db", "upgrade", "--db", sqlite_url]) == 1
    err = capsys.readouterr().err
    assert "f00d1234" in err and "update Helpdesk" in err and len(err.splitlines()) == 1
    assert main(["db", "current", "--db", sqlite_url]) == 1
    assert "newer than this version" in capsys.readouterr().out


def test_an_unreachable_server_is_one_line(capsys):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/helpdesk?connect_timeout=2"
    assert main(["db", "upgrade", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("helpdesk: cannot open the database") and len(err.splitlines()) == 1
    assert "Traceback" not in err


# --- backup -----------------------------------------------------------------------------------


class Writer(threading.Thread):
    """Another counter: commits batches of 10 students through its own connection until told
    to stop."""

    BATCH = 10

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.batches = 0
        self.stop = threading.Event()
        self.first_batch = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = hdb.make_engine(self.url)
        try:
            while not self.stop.is_set():
                with engine.begin() as conn:
                    for n in range(self.BATCH):
                        rows.student(conn, f"W{self.batches:05}-{n}")
                self.batches += 1
                self.first_batch.set()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
            self.first_batch.set()
        finally:
            engine.dispose()


def test_backup_while_another_counter_writes_is_consistent(sqlite_url, tmp_path, capsys):
    populate(sqlite_url, students=1)
    writer = Writer(sqlite_url)
    writer.start()
    assert writer.first_batch.wait(30)
    target = tmp_path / "backups" / "monday.sqlite3"
    try:
        assert main(["backup", str(target), "--db", sqlite_url]) == 0
        done_at_copy = writer.batches
        # let the other counter commit more after the copy, then stop it
        while writer.batches < done_at_copy + 2 and writer.error is None:
            writer.first_batch.wait(0.01)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None
    out = capsys.readouterr().out
    assert f"to {target}" in out

    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        students = copy.execute("SELECT count(*) FROM students").fetchone()[0]
        loans = copy.execute("SELECT count(*) FROM loans").fetchone()[0]
    finally:
        copy.close()
    # whole transactions only: never part of a batch; some batches, and not those after the copy
    written = students - 1
    assert written % Writer.BATCH == 0
    assert Writer.BATCH <= written and students < count(sqlite_url, "students")
    assert loans == 1
    assert f"({students} students, 1 devices, 1 loans, 0 tickets, 0 ticket_photos)" in out
    assert not Path(f"{target}-wal").exists()


def test_backup_is_one_file_and_names_a_photos_folder_left_behind(sqlite_url, tmp_path, capsys):
    """The photos are in the database, so the backup is the one file; a photos folder beside the
    database (one not moved in yet) is named, not silently left out."""
    populate(sqlite_url)
    folder = tmp_path / "usb"
    folder.mkdir()
    assert main(["backup", str(folder), "--db", sqlite_url]) == 0
    assert list(folder.iterdir()) == [folder / Path(sqlite_url).name]
    out = capsys.readouterr().out
    assert "0 ticket_photos" in out and "photos folder" not in out

    photos = Path(sqlite_url.removeprefix("sqlite:///")).parent / "photos"
    (photos / "TKT-000001").mkdir(parents=True)
    assert main(["backup", str(tmp_path / "weekly.sqlite3"), "--db", sqlite_url]) == 0
    assert f"the photos folder beside {photos.parent / Path(sqlite_url).name} is not in the " in (
        capsys.readouterr().out
    )
    assert not (tmp_path / "weekly-photos").exists()


def test_backup_refuses_to_overwrite_unless_asked(sqlite_url, tmp_path, capsys):
    populate(sqlite_url)
    target = tmp_path / "copy.sqlite3"
    target.write_text("an older file")
    assert main(["backup", str(target), "--db", sqlite_url]) == 1
    assert "exists already" in capsys.readouterr().err
    assert target.read_text() == "an older file"
    assert main(["backup", str(target), "--overwrite", "--db", sqlite_url]) == 0
    assert count(f"sqlite:///{target}", "students") == 3


def test_backup_of_a_missing_file_or_of_postgresql_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nowhere" / "helpdesk.sqlite3"
    assert main(["backup", str(tmp_path / "b.sqlite3"), "--db", f"sqlite:///{missing}"]) == 1
    assert "there is no database at" in capsys.readouterr().err
    assert not missing.parent.exists()  # looking did not create anything

    url = "postgresql+psycopg://counter@127.0.0.1:1/helpdesk?connect_timeout=2"
    assert main(["backup", str(tmp_path / "b.dump"), "--db", url]) == 1
    err = capsys.readouterr().err
    assert "cannot open the database" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "b.dump").exists()
