"""The hand-in's and the stocktake's plain scan as a few plain SQL statements, as
quick_pickup.py does for a pickup: one read (the staff member, the session with its counts,
the device by tag or serial with its item, and for a hand-in its open allocation with the
holder, whether it is on loan or at the bench; the laptop's row locked), then the writes; on
PostgreSQL the writes, the audit rows and the word to the other stations are one statement.

The plain case only: a hand-in of a laptop on the list, allocated, not on loan and with no open
ticket, coming back good or fair (a damaged one books a ticket: the general path); a stocktake
of a device on the list not counted yet. Anything else answers ``None`` and handin.py or
stocktake.py decides, in their words. A lost race (the item marked, or the allocation ended,
by another station first) rolls back before the general path runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, case, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import CLOSED_TICKET_STATES, Condition, DeviceStatus
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.models import Loan, Ticket, table_of
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.counter.assignments import accessories_of, condition_of
from helpdesk.services.counter.quick_loans import audit_rows
from helpdesk.services.sessions.common import ScanOptions, info_of
from helpdesk.services.sessions.quick_rows import (
    DEVICE_COLUMNS,
    MARK,
    _next,
    assignments,
    device_of,
    devices,
    held,
    items,
    scans,
    sessions,
    staff,
    starter,
    student_of,
    students,
    write_marked,
)
from helpdesk.services.sessions.shapes import ScanResult

loans, tickets = table_of(Loan), table_of(Ticket)


def _read(dialect: str, kind: str) -> Select:
    code: Any = bindparam("code")
    by_tag = select(held.c.id).where(held.c.asset_tag == code).scalar_subquery()
    by_serial = (
        select(held.c.id).where(held.c.serial == code).order_by(held.c.id).limit(1)
    ).scalar_subquery()
    item = select(items.c.id, items.c.done_at).where(
        items.c.session_id == sessions.c.id, items.c.device_id == devices.c.id
    )
    columns: list[Any] = [
        staff.c.id.label("staff_id"),
        staff.c.active.label("staff_active"),
        sessions,
        select(starter.c.display_name)
        .where(starter.c.id == sessions.c.started_by_id)
        .scalar_subquery()
        .label("started_by"),
        select(func.count()).where(items.c.session_id == sessions.c.id).scalar_subquery()
        .label("expected"),
        select(func.count(items.c.done_at)).where(items.c.session_id == sessions.c.id)
        .scalar_subquery().label("done"),
        *DEVICE_COLUMNS,
        item.with_only_columns(items.c.id).limit(1).scalar_subquery().label("item_id"),
        item.with_only_columns(items.c.done_at).limit(1).scalar_subquery().label("item_done_at"),
    ]  # fmt: skip
    if kind == "handin":
        columns += [
            assignments.c.id.label("assignment_id"),
            assignments.c.returned_condition,
            assignments.c.returned_missing,
            students.c.id.label("student_id"),
            students.c.card_code,
            students.c.first_name,
            students.c.last_name,
            students.c.year_group,
            students.c.form,
            students.c.status.label("student_status"),
            exists()
            .where(loans.c.device_id == devices.c.id, loans.c.returned_at.is_(None))
            .label("on_loan"),
            exists()
            .where(
                tickets.c.device_id == devices.c.id, tickets.c.state.not_in(CLOSED_TICKET_STATES)
            )
            .label("at_bench"),
        ]
    if dialect == "postgresql":
        item_id = item.with_only_columns(items.c.id).limit(1).scalar_subquery()
        plain = and_(
            staff.c.active,
            sessions.c.closed_at.is_(None),
            sessions.c.kind == kind,
            item_id.is_not(None),
            item.with_only_columns(items.c.done_at).limit(1).scalar_subquery().is_(None),
        )
        if kind == "handin":  # no number drawn for a scan the general path answers
            plain = and_(
                plain, assignments.c.id.is_not(None), devices.c.status == DeviceStatus.ASSIGNED
            )
        columns.append(case((plain, _next("session_scans"))).label("next_scan"))
    query = (
        select(*columns)
        .select_from(devices)
        .join(staff, staff.c.username == bindparam("actor"))
        .join(sessions, sessions.c.id == bindparam("session"))
    )
    if kind == "handin":
        query = query.outerjoin(
            assignments,
            and_(assignments.c.device_id == devices.c.id, assignments.c.ended_at.is_(None)),
        ).outerjoin(students, students.c.id == assignments.c.student_id)
        query = query.with_for_update(of=devices)
    return query.where(devices.c.id == func.coalesce(by_tag, by_serial))


READ = {
    (dialect, kind): _read(dialect, kind)
    for dialect in ("sqlite", "postgresql")
    for kind in ("handin", "stocktake")
}
END = (
    update(assignments)
    .where(assignments.c.id == bindparam("e_id"))
    .values(
        ended_at=bindparam("e_ended_at"),
        returned_condition=bindparam("e_returned_condition"),
        returned_missing=bindparam("e_returned_missing"),
    )
)
TO_STOCK = (
    update(devices).where(devices.c.id == bindparam("e_device")).values(status=bindparam("e_to"))
)
# the hand-in's item, only while its allocation is still open (another station's hand-in, or an
# unassign at the counter, may have ended it while this one waited for the laptop's row)
MARK_OPEN = (
    update(items)
    .where(
        items.c.id == bindparam("item"),
        items.c.done_at.is_(None),
        exists().where(assignments.c.id == bindparam("e_id"), assignments.c.ended_at.is_(None)),
    )
    .values(done_at=bindparam("s_at"), done_scan_id=bindparam("s_id"))
    .returning(items.c.id)
)
HANDIN_WRITES = END.add_cte(TO_STOCK.cte())


class _Lost(Exception):
    """Another station got there first: roll back and let the general path say so."""


def quick_device_scan(
    factory: SessionFactory,
    actor: str,
    number: int,
    kind: str,
    text: str,
    options: ScanOptions,
    now: datetime | None,
) -> ScanResult | None:
    """A hand-in's or a stocktake's scan as ``scan_in_session`` makes it, or ``None``."""
    moment = now or datetime.now().replace(microsecond=0)
    condition, missing = Condition.GOOD, tuple[str, ...]()
    if kind == "handin":
        try:
            condition = condition_of(options.condition) or Condition.GOOD
            missing = accessories_of(options.missing)
        except HelpdeskError:
            return None  # the general path words it
        if condition is Condition.DAMAGED:
            return None  # a ticket is booked: the general path
    try:
        with unit_of_work(factory, None, action="session.scan", now=moment) as session:
            conn = session.connection()
            query = READ.get((conn.dialect.name, kind))
            if query is None:
                return None
            keys = {"actor": actor, "session": number, "code": text}
            row = conn.execute(query, keys).first()
            if (
                row is None
                or not row.staff_active
                or row.closed_at is not None
                or row.kind != kind
                or row.item_id is None
                or row.item_done_at is not None
            ):
                return None
            if kind == "stocktake":
                return _write(conn, row, text, options, moment, f"{row.asset_tag} found here.")
            if (
                row.assignment_id is None
                or row.status is not DeviceStatus.ASSIGNED
                or row.on_loan
                or row.at_bench
            ):
                return None
            back = f"{' and '.join(missing)} not back" if missing else "everything back"
            who = f"{row.first_name} {row.last_name} ({row.form})"
            sentence = f"{row.asset_tag} back from {who}: {condition.value}, {back}."
            ended = {"ended_at": moment, "returned_condition": condition,
                     "returned_missing": ",".join(missing) or None}  # fmt: skip
            return _write(conn, row, text, options, moment, sentence, ended)
    except (_Lost, IntegrityError):
        return None


def _write(
    conn: Connection,
    row: Any,
    text: str,
    options: ScanOptions,
    moment: datetime,
    sentence: str,
    ended: dict[str, Any] | None = None,
) -> ScanResult:
    postgres = conn.dialect.name == "postgresql"
    station = options.station
    scan: dict[str, Any] = {
        "session_id": row.id,
        "at": moment,
        "staff_id": row.staff_id,
        "station": (station or None) and station[:64],
        "code": text[:64],
        "outcome": "done",
        "sentence": sentence,
        "item_id": row.item_id,
        "student_id": row.student_id if ended is not None else None,
        "device_id": row.device_id,
    }
    params: dict[str, Any] = {"item": row.item_id, "s_at": moment}
    audit = []
    if ended is not None:
        params |= {f"e_{k}": v for k, v in ended.items()}
        params |= {"e_id": row.assignment_id, "e_device": row.device_id}
        params |= {"e_to": DeviceStatus.IN_STOCK}
        was = {"ended_at": None, "returned_condition": row.returned_condition,
               "returned_missing": row.returned_missing}  # fmt: skip
        changed = [k for k in ended if ended[k] != was[k]]
        audit.append(audit_row(moment, row.staff_id, "update", "assignments", row.assignment_id,
                               {k: was[k] for k in changed}, {k: ended[k] for k in changed}))  # fmt: skip
        audit.append(audit_row(moment, row.staff_id, "update", "devices", row.device_id,
                               {"status": row.status}, {"status": DeviceStatus.IN_STOCK}))  # fmt: skip
    mark = MARK_OPEN if ended is not None else MARK
    if postgres:
        scan["id"] = row.next_scan
        if scan["id"] is None:
            raise _Lost
    else:
        if ended is not None:
            conn.execute(END, params)
            conn.execute(TO_STOCK, params)
        scan["id"] = conn.execute(scans.insert(), scan).inserted_primary_key[0]  # type: ignore[index]
    params["s_id"] = scan["id"]
    audit.append(audit_row(moment, row.staff_id, "insert", "session_scans", scan["id"], None, scan))
    if postgres:
        params |= {f"s_{k}": v for k, v in scan.items()}
        params |= {f"{k}_{n}": v for n, entry in enumerate(audit) for k, v in entry.items()}
        also = ("handin", HANDIN_WRITES) if ended is not None else None
        marked = write_marked(conn, len(audit), mark=mark, params=params, also=also)
    else:
        # SQLite's write lock is held from BEGIN: what the read saw still holds
        marked = bool(conn.execute(MARK, params).all())
        conn.execute(audit_rows(len(audit)), {f"{k}_{n}": v for n, entry in enumerate(audit)
                                               for k, v in entry.items()})  # fmt: skip
    if not marked:
        raise _Lost
    return _result(row, text, sentence, ended is not None, moment)


def _result(row: Any, text: str, sentence: str, handin: bool, moment: datetime) -> ScanResult:
    student = None
    if handin:
        student = student_of(row)
    device = device_of(row, DeviceStatus.IN_STOCK if handin else row.status)
    return ScanResult(
        outcome="done",
        sentence=sentence,
        code=text,
        waiting_for=None,
        pending_student_id=None,
        student=student,
        device=device,
        assignment_id=row.assignment_id if handin else None,
        ticket_id=None,
        print_label=False,
        print_agreement=False,
        print_receipt=handin,
        session=info_of(row, (int(row.expected), int(row.done) + 1), row.started_by),
    )
