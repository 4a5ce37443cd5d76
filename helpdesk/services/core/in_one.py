"""The last statement of a quick action on PostgreSQL (quick_loans.py, quick_swaps.py,
quick_moves.py, quick_printed.py): every write of the action as data-changing CTEs, with the
action's word to the other counters (changes.py's ``pg_notify``, delivered at the commit) as its
result, sent together with the COMMIT (``helpdesk.db.round_trips``), so that the action's
writes, its word and its commit cost one round trip. The unit of work then has nothing more to
send. The statement is compiled once and run with plain values."""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import Connection, Insert, Select, bindparam, func, literal_column, select
from sqlalchemy.exc import DBAPIError

from helpdesk.db.round_trips import COMMIT_TOO
from helpdesk.domain.audit import current_station
from helpdesk.services.core.changes import CHANGED, CHANNEL, payload_of, tables_written
from helpdesk.services.core.failures import OUTCOME_UNKNOWN, OutcomeUnknown

_compiled: dict[tuple[int, str, str], str] = {}
_told: dict[int, Select] = {}


def sql_of(statement: Insert | Select, conn: Connection) -> str:
    """The statement as the server's SQL, compiled once: SQLAlchemy does not cache the compiled
    form of a statement with data-changing CTEs, and compiling it costs more than running it."""
    key = (id(statement), conn.dialect.name, conn.dialect.paramstyle)
    if key not in _compiled:
        _compiled[key] = str(statement.compile(dialect=conn.dialect))
    return _compiled[key]


def plain(params: dict[str, object]) -> dict[str, object]:
    """Enums as their stored values, for SQL run without SQLAlchemy's type processing."""
    return {k: v.value if isinstance(v, Enum) else v for k, v in params.items()}


def with_word(statement: Insert) -> Select:
    """``statement`` as a CTE of a SELECT of the word to the other counters."""
    if id(statement) not in _told:
        channel: Any = literal_column(f"'{CHANNEL}'")  # a constant of ours: no quote in it
        word = select(func.pg_notify(channel, bindparam("changes_word")))
        _told[id(statement)] = word.add_cte(statement.cte())
    return _told[id(statement)]


def _commit_in_doubt(exc: DBAPIError) -> bool:
    """Whether the COMMIT sent with the statement may have been made: the connection broke, or
    the server went away, before every answer was read. An error the server gave in answer
    (a key taken, a statement cancelled by its timeout) means it skipped the COMMIT."""
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or (state[:2] in ("08", "57") and state != "57014")


def write_in_one(conn: Connection, statement: Insert, params: dict[str, object]) -> None:
    """Run ``statement`` (an INSERT whose CTEs make the rest of the action's writes) with the
    word to the other counters naming every table the action wrote, this statement's included;
    then nothing is left for the unit of work to say."""
    sql = sql_of(with_word(statement), conn)
    changed = conn.get_execution_options().get(CHANGED)
    tables = set(changed or ()) | set(tables_written(sql))
    values = plain(params) | {"changes_word": payload_of(tables, current_station())}
    try:
        conn.exec_driver_sql(sql, values, execution_options={COMMIT_TOO: True})
    except DBAPIError as exc:
        if _commit_in_doubt(exc):
            raise OutcomeUnknown(OUTCOME_UNKNOWN) from exc
        raise  # the server answered: the statement failed and its COMMIT never ran
    if changed is not None:
        changed.clear()  # said: announce() has nothing more to send
