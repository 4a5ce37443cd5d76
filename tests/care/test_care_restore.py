"""`helpdesk restore BACKUP`: the restore drill (back up, change, restore: the records are the
backup's) on SQLite and PostgreSQL, and the refusals: a backup newer than this version, no
terminal and no --yes, and anyone but an admin."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from helpdesk.cli import main
from helpdesk.db import make_engine, open_database


def records(url: str) -> dict[str, list[tuple]]:
    """The school's records (audit rows aside) as plain tuples."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: [
                    tuple(row) for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                ]
                for table in ("students", "devices", "loans", "tickets", "staff")
            }
    finally:
        engine.dispose()


def restore_rows(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    text("SELECT after FROM audit_log WHERE entity = 'database' ORDER BY id")
                )
            )
    finally:
        engine.dispose()


def change_the_school(url: str) -> None:
    """A day's work after the backup: a loan back, a new student, a student's name changed."""
    from helpdesk.services.counter.loans import return_loan
    from helpdesk.services.csv.importer import import_students

    factory = open_database(url)
    try:
        return_loan(factory, "admin", device_code="LNR-1")
        import_students(
            factory, "admin", b"card_code,first_name,last_name,year,form\nS4,Dee,Dunn,10,10D\n"
        )
    finally:
        factory.kw["bind"].dispose()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE students SET first_name = 'Anne' WHERE card_code = 'S1'"))
    engine.dispose()


