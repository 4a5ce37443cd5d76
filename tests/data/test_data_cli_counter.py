"""`helpdesk lookup`, `helpdesk loan issue` and `helpdesk loan return` on a real SQLite file:
readable lines, and every error one clear line with a non-zero exit. One test runs the installed
command itself."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, time
from pathlib import Path

import pytest

from helpdesk.cli import main
from helpdesk.commands.loans import parse_due
from helpdesk.services.csv.importer import import_devices, import_students

FILES = Path(__file__).parent / "files"
HELPDESK = Path(sys.executable).with_name("helpdesk")


@pytest.fixture
def db(session_factory, sqlite_url) -> list[str]:
    """Five students, four allocation devices and the loaner LNR-001."""
    import_students(session_factory, "admin", (FILES / "students.csv").read_bytes())
    import_devices(session_factory, "admin", (FILES / "devices.csv").read_bytes())
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_lookup_a_student_and_a_device(db, capsys):
    code, lines, err = run(capsys, "lookup", "100001", *db)
    assert code == 0, err
    assert lines[0] == "student 100001: Oliver Smith, year 7, form 7A"
    assert lines[1] == "cover: no cover on record"
    assert "own laptop: LT-0001 Lenovo ThinkPad 11e (assigned)" in lines
    assert "own charger: CHG-0001 Lenovo 45W USB-C (assigned)" in lines
    code, lines, err = run(capsys, "lookup", "PF1AAA02", *db)
    assert code == 0
    assert lines[0] == (
        "device LT-0002: Lenovo ThinkPad 11e laptop, serial PF1AAA02, allocation, assigned"
    )
    assert lines[1] == "assigned to: Amelia Jones (7B), card 100002"


def test_lookup_of_an_unknown_code_is_one_line(db, capsys):
    code, lines, err = run(capsys, "lookup", "XYZ-999", *db)
    assert code == 1 and lines == []
    assert err == (
        "helpdesk: Nothing has the code 'XYZ-999': it is not a student card, asset tag, serial "
        "number, loan slip or repair receipt.\n"
    )


def test_issue_then_return_a_loan(db, capsys):
    code, lines, err = run(
        capsys, "loan", "issue", "--student", "100003", "--device", "LNR-001", "--due", "+2", *db
    )
    assert code == 0, err
    assert lines[0].startswith(
        "lent LOAN-000001: LNR-001 (Lenovo 100e) day loan to Harry Taylor (8A), issued "
    )
    assert "by admin, due " in lines[0] and lines[0].endswith("15:30; with charger")
    code, lines, err = run(capsys, "lookup", "LOAN-000001", *db)
    assert lines[0].startswith(
        "loan LOAN-000001: LNR-001 (Lenovo 100e) day loan to Harry Taylor (8A)"
    )
    code, lines, err = run(
        capsys, "loan", "issue", "--student", "100004", "--device", "LNR-001", *db
    )
    assert code == 1
    assert err == "helpdesk: LNR-001 is already on loan to Harry Taylor (8A).\n"
    code, lines, err = run(capsys, "loan", "return", "LNR-001", "--condition", "fair", *db)
    assert code == 0, err
    assert lines == ["LNR-001 is back from Harry Taylor (8A), fair: LOAN-000001 closed"]
    code, lines, err = run(capsys, "loan", "return", "LOAN-000001", *db)
    assert code == 1 and err.startswith("helpdesk: LOAN-000001 (LNR-001) was already returned on ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--student", "100001", "--device", "LT-0003"],
            "LT-0003 is not in the loan pool: it is allocated to a student one to one.",
        ),
        (["--student", "424242", "--device", "LNR-001"], "No student has the card code '424242'."),
        (
            ["--student", "100001", "--device", "LNR-001", "--due", "soon"],
            "'soon' is not a due time: give 15:30, 2026-12-01, 01/12/2026 15:30 or +3 "
            "(school days)",
        ),
        (
            ["--student", "100001", "--device", "LNR-001", "--type", "swap"],
            "a swap needs the student's own laptop and its damage: add --own TAG "
            "--damage CATEGORY --fault TEXT",
        ),
    ],
)
def test_issue_errors_are_one_line(db, capsys, argv, message):
    code, lines, err = run(capsys, "loan", "issue", *argv, *db)
    assert code == 1 and lines == []
    assert err == f"helpdesk: {message}\n"


def test_a_swap_books_the_laptop_in_and_lends_the_loaner(db, capsys):
    code, lines, err = run(
        capsys,
        "loan", "issue", "--student", "100002", "--device", "LNR-001", "--type", "swap",
        "--own", "LT-0002", "--damage", "screen", "--fault", "Cracked screen", *db,
    )  # fmt: skip
    assert code == 0, err
    assert lines[0].startswith(
        "lent LOAN-000001: LNR-001 (Lenovo 100e) swap loan to Amelia Jones (7B)"
    )
    assert lines[1].startswith("booked in TKT-000001: LT-0002 screen, logged, opened ")
    code, lines, err = run(capsys, "lookup", "LT-0002", *db)
    assert lines[0].endswith("in repair")
    assert lines[2].startswith("in repair: TKT-000001: LT-0002 screen, logged")
    assert lines[3].startswith("swap loaner: LOAN-000001: LNR-001")


def test_return_errors_are_one_line(db, capsys):
    code, lines, err = run(capsys, "loan", "return", "LT-0001", *db)
    assert code == 1
    assert err == "helpdesk: LT-0001 is not on loan: it is assigned to Oliver Smith (7A).\n"
    code, lines, err = run(capsys, "loan", "return", "NOPE-1", *db)
    assert code == 1 and err.count("\n") == 1 and "NOPE-1" in err


def test_due_times():
    now = datetime(2026, 11, 25, 9, 0)
    end = time(15, 30)
    assert parse_due("14:00", now, end) == (datetime(2026, 11, 25, 14, 0), None)
    assert parse_due("2026-12-01", now, end) == (datetime(2026, 12, 1, 15, 30), None)
    assert parse_due("01/12/2026 10:15", now, end) == (datetime(2026, 12, 1, 10, 15), None)
    assert parse_due("+3", now, end) == (None, 3)


def test_the_installed_command(db):
    done = subprocess.run(
        [str(HELPDESK), "lookup", "LT-0001", *db], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "assigned to: Oliver Smith (7A), card 100001"
    done = subprocess.run(
        [str(HELPDESK), "loan", "return", "LNR-001", *db],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == "helpdesk: LNR-001 is not on loan.\n"


def test_a_due_day_on_a_weekend_or_too_far_is_refused_with_the_day_to_use(db, capsys):
    from datetime import date, timedelta

    today = date.today()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    code, lines, err = run(
        capsys, "loan", "issue", "--student", "100001", "--device", "LNR-001",
        "--due", f"{saturday:%d/%m/%Y}", *db,
    )  # fmt: skip
    assert code == 1 and lines == []
    assert err == (
        f"helpdesk: A loan cannot be due back on {saturday:%A %d/%m/%Y}: the school is closed "
        f"(a weekend); the next school day is {saturday + timedelta(days=2):%A %d/%m/%Y}.\n"
    )
    code, lines, err = run(
        capsys, "loan", "issue", "--student", "100001", "--device", "LNR-001", "--due", "+999",
        *db,
    )  # fmt: skip
    assert code == 1 and "the longest loan is 20 school days" in err
