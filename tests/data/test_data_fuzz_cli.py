"""Generated hostile input thrown at every command, in-process (``helpdesk.cli.main``) on a copy
of a small school's SQLite file: bytes and CSV rows as files to import or decode, codes with
control characters, dates, file paths that cannot be written (a missing folder, a folder, a
file taken for a folder, a name with a NUL) and databases that are not Helpdesk's.

Whatever comes in, a command ends with exit status 0 or 1 (never 70, "unexpected error"), no
traceback, one line on standard error when it refuses, no raw control character in anything it
prints, and a refusal leaves the database's rows as they were. Deterministic (derandomize) and
kept to a modest number of examples so it runs in well under a minute.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpdesk.cli import main

FILES = Path(__file__).parent / "files"
RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
# what a refused command still records: who tried to sign in, and the refusal itself
NOT_CHANGES = ("sign-in", "sign-out", "sign-in-refused", "lock-out", "refuse")
FUZZ = settings(
    max_examples=45,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a failure shows as drawn
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# text as a scanner, a spreadsheet or an attacker might give it: letters, digits, punctuation,
# control characters (NUL, ESC, BEL, C1), bidirectional overrides and lone surrogates
characters = st.one_of(
    st.sampled_from("AB01-_ =+@'\";,\t\r\n\x00\x07\x1b\x85\x9b\u202e\ufeff\udc80é"),
    st.characters(codec="utf-8"),
)
words = st.text(characters, max_size=24).filter(lambda s: not s.startswith("-"))
codes = st.one_of(
    st.sampled_from(
        ["100001", "LT-0001", "lt-0001", "LOAN-000001", "LOAN-99999999999999999999",
         "TKT-000001", "9" * 30, "-1", "0", "PF1AAA01"]
    ),
    words,
).filter(lambda s: not s.startswith("-") or s.lstrip("-").isdigit())  # fmt: skip
csv_cells = st.one_of(words, st.sampled_from(["7", "13", "2025-09-01", "01/09/2025", "=1+1"]))


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small school: the admin, five students and their laptops, one loan out."""
    from staff_passwords import test_password_hash

    from helpdesk.db import open_database
    from helpdesk.domain.enums import StaffRole
    from helpdesk.domain.models import Staff
    from helpdesk.services.csv.importer import import_devices, import_students

    path = tmp_path_factory.mktemp("school") / "school.sqlite3"
    factory = open_database(f"sqlite:///{path}")
    with factory() as session, session.begin():
        session.add(
            Staff(
                username="admin",
                display_name="Admin",
                role=StaffRole.ADMIN,
                password_hash=test_password_hash(),
            )
        )
    import_students(factory, "admin", (FILES / "students.csv").read_bytes())
    import_devices(factory, "admin", (FILES / "devices.csv").read_bytes())
    factory.kw["bind"].dispose()
    return path


