"""Which kind of failure the database gave, so that a window can say the right thing: the server
cannot be reached (wait and try again when it is back), the file is busy with another counter's
write (try again in a moment), or something else (a fault to report).

Also the two errors a window is told about the database itself: :class:`DatabaseUnreachable`
(from the change watcher) and :class:`OutcomeUnknown` (an action whose commit got no answer).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Literal

import psycopg
import psycopg.errors
from sqlalchemy.exc import DBAPIError

from helpdesk.domain.errors import HelpdeskError

FailureKind = Literal["unreachable", "busy", "other"]


class DatabaseUnreachable(HelpdeskError):
    """The database server cannot be reached (refused, gone away, not answering)."""


class OutcomeUnknown(HelpdeskError):
    """The database went away while an action was being committed: it may or may not have been
    saved."""


OUTCOME_UNKNOWN = (
    "The database stopped answering while this was being saved, so it may or may not have been "
    "saved: check the record when the database is back before doing it again."
)

# PostgreSQL errors that mean "wait for another transaction", not "the server is gone"
_PG_BUSY = (
    psycopg.errors.LockNotAvailable,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.SerializationFailure,
)
_SQLITE_BUSY = ("database is locked", "database table is locked", "busy")
_SQLITE_UNREACHABLE = ("unable to open database file", "disk i/o error")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, the driver's error under SQLAlchemy's wrapper, and the errors it was raised
    from, each once."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        more = [current.__cause__, current.__context__]
        if isinstance(current, DBAPIError):
            more.append(current.orig)
        todo.extend(e for e in more if isinstance(e, BaseException))


def _kind_of_one(exc: BaseException) -> FailureKind | None:
    if isinstance(exc, DatabaseUnreachable):
        return "unreachable"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "unreachable"  # SQLAlchemy saw the connection drop
    if isinstance(exc, _PG_BUSY):
        return "busy"
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        # refused, closed, shut down, and a statement cancelled by statement_timeout
        return "unreachable"
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if any(words in text for words in _SQLITE_BUSY):
            return "busy"
        if any(words in text for words in _SQLITE_UNREACHABLE):
            return "unreachable"
    if isinstance(exc, ConnectionError | TimeoutError):
        return "unreachable"
    return None


def failure_kind(exc: BaseException) -> FailureKind:
    """``"unreachable"`` (the server refused, went away or did not answer in time),
    ``"busy"`` (SQLite's file locked by another counter's write, a PostgreSQL lock or deadlock)
    or ``"other"``, for an error raised by a service or the change watcher."""
    for each in _chain(exc):
        kind = _kind_of_one(each)
        if kind is not None:
            return kind
    return "other"
