"""A counter's day, read back from the audit log: one line per loan, return, swap, booking-in,
collection or refusal made at one station, newest first.

Refusals change no record, so the counter writes them to the audit log as rows of their own
(action 'refuse', entity 'counter', the sentence and the scanned code as JSON). Every audit row
names its station (see :mod:`helpdesk.domain.audit`), which is what "at this counter" means.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select

from helpdesk.domain.audit import audit_row, current_station, set_station
from helpdesk.domain.enums import TicketState
from helpdesk.domain.models import AuditEntry, Device, Loan, Student, Ticket
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    actor_of,
    now_of,
    read_session,
    unit_of_work,
)
from helpdesk.services.counter.quick_loans import audit_rows

__all__ = ["DayLine", "counter_day", "current_station", "record_refusal", "set_station"]

audit, loans, tickets = AuditEntry.__table__, Loan.__table__, Ticket.__table__
devices, students = Device.__table__, Student.__table__


@dataclass(frozen=True)
class DayLine:
    at: datetime
    text: str
    refused: bool = False

    @property
    def line(self) -> str:
        """``09:12 LNR-004 lent to Leo Allen (7C)``."""
        return f"{self.at:%H:%M} {self.text}"


def record_refusal(
    factory: SessionFactory,
    actor: str,
    station: str,
    sentence: str,
    code: str = "",
    *,
    now: datetime | None = None,
) -> None:
    """Keep a refusal at the counter in the audit log, for the counter's day list."""
    with unit_of_work(factory, actor, action="counter.refusal", now=now) as session:
        row = audit_row(
            now_of(session), actor_of(session).id, "refuse", "counter", None, None,
            {"sentence": sentence.strip(), "code": code.strip()}, station=station,
        )  # fmt: skip
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            # the row, the word to the other counters and the commit in one round trip
            write_in_one(conn, audit_rows(1), {f"{k}_0": v for k, v in row.items()})
        else:
            session.execute(insert(AuditEntry), [row])


_DAY = (
    select(
        audit.c.id,
        audit.c.at,
        audit.c.action,
        audit.c.entity,
        audit.c.entity_id,
        audit.c.before,
        audit.c.after,
    )  # fmt: skip
    .where(
        audit.c.station == bindparam("station"),
        audit.c.at >= bindparam("start"),
        audit.c.at < bindparam("end"),
        audit.c.action.in_(["insert", "update", "refuse"]),
        audit.c.entity.in_(["loans", "tickets", "counter"]),
    )
    .order_by(audit.c.at, audit.c.id)
)
_WHO = (students.c.first_name, students.c.last_name, students.c.form)
_LOANS = (
    select(loans.c.id, loans.c.device_id, devices.c.asset_tag, *_WHO)
    .join(devices, devices.c.id == loans.c.device_id)
    .join(students, students.c.id == loans.c.student_id)
    .where(loans.c.id.in_(bindparam("ids", expanding=True)))
)
_TICKETS = (
    select(tickets.c.id, tickets.c.device_id, devices.c.asset_tag, *_WHO)
    .join(devices, devices.c.id == tickets.c.device_id)
    .outerjoin(students, students.c.id == tickets.c.student_id)
    .where(tickets.c.id.in_(bindparam("ids", expanding=True)))
)


def _who(row: Any) -> str:
    if row.first_name is None:
        return "nobody"
    return f"{row.first_name} {row.last_name} ({row.form})"


def _by_id(conn: Connection, query: Any, ids: Iterable[int]) -> dict[int, Any]:
    wanted = sorted(set(ids))
    return {row.id: row for row in conn.execute(query, {"ids": wanted})} if wanted else {}


def _items(text: str | None) -> list[str]:
    return [item for item in (text or "").split(",") if item]