def dump(path: Path) -> list[str]:
    """Every row of every table, but the audit rows a refused command still records (who tried
    to sign in, and what was refused, are part of the audit trail, not changes it made)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint")
        lines = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in sorted(tables):
            query = f'SELECT * FROM "{table}"'
            if table == "audit_log":
                query += f" WHERE action NOT IN {NOT_CHANGES!r}"
            if table == "staff":
                query = "SELECT username, display_name, role, password_hash, active FROM staff"
            lines += [f"{table}: {row!r}" for row in conn.execute(query)]
        return lines
    finally:
        conn.close()


def csv_file(rows: list[list[str]], header: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def run_one(capsys, school: Path, work: Path, argv: list[str], db: str | None = None) -> int:
    target = work / "helpdesk.sqlite3"
    for old in work.glob("helpdesk.sqlite3*"):
        old.unlink()
    shutil.copyfile(school, target)
    before = dump(target)
    code = main(["--db", db if db is not None else f"sqlite:///{target}", *argv])
    out, err = capsys.readouterr()
    shown = f"argv={argv!r}\nexit={code}\nout={out[:2000]!r}\nerr={err!r}"
    assert code in (0, 1), shown
    assert "Traceback" not in err and "unexpected error" not in err, shown
    assert not RAW_CONTROL.search(out), shown
    assert not RAW_CONTROL.search(err), shown
    if code == 1:
        assert err.strip() and len(err.strip().splitlines()) == 1, shown
        assert dump(target) == before, shown
    return code


def paths(work: Path) -> st.SearchStrategy[str]:
    special = [
        "",
        str(work / "no" / "such" / "folder" / "out.pdf"),
        str(work),  # a folder
        str(work / "exists.out"),
        str(work / "exists.out" / "child.pdf"),  # a "folder" that is a file
        "/proc/helpdesk-cannot-write-here.pdf",
        str(work / "nul\x00name.pdf"),
        str(work / ("long" * 100 + ".pdf")),
    ]
    return st.one_of(
        st.sampled_from(special),
        words.filter(bool).map(lambda name: str(work / name.replace("/", "_"))),
    )


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "exists.out").write_text("already here\n")
    return tmp_path


@FUZZ
@given(data=st.data())
def test_codes_dates_and_paths(capsys, school, work, data):
    code, other, text = data.draw(codes), data.draw(codes), data.draw(words)
    path = data.draw(paths(work))
    argv = data.draw(
        st.sampled_from(
            [
                ["lookup", code],
                ["loan", "issue", "--student", code, "--device", other, "--due", text],
                ["loan", "issue", "--student", "100001", "--device", code],
                ["loan", "return", code, "--notes", text],
                ["slip", code, "-o", path],
                ["slip", "--ticket", code, "-o", path],
                ["slip", "--handover-form", text, "-o", path],
                ["labels", "--template", "avery-5167", "--tags", code, "-o", path],
                ["export", "students", "-o", path],
                ["export", "devices", "-o", path, "--overwrite"],
                ["report", "charges", "--csv", "--from", text],
                ["report", "open-tickets", "--pdf", path],
                ["audit", "--record", code, "--from", text],
                ["staff", "disable", code],
                ["staff", "list"],
                ["backup", path],
                ["db", "current"],
            ]
        )
    )
    run_one(capsys, school, work, argv)


@FUZZ
@given(data=st.data())
def test_the_care_sessions_and_places_commands(capsys, school, work, data):
    """The commands the list above leaves out: backups into a folder, restore, purge, subject
    access, places, allocations, sessions, notices and adding staff."""
    code, other, text = data.draw(codes), data.draw(codes), data.draw(words)
    path = data.draw(paths(work))
    argv = data.draw(
        st.sampled_from(
            [
                ["backup", "--to", path, "--keep-daily", "3"],
                ["restore", path, "--yes"],
                ["purge", "leavers", "--left-before", text],
                ["purge", "leavers", "--left-before", "2030-01-01", "--apply"],
                ["subject-access", code, "-o", path],
                ["subject-access", "100001", "-o", path],
                ["locate", code, text],
                ["assign", "--student", code, "--device", other],
                ["unassign", code, "--missing", text],
                ["session", "start", "stocktake", "--location", text, "--name", text],
                ["session", "start", "pickup", "--form", code],
                ["session", "scan", code, other],
                ["session", "status", code, "--json"],
                ["session", "report", code, "-o", path],
                ["notices", "ready", path],
                ["staff", "add", code, "--name", text, "--role", "counter"],
            ]
        )
    )
    run_one(capsys, school, work, argv)


@FUZZ
@given(data=st.data())
def test_files_to_import_and_decode(capsys, school, work, data):
    kind, header = data.draw(
        st.sampled_from(
            [
                ("students", "card_code,first_name,last_name,year,form,status,left_on"),
                ("devices", "asset_tag,serial,make,model,kind,pool,status,assigned_to"),
                ("cover", "card_code,scheme,start,end,status,claims_allowed"),
            ]
        )
    )
    content = data.draw(
        st.one_of(
            st.binary(max_size=600),
            st.lists(st.lists(csv_cells, min_size=1, max_size=9), max_size=6).map(
                lambda rows: csv_file(rows, header)
            ),
            st.sampled_from(
                [
                    header.encode("utf-16"),
                    header.encode() + b"\n" + b"x" * 140_000 + b"\n",
                    header.encode() + b'\n"never closed,' + b"y" * 140_000,
                    (FILES / "students.csv").read_bytes().replace(b"Oliver", b"Ol\x1b[31m"),
                ]
            ),
        )
    )
    source = work / "input.csv"
    source.write_bytes(content)
    command = data.draw(st.sampled_from(["import", "import --skip-bad", "decode"]))
    if command == "decode":
        run_one(capsys, school, work, ["decode", str(source)])
    else:
        run_one(capsys, school, work, [*command.split(), kind, str(source)])


@FUZZ
@given(data=st.data())
def test_databases_that_are_not_helpdesks(capsys, school, work, data):
    junk = work / "junk.sqlite3"
    junk.write_bytes(data.draw(st.binary(min_size=1, max_size=300)))
    other = work / "music.db"
    if not other.exists():
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE songs (id INTEGER PRIMARY KEY)")
    db = data.draw(
        st.sampled_from(
            [
                "",
                f"sqlite:///{junk}",
                f"sqlite:///{other}",
                f"sqlite:///{work / 'no' / 'such' / 'x.sqlite3'}",
                f"sqlite:///{work}",
                "not a url \x1b[2J",
                "postgresql://nobody@127.0.0.1:1/none",
            ]
        )
    )
    argv = data.draw(
        st.sampled_from(
            [
                ["lookup", "100001"],
                ["staff", "list"],
                ["export", "students"],
                ["db", "current"],
                ["audit"],
                ["report", "charges"],
            ]
        )  # fmt: skip
    )
    files = {p.name: p.read_bytes() for p in work.iterdir() if p.is_file()}
    run_one(capsys, school, work, argv, db=db)
    for name, content in files.items():
        if name.startswith("helpdesk.sqlite3"):
            continue
        assert (work / name).read_bytes() == content, f"{name} was changed by {argv} --db {db!r}"


BAD_PATHS = ["", "missing", "folder", "exists", "under-a-file", "/proc/x.pdf", "nul"]


@pytest.mark.parametrize("where", BAD_PATHS)
@pytest.mark.parametrize(
    "argv",
    [
        ["slip", "--handover-form", "7A", "-o"],
        ["labels", "--template", "avery-5167", "--tags", "LT-0001", "-o"],
        ["export", "students", "-o"],
        ["report", "open-tickets", "--pdf"],
        ["backup"],
        ["backup", "--to"],
        ["subject-access", "100001", "-o"],
        ["notices", "ready"],
    ],
    ids=lambda argv: "-".join(argv[:2]),
)
def test_every_output_path_that_cannot_be_written(capsys, school, work, argv, where, monkeypatch):
    here = work / "current-folder"  # "" is never taken for the folder a command runs in
    here.mkdir()
    monkeypatch.chdir(here)
    path = {
        "missing": str(work / "no" / "such" / "out.pdf"),
        "folder": str(work / "folder"),
        "exists": str(work / "exists.out"),
        "nul": str(work / "nul\x00name.pdf"),
        "under-a-file": str(work / "exists.out" / "child.pdf"),
    }.get(where, where)
    (work / "folder").mkdir(exist_ok=True)
    code = run_one(capsys, school, work, [*argv, path])
    assert list(here.iterdir()) == []
    if where == "" and argv[0] != "export":  # export -o "" writes to standard output
        assert code == 1
