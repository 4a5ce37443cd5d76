"""`helpdesk staff ...` and `helpdesk audit` on real SQLite files: signing in from the command line,
the first admin without signing in, every refusal one line with exit 1 and nothing written, and
the audit trail with its filters and as CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from helpdesk.cli import main
from helpdesk.db import open_database
from helpdesk.domain.models import AuditEntry, Staff

HELPDESK = Path(sys.executable).with_name("helpdesk")


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def refused(url: str) -> list[str]:
    """The refusals of staff actions kept in the audit log, as their sentences."""
    factory = open_database(url)
    try:
        with factory() as session:
            rows = session.scalars(
                select(AuditEntry.after)
                .where(AuditEntry.action == "refuse")
                .order_by(AuditEntry.id)
            )
            return [json.loads(after)["refused"] for after in rows]
    finally:
        factory.kw["bind"].dispose()


def counts(url: str) -> tuple[int, int]:
    factory = open_database(url)
    try:
        with factory() as session:
            return (
                session.scalar(select(func.count(Staff.id))),
                session.scalar(
                    select(func.count(AuditEntry.id)).where(
                        AuditEntry.action.not_in(("sign-in", "sign-in-refused", "refuse"))
                    )
                ),
            )
    finally:
        factory.kw["bind"].dispose()


def test_the_first_admin_then_signing_in(tmp_path, capsys, monkeypatch):
    db = ["--db", f"sqlite:///{tmp_path / 'new.sqlite3'}"]
    monkeypatch.delenv("HELPDESK_USER")
    monkeypatch.delenv("HELPDESK_PASSWORD")
    code, _out, err = run(
        capsys, monkeypatch, "staff", "add", "boss", "--name", "B", "--role", "counter",
        "--password-stdin", *db, stdin="a long password\n",
    )  # fmt: skip
    assert (code, err) == (1, "helpdesk: the first staff member of a database must be an admin\n")
    code, out, err = run(
        capsys, monkeypatch, "staff", "add", "boss", "--name", "Bo Boss", "--role", "admin",
        "--password-stdin", *db, stdin="a long password\n",
    )  # fmt: skip
    assert code == 0, err
    assert out == "added boss: Bo Boss, admin, active, password set\n"
    # the second needs someone signed in
    code, _out, err = run(capsys, monkeypatch, "staff", "list", *db)
    assert code == 1 and err.startswith("helpdesk: sign in first") and err.count("\n") == 1
    monkeypatch.setenv("HELPDESK_PASSWORD", "a long password")
    code, out, err = run(capsys, monkeypatch, "staff", "list", "--as", "boss", *db)
    assert (code, out) == (0, "boss: Bo Boss, admin, active, password set\n"), err


def test_nothing_works_unsigned_but_the_few(session_factory, sqlite_url, capsys, monkeypatch):
    monkeypatch.delenv("HELPDESK_PASSWORD")
    for argv in (["lookup", "X"], ["export", "students"], ["report", "charges"], ["audit"]):
        code, out, err = run(capsys, monkeypatch, *argv, "--db", sqlite_url)
        assert code == 1 and out == "", argv
        assert err.startswith("helpdesk: no password for admin: set $HELPDESK_PASSWORD"), argv
    code, out, _err = run(capsys, monkeypatch, "db", "current", "--db", sqlite_url)
    assert code == 0 and "up to date" in out


def test_staff_commands_and_their_refusals(session_factory, sqlite_url, capsys, monkeypatch):
    db = ["--db", sqlite_url]
    code, out, err = run(
        capsys, monkeypatch, "staff", "add", "jlewis", "--name", "Jo Lewis", "--role", "counter",
        "--badge", "STAFF-0007", "--password-stdin", *db, stdin="jo's own password\n",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        capsys, monkeypatch, "staff", "pin", "jlewis", "--pin-stdin", *db, stdin="4821\n"
    )
    assert (code, out) == (0, "set the PIN of jlewis\n"), err
    code, out, _err = run(capsys, monkeypatch, "staff", "list", *db)
    assert out.splitlines() == [
        "admin: Admin, admin, active, password set",
        "jlewis: Jo Lewis, counter, active, badge STAFF-0007, password and PIN set",
    ]
    before = counts(sqlite_url)
    refusals = [
        (["staff", "role", "jlewis", "cook"], "", "'cook' is not a staff role"),
        (["staff", "add", "x1", "--name", "X", "--role", "chef", "--password-stdin"],
         "long enough pass\n", "'chef' is not a staff role"),
        (["staff", "add", "x1", "--name", "X", "--role", "counter", "--password-stdin"], "\n",
         "the password on standard input is empty"),
        (["staff", "add", "x1", "--name", "X", "--role", "counter", "--password-stdin"],
         "short\n", "A password needs at least 10 characters."),
        (["staff", "add", "jlewis", "--name", "X", "--role", "counter", "--password-stdin"],
         "long enough pass\n", "already a staff member with the username 'jlewis'"),
        (["staff", "pin", "jlewis", "--pin-stdin"], "12ab\n", "at least 4 digits"),
        (["staff", "disable", "admin"], "", "admin is the last active admin"),
        (["staff", "role", "admin", "manager"], "", "admin is the last active admin"),
        (["staff", "disable", "nobody"], "", "There is no staff member with the username"),
        (["staff", "list", "--as", "ghost"], "", "There is no staff member with the username"),
        (["staff", "list", "--as", "jlewis"], "", "That password is wrong for jlewis."),
        (["staff", "role", "admin", "counter", "--as", "jlewis"], "", "wrong for jlewis"),
    ]  # fmt: skip
    for argv, stdin, message in refusals:
        code, out, err = run(capsys, monkeypatch, *argv, *db, stdin=stdin)
        assert code == 1 and out == "", (argv, err)
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, (argv, err)
        assert "long enough pass" not in err and "short" not in err
    assert counts(sqlite_url) == before  # nothing written but the sign-ins and refusals
    kept = refused(sqlite_url)  # every refusal after signing in is on record, without secrets
    assert len(kept) == len(refusals) - 3 and "'cook' is not a staff role" in kept[0]
    assert not any("long enough pass" in k or "short\n" in k for k in kept)
    monkeypatch.setenv("HELPDESK_PASSWORD", "jo's own password")
    code, _out, err = run(
        capsys, monkeypatch, "staff", "role", "admin", "counter", "--as", "jlewis", *db
    )
    assert (code, err) == (1, "helpdesk: Changing a staff member's role needs an admin.\n")
    code, out, err = run(
        capsys, monkeypatch, "staff", "password", "jlewis", "--as", "jlewis", "--password-stdin",
        *db, stdin="jo's newer password\n",
    )  # fmt: skip
    assert (code, out) == (0, "set the password of jlewis\n"), err
    monkeypatch.setenv("HELPDESK_PASSWORD", "jo's newer password")
    code, _out, err = run(capsys, monkeypatch, "audit", "--as", "jlewis", *db)
    assert (code, err) == (1, "helpdesk: Reading the audit trail needs a manager.\n")
    monkeypatch.setenv("HELPDESK_PASSWORD", "demo-admin")
    for word, line in (("disable", "disabled jlewis\n"), ("enable", "enabled jlewis\n")):
        code, out, err = run(capsys, monkeypatch, "staff", word, "jlewis", *db)
        assert (code, out) == (0, line), err
    code, out, err = run(capsys, monkeypatch, "staff", "role", "jlewis", "manager", *db)
    assert (code, out) == (0, "jlewis is now manager\n"), err


def test_the_audit_trail_with_filters_and_csv(session_factory, sqlite_url, capsys, monkeypatch):
    db = ["--db", sqlite_url]
    run(
        capsys, monkeypatch, "staff", "add", "mo", "--name", "Mo Manager", "--role", "manager",
        "--password-stdin", *db, stdin="mo's password here\n",
    )  # fmt: skip
    monkeypatch.setenv("HELPDESK_PASSWORD", "wrong password!")
    assert run(capsys, monkeypatch, "staff", "list", "--as", "mo", *db)[0] == 1
    monkeypatch.setenv("HELPDESK_PASSWORD", "mo's password here")
    code, out, err = run(capsys, monkeypatch, "audit", "--as", "mo", "--csv", *db)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["when", "who", "what", "record", "before", "after", "station"]
    whats = [(r["who"], r["what"], r["record"]) for r in rows]
    assert ("admin", "insert", "staff 2") in whats
    assert ("mo", "sign-in-refused", "staff 2") in whats
    assert whats.index(("mo", "sign-in", "staff 2")) > whats.index(
        ("mo", "sign-in-refused", "staff 2")
    )
    assert "mo's password here" not in out and "wrong password!" not in out
    assert "$argon2" not in out
    code, out, _err = run(
        capsys, monkeypatch, "audit", "--as", "mo", "--csv", "--staff", "admin", *db
    )
    assert {r["who"] for r in csv.DictReader(io.StringIO(out))} == {"admin"}
    code, out, _err = run(
        capsys, monkeypatch, "audit", "--as", "mo", "--csv", "--record", "mo", *db
    )
    assert {r["record"] for r in csv.DictReader(io.StringIO(out))} == {"staff 2"}
    code, out, _err = run(
        capsys, monkeypatch, "audit", "--as", "mo", "--csv", "--to", "2001-01-01", *db
    )
    assert list(csv.DictReader(io.StringIO(out))) == []
    code, out, _err = run(capsys, monkeypatch, "audit", "--as", "mo", "--from", "2001-01-01", *db)
    assert out.splitlines()[0].split()[:3] == ["when", "who", "what"]
    assert out.splitlines()[-1].endswith("rows")
    for argv, message in (
        (["--record", "NOPE-1"], "No record has the code 'NOPE-1'."),
        (["--staff", "ghost"], "There is no staff member with the username 'ghost'."),
        (["--from", "yesterday"], "--from 'yesterday' is not a date"),
        (["--from", "2026-02-01", "--to", "2026-01-01"], "is after"),
    ):
        code, out, err = run(capsys, monkeypatch, "audit", "--as", "mo", *argv, *db)
        assert code == 1 and out == "" and message in err and err.count("\n") == 1, err


def test_no_password_from_a_script_is_one_line(session_factory, sqlite_url, tmp_path):
    """No $HELPDESK_PASSWORD and standard input not a terminal: one line, no prompt."""
    env = {
        "HELPDESK_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HELPDESK_USER": "admin",
        **({"PYTHONPATH": p} if (p := os.environ.get("PYTHONPATH")) else {}),
    }
    done = subprocess.run(
        [str(HELPDESK), "--db", sqlite_url, "staff", "list"],
        capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        "helpdesk: no password for admin: set $HELPDESK_PASSWORD, or run the command at a "
        "terminal to be asked for it\n"
    )
