"""The statements of a quick pickup scan (quick_pickup.py), built once with named parameters:
the one query that reads everything a card or a laptop scan decides on, and the writes.

The read: the staff member, the session with its counts and who started it, the student (by
card code, or by id when a laptop is scanned for them) with their item on the list, the laptop
they hold and the one planned for them; for a laptop scan also the laptop (by asset tag or
serial, a tag winning), its holder, the student it is set aside for and whether its label was
ever printed. On a laptop scan the student's and the laptop's rows are locked in that order
(students come first in the FROM list, so PostgreSQL locks them first, as every station does).
On PostgreSQL the query also draws the new rows' numbers, so that the writes and the word to the
other stations go to the server as one statement (:func:`write_marked`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Connection,
    Insert,
    Select,
    Update,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    update,
)

from helpdesk.domain.audit import current_station
from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.models import (
    Assignment,
    Device,
    LabelPrint,
    PlannedAllocation,
    ScanSession,
    SessionItem,
    SessionScan,
    Staff,
    Student,
    table_of,
)
from helpdesk.services.core.changes import CHANGED, CHANNEL, payload_of, tables_written
from helpdesk.services.core.in_one import plain, sql_of
from helpdesk.services.core.views import (
    DeviceSummary,
    StudentSummary,
    device_summary,
    student_summary,
)
from helpdesk.services.counter.card_rows import DeviceRow, StudentRow
from helpdesk.services.counter.quick_loans import audit_rows

staff, sessions, students, devices = (
    table_of(Staff),
    table_of(ScanSession),
    table_of(Student),
    table_of(Device),
)
items, scans, assignments = table_of(SessionItem), table_of(SessionScan), table_of(Assignment)
# the laptop's columns of a quick read, as device_of() reads them back (one list, so a column
# added to devices is added to every quick scan at once)
DEVICE_COLUMNS = (
    devices.c.id.label("device_id"),
    devices.c.asset_tag,
    devices.c.serial,
    devices.c.make,
    devices.c.model,
    devices.c.location.label("device_location"),
    devices.c.kind.label("device_kind"),
    devices.c.pool,
    devices.c.status,
)
plans, labels = table_of(PlannedAllocation), table_of(LabelPrint)
starter, held, planned, holder, set_aside = (
    staff.alias("starter"),
    devices.alias("held"),
    devices.alias("planned"),
    students.alias("holder"),
    students.alias("set_aside"),
)


def _label(student: Any) -> Any:
    """``Anna Smith (7A)`` (views.student_label) in SQL."""
    return student.c.first_name + " " + student.c.last_name + " (" + student.c.form + ")"


def _kind_of(device_id: Any) -> Any:
    """The kind of the device ``device_id``, as a subquery of its own: the laptop a student
    holds is then found from their assignments (by the student's index), whatever the
    planner thinks of the size of the devices table."""
    return select(held.c.kind).where(held.c.id == device_id).scalar_subquery()


def _next(table: str) -> Any:
    return func.nextval(func.pg_get_serial_sequence(table, "id"))


def _read(dialect: str, laptop: bool) -> Select:
    session_open = and_(staff.c.active, sessions.c.closed_at.is_(None), sessions.c.kind == "pickup")
    columns: list[Any] = [
        staff.c.id.label("staff_id"),
        staff.c.active.label("staff_active"),
        sessions,
        select(starter.c.display_name)
        .where(starter.c.id == sessions.c.started_by_id)
        .scalar_subquery()
        .label("started_by"),
        select(func.count())
        .where(items.c.session_id == sessions.c.id)
        .scalar_subquery()
        .label("expected"),
        select(func.count(items.c.done_at))
        .where(items.c.session_id == sessions.c.id)
        .scalar_subquery()
        .label("done"),
        students.c.id.label("student_id"),
        students.c.card_code,
        students.c.first_name,
        students.c.last_name,
        students.c.year_group,
        students.c.form,
        students.c.status.label("student_status"),
        select(items.c.id)
        .where(items.c.session_id == sessions.c.id, items.c.student_id == students.c.id)
        .limit(1)
        .scalar_subquery()
        .label("item_id"),
        select(items.c.done_at)
        .where(items.c.session_id == sessions.c.id, items.c.student_id == students.c.id)
        .limit(1)
        .scalar_subquery()
        .label("item_done_at"),
        select(
            select(held.c.asset_tag).where(held.c.id == assignments.c.device_id).scalar_subquery()
        )
        .where(
            assignments.c.student_id == students.c.id,
            assignments.c.ended_at.is_(None),
            _kind_of(assignments.c.device_id) == DeviceKind.LAPTOP,
        )
        .limit(1)
        .scalar_subquery()
        .label("held"),
        select(planned.c.id)
        .select_from(planned.join(plans, plans.c.device_id == planned.c.id))
        .where(plans.c.student_id == students.c.id)
        .scalar_subquery()
        .label("planned_id"),
        select(planned.c.asset_tag)
        .select_from(planned.join(plans, plans.c.device_id == planned.c.id))
        .where(plans.c.student_id == students.c.id)
        .scalar_subquery()
        .label("planned_tag"),
    ]
    first = list(columns)
    if dialect == "postgresql":  # every outcome the quick path decides writes a scan row
        drawn = and_(session_open, students.c.id.is_not(None))
        columns.append(case((drawn, _next("session_scans"))).label("next_scan"))
    query = select(*columns).select_from(students)
    if not laptop:  # a row whenever the session is there, to learn its kind
        return (
            select(*columns)
            .select_from(staff)
            .join(sessions, sessions.c.id == bindparam("session"))
            .outerjoin(students, students.c.card_code == bindparam("code"))
            .where(staff.c.username == bindparam("actor"))
        )
    code: Any = bindparam("code")
    columns = [
        *DEVICE_COLUMNS,
        select(_label(holder))
        .select_from(assignments.join(holder, holder.c.id == assignments.c.student_id))
        .where(assignments.c.device_id == devices.c.id, assignments.c.ended_at.is_(None))
        .limit(1)
        .scalar_subquery()
        .label("holder"),
        select(plans.c.student_id)
        .where(plans.c.device_id == devices.c.id)
        .scalar_subquery()
        .label("set_aside_id"),
        select(_label(set_aside))
        .select_from(plans.join(set_aside, set_aside.c.id == plans.c.student_id))
        .where(plans.c.device_id == devices.c.id)
        .scalar_subquery()
        .label("set_aside_for"),
        exists().where(labels.c.device_id == devices.c.id).label("labelled"),
    ]
    if dialect == "postgresql":  # drawn only when the laptop will be handed over
        read = {c.name: c.element for c in [*first, *columns] if hasattr(c, "element")}
        may_hand = and_(
            session_open,
            bindparam("may_sign"),
            read["item_id"].is_not(None),
            read["item_done_at"].is_(None),
            read["held"].is_(None),
            read["holder"].is_(None),
            or_(read["planned_id"].is_(None), read["planned_id"] == devices.c.id),
            or_(read["set_aside_id"].is_(None), read["set_aside_id"] == students.c.id),
            devices.c.kind == DeviceKind.LAPTOP,
            devices.c.pool == DevicePool.ALLOCATION,
            devices.c.status == DeviceStatus.IN_STOCK,
            students.c.status != StudentStatus.LEFT,
        )
        columns.append(case((may_hand, _next("assignments"))).label("next_assignment"))
    # the laptop by its asset tag, else by its serial (a tag wins over another's serial)
    by_tag = select(held.c.id).where(held.c.asset_tag == code).scalar_subquery()
    by_serial = (
        select(held.c.id).where(held.c.serial == code).order_by(held.c.id).limit(1)
    ).scalar_subquery()
    return (
        query.add_columns(*columns)
        .join(devices, devices.c.id == func.coalesce(by_tag, by_serial))
        .join(staff, staff.c.username == bindparam("actor"))
        .join(sessions, sessions.c.id == bindparam("session"))
        .where(students.c.id == bindparam("student"))
        .with_for_update(of=[students, devices])
    )


READ = {
    (dialect, laptop): _read(dialect, laptop)
    for dialect in ("sqlite", "postgresql")
    for laptop in (False, True)
}

INSERT_SCAN = scans.insert().values({c.name: bindparam(f"s_{c.name}") for c in scans.c})
INSERT_ASSIGNMENT = assignments.insert().values(
    {c.name: bindparam(f"a_{c.name}") for c in assignments.c}
)
SET_STATUS = (
    update(devices).where(devices.c.id == bindparam("a_device_id")).values(status=bindparam("to"))
)
_MARK = (
    update(items)
    .where(items.c.id == bindparam("item"), items.c.done_at.is_(None))
    .values(done_at=bindparam("s_at"), done_scan_id=bindparam("s_id"))
)
MARK = _MARK.returning(items.c.id)  # "may": if no station has
_LAPTOP: Any = literal_column(f"'{DeviceKind.LAPTOP.value}'")  # a constant: plain SQL below
# "must": the item, and the allocation only if the laptop and the student are still free. On
# PostgreSQL this statement sees what another station committed while this one waited for the
# row locks (the read above may not), so a lost race writes nothing it keeps.
_laptop_out = exists().where(
    assignments.c.device_id == bindparam("a_device_id"), assignments.c.ended_at.is_(None)
)
_student_has_one = exists().where(
    assignments.c.student_id == bindparam("a_student_id"),
    assignments.c.ended_at.is_(None),
    _kind_of(assignments.c.device_id) == _LAPTOP,
)
MARK_MUST = _MARK.where(~_laptop_out, ~_student_has_one).returning(items.c.id)

_told: dict[tuple[str, int], Select] = {}


def _in_one(
    key: tuple[str, int], marked: Update | None, parts: tuple[Insert | Update, ...]
) -> Select:
    if key not in _told:
        channel: Any = literal_column(f"'{CHANNEL}'")  # a constant of ours: no quote in it
        word: list[Any] = [func.pg_notify(channel, bindparam("changes_word"))]
        ctes = [part.cte() for part in parts]
        if marked is not None:
            cte = marked.cte("marked")
            word.append(select(func.count()).select_from(cte).scalar_subquery())
            ctes.append(cte)
        _told[key] = select(*word).add_cte(*ctes)
    return _told[key]


def write_marked(
    conn: Connection,
    audit_count: int,
    *,
    allocate: bool = False,
    mark: Update | None,
    params: dict[str, object],
    also: tuple[str, Insert | Update] | None = None,
) -> bool:
    """PostgreSQL: the scan row, the allocation and the device's status when ``allocate`` (or
    the named statement ``also``), the item marked by ``mark`` (MARK or MARK_MUST, or one of
    the caller's, or none), the audit rows and the word to the other stations, in one
    statement; whether the item was marked."""
    parts: tuple[Insert | Update, ...] = (audit_rows(audit_count), INSERT_SCAN)
    if allocate:
        parts += (INSERT_ASSIGNMENT, SET_STATUS)
    if also is not None:
        parts += (also[1],)
    mark_key = "none" if mark is None else str(id(mark))
    key = (f"{allocate}-{mark_key}-{also[0] if also else ''}", audit_count)
    sql = sql_of(_in_one(key, mark, parts), conn)
    changed = conn.get_execution_options().get(CHANGED)
    tables = set(changed or ()) | set(tables_written(sql))
    word = payload_of(tables, current_station())
    row = conn.exec_driver_sql(sql, plain(params) | {"changes_word": word}).one()
    if changed is not None:
        changed.clear()  # said: announce() has nothing more to send
    return mark is not None and bool(row[1])


def student_of(row: Any) -> StudentSummary:
    """The student of a quick read's row (its ``student_id``... columns)."""
    return student_summary(
        StudentRow(
            id=row.student_id, card_code=row.card_code, first_name=row.first_name,
            last_name=row.last_name, form=row.form, year_group=row.year_group,
            status=row.student_status, left_on=None,
        )
    )  # fmt: skip


def device_of(row: Any, status: DeviceStatus) -> DeviceSummary:
    """The device of a quick read's row (its ``device_id``... columns), with its status now."""
    return device_summary(
        DeviceRow(
            id=row.device_id, asset_tag=row.asset_tag, serial=row.serial, make=row.make,
            model=row.model, kind=row.device_kind, pool=row.pool, status=status,
            warranty_until=None, location=row.device_location,
        )
    )  # fmt: skip