def counter_day(factory: SessionFactory, station: str, day: date) -> list[DayLine]:
    """What was done and refused at ``station`` on ``day``, one line per action, newest first."""
    start = datetime.combine(day, time())
    params = {"station": station, "start": start, "end": start + timedelta(days=1)}
    with read_session(factory) as session:
        conn = session.connection()
        rows = [
            (row, json.loads(row.after) if row.after else {}) for row in conn.execute(_DAY, params)
        ]
        loan_rows = _by_id(conn, _LOANS, (r.entity_id for r, _ in rows if r.entity == "loans"))
        ticket_ids = [r.entity_id for r, _ in rows if r.entity == "tickets"]
        ticket_ids += [
            a["ticket_id"] for r, a in rows if r.entity == "loans" and a.get("ticket_id")
        ]
        ticket_rows = _by_id(conn, _TICKETS, ticket_ids)
    return _lines(rows, loan_rows, ticket_rows)


def _lines(
    rows: list[tuple[Any, dict[str, Any]]], loan_rows: dict[int, Any], ticket_rows: dict[int, Any]
) -> list[DayLine]:
    # a ticket opened by a swap or by a damaged return is told on the loan's line
    told: set[int] = set()
    for row, after in rows:
        if row.entity == "loans" and row.action == "insert" and after.get("ticket_id"):
            told.add(after["ticket_id"])
    damaged_back = {
        (row.at, loan_rows[row.entity_id].device_id): row.entity_id
        for row, after in rows
        if row.entity == "loans" and after.get("returned_at") and row.entity_id in loan_rows
    }
    opened_on_return: dict[int, Any] = {}
    for row, _after in rows:
        if row.entity == "tickets" and row.action == "insert" and row.entity_id in ticket_rows:
            loan_id = damaged_back.get((row.at, ticket_rows[row.entity_id].device_id))
            if loan_id is not None:
                opened_on_return[loan_id] = ticket_rows[row.entity_id]
                told.add(row.entity_id)

    lines: list[DayLine] = []
    for row, after in rows:
        text = None
        if row.entity == "counter":
            sentence = after.get("sentence") or "a scan was refused."
            lines.append(DayLine(row.at, f"Refused: {sentence}", refused=True))
            continue
        if row.entity == "loans" and row.entity_id in loan_rows:
            loan = loan_rows[row.entity_id]
            text = _loan_text(row, after, loan, ticket_rows, opened_on_return.get(loan.id))
        elif row.entity == "tickets" and row.entity_id in ticket_rows:
            ticket = ticket_rows[row.entity_id]
            code = ticket_code(ticket.id)
            if row.action == "insert" and ticket.id not in told:
                text = f"{ticket.asset_tag} booked in for repair as {code} ({_who(ticket)})"
            elif row.action == "update" and after.get("state") == TicketState.COLLECTED.value:
                text = f"{ticket.asset_tag} handed back to {_who(ticket)}; {code} is closed"
        if text:
            lines.append(DayLine(row.at, text))
    lines.reverse()
    return lines


def _loan_text(
    row: Any, after: dict[str, Any], loan: Any, ticket_rows: dict[int, Any], opened: Any
) -> str | None:
    tag, who = loan.asset_tag, _who(loan)
    if row.action == "insert":
        swap = ticket_rows.get(after.get("ticket_id") or 0)
        if swap is not None:
            code = ticket_code(swap.id)
            return f"Swap: {swap.asset_tag} booked in as {code}; {tag} lent to {who}"
        return f"{tag} lent to {who}"
    if after.get("returned_at"):
        text = f"{tag} back from {who}"
        if opened is not None:
            text += f", damaged: booked in as {ticket_code(opened.id)}"
        missing = _items(after.get("accessories_missing"))
        if missing:
            text += f"; not returned: {', '.join(missing)}"
        return text
    if "accessories_missing" in after:
        still = _items(after.get("accessories_missing"))
        before = json.loads(row.before) if row.before else {}
        back = [item for item in _items(before.get("accessories_missing")) if item not in still]
        what = ", ".join(back).capitalize() or "Accessories"
        text = f"{what} brought back for {tag} ({loan_code(loan.id)}, {who})"
        return text + (f"; still missing: {', '.join(still)}" if still else "")
    return None
