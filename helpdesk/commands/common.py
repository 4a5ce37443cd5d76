"""What every command shares: the expected failure, the database URL, signing in the person the
command acts for, and opening the database in one clear sentence. Nothing here loads SQLAlchemy
until it is needed.

Every command that reads or changes a database acts as a signed-in staff member: the username
from ``--as`` (or $HELPDESK_USER), the password from $HELPDESK_PASSWORD, else asked for at a
terminal. :func:`open_database` signs in unless told not to (``db current``, ``demo`` on an empty
database and the first admin's set-up, which decide for themselves).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from helpdesk.db import SessionFactory


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# What a terminal could act on instead of showing: C0 controls but tab and newline (a carriage
# return only before a newline, a CSV's line end), DEL, C1 controls, the lone surrogates of
# undecodable bytes and the bidirectional overrides that reorder what a line appears to say.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]|\r(?!\n)")
_UNSAFE_IN_LINE = re.compile(f"[{_CONTROLS}\r\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: object, *, one_line: bool = False) -> str:
    """``text`` fit for a terminal: each control character shown as ``\\x1b`` or ``\\u202e``
    instead of being sent, so a name or a message cannot move the cursor, change colours, ring
    the bell or hide what follows. Tab and newline stay (and a carriage return before a
    newline), unless ``one_line``: then line breaks are escaped too."""
    return (_UNSAFE_IN_LINE if one_line else _UNSAFE).sub(_escape, str(text))


class SafeStream:
    """A text stream that writes through :func:`safe`: the command line's standard output and
    error while a command runs, so nothing a command prints (a name from the database, a code
    from a file, an exception's message) reaches the terminal raw."""

    def __init__(self, stream: TextIO) -> None:
        self.wrapped = stream

    def write(self, text: str) -> int:
        self.wrapped.write(safe(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> object:
        return getattr(self.wrapped, name)


def db_url(args: argparse.Namespace) -> str:
    """The database URL chosen on the command line, in the environment, or the default file.
    ``--db ""`` is refused rather than read as "the default"."""
    given = getattr(args, "db_url", None)
    if given is not None and not given.strip():
        raise CommandError(
            "--db is empty: give a database URL such as sqlite:////path/to/helpdesk.sqlite3, or "
            "leave --db out for the default database"
        )
    chosen = given or os.environ.get("HELPDESK_DB_URL")
    if chosen:
        return chosen
    from helpdesk.db import default_url

    return default_url()


def acting_username(args: argparse.Namespace) -> str:
    """The staff member acting: the one signed in. Only the window (whose sign-in screen is its
    own) still reads ``--as``, $HELPDESK_USER or ``admin`` without signing in."""
    signed = getattr(args, "signed_in", None)
    if signed:
        return str(signed)
    return getattr(args, "acting_as", None) or os.environ.get("HELPDESK_USER") or "admin"


def read_secret(prompt: str, *, from_stdin: bool, twice: bool, what: str) -> str:
    """A new password or PIN: one line of standard input (``from_stdin``), else typed at a
    terminal without echo (``twice``: asked again to confirm). Never printed anywhere."""
    if from_stdin:
        line = sys.stdin.readline()
        secret = line.rstrip("\r\n")
        if not secret:
            raise CommandError(f"the {what} on standard input is empty")
        return secret
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise CommandError(
            f"no {what}: type it at a terminal, or give it on standard input with "
            f"--{what.lower()}-stdin"
        )
    secret = getpass.getpass(f"{prompt}: ")
    if twice and getpass.getpass(f"{prompt} again: ") != secret:
        raise CommandError(f"the two {what}s typed are not the same; nothing was changed")
    if not secret:
        raise CommandError(f"the {what} is empty; nothing was changed")
    return secret


def sign_in(args: argparse.Namespace, factory: SessionFactory) -> str:
    """Sign in the person the command acts for; their username, or one clear refusal (exit 1,
    recorded in the audit trail by the service)."""
    signed = getattr(args, "signed_in", None)
    if signed:
        return str(signed)
    from helpdesk.services.core import auth

    username = (getattr(args, "acting_as", None) or os.environ.get("HELPDESK_USER") or "").strip()
    if not auth.anyone_can_sign_in(factory):
        raise CommandError(
            "nobody can sign in to this database yet: add its first admin with "
            "'helpdesk staff add USERNAME --name NAME --role admin', or give an admin a "
            "password with 'helpdesk staff password USERNAME'"
        )
    if not username:
        raise CommandError(
            "sign in first: give your username with --as USERNAME (or $HELPDESK_USER) and your "
            "password in $HELPDESK_PASSWORD or at the prompt"
        )
    password = os.environ.get("HELPDESK_PASSWORD")
    if password is None:
        if not (sys.stdin is not None and sys.stdin.isatty()):
            raise CommandError(
                f"no password for {username}: set $HELPDESK_PASSWORD, or run the command at a "
                "terminal to be asked for it"
            )
        password = getpass.getpass(f"password for {username}: ")
    member = auth.sign_in(factory, username, password)
    args.signed_in = member.username
    return member.username


def check_folder(url: str, *, create: bool) -> None:
    """A SQLite file in a folder that does not exist is refused unless ``create`` (``db
    upgrade``, ``demo`` and the window make a new database) or it is the default database in the
    user's data folder: a mistyped --db must not quietly make a new, empty school."""
    from sqlalchemy.engine import make_url

    from helpdesk.db import default_url

    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - an unusable URL is one clear line
        raise CommandError(f"cannot use the database URL {url!r}: {_first_line(exc)}") from None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return
    if str(database).startswith("file:"):  # SQLite's URI form (?uri=true): SQLite reads it
        return
    folder = Path(str(database)).expanduser().parent
    if create or url == default_url() or folder.is_dir():
        return
    raise CommandError(
        f"there is no folder {folder} for the database {Path(str(database)).name}; nothing was "
        "created: check --db, or make a new database there with 'helpdesk db upgrade'"
    )


def _first_line(exc: BaseException) -> str:
    """The driver's own reason when there is one, on one line."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(
    args: argparse.Namespace,
    *,
    must_exist: bool = False,
    signed_in: bool = True,
    busy_ms: int | None = None,
    create: bool = False,
) -> SessionFactory:
    """The chosen database, brought up to this version's schema, with the acting person signed in
    (unless ``signed_in`` is False), or a CommandError in one sentence. ``busy_ms``: how long
    SQLite waits for another counter's write lock (the window waits less and retries).

    With ``must_exist`` a SQLite file that is not there is refused (a command that only reads
    has nothing to read); otherwise it is created, as the window and ``helpdesk demo`` do, in a
    folder that exists already unless ``create`` (see :func:`check_folder`). Another
    application's database, or a newer one, is refused with nothing written to it.
    """
    from helpdesk import db
    from helpdesk.domain.errors import DatabaseRefused

    url = db_url(args)
    check_folder(url, create=create)
    if must_exist:
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(url)
        except Exception as exc:  # noqa: BLE001 - an unusable URL is one clear line
            raise CommandError(f"cannot use the database URL {url!r}: {exc}") from exc
        database = parsed.database
        if (
            parsed.get_backend_name() == "sqlite"
            and database not in (None, "", ":memory:")
            and not str(database).startswith("file:")  # SQLite's URI form: SQLite reads it
        ):
            if not Path(str(database)).expanduser().is_file():
                raise CommandError(
                    f"there is no database at {database}; "
                    "create one with 'helpdesk db upgrade' (or give another with --db)"
                )
    try:
        if busy_ms is None:
            factory = db.open_database(url)
        else:
            factory = db.open_database(url, busy_ms=busy_ms)
    except DatabaseRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened is one clear line
        from helpdesk.commands.failures import explain

        why = explain(exc) or _first_line(exc)
        raise CommandError(f"cannot open the database {url}: {why}") from exc
    if signed_in:
        try:
            sign_in(args, factory)
        except BaseException:
            factory.kw["bind"].dispose()
            raise
    return factory
