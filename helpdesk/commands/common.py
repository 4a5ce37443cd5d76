"""What every command shares: the expected failure, the database URL, the acting staff member and
opening the database in one clear sentence. Nothing here loads SQLAlchemy until it is needed."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from helpdesk.db import SessionFactory


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def db_url(args: argparse.Namespace) -> str:
    """The database URL chosen on the command line, in the environment, or the default file."""
    chosen = getattr(args, "db_url", None) or os.environ.get("HELPDESK_DB_URL")
    if chosen:
        return chosen
    from helpdesk.db import default_url

    return default_url()


def acting_username(args: argparse.Namespace) -> str:
    """The staff member acting: ``--as``, $HELPDESK_USER or ``admin``."""
    return getattr(args, "acting_as", None) or os.environ.get("HELPDESK_USER") or "admin"


def _first_line(exc: BaseException) -> str:
    """The driver's own reason when there is one, on one line."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(
    args: argparse.Namespace, *, must_exist: bool = False, busy_ms: int | None = None
) -> SessionFactory:
    """The chosen database, brought up to this version's schema, or a CommandError in one sentence.

    With ``must_exist`` a SQLite file that is not there is refused (a command that only reads
    has nothing to read); otherwise it is created, as the window and ``helpdesk demo`` do.
    """
    from helpdesk import db

    url = db_url(args)
    if must_exist:
        from sqlalchemy.engine import make_url

        try:
            parsed = make_url(url)
        except Exception as exc:  # noqa: BLE001 - an unusable URL is one clear line
            raise CommandError(f"cannot use the database URL {url!r}: {exc}") from exc
        database = parsed.database
        if parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
            if not Path(str(database)).expanduser().is_file():
                raise CommandError(
                    f"there is no database at {database}; "
                    "create one with 'helpdesk db upgrade' (or give another with --db)"
                )
    try:
        if busy_ms is None:
            return db.open_database(url)
        return db.open_database(url, busy_ms=busy_ms)
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened is one clear line
        raise CommandError(f"cannot open the database {url}: {_first_line(exc)}") from exc
