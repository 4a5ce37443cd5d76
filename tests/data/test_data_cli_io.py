"""`helpdesk import` and `helpdesk export` on real SQLite files: the per-row report, the exit
status, --skip-bad and a file written for Excel."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.cli import main

FILES = Path(__file__).parent / "files"


@pytest.fixture
def db(session_factory, sqlite_url: str) -> list[str]:
    """A new school database whose only staff member is the admin the commands sign in as."""
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_prints_a_summary(db, capsys):
    code, out, err = run(capsys, "import", "students", str(FILES / "students.csv"), *db)
    assert code == 0, err
    assert out == "students.csv: students: 5 added, 0 updated, 0 unchanged.\n"


def test_a_broken_file_prints_each_row_and_fails(db, capsys):
    code, out, err = run(capsys, "import", "students", str(FILES / "students_bad_year.csv"), *db)
    assert code == 1
    assert out.splitlines() == [
        "line 3, column year: 'Y7' is not a year group (7-13).",
        "line 4, column year: '14' is not a year group (7-13).",
        "line 5, column year: this value is empty (a year group, 7-13).",
    ]
    assert err == (
        "helpdesk: students_bad_year.csv: The students file has 3 bad rows; nothing was "
        "imported. (add --skip-bad to import the good rows)\n"
    )
    code, out, err = run(capsys, "export", "students", *db)
    assert out.splitlines() == ["card_code,first_name,last_name,year,form,status,left_on"]


def test_skip_bad_imports_the_rest(db, capsys):
    code, out, err = run(
        capsys, "import", "students", str(FILES / "students_bad_year.csv"), "--skip-bad", *db
    )
    assert code == 0
    assert out.splitlines() == [
        "left out: line 3, column year: 'Y7' is not a year group (7-13).",
        "left out: line 4, column year: '14' is not a year group (7-13).",
        "left out: line 5, column year: this value is empty (a year group, 7-13).",
        "students_bad_year.csv: students: 1 added, 0 updated, 0 unchanged; 3 rows left out.",
    ]


def test_skip_bad_with_nothing_good_exits_non_zero(db, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("card_code,first_name,last_name,year,form\n1,A,B,Y7,7A\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "students", str(bad), "--skip-bad", *db)
    assert code == 1
    assert err == "helpdesk: nothing was imported\n"


def test_missing_file_is_one_line(db, capsys, tmp_path):
    code, out, err = run(capsys, "import", "devices", str(tmp_path / "nope.csv"), *db)
    assert code == 1
    assert err == f"helpdesk: there is no file {tmp_path / 'nope.csv'}\n"


def test_export_to_a_file_for_excel_and_import_it_back(db, capsys, tmp_path):
    run(capsys, "import", "students", str(FILES / "students.csv"), *db)
    run(capsys, "import", "devices", str(FILES / "devices.csv"), *db)
    target = tmp_path / "devices-out.csv"
    code, out, err = run(capsys, "export", "devices", "-o", str(target), *db)
    assert code == 0 and out == f"wrote 5 devices to {target}\n"
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfasset_tag,serial,")
    assert b"\r\n" in raw
    code, out, err = run(capsys, "export", "devices", "-o", str(target), *db)
    assert code == 1 and "exists already" in err
    code, out, err = run(capsys, "import", "devices", str(target), *db)
    assert code == 0
    assert out == "devices-out.csv: devices: 0 added, 0 updated, 5 unchanged.\n"
