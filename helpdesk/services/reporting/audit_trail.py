"""The audit trail read back for a manager: when, who, what, which record, before and after.

Filters: one staff member, a range of days (both ends included) and one record, named by the code
a person knows (LOAN-000012, TKT-000045, an asset tag or serial, a student's card code, a staff
username). Reading it is a manager's (the permission table's ``audit.read``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TextIO

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import AuditEntry, Device, Staff, Student
from helpdesk.services.core.codes import loan_code, parse_loan_code, parse_ticket_code, ticket_code
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, require_reader
from helpdesk.services.csv.cells import SafeWriter

HEADINGS = ("when", "who", "what", "record", "before", "after", "station")
LIMIT = 100_000


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str  # the staff username, or "" for system work and unknown sign-in names
    action: str  # insert, update, delete, refuse, sign-in, sign-out, sign-in-refused, lock-out
    record: str  # "loans LOAN-000012", "staff 3", "students 17"
    before: str
    after: str
    station: str

    def cells(self) -> tuple[str, ...]:
        return (
            f"{self.at:%Y-%m-%d %H:%M:%S}",
            self.who,
            self.action,
            self.record,
            self.before,
            self.after,
            self.station,
        )


def _record_of(entity: str, entity_id: int | None) -> str:
    if entity_id is None:
        return entity
    if entity == "loans":
        return f"loans {loan_code(entity_id)}"
    if entity == "tickets":
        return f"tickets {ticket_code(entity_id)}"
    return f"{entity} {entity_id}"


def _resolve(session: Session, code: str) -> tuple[str, int]:
    """The table and id of the record ``code`` names, or NotFound in one sentence."""
    code = code.strip()
    if (loan := parse_loan_code(code)) is not None:
        return "loans", loan
    if (ticket := parse_ticket_code(code)) is not None:
        return "tickets", ticket
    device = session.scalar(
        select(Device.id).where(or_(Device.asset_tag == code, Device.serial == code))
    )
    if device is not None:
        return "devices", device
    student = session.scalar(select(Student.id).where(Student.card_code == code))
    if student is not None:
        return "students", student
    staff = session.scalar(select(Staff.id).where(Staff.username == code))
    if staff is not None:
        return "staff", staff
    raise NotFound(f"No record has the code '{code}'.")


def _filtered(
    session: Session,
    actor: str,
    staff: str | None,
    date_from: date | None,
    date_to: date | None,
    record: str | None,
) -> Select:
    """The audit rows that match, unordered, once ``actor`` is known to be a manager or more."""
    if date_from and date_to and date_from > date_to:
        raise ValidationError(f"The first day {date_from} is after the last day {date_to}.")
    require_reader(session, actor, "audit.read")
    query = select(AuditEntry, Staff.username).outerjoin(Staff, Staff.id == AuditEntry.staff_id)
    if staff:
        who = session.scalar(select(Staff.id).where(Staff.username == staff.strip()))
        if who is None:
            raise NotFound(f"There is no staff member with the username '{staff.strip()}'.")
        query = query.where(AuditEntry.staff_id == who)
    if date_from:
        query = query.where(AuditEntry.at >= datetime.combine(date_from, time()))
    if date_to:
        query = query.where(AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time()))
    if record:
        entity, entity_id = _resolve(session, record)
        query = query.where(AuditEntry.entity == entity, AuditEntry.entity_id == entity_id)
    return query


def _rows(session: Session, query: Select) -> list[AuditRow]:
    return [
        AuditRow(
            entry.at,
            username or "",
            entry.action,
            _record_of(entry.entity, entry.entity_id),
            entry.before or "",
            entry.after or "",
            entry.station or "",
        )
        for entry, username in session.execute(query)
    ]


def audit_trail(
    factory: SessionFactory,
    actor: str,
    *,
    staff: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    record: str | None = None,
) -> list[AuditRow]:
    """The audit rows that match, oldest first; ``actor`` must be a manager or an admin."""
    with read_session(factory) as session:
        query = _filtered(session, actor, staff, date_from, date_to, record)
        return _rows(session, query.order_by(AuditEntry.at, AuditEntry.id).limit(LIMIT))


def audit_page(
    factory: SessionFactory,
    actor: str,
    offset: int,
    limit: int,
    with_total: bool,
    *,
    staff: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    record: str | None = None,
) -> tuple[list[AuditRow], int | None]:
    """One page of the audit rows that match, newest first, for the window's audit viewer; with
    ``with_total`` also how many match in all (the same refusals as :func:`audit_trail`)."""
    with read_session(factory) as session:
        query = _filtered(session, actor, staff, date_from, date_to, record)
        total = None
        if with_total:
            counted = select(func.count()).select_from(query.subquery())
            total = int(session.scalar(counted) or 0)
        newest = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        return _rows(session, newest.offset(offset).limit(limit)), total


def readable(values: str) -> str:
    """The values of an audit row's before or after (a JSON object) as a person reads them:
    ``status: on_loan, notes: (empty)``; text that is not a JSON object is given back as it is."""
    if not values:
        return ""
    try:
        parsed = json.loads(values)
    except ValueError:
        return values
    if not isinstance(parsed, dict):
        return values
    return ", ".join(f"{key}: {_value(value)}" for key, value in parsed.items())


def _value(value: object) -> str:
    if value is None:
        return "(none)"
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_audit_csv(rows: list[AuditRow], out: TextIO) -> None:
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(HEADINGS)
    for row in rows:
        writer.writerow(row.cells())
