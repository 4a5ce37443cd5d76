"""`helpdesk locate TAG LOCATION` on a real SQLite file: one line saying where the device is now,
`helpdesk lookup` showing the place, and each refusal one line on standard error with exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.cli import main
from helpdesk.services.csv.importer import import_devices, import_students

FILES = Path(__file__).parent / "files"


@pytest.fixture
def db(session_factory, sqlite_url) -> list[str]:
    import_students(session_factory, "admin", (FILES / "students.csv").read_bytes())
    import_devices(session_factory, "admin", (FILES / "devices.csv").read_bytes())
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> tuple[int, list[str], str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_locate_then_lookup_shows_the_place(db, capsys):
    code, lines, err = run(capsys, "lookup", "LNR-001", *db)
    assert code == 0, err
    assert "place: none recorded" in lines
    code, lines, err = run(capsys, "locate", "LNR-001", "Cart A", *db)
    assert (code, lines, err) == (0, ["LNR-001 is now at Cart A"], "")
    code, lines, err = run(capsys, "locate", "pf1aaa03", "cart a", *db)
    assert (code, lines) == (0, ["LT-0003 is now at Cart A"])
    code, lines, err = run(capsys, "lookup", "LNR-001", *db)
    assert "place: Cart A" in lines and "place: none recorded" not in lines
    code, lines, err = run(capsys, "locate", "LNR-001", "", *db)
    assert (code, lines) == (0, ["LNR-001 now has no place recorded"])


def test_a_refused_place_is_one_line_and_exit_1(db, capsys):
    code, lines, err = run(capsys, "locate", "NOPE-1", "Cart A", *db)
    assert (code, lines, err) == (1, [], "helpdesk: No device has the tag NOPE-1.\n")
    code, lines, err = run(capsys, "locate", "LT-0003", "Cart\x1bA", *db)
    assert code == 1 and lines == []
    assert err == (
        "helpdesk: A place cannot hold a control character (\\x1b), which no one can type back "
        "at a stocktake; retype it.\n"
    )
    code, lines, err = run(capsys, "lookup", "LT-0003", *db)
    assert "place: none recorded" in lines
