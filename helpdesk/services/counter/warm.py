"""Ready before the first scan: the counter's statements compiled, and the database
connection's caches filled, while nobody is waiting.

The first loan, swap, refusal or card a counter makes after it opens costs two to five times
what the next one costs (on PostgreSQL 50-150 ms against 20-40): SQLAlchemy sets up its ORM
mappers and compiles each statement the first time it is used, and a new server connection
reads the tables' descriptions the first time it touches them. :func:`warm_up` pays all of that
at once: the window runs it on its database thread as it opens (``MainWindow``), before the
first person is at the counter, and the counters bench does the same before its start line.

It changes nothing and locks nothing. The counter's cards are read for one student, loaner,
laptop and repair receipt; the quick actions' own reads (quick_loans, quick_swaps,
quick_moves, quick_refusals) run with ids that match no row, so their row locks take nothing
and no number is drawn from a sequence; the statements that write are compiled, not run.
"""

from __future__ import annotations

import logging
import time
from datetime import date

from sqlalchemy import select

from helpdesk.domain.enums import DamageCategory, DevicePool
from helpdesk.domain.models import Assignment, Device, Staff, Student, Ticket
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.in_one import sql_of, with_word
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.counter import quick_loans, quick_refusals, swap_rows
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs import quick_moves

log = logging.getLogger("helpdesk.warm")

_NOTHING = -1  # an id no row has
_NO_ONE = ""  # a username no staff member has


def _reads(dialect: str) -> list[object]:
    """The quick actions' reads, for ``dialect``."""
    statements: list[object] = [
        query for (name, *_), query in quick_loans.FIND_FOR_ISSUE.items() if name == dialect
    ]
    statements += [quick_loans.RETURN_BY_DEVICE, quick_loans.RETURN_BY_SLIP]
    statements += [quick_refusals.HOLDER, quick_refusals.OPEN_TAGS, quick_refusals.RETURNED]
    statements += [swap_rows.FIND[dialect], quick_moves.FIND[dialect]]
    # SQLite draws no numbers ahead (it has no sequences): only its plain form is used there
    statements += [
        query
        for (name, drawn), query in swap_rows.FACTS.items()
        if name == dialect and (dialect == "postgresql" or drawn == "none")
    ]
    if dialect == "postgresql":
        statements += [quick_loans.OPEN_LOANS_ONLY, quick_loans.OPEN_LOANS_AND_CHARGES]
    return statements


def _writes() -> list[object]:
    """The PostgreSQL quick actions' single write statements (in_one.write_in_one)."""
    writes: list[object] = [quick_loans.ISSUE_IN_ONE, quick_loans.audit_rows(1)]
    writes += list(quick_loans.RETURN_IN_ONE.values()) + list(quick_moves.MOVE_IN_ONE.values())
    writes += [swap_rows.writes_in_one(claim, own) for claim in (False, True) for own in (False, True)]  # fmt: skip
    return writes


def _codes(factory: SessionFactory) -> list[str]:
    """A student card, a loaner's tag, an assigned laptop's tag and a repair receipt, those that
    exist: what the counter's first scans are."""
    with read_session(factory) as session:
        codes = [
            session.scalar(select(Student.card_code).limit(1)),
            session.scalar(select(Device.asset_tag).where(Device.pool == DevicePool.LOAN).limit(1)),
            session.scalar(
                select(Device.asset_tag)
                .join(Assignment, Assignment.device_id == Device.id)
                .where(Assignment.ended_at.is_(None))
                .limit(1)
            ),
        ]
        ticket = session.scalar(select(Ticket.id).order_by(Ticket.id.desc()).limit(1))
    return [code for code in codes if code] + ([ticket_code(ticket)] if ticket else [])


def warm_up(factory: SessionFactory) -> float:
    """Compile and run once, reading only, what the counter's first scans and actions need;
    returns the seconds it took. A failure is logged and ends it (nothing depends on it)."""
    started = time.perf_counter()
    params = {
        "student": _NOTHING, "device": _NOTHING, "own": _NOTHING, "loaner": _NOTHING,
        "loan": _NOTHING, "ticket": _NOTHING, "code": "", "actor": _NO_ONE,
        "day": date.today(), "category": DamageCategory.SCREEN, "draw": False,
    }  # fmt: skip
    try:
        with read_session(factory) as session:
            session.scalar(select(Staff).where(Staff.username == _NO_ONE))  # the ORM's set-up
            conn = session.connection()
            for statement in _reads(conn.dialect.name):
                # the same parameter names as the real call: they are part of the key under
                # which SQLAlchemy keeps the compiled statement
                names = statement.compile().params  # type: ignore[attr-defined]
                values = {name: params[name] for name in names if name in params}
                conn.execute(statement, values).all()  # type: ignore[call-overload]
            if conn.dialect.name == "postgresql":
                for write in _writes():
                    sql_of(with_word(write), conn)  # type: ignore[arg-type]
        for code in _codes(factory):
            lookup(factory, code)
    except Exception:  # noqa: BLE001 - only a head start: the real call says what is wrong
        log.warning("The counter's warm-up stopped early", exc_info=True)
    return time.perf_counter() - started
