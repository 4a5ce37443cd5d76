"""Read-only queries for the main window: counts for the status bar, the audit trail of a record,
and whether the database is still empty (first run). Plain dataclasses out; no Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus, LoanType, StudentStatus
from helpdesk.domain.models import AuditEntry, Device, Loan, Staff, Student
from helpdesk.services.core.unit_of_work import read_session


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    action: str
    entity: str
    entity_id: int | None
    changes: str  # "status: in_stock -> on_loan; notes: '' -> 'x'"


def database_is_empty(factory) -> bool:  # noqa: ANN001 - the services' session factory
    """True when the school has neither students nor devices yet (the first run)."""
    with read_session(factory) as session:
        has_student = session.scalar(select(Student.id).limit(1)) is not None
        has_device = session.scalar(select(Device.id).limit(1)) is not None
    return not (has_student or has_device)


def loans_due_today(factory, today: date | None = None) -> tuple[int, int]:  # noqa: ANN001
    """(open loans due today, open loans already overdue) for the status bar."""
    now = datetime.now().replace(microsecond=0)
    today = today or now.date()
    start = datetime.combine(today, time.min)
    end = start + timedelta(days=1)
    with read_session(factory) as session:
        due = session.scalar(
            select(func.count(Loan.id)).where(
                Loan.returned_at.is_(None), Loan.due_at >= start, Loan.due_at < end
            )
        )
        overdue = session.scalar(
            select(func.count(Loan.id)).where(Loan.returned_at.is_(None), Loan.due_at < now)
        )
    return int(due or 0), int(overdue or 0)


def _describe_changes(action: str, before: str | None, after: str | None) -> str:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if action == "insert":
        shown = {k: v for k, v in new.items() if v not in (None, "") and k != "id"}
        return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
    if action == "delete":
        return "removed"
    keys = sorted(set(old) | set(new))
    return "; ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys)


def audit_trail(
    factory,  # noqa: ANN001
    entity: str,
    entity_id: int,
    *,
    related: dict[str, list[int]] | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """Every audit entry of one record (``entity`` is the table, e.g. 'devices'), newest first.

    ``related`` adds the entries of linked records, e.g. ``{"loans": [3, 9]}``.
    """
    wanted = [(entity, [entity_id])] + list((related or {}).items())
    rows: list[AuditRow] = []
    with read_session(factory) as session:
        for table, ids in wanted:
            if not ids:
                continue
            result = session.execute(
                select(AuditEntry, Staff.username)
                .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
                .where(AuditEntry.entity == table, AuditEntry.entity_id.in_(ids))
                .order_by(AuditEntry.id.desc())
                .limit(limit)
            )
            for entry, username in result:
                rows.append(
                    AuditRow(
                        at=entry.at,
                        who=username or "system",
                        action=entry.action,
                        entity=entry.entity,
                        entity_id=entry.entity_id,
                        changes=_describe_changes(entry.action, entry.before, entry.after),
                    )
                )
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]


# --- pages for the students and devices lists ---------------------------------------------------


@dataclass(frozen=True)
class DeviceRow:
    id: int
    asset_tag: str
    serial: str
    make: str
    model: str
    kind: DeviceKind
    pool: DevicePool
    status: DeviceStatus
    holder: str  # "Anna Smith (7A)" or ""
    holder_via: str  # "assigned" | "loan" | ""
    location: str = ""  # its place (room, cart, cupboard), or ""


@dataclass(frozen=True)
class StudentRow:
    id: int
    card_code: str
    first_name: str
    last_name: str
    year_group: int
    form: str
    status: StudentStatus
    device: str  # asset tag(s) of the assigned device(s)
    open_loans: int


def _like(query: str) -> str:
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def device_page(
    factory, query: str, offset: int, limit: int, with_total: bool = True
) -> tuple[list[DeviceRow], int | None]:  # noqa: ANN001
    """Devices whose tag, serial, make, model or place contains ``query``, by tag; and how many
    match."""
    from sqlalchemy import or_

    where = []
    if query.strip():
        pattern = _like(query)
        where.append(
            or_(
                Device.asset_tag.ilike(pattern, escape="\\"),
                Device.serial.ilike(pattern, escape="\\"),
                Device.model.ilike(pattern, escape="\\"),
                Device.make.ilike(pattern, escape="\\"),
                Device.location.ilike(pattern, escape="\\"),
            )
        )
    with read_session(factory) as session:
        total = session.scalar(select(func.count(Device.id)).where(*where)) if with_total else None
        devices = session.execute(
            select(
                Device.id,
                Device.asset_tag,
                Device.serial,
                Device.make,
                Device.model,
                Device.kind,
                Device.pool,
                Device.status,
                Device.location,
            )
            .where(*where)
            .order_by(Device.asset_tag)
            .offset(offset)
            .limit(limit)
        ).all()
        ids = [d.id for d in devices]
        holders: dict[int, tuple[str, str]] = {}
        if ids:
            from helpdesk.domain.models import Assignment

            for device_id, first, last, form in session.execute(
                select(Assignment.device_id, Student.first_name, Student.last_name, Student.form)
                .join(Student, Student.id == Assignment.student_id)
                .where(Assignment.device_id.in_(ids), Assignment.ended_at.is_(None))
            ):
                holders[device_id] = (f"{first} {last} ({form})", "assigned")
            for device_id, first, last, form in session.execute(
                select(Loan.device_id, Student.first_name, Student.last_name, Student.form)
                .join(Student, Student.id == Loan.student_id)
                .where(Loan.device_id.in_(ids), Loan.returned_at.is_(None))
            ):
                holders[device_id] = (f"{first} {last} ({form})", "loan")
    rows = [
        DeviceRow(
            id=d.id,
            asset_tag=d.asset_tag,
            serial=d.serial,
            make=d.make,
            model=d.model,
            kind=d.kind,
            pool=d.pool,
            status=d.status,
            holder=holders.get(d.id, ("", ""))[0],
            holder_via=holders.get(d.id, ("", ""))[1],
            location=d.location or "",
        )
        for d in devices
    ]
    return rows, None if total is None else int(total)


def student_page(
    factory, query: str, offset: int, limit: int, with_total: bool = True
) -> tuple[list[StudentRow], int | None]:  # noqa: ANN001
    """Students whose name, card code or form contains ``query``, by surname; and how many."""
    from sqlalchemy import or_

    from helpdesk.domain.models import Assignment

    where = []
    if query.strip():
        pattern = _like(query)
        where.append(
            or_(
                Student.last_name.ilike(pattern, escape="\\"),
                Student.first_name.ilike(pattern, escape="\\"),
                (Student.first_name + " " + Student.last_name).ilike(pattern, escape="\\"),
                Student.card_code.ilike(pattern, escape="\\"),
                Student.form.ilike(pattern, escape="\\"),
            )
        )
    with read_session(factory) as session:
        total = session.scalar(select(func.count(Student.id)).where(*where)) if with_total else None
        students = list(
            session.scalars(
                select(Student)
                .where(*where)
                .order_by(Student.last_name, Student.first_name, Student.id)
                .offset(offset)
                .limit(limit)
            )
        )
        ids = [s.id for s in students]
        devices: dict[int, list[str]] = {}
        loans: dict[int, int] = {}
        if ids:
            for student_id, tag in session.execute(
                select(Assignment.student_id, Device.asset_tag)
                .join(Device, Device.id == Assignment.device_id)
                .where(
                    Assignment.student_id.in_(ids),
                    Assignment.ended_at.is_(None),
                    Device.kind == DeviceKind.LAPTOP,
                )
            ):
                devices.setdefault(student_id, []).append(tag)
            for student_id, count in session.execute(
                select(Loan.student_id, func.count(Loan.id))
                .where(Loan.student_id.in_(ids), Loan.returned_at.is_(None))
                .group_by(Loan.student_id)
            ):
                loans[student_id] = int(count)
        rows = [
            StudentRow(
                id=s.id,
                card_code=s.card_code,
                first_name=s.first_name,
                last_name=s.last_name,
                year_group=s.year_group,
                form=s.form,
                status=s.status,
                device=", ".join(sorted(devices.get(s.id, []))),
                open_loans=loans.get(s.id, 0),
            )
            for s in students
        ]
    return rows, None if total is None else int(total)


def record_audit_trail(factory, kind: str, record_id: int, limit: int = 500) -> list[AuditRow]:  # noqa: ANN001
    """The audit trail of a student or a device with its loans, assignments and tickets."""
    from helpdesk.domain.models import Assignment, Claim, CoverPeriod, Ticket

    column = {"student": "student_id", "device": "device_id"}[kind]
    related: dict[str, list[int]] = {}
    with read_session(factory) as session:
        for model in (Loan, Assignment, Ticket):
            related[model.__tablename__] = list(
                session.scalars(select(model.id).where(getattr(model, column) == record_id))
            )
        if kind == "student":
            for owned in (CoverPeriod, Claim):
                related[owned.__tablename__] = list(
                    session.scalars(select(owned.id).where(owned.student_id == record_id))
                )
    entity = "students" if kind == "student" else "devices"
    return audit_trail(factory, entity, record_id, related=related, limit=limit)


# --- the overdue list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OverdueRow:
    loan_id: int
    student: str
    card_code: str
    year_group: int
    form: str
    asset_tag: str
    model: str
    loan_type: LoanType
    issued_at: datetime
    due_at: datetime
    days_overdue: int


def overdue_rows(
    factory,  # noqa: ANN001
    *,
    form: str | None = None,
    year_group: int | None = None,
    now: datetime | None = None,
) -> list[OverdueRow]:
    """Open loans past their due time, the most recently due first; optionally one form or year."""
    now = now or datetime.now().replace(microsecond=0)
    query = (
        select(
            Loan.id,
            Loan.loan_type,
            Loan.issued_at,
            Loan.due_at,
            Student.first_name,
            Student.last_name,
            Student.card_code,
            Student.year_group,
            Student.form,
            Device.asset_tag,
            Device.make,
            Device.model,
        )
        .join(Student, Student.id == Loan.student_id)
        .join(Device, Device.id == Loan.device_id)
        .where(Loan.returned_at.is_(None), Loan.due_at < now)
        .order_by(Loan.due_at.desc(), Loan.id.desc())
    )
    if form:
        query = query.where(Student.form == form)
    if year_group is not None:
        query = query.where(Student.year_group == year_group)
    with read_session(factory) as session:
        return [
            OverdueRow(
                loan_id=row.id,
                student=f"{row.first_name} {row.last_name}",
                card_code=row.card_code,
                year_group=row.year_group,
                form=row.form,
                asset_tag=row.asset_tag,
                model=f"{row.make} {row.model}".strip(),
                loan_type=row.loan_type,
                issued_at=row.issued_at,
                due_at=row.due_at,
                days_overdue=(now.date() - row.due_at.date()).days,
            )
            for row in session.execute(query)
        ]


def forms_and_years(factory) -> tuple[list[str], list[int]]:  # noqa: ANN001
    """The forms and year groups of active students, for filter lists."""
    from helpdesk.domain.enums import StudentStatus

    with read_session(factory) as session:
        forms = list(
            session.scalars(
                select(Student.form)
                .where(Student.status == StudentStatus.ACTIVE)
                .distinct()
                .order_by(Student.form)
            )
        )
        years = list(
            session.scalars(
                select(Student.year_group)
                .where(Student.status == StudentStatus.ACTIVE)
                .distinct()
                .order_by(Student.year_group)
            )
        )
    return forms, years