def test_the_restore_drill_on_sqlite(school, tmp_path, capsys):
    url = f"sqlite:///{school}"
    backup = tmp_path / "usb" / "friday.sqlite3"
    assert main(["backup", str(backup), "--db", url]) == 0
    at_backup = records(url)
    change_the_school(url)
    assert records(url) != at_backup
    changed = records(url)
    capsys.readouterr()

    assert main(["restore", str(backup), "--yes", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    aside = next(school.parent.glob("helpdesk.before-restore-*.sqlite3"))
    assert out[0] == f"the database as it was is kept at {aside}"
    assert out[1].startswith(f"restored {school} from {backup} (taken ")
    assert out[1].endswith("): 3 students, 2 devices, 1 loans, 0 tickets")
    assert records(url) == at_backup
    assert records(f"sqlite:///{aside}") == changed  # what was there is kept, whole
    assert len(restore_rows(url)) == 1 and str(backup) in restore_rows(url)[0]
    conn = sqlite3.connect(school)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert not list(school.parent.glob(".*restoring*"))


def test_a_backup_newer_than_this_version_is_refused(school, tmp_path, capsys):
    url = f"sqlite:///{school}"
    backup = tmp_path / "from-the-future.sqlite3"
    assert main(["backup", str(backup), "--db", url]) == 0
    conn = sqlite3.connect(backup)
    conn.execute("UPDATE alembic_version SET version_num = 'f00d1234'")
    conn.commit()
    conn.close()
    change_the_school(url)
    before = records(url)
    capsys.readouterr()
    assert main(["restore", str(backup), "--yes", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"helpdesk: {backup} is at schema revision f00d1234, newer than this ")
    assert len(err.splitlines()) == 1
    assert records(url) == before
    assert not list(school.parent.glob("*before-restore*"))  # no copy aside for a refusal


def test_a_damaged_backup_is_refused(school, tmp_path, capsys):
    url = f"sqlite:///{school}"
    backup = tmp_path / "damaged.sqlite3"
    backup.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    before = records(url)
    assert main(["restore", str(backup), "--yes", "--db", url]) == 1
    err = capsys.readouterr().err
    assert str(backup) in err and len(err.splitlines()) == 1
    assert records(url) == before


def test_no_terminal_and_no_yes_is_refused(school, tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{school}"
    backup = tmp_path / "friday.sqlite3"
    assert main(["backup", str(backup), "--db", url]) == 0
    change_the_school(url)
    before = records(url)
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", open("/dev/null"))  # noqa: SIM115 - not a terminal
    assert main(["restore", str(backup), "--db", url]) == 1
    assert capsys.readouterr().err == (
        "helpdesk: a restore replaces the whole database: run it at a terminal to be asked, "
        "or add --yes; nothing was changed\n"
    )
    assert records(url) == before


def test_a_restore_is_refused_to_anyone_but_an_admin(
    school, session_factory, tmp_path, capsys, monkeypatch
):
    from helpdesk.services.core.staff import add_staff, set_password

    url = f"sqlite:///{school}"
    backup = tmp_path / "friday.sqlite3"
    assert main(["backup", str(backup), "--db", url]) == 0
    add_staff(session_factory, "admin", username="mo", display_name="Mo", role="manager")
    set_password(session_factory, "admin", "mo", "manager-pass-1")
    change_the_school(url)
    before = records(url)
    capsys.readouterr()
    monkeypatch.setenv("HELPDESK_USER", "mo")
    monkeypatch.setenv("HELPDESK_PASSWORD", "manager-pass-1")
    assert main(["restore", str(backup), "--yes", "--db", url]) == 1
    assert capsys.readouterr().err == (
        "helpdesk: Restoring the database from a backup needs an admin.\n"
    )
    assert records(url) == before
    assert not list(school.parent.glob("*before-restore*"))


@pytest.mark.postgres
def test_the_restore_drill_on_postgresql(pg_session_factory, tmp_path, capsys):
    from helpdesk.services.counter.loans import issue_loan
    from helpdesk.services.csv.devices import import_devices
    from helpdesk.services.csv.importer import import_students

    assert shutil.which("pg_dump") and shutil.which("pg_restore")
    factory = pg_session_factory
    url = factory.kw["bind"].url.render_as_string(hide_password=False)
    import_students(
        factory, "admin", b"card_code,first_name,last_name,year,form\nS1,Ann,Archer,7,7A\n"
    )
    import_devices(
        factory,
        "admin",
        b"asset_tag,serial,make,model,kind,pool\nLNR-1,SN1,Dell,3190,laptop,loan\n",
    )
    issue_loan(factory, "admin", student_code="S1", device_code="LNR-1")
    factory.kw["bind"].dispose()
    backup = tmp_path / "friday.dump"
    assert main(["backup", str(backup), "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"backed up {url.split(':')[0]}") and "(pg_dump, revision " in out
    at_backup = records(url)
    change_the_school(url)
    changed = records(url)
    assert changed != at_backup

    assert main(["restore", str(backup), "--yes", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("the database as it was is kept at ")
    aside = out[0].removeprefix("the database as it was is kept at ")
    assert aside.endswith(".dump") and "before-restore" in aside
    assert out[1].endswith("): 1 students, 1 devices, 1 loans, 0 tickets")
    assert records(url) == at_backup
    assert len(restore_rows(url)) == 1

    # a folder as PATH: the dump is named after the database
    folder = tmp_path / "usb"
    folder.mkdir()
    assert main(["backup", str(folder), "--db", url]) == 0
    database = factory.kw["bind"].url.database
    assert [p.name for p in folder.iterdir()] == [f"{database}.dump"]
    capsys.readouterr()

    # the copy made aside is itself a backup that restores to what was there
    assert main(["restore", aside, "--yes", "--db", url]) == 0
    assert records(url) == changed


@pytest.mark.postgres
def test_a_missing_pg_dump_is_one_line(pg_session_factory, tmp_path, capsys, monkeypatch):
    url = pg_session_factory.kw["bind"].url.render_as_string(hide_password=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    assert main(["backup", str(tmp_path / "b.dump"), "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("helpdesk: pg_dump is not installed") and len(err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


EXTRA_REVISION = """
from alembic import op
import sqlalchemy as sa

revision = "zz_care_test"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("care_test_marker", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("care_test_marker")
"""


def test_an_older_backup_is_upgraded_after_the_restore(school, tmp_path, capsys, monkeypatch):
    """This version has one more migration than the one that made the backup."""
    from sqlalchemy import inspect

    from helpdesk import db as hdb

    url = f"sqlite:///{school}"
    backup = tmp_path / "last-year.sqlite3"
    assert main(["backup", str(backup), "--db", url]) == 0
    at_backup = records(url)
    old_head = hdb.head_revision(hdb.make_engine(url))
    versions = tmp_path / "extra_versions"
    versions.mkdir()
    (versions / "zz_care_test.py").write_text(EXTRA_REVISION.format(head=old_head))
    original = hdb._alembic_config

    def with_extra(engine):  # noqa: ANN001, ANN202
        cfg = original(engine)
        shipped = Path(cfg.get_main_option("script_location")) / "versions"
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_locations", f"{shipped}:{versions}")
        return cfg

    monkeypatch.setattr(hdb, "_alembic_config", with_extra)
    assert main(["db", "upgrade", "--db", url]) == 0
    change_the_school(url)
    capsys.readouterr()

    assert main(["restore", str(backup), "--yes", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2] == f"upgraded the restored database from revision {old_head} to zz_care_test"
    assert records(url) == at_backup
    engine = hdb.make_engine(url)
    try:
        assert "care_test_marker" in inspect(engine).get_table_names()
        assert hdb.current_revision(engine) == "zz_care_test"
    finally:
        engine.dispose()
    assert backup.stat().st_size > 0 and not list(tmp_path.glob(".*restoring*"))
