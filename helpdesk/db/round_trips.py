"""PostgreSQL: a transaction's BEGIN, and a quick action's COMMIT, travel with its statements
instead of costing round trips of their own.

psycopg starts a transaction by sending BEGIN and waiting for the answer before it sends the
first statement, and ends it by sending COMMIT and waiting again. On a school's network each
wait is a round trip, and a counter's action is only three to five of them, so two are a large
part of what the person at the counter waits for, and of how long the action holds its row
locks while other counters queue behind it.

So, when SQLAlchemy begins a transaction (not a read on an AUTOCOMMIT connection), the DBAPI
connection is put in autocommit mode, where psycopg sends no BEGIN of its own, and BEGIN is sent
with the transaction's first statement in one pipeline: one round trip for both, each answer
checked. A statement run with the execution option :data:`COMMIT_TOO` (the last statement of a
quick action: ``services.core.in_one.write_in_one``) is sent with COMMIT after it, in one
pipeline too. In a pipeline the server skips everything after a statement that fails, so a
failed statement is never committed; SQLAlchemy's own COMMIT then finds the transaction ended
and sends nothing. A statement after that COMMIT would run outside the transaction, so it
raises :class:`AfterCommit` instead of running. Statements psycopg cannot send in a pipeline
(several rows at once, a server-side cursor) get their BEGIN on its own first, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import IsolationLevel
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection, Engine, event

COMMIT_TOO = "helpdesk_commit_too"  # execution option: send COMMIT with this statement
_PENDING = "helpdesk_begin_pending"  # connection info: BEGIN goes with the next statement
_COMMITTED = "helpdesk_commit_sent"  # connection info: the transaction's COMMIT has been sent


class AfterCommit(RuntimeError):
    """A statement was run in a transaction whose COMMIT was already sent with an earlier one
    (a fault of the program: the quick action's last statement was not its last)."""


def begin_statement(raw: psycopg.Connection[Any]) -> bytes:
    """The BEGIN psycopg itself would send for ``raw``'s settings."""
    parts = [b"BEGIN"]
    if raw.isolation_level is not None:
        level = IsolationLevel(raw.isolation_level).name.replace("_", " ")
        parts.append(b"ISOLATION LEVEL " + level.encode())
    if raw.read_only is not None:
        parts.append(b"READ ONLY" if raw.read_only else b"READ WRITE")
    if raw.deferrable is not None:
        parts.append(b"DEFERRABLE" if raw.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


def _on_begin(conn: Connection) -> None:
    fairy = conn.connection
    info = fairy.info
    info.pop(_PENDING, None)
    info.pop(_COMMITTED, None)
    if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
        return  # a read: each statement on its own, no transaction at all
    raw = fairy.driver_connection
    if not isinstance(raw, psycopg.Connection):
        return
    if raw.pgconn.transaction_status != TransactionStatus.IDLE:
        return  # not ours to start (cannot happen with SQLAlchemy's own handling)
    if not raw.autocommit:
        raw.autocommit = True  # psycopg sends no BEGIN of its own from now on
    info[_PENDING] = True


def _on_end(conn: Connection) -> None:
    if conn.invalidated or conn.closed:
        return  # the connection broke: the pool forgets it, flags and all
    info = conn.connection.info
    info.pop(_PENDING, None)
    info.pop(_COMMITTED, None)


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:  # noqa: ANN401 - pool's types
    record.info.pop(_PENDING, None)
    record.info.pop(_COMMITTED, None)


def _info_of(context: Any) -> dict[Any, Any] | None:  # noqa: ANN401
    """The pooled connection's info, where the flags above live (``None``: SQLAlchemy's own
    checks on a new connection, outside any transaction of ours)."""
    try:
        return context.root_connection.connection.info
    except NotImplementedError:
        return None


def _send(cursor: Any, context: Any, execute: Callable[[], object]) -> bool:  # noqa: ANN401
    """Run ``execute`` (the cursor's own execute of the statement), with the BEGIN before it
    and the COMMIT after it that are due, in one pipeline. ``True``: it ran here."""
    info = _info_of(context)
    if info is None:
        return False
    if info.get(_COMMITTED):
        raise AfterCommit("A statement was run after the action's COMMIT was sent.")
    begin = info.pop(_PENDING, False)
    commit = bool(context.execution_options.get(COMMIT_TOO))
    if not begin and not commit:
        return False
    raw = cursor.connection
    if type(cursor) is not psycopg.Cursor or raw.pgconn.pipeline_status != 0 or not raw.autocommit:
        if begin:
            raw.execute(begin_statement(raw))
        return False  # psycopg sends it the usual way (and SQLAlchemy commits as usual)
    with raw.pipeline():
        if begin:
            raw.execute(begin_statement(raw))
        execute()
        if commit:
            raw.execute(b"COMMIT")
    if commit:
        info[_COMMITTED] = True
    return True


def _do_execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:  # noqa: ANN401
    return _send(cursor, context, lambda: cursor.execute(statement, parameters))


def _do_execute_no_params(cursor: Any, statement: str, context: Any) -> bool:  # noqa: ANN401
    return _send(cursor, context, lambda: cursor.execute(statement))


def _do_executemany(cursor: Any, _statement: str, _parameters: Any, context: Any) -> bool:  # noqa: ANN401
    info = _info_of(context)
    if info is None:
        return False
    if info.get(_COMMITTED):
        raise AfterCommit("A statement was run after the action's COMMIT was sent.")
    if info.pop(_PENDING, False):
        raw = cursor.connection
        raw.execute(begin_statement(raw))  # psycopg runs several rows in a pipeline of its own
    return False


def send_begin_with_first_statement(engine: Engine) -> None:
    """Install the above on a PostgreSQL (psycopg) engine."""
    event.listen(engine, "begin", _on_begin)
    event.listen(engine, "commit", _on_end)
    event.listen(engine, "rollback", _on_end)
    event.listen(engine, "checkin", _on_checkin)
    event.listen(engine, "do_execute", _do_execute)
    event.listen(engine, "do_execute_no_params", _do_execute_no_params)
    event.listen(engine, "do_executemany", _do_executemany)
