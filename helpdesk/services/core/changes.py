"""Several counters on one database see each other's work: every action that changed something
says so, and a window asks whether anything changed since it last looked.

Saying so (PostgreSQL): :func:`helpdesk.services.core.unit_of_work.unit_of_work` notes the tables
each statement of the action writes (ORM flushes and the quick paths' plain SQL alike, read off
the SQL the server is sent) and, before the commit, sends one ``pg_notify`` on :data:`CHANNEL`
naming them and the station. The server hands it out at the commit, and never after a rollback.
SQLite needs nothing: its file says when another connection has committed
(:class:`helpdesk.services.core.watcher.ChangeWatcher`).

:class:`Changes` is what a window is told.
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, Engine, bindparam, event, func, select

from helpdesk.domain.audit import current_station

CHANNEL = "helpdesk_changes"
EVERYTHING = "*"  # a table name meaning "not known which: any of them may have changed"
CHANGED = "helpdesk_changed"  # the execution option holding an action's set of changed tables


@dataclass(frozen=True)
class Changes:
    """What changed since the last look.

    ``tables`` names the tables written, or is ``None`` when that is not known (SQLite says only
    *that* something changed): everything may have changed. ``full_refresh`` says the watcher was
    away (it has just reconnected) and may have missed changes: reload everything shown.
    ``stations`` names the counters that made the changes, when known."""

    tables: frozenset[str] | None = None
    stations: frozenset[str] = frozenset()
    full_refresh: bool = False

    def touches(self, *tables: str) -> bool:
        """Whether anything shown from ``tables`` may be out of date."""
        return self.full_refresh or self.tables is None or not self.tables.isdisjoint(tables)


# --- noting what an action writes --------------------------------------------------------------

_WRITES = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?\"?([\w.]+)",
    re.IGNORECASE,
)
_NOT_TABLES = {"of", "set", "only", "table"}  # FOR UPDATE OF t, ON CONFLICT DO UPDATE SET
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "SHOW", "LISTEN")
_SET = re.compile(r"SET\s", re.IGNORECASE)  # SET LOCAL ...: a setting, not a table


def tables_written(statement: str) -> frozenset[str]:
    """The tables ``statement`` writes: empty for a read, ``{"*"}`` when it writes but which
    tables cannot be told (a procedure call, a schema change...)."""
    if len(statement) > 8192:  # an import's batch of many rows: read, not kept
        return _read_tables(statement)
    return _tables_of(statement)


def _read_tables(statement: str) -> frozenset[str]:
    head = statement.lstrip()[:10].upper()
    if head.startswith(_READS) or _SET.match(head):
        return frozenset()
    found = frozenset(
        name.rsplit(".", 1)[-1].lower()
        for name in _WRITES.findall(statement)
        if name.lower() not in _NOT_TABLES
    )
    if found or head.startswith("WITH"):  # a WITH that writes nothing is a read
        return found
    return frozenset({EVERYTHING})


# the counter runs the same few statements again and again: each is read once
_tables_of = lru_cache(maxsize=1024)(_read_tables)


def _note_writes(conn: Connection, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
    changed = conn.get_execution_options().get(CHANGED)
    if changed is not None:
        changed |= tables_written(statement)


_noting: weakref.WeakSet[Engine] = weakref.WeakSet()


def note_writes(engine: Engine) -> None:
    """From now on, a transaction of ``engine`` whose connection carries a set in the execution
    option :data:`CHANGED` collects there the tables its statements write."""
    if engine not in _noting:
        event.listen(engine, "before_cursor_execute", _note_writes)
        _noting.add(engine)


# --- saying so ---------------------------------------------------------------------------------

_NOTIFY = select(func.pg_notify(CHANNEL, bindparam("payload")))


def payload_of(tables: set[str], station: str) -> str:
    """The notification's text: short JSON with the tables (``*``: not known) and the station."""
    return json.dumps({"tables": sorted(tables), "station": station}, separators=(",", ":"))


def announce(conn: Connection, tables: set[str]) -> None:
    """Send, in ``conn``'s transaction, word that ``tables`` changed (delivered at the commit).
    One statement; nothing is sent for an action that changed nothing."""
    if tables:
        conn.execute(_NOTIFY, {"payload": payload_of(tables, current_station())})


def read_payload(payload: str) -> tuple[frozenset[str] | None, str | None]:
    """The tables (``None``: not known) and station a notification names; text that is not
    ours means anything may have changed."""
    try:
        said = json.loads(payload)
        tables = frozenset(str(name) for name in said["tables"])
        station = said.get("station")
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, None
    return (None if EVERYTHING in tables else tables), (str(station) if station else None)
