"""The window's ear on the database: :class:`ChangeWatcher` answers "has anything changed since I
last asked?" within a timeout, so that several counters on one database see each other's work
within a second or two.

- SQLite: ``PRAGMA data_version`` on a connection the watcher keeps to the file; it changes
  whenever another connection (another counter, or this window's own pooled connections)
  commits. It says *that* something changed, not what.
- PostgreSQL: a connection of its own (not from the pool, same timeouts as the app's) that
  LISTENs on :data:`helpdesk.services.core.changes.CHANNEL`, where every action that changed
  something names the tables it wrote (see :func:`helpdesk.services.core.changes.announce`).
  When that connection breaks, :meth:`ChangeWatcher.poll` raises :class:`DatabaseUnreachable`;
  later polls reconnect, and the first one back answers ``full_refresh`` (what happened while it
  was away was not heard).

One thread uses a watcher (the window's database worker); nothing here is shared between threads.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Protocol

import psycopg
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from helpdesk.db import listening_connection, version_connection
from helpdesk.services.core.changes import CHANNEL, Changes, read_payload
from helpdesk.services.core.failures import DatabaseUnreachable

SQLITE_STEP_S = 0.1  # how often the SQLite file's version is read while waiting

UNREACHABLE = "The database server cannot be reached; the counter will carry on when it is back."


class _Ear(Protocol):
    def wait(self, timeout: float) -> Changes | None: ...
    def close(self) -> None: ...


class _SqliteEar:
    """``PRAGMA data_version`` on a connection of its own."""

    def __init__(self, engine: Engine) -> None:
        self.conn = version_connection(engine)
        self.version = self._version()

    def _version(self) -> int:
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def wait(self, timeout: float) -> Changes | None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                version = self._version()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                version = self.version  # another counter is mid-checkpoint: look again soon
            if version != self.version:
                self.version = version
                return Changes()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(SQLITE_STEP_S, left))

    def close(self) -> None:
        self.conn.close()


class _PostgresEar:
    """LISTEN on a psycopg connection of its own."""

    def __init__(self, engine: Engine) -> None:
        self.conn = listening_connection(engine, CHANNEL)

    def wait(self, timeout: float) -> Changes | None:
        heard = list(self.conn.notifies(timeout=max(timeout, 0.0), stop_after=1))
        if not heard:
            return None
        heard += self.conn.notifies(timeout=0)  # the rest that has already arrived
        tables: set[str] | None = set()
        stations: set[str] = set()
        for notify in heard:
            said, station = read_payload(notify.payload)
            if said is None or tables is None:
                tables = None
            else:
                tables |= said
            if station:
                stations.add(station)
        return Changes(None if tables is None else frozenset(tables), frozenset(stations))

    def close(self) -> None:
        self.conn.close()


_BROKEN = (psycopg.Error, sqlite3.Error, OSError)  # what a lost or refused connection raises


class ChangeWatcher:
    """Made from the app's session factory (or its engine); connects at once when it can.

    :meth:`poll` waits up to ``timeout`` seconds and answers :class:`Changes` as soon as
    something changed since the last poll, or ``None`` when nothing did. It raises
    :class:`DatabaseUnreachable` when the database cannot be reached (the connection broke, or
    reconnecting failed); each later poll tries to reconnect, and the first that succeeds answers
    ``Changes(full_refresh=True)`` at once. A watcher that could not connect when made behaves
    the same way. :meth:`close` when done.
    """

    def __init__(self, source: sessionmaker[Session] | Engine) -> None:
        self.engine: Engine = source if isinstance(source, Engine) else source.kw["bind"]
        self._ear: _Ear | None = None
        self._missed = False  # reconnected after being away: the next answer is a full refresh
        try:
            self._ear = self._open()
        except _BROKEN:
            self._missed = True

    @property
    def connected(self) -> bool:
        """Whether the watcher is listening now (``False`` after a failure, until a reconnect)."""
        return self._ear is not None

    def _open(self) -> _Ear:
        url = self.engine.url
        if url.get_backend_name() == "sqlite":
            return _SqliteEar(self.engine)
        if url.get_backend_name() == "postgresql":
            return _PostgresEar(self.engine)
        raise ValueError(f"Changes cannot be watched on {url.get_backend_name()}.")

    def poll(self, timeout: float) -> Changes | None:
        started = time.monotonic()
        if self._ear is None:
            try:
                self._ear = self._open()
            except _BROKEN as exc:
                # a refusal comes back at once: wait out the timeout, so a caller polling in a
                # loop tries again every ``timeout`` seconds instead of spinning
                time.sleep(max(0.0, timeout - (time.monotonic() - started)))
                raise DatabaseUnreachable(UNREACHABLE) from exc
            self._missed = True
        if self._missed:
            self._missed = False
            return Changes(full_refresh=True)
        try:
            return self._ear.wait(timeout)
        except _BROKEN as exc:
            self._drop()
            self._missed = True
            raise DatabaseUnreachable(UNREACHABLE) from exc

    def _drop(self) -> None:
        ear, self._ear = self._ear, None
        if ear is not None:
            try:
                ear.close()
            except _BROKEN:
                pass  # already broken: nothing to close cleanly

    def close(self) -> None:
        """Stop listening and close the watcher's connection."""
        self._drop()

    def __enter__(self) -> ChangeWatcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
