"""Databases Helpdesk must not use: a file that is not a database, a damaged one, another
application's, one of a newer Helpdesk, ``--db ""``, a folder that does not exist, a full disk.
Each is one sentence and exit status 1, and the file is left as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpdesk.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


COMMANDS = [
    ["lookup", "X"],
    ["db", "upgrade"],
    ["export", "students"],
    ["audit"],
    ["staff", "list"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_another_applications_database_is_refused_and_left_alone(capsys, tmp_path, argv):
    other = tmp_path / "music.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE songs (id INTEGER PRIMARY KEY, title TEXT)")
    before = digest(tmp_path)
    code, out, err = run(capsys, *argv, "--db", f"sqlite:///{other}")
    assert code == 1
    assert "belongs to another application" in err and err.count("\n") == 1
    assert digest(tmp_path) == before


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_a_file_that_is_not_a_database_is_one_sentence(capsys, tmp_path, argv):
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is a letter to parents, not a database\n" * 100)
    before = digest(tmp_path)
    code, out, err = run(capsys, *argv, "--db", f"sqlite:///{junk}")
    assert code == 1, err
    assert "is not a database" in err and err.count("\n") == 1
    assert digest(tmp_path) == before


def test_a_damaged_database_is_one_sentence(session_factory, sqlite_url, capsys):
    session_factory.kw["bind"].dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(2 * page, len(data), page):  # every page after the first two
        data[start : start + page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    code, out, err = run(capsys, "lookup", "100001", "--db", sqlite_url)
    assert code == 1
    assert "damaged" in err and err.count("\n") == 1
    assert "unexpected" not in err


def test_a_newer_schema_is_refused_without_a_before_upgrade_copy(
    session_factory, sqlite_url, capsys
):
    session_factory.kw["bind"].dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    for argv in (["db", "upgrade"], ["lookup", "X"]):
        code, out, err = run(capsys, *argv, "--db", sqlite_url)
        assert code == 1
        assert "9999_from_the_future" in err and err.count("\n") == 1
    assert not list(path.parent.glob("*before-upgrade*"))


def test_an_empty_db_option_is_refused(capsys):
    code, out, err = run(capsys, "lookup", "X", "--db", "")
    assert code == 1
    assert err.startswith("helpdesk: --db is empty") and err.count("\n") == 1


def test_a_folder_that_does_not_exist_is_refused_except_for_a_new_database(capsys, tmp_path):
    missing = tmp_path / "no" / "such" / "helpdesk.sqlite3"
    for argv in (["lookup", "X"], ["staff", "list"], ["import", "students", __file__]):
        code, out, err = run(capsys, *argv, "--db", f"sqlite:///{missing}")
        assert code == 1
        assert err.startswith(f"helpdesk: there is no folder {missing.parent}")
        assert not (tmp_path / "no").exists()
    code, out, err = run(capsys, "db", "upgrade", "--db", f"sqlite:///{missing}")
    assert code == 0, err
    assert missing.is_file()


@pytest.mark.parametrize("argv", [["staff", "disable", "admin"], ["lookup", "100001"]])
def test_a_database_that_cannot_be_written_is_one_sentence(
    session_factory, sqlite_url, capsys, argv
):
    session_factory.kw["bind"].dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"  # as a read-only share or disk would
    code, out, err = run(capsys, *argv, "--db", read_only)
    assert code == 1
    assert err == (
        "helpdesk: the database cannot be written here (attempt to write a readonly database); "
        "nothing was changed\n"
    )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not (Path.cwd() / "file:").exists()


def _fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until about ``leave`` bytes are free."""
    with (disk / "filler").open("wb") as out:
        while shutil.disk_usage(disk).free > leave:
            out.write(b"\0" * 4096)
            out.flush()


def test_a_database_on_a_full_disk_is_one_sentence(session_factory, sqlite_url, small_disk, capsys):
    session_factory.kw["bind"].dispose()
    path = small_disk / "helpdesk.sqlite3"
    path.write_bytes(Path(sqlite_url.removeprefix("sqlite:///")).read_bytes())
    url = f"sqlite:///{path}"
    rows = "".join(f"{200000 + n},Name{n},{'x' * 60},7,7A\n" for n in range(4000))
    students = small_disk.parent / "students.csv"
    students.write_text("card_code,first_name,last_name,year,form\n" + rows)

    def students_held() -> int:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT count(*) FROM students").fetchone()[0]
        finally:
            conn.close()

    held = students_held()
    _fill(small_disk, 64 * 1024)  # room to open the file (and sign in), not for the import
    code, out, err = run(capsys, "import", "students", str(students), "--db", url)
    assert code == 1
    assert err == (
        "helpdesk: the disk is full (the database says: database or disk is full); nothing was "
        "changed\n"
    )
    assert students_held() == held


def test_a_page_damaged_where_the_command_reads_late_is_refused_before_anything_is_written(
    session_factory, sqlite_url, capsys
):
    """The students' table damaged, the staff table and the audit log whole: signing in would
    work and write its audit row; the refusal comes first, and the file is as it was."""
    from helpdesk.domain.models import Student

    with session_factory() as session, session.begin():
        session.add_all(
            Student(
                card_code=f"1000{n:02d}",
                first_name="Ada",
                last_name=f"Pupil{n}",
                year_group=7,
                form="7A",
            )  # fmt: skip
            for n in range(300)
        )
    session_factory.kw["bind"].dispose()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'students'"
        ).fetchone()[0]
        page = conn.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    data[start : start + page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    before = digest(path.parent)
    code, out, err = run(capsys, "lookup", "100001", "--db", sqlite_url)
    assert code == 1, err
    assert "is damaged" in err and "restore" in err and err.count("\n") == 1, err
    assert digest(path.parent) == before
