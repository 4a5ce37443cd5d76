"""The failures a command can meet that are about its input or its surroundings, not faults of
the program: a file that cannot be read or written, a full disk, text that is not UTF-8, a CSV
the csv module cannot read, a number too large for the database, a database file that is damaged
or not a database. :func:`explain` gives each one sentence for a person; ``helpdesk`` prints it
with exit status 1 instead of "unexpected error".

SQLAlchemy is only looked at when it has been loaded already (a command that never opened a
database did not raise one of its errors).
"""

from __future__ import annotations

import csv
import errno
import re
import sqlite3
import sys
from collections.abc import Iterator

_DISK_FULL = "the disk is full"
_OS_WORDS = {
    errno.ENOSPC: _DISK_FULL,
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the place is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "there is no such file or folder",
    errno.ENOTDIR: "a folder on the way is a file",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENAMETOOLONG: "the name is too long",
}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver's error under SQLAlchemy's wrapper, and what it was raised from."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for more in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(more, BaseException):
                todo.append(more)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _os_error(exc: OSError) -> str:
    why = _OS_WORDS.get(exc.errno or 0) or (exc.strerror or _first_line(exc)).lower()
    where = exc.filename if exc.filename not in (None, "") else None
    if where is None:
        return f"{why}; nothing more was written"
    return f"cannot use {where}: {why}; nothing more was written"


def _database_error(exc: BaseException) -> str:
    text = _first_line(getattr(exc, "orig", None) or exc)
    low = text.lower()
    if "full" in low:
        return f"{_DISK_FULL} (the database says: {text}); nothing was changed"
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"the database file is damaged or is not a database ({text}); nothing was changed: "
            "restore it from a backup or give another with --db"
        )
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return f"the database cannot be written here ({text}); nothing was changed"
    if "disk i/o error" in low:  # SQLite's word for a full disk when it cannot even make its -shm
        return (
            f"the disk holding the database could not be written or read ({text}): it may be "
            "full or failing; nothing was changed"
        )
    return f"the database refused this ({text}); nothing was changed"


def _database_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [sqlite3.Error]
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None:
        found.append(sa_exc.DBAPIError)
    return tuple(found)


def explain(exc: BaseException) -> str | None:
    """One sentence for a failure caused by the input or the surroundings, None for a fault of
    the program (which stays an "unexpected error" with its details in the log)."""
    databases = _database_errors()
    for cause in _chain(exc):
        too_large = isinstance(cause, databases) and "too large" in str(cause).lower()
        if isinstance(cause, OverflowError) or too_large:
            return (
                "a number is too large for the database (at most 9223372036854775807); "
                "nothing was changed"
            )
        if isinstance(cause, databases):
            return _database_error(cause)
        if isinstance(cause, OSError):
            return _os_error(cause)
        if isinstance(cause, UnicodeError):
            return (
                "the text is not UTF-8 (save the file as UTF-8 text, in Excel "
                '"CSV UTF-8"); nothing was changed'
            )
        if isinstance(cause, ValueError) and re.search(r"null (byte|character)", str(cause)):
            return "a file name or value holds a NUL character (\\x00); nothing was written"
        if isinstance(cause, csv.Error):
            return f"the CSV text cannot be read ({_first_line(cause)}); nothing was changed"
    return None
