"""The command line of sessions on a real SQLite file, as scripts read it: `session start` prints
the code on its last line, `session scan` one line per code (outcome word, then the sentence),
`session status --json` its keys, `session list`, `close`, `report`, `assign`, `unassign` and
`import allocations`; a command that cannot run is one line on standard error and exit 1, a
refused code is a line and exit 0."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from session_school import build_session_school, open_allocations

from helpdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(session_factory, sqlite_url) -> list[str]:
    build_session_school(session_factory)
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_a_pickup_from_start_to_close(db, capsys, session_factory):
    code, lines, err = run(capsys, "session", "start", "pickup", "--form", "7A", *db)
    assert code == 0, err
    assert lines == ["started Pickup 7A: 4 expected", "SES-000001"]
    code, lines, err = run(
        capsys,
        "session",
        "scan",
        "SES-000001",
        "S2001",
        "LAP-0101",
        "LAP-0102",
        "S1004",
        "S1001",
        "S2002",
        "LNR-001",
        "LAP-0102",
        "NOPE",
        *db,
    )
    assert code == 0, err
    assert lines == [
        "done Gina Green (7A): now scan the laptop.",
        "done LAP-0101 handed to Gina Green (7A).",
        "problem Scan the student's card first.",
        "unexpected Dev Patel is not on this list: they are in 9D (year 9).",
        "already Anna Smith (7A) already has LAP-0001.",
        "done Hal Hill (7A): now scan the laptop.",
        "problem LNR-001 is a loan-pool laptop; scan an allocation laptop for Hal Hill (7A).",
        "done LAP-0102 handed to Hal Hill (7A).",
        "problem No student or laptop has the code 'NOPE'.",
    ]
    assert open_allocations(session_factory, card="S2002") == [("LAP-0102", "S2002")]
    code, lines, err = run(capsys, "session", "status", "SES-000001", "--json", *db)
    assert code == 0, err
    status = json.loads("\n".join(lines))
    assert {k: status[k] for k in ("expected", "done", "missing", "unexpected")} == {
        "expected": 4,
        "done": 3,
        "missing": ["S2003"],
        "unexpected": ["S1004"],
    }
    assert status["problems"] == [
        {"code": "LAP-0102", "sentence": "Scan the student's card first."},
        {
            "code": "LNR-001",
            "sentence": "LNR-001 is a loan-pool laptop; scan an allocation laptop for Hal Hill "
            "(7A).",
        },
        {"code": "NOPE", "sentence": "No student or laptop has the code 'NOPE'."},
    ]
    code, lines, err = run(capsys, "session", "status", "SES-000001", *db)
    assert lines[0] == "SES-000001 Pickup 7A (pickup, open): 3 of 4 done"
    code, lines, err = run(capsys, "session", "list", *db)
    assert code == 0 and len(lines) == 1 and lines[0].startswith("SES-000001  pickup     open")
    code, lines, err = run(capsys, "session", "close", "SES-000001", *db)
    assert (code, lines) == (0, ["closed SES-000001 Pickup 7A: 3 of 4 done"])
    code, lines, err = run(capsys, "session", "scan", "SES-000001", "S2003", *db)
    assert (code, lines) == (1, [])
    assert err.startswith("helpdesk: SES-000001 was closed at ") and err.count("\n") == 1


def test_commands_that_cannot_run_are_one_line_and_exit_1(db, capsys, tmp_path):
    for argv, said in (
        (["session", "scan", "SES-000009", "S2001"], "There is no session SES-000009."),
        (["session", "status", "nonsense"], "'nonsense' is not a session code (e.g. SES-000001)."),
        (
            ["session", "start", "stocktake", "--location", "Gym"],
            "No device is recorded at Gym; there is nothing to count there.",
        ),
        (
            ["session", "start", "handin", "--form", "7A", "--all"],
            "A hand-in's list is a form, a year group, everyone or the leavers: choose one.",
        ),
        (
            ["session", "start", "stocktake", "--tags-file", str(tmp_path / "none.txt")],
            f"there is no file {tmp_path / 'none.txt'}",
        ),
        (
            ["assign", "--student", "S1003", "--device", "LAP-0101"],
            "Cara Brown (11C) has left the school; a device cannot be assigned to them.",
        ),
        (["unassign", "LAP-0101"], "LAP-0101 is not assigned to anyone."),
    ):
        code, lines, err = run(capsys, *argv, *db)
        assert (code, lines, err) == (1, [], f"helpdesk: {said}\n"), argv


def test_assign_and_unassign_with_condition_and_accessories(db, capsys, session_factory):
    code, lines, err = run(capsys, "assign", "--student", "S2001", "--device", "LAP-0101", *db)
    assert (code, lines) == (0, ["assigned LAP-0101 to Gina Green (7A)"]), err
    code, lines, err = run(
        capsys, "unassign", "LAP-0101", "--condition", "damaged", "--missing", "charger,case", *db
    )
    assert code == 0, err
    assert lines == [
        "unassigned LAP-0101 from Gina Green (7A): damaged, charger and case not back; to the "
        "bench as TKT-000001"
    ]
    assert open_allocations(session_factory, card="S2001") == []


def test_a_handin_and_a_stocktake_with_a_tag_file_and_its_report(db, capsys, tmp_path):
    code, lines, err = run(capsys, "session", "start", "handin", "--all", "--name", "July", *db)
    assert lines[-1] == "SES-000001", err
    code, lines, err = run(
        capsys,
        "session",
        "scan",
        "SES-000001",
        "LAP-0001",
        "LAP-0001",
        "--condition",
        "fair",
        "--missing",
        "charger",
        *db,
    )
    assert lines == [
        "done LAP-0001 back from Anna Smith (7A): fair, charger not back.",
        "already LAP-0001 was handed in already.",
    ]
    tags = tmp_path / "cart.txt"
    tags.write_text("asset_tag\nLAP-0101\nLAP-0102\nNEW-7\n", encoding="utf-8")
    code, lines, err = run(
        capsys,
        "session",
        "start",
        "stocktake",
        "--tags-file",
        str(tags),
        "--location",
        "Cart A",
        *db,
    )
    assert lines == ["started Stocktake of a tag list at Cart A: 3 expected", "SES-000002"], err
    code, lines, err = run(capsys, "session", "scan", "SES-000002", "LAP-0101", "LAP-0104", *db)
    assert lines == [
        "done LAP-0101 found here.",
        "unexpected LAP-0104 belongs elsewhere: recorded at Cupboard, in stock.",
    ]
    code, lines, err = run(capsys, "session", "status", "SES-000002", "--json", *db)
    status = json.loads("\n".join(lines))
    assert (status["missing"], status["unexpected"], status["found"]) == (
        ["NEW-7", "LAP-0102"],
        ["LAP-0104"],
        ["LAP-0101"],
    )
    out = tmp_path / "count.csv"
    code, lines, err = run(capsys, "session", "report", "SES-000002", "-o", str(out), *db)
    assert (code, lines) == (0, [f"wrote 5 rows of SES-000002 to {out}"]), err
    with out.open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.DictReader(f))
    assert [(r["record"], r["code"], r["outcome"]) for r in table] == [
        ("item", "NEW-7", "missing"),
        ("item", "LAP-0101", "done"),
        ("item", "LAP-0102", "missing"),
        ("scan", "LAP-0101", "done"),
        ("scan", "LAP-0104", "unexpected"),
    ]


def test_import_allocations_names_each_bad_row_and_a_plan_is_kept(db, capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "card_code,asset_tag\nS2001,LAP-0101\nS2002,LNR-001\nS9999,LAP-0102\nS2001,LAP-0103\n"
        "S2002,LAP-0101\nS1003,LAP-0102\nS1004,LAP-0001\nS1004,LAP-0105\n",
        encoding="utf-8",
    )
    code, lines, err = run(capsys, "import", "allocations", str(bad), *db)
    assert code == 1
    assert lines == [
        "line 3, column asset_tag: LNR-001 is in the loan pool, not the allocation pool.",
        "line 4, column card_code: no student has the card code 'S9999'.",
        "line 5, column card_code: 'S2001' is also planned on line 2.",
        "line 6, column asset_tag: 'LAP-0101' is also planned on line 2.",
        "line 7, column card_code: Cara Brown (11C) has left the school.",
        "line 8, column asset_tag: LAP-0001 is allocated to Anna Smith (7A) already.",
        "line 9, column asset_tag: LAP-0105 is planned for Ivy Ives (7A) already.",
    ]
    good = tmp_path / "good.csv"
    good.write_text("card_code,asset_tag\nS2001,LAP-0104\nS2003,LAP-0105\n", encoding="utf-8")
    code, lines, err = run(capsys, "import", "allocations", str(good), *db)
    assert (code, lines) == (0, ["good.csv: planned allocations: 1 added, 0 updated, 1 unchanged."])
    run(capsys, "session", "start", "pickup", "--form", "7A", *db)
    code, lines, err = run(capsys, "session", "scan", "SES-000001", "S2001", "LAP-0101", *db)
    assert lines == [
        "done Gina Green (7A): now scan the laptop LAP-0104.",
        "problem Gina Green (7A) is to get LAP-0104, not LAP-0101.",
    ]


def test_the_command_in_a_process_of_its_own(db, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def helpdesk(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "helpdesk.cli", *argv, *db],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    started = helpdesk("session", "start", "pickup", "--year", "7")
    assert started.returncode == 0, started.stderr
    ses = started.stdout.splitlines()[-1]
    assert ses == "SES-000001"
    scanned = helpdesk("session", "scan", ses, "S2002", "LAP-0103", "LAP-0103")
    assert scanned.returncode == 0, scanned.stderr
    assert scanned.stdout.splitlines() == [
        "done Hal Hill (7A): now scan the laptop.",
        "done LAP-0103 handed to Hal Hill (7A).",
        "problem Scan the student's card first.",
    ]
    status = json.loads(helpdesk("session", "status", ses, "--json").stdout)
    assert (status["expected"], status["done"]) == (4, 1)
    assert isinstance(status["missing"], list) and isinstance(status["unexpected"], list)
