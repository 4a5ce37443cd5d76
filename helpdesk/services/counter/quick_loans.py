"""The counter's two commonest actions, a day loan out and a loan back in good order, as a few
plain SQL statements: the acting staff member, the device and the student in one locked query,
the rules, then the change and its audit rows. Nothing else is loaded.

Only loans.py calls these, from inside ``issue_loan`` and ``return_loan``, the one entry of each
action for every caller (the counter with ids, the command line with codes). A refusal of a loan
out that the first query already shows (the loaner out to someone, the student at the limit...)
is raised at once in the general path's words and order (quick_refusals.py). Otherwise each
function answers ``None`` whenever the action is not the plain case (a typed code in the other
letter case, a clash with another counter...) and the caller runs the general path, so the two
never disagree about the rules: this path only ever does what the general one would have done. The audit rows are made by the same builder as
the ORM's (:func:`helpdesk.domain.audit.audit_row`), station included.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Insert,
    Select,
    bindparam,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import (
    ChargeStatus,
    Condition,
    DevicePool,
    DeviceStatus,
    LoanType,
    StaffRole,
    StudentStatus,
)
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Claim,
    Device,
    Loan,
    Staff,
    Student,
    table_of,
)
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.permissions import needed
from helpdesk.services.core.records import expected_status
from helpdesk.services.core.settings import settings_columns, settings_of_row
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import LoanInfo, loan_info
from helpdesk.services.counter.card_rows import DeviceRef, LoanRow, StudentRef, UserRow, row_of
from helpdesk.services.counter.quick_refusals import (
    holder_columns,
    refuse_a_second_return,
    refuse_as_the_general_path,
)

devices, students, loans, staff = (
    table_of(Device),
    table_of(Student),
    table_of(Loan),
    table_of(Staff),
)
issuer = staff.alias("issuer")
assignments, claims = table_of(Assignment), table_of(Claim)
AUDIT = table_of(AuditEntry)


# The statements are built once, with named parameters: building one costs more than running it.
def _find_for_issue(dialect: str, student_by_id: bool, device_by_id: bool) -> Select:
    """The staff member, the device, the student and the school's settings, in one query; the
    student by card code or id, the device by asset tag or serial (a tag wins) or id."""
    student = students.c.id if student_by_id else students.c.card_code
    query = (
        select(
            staff.c.id.label("staff_id"),
            staff.c.active.label("staff_active"),
            devices,
            students.c.id.label("student_id"),
            students.c.card_code,
            students.c.first_name,
            students.c.last_name,
            students.c.form,
            students.c.status.label("student_status"),
            students.c.left_on,
            *settings_columns(dialect),
            # SQLite holds the write lock from BEGIN, so this query may read the open loans
            # too; PostgreSQL reads them in a statement of its own, after the row locks.
            *(holding(devices.c.id, students.c.id) if dialect == "sqlite" else ()),
        )
        .select_from(devices)
        .join(students, student == bindparam("student"))
        .join(staff, staff.c.username == bindparam("actor"))
        .limit(1)
        .with_for_update(of=[devices, students])
    )
    if device_by_id:
        return query.where(devices.c.id == bindparam("device"))
    code: Any = bindparam("device")
    return query.where(or_(devices.c.asset_tag == code, devices.c.serial == code)).order_by(
        (devices.c.asset_tag == code).desc()
    )


def holding(device: Any, student: Any) -> tuple[Any, ...]:
    """Whether the device is out, how many open loans the student has, whether they owe."""
    return (
        exists()
        .where(loans.c.device_id == device, loans.c.returned_at.is_(None))
        .label("device_out"),
        select(func.count())
        .where(loans.c.student_id == student, loans.c.returned_at.is_(None))
        .scalar_subquery()
        .label("student_loans"),
        exists()
        .where(
            claims.c.student_id == student,
            claims.c.charge_status == ChargeStatus.DUE,
            claims.c.charge_pence > 0,
        )
        .label("owes"),
    )


FIND_FOR_ISSUE = {
    (dialect, student_by_id, device_by_id): _find_for_issue(dialect, student_by_id, device_by_id)
    for dialect in ("sqlite", "postgresql")
    for student_by_id in (False, True)
    for device_by_id in (False, True)
}
# On PostgreSQL the open loans are read after the rows above are locked, in a statement of its
# own: a statement sees what was committed when it began, and a second counter lending to the
# same student must see the first one's loan once it has waited for the lock.
_OPEN_LOANS_AND_CHARGES = holding(bindparam("device"), bindparam("student"))
# PostgreSQL also draws the new loan's number here, so that the loan, the device's status and
# the two audit rows go to the server as one statement.
# (``draw``: true; false draws nothing and reads no row, for warm.py)
OPEN_LOANS_AND_CHARGES = select(
    *_OPEN_LOANS_AND_CHARGES,
    func.nextval(func.pg_get_serial_sequence("loans", "id")).label("next_loan"),
).where(bindparam("draw", type_=Boolean))
# for a refusal: no loan number drawn, and who has the loaner when it is out
OPEN_LOANS_ONLY = select(*_OPEN_LOANS_AND_CHARGES, *holder_columns(bindparam("device")))
SET_STATUS = (
    update(devices).where(devices.c.id == bindparam("device")).values(status=bindparam("to"))
)
INSERT_LOAN = loans.insert()
CLOSE_LOAN = (
    update(loans)
    .where(loans.c.id == bindparam("loan"))
    .values(
        condition_in=bindparam("condition"),
        returned_at=bindparam("at"),
        returned_to_id=bindparam("staff"),
        notes=bindparam("notes_now"),
    )
)
_RETURN_COLUMNS = (
    loans,
    staff.c.id.label("staff_id"),
    staff.c.active.label("staff_active"),
    issuer.c.username.label("issued_by"),
    devices.c.asset_tag,
    devices.c.serial,
    devices.c.make,
    devices.c.model,
    devices.c.status,
    students.c.card_code,
    students.c.first_name,
    students.c.last_name,
    students.c.form,
    exists()
    .where(assignments.c.device_id == loans.c.device_id, assignments.c.ended_at.is_(None))
    .label("assigned"),
)


def _find_for_return(which):  # noqa: ANN001, ANN202
    return (
        select(*_RETURN_COLUMNS)
        .select_from(loans)
        .join(devices, devices.c.id == loans.c.device_id)
        .join(students, students.c.id == loans.c.student_id)
        .join(issuer, issuer.c.id == loans.c.issued_by_id)
        .join(staff, staff.c.username == bindparam("actor"))
        .where(which, loans.c.returned_at.is_(None))
        .limit(2)
        .with_for_update(of=loans)
    )


RETURN_BY_DEVICE = _find_for_return(
    loans.c.device_id.in_(
        select(devices.c.id).where(
            or_(devices.c.asset_tag == bindparam("code"), devices.c.serial == bindparam("code"))
        )
    )
)
RETURN_BY_SLIP = _find_for_return(loans.c.id == bindparam("loan"))


def _now(now: datetime | None) -> datetime:
    return now or datetime.now().replace(microsecond=0)


AUDIT_ROWS = AUDIT.insert()
_AUDIT_COLUMNS = ("at", "staff_id", "action", "entity", "entity_id", "before", "after", "station")


@cache  # one statement per count: in_one's compiled forms are kept per statement
def audit_rows(count: int) -> Insert:
    """An INSERT of ``count`` audit rows, its values named ``<column>_<n>`` (n from 0)."""
    return AUDIT.insert().values(
        [{name: bindparam(f"{name}_{n}") for name in _AUDIT_COLUMNS} for n in range(count)]
    )


ISSUE_IN_ONE = (  # PostgreSQL: the loan, the device's new status and the audit rows at once
    audit_rows(2)
    .add_cte(loans.insert().values({c.name: bindparam(f"l_{c.name}") for c in loans.c}).cte())
    .add_cte(SET_STATUS.cte())
)
RETURN_IN_ONE = {  # PostgreSQL: the loan closed, the audit rows, and the device's new status
    1: audit_rows(1).add_cte(CLOSE_LOAN.cte()),
    2: audit_rows(2).add_cte(CLOSE_LOAN.cte()).add_cte(SET_STATUS.cte()),
}


def _audit(conn: Connection, rows: list[dict]) -> None:
    conn.execute(AUDIT_ROWS, rows)


def _info(loan: dict[str, Any], row: Any, issued_by: str, back_to: str | None) -> LoanInfo:
    """The loan as the services hand it out, through the same builder as every other loan,
    from its columns and the ``row`` that found it (the device's and the student's columns)."""
    names = [f.name for f in fields(LoanRow) if f.name not in _NESTED]
    record = LoanRow(
        **{name: loan[name] for name in names},
        device=row_of(DeviceRef, row, id=loan["device_id"]),
        student=row_of(StudentRef, row, id=loan["student_id"]),
        issued_by=UserRow(issued_by),
        returned_to=None if back_to is None else UserRow(back_to),
    )
    return loan_info(record)


_NESTED = {"device", "student", "issued_by", "returned_to"}


def quick_issue(
    factory: SessionFactory,
    actor: str,
    *,
    student_code: str | None,
    student_id: int | None,
    device_code: str | None,
    device_id: int | None,
    loan_type: LoanType,
    accessories: str,
    condition_out: Condition,
    notes: str,
    school_days: int | None,
    now: datetime | None,
) -> LoanInfo | None:
    """Lend the loaner (by id, or by ``device_code``) to the student (by id, or by card code);
    the general path's refusal when the rows found show one; ``None`` when it is not the plain
    case (the general path then decides). An id wins over a code, as in the general path."""
    student_key = student_id if student_id is not None else (student_code or "").strip()
    device_key = device_id if device_id is not None else (device_code or "").strip()
    if student_key == "" or device_key == "" or loan_type is LoanType.SWAP:
        return None
    if needed("loan.issue") is not StaffRole.COUNTER:
        return None  # the statements below check only that the staff member is active
    moment = _now(now)
    try:
        # The staff member is checked in the statements below, not by the unit of work.
        with unit_of_work(factory, None, action="loan.issue", now=moment) as session:
            conn = session.connection()
            # The staff member, the device (a tag wins over another device's serial), the
            # student and the settings in one query. The device and student rows are locked on
            # PostgreSQL, so two counters lending the same loaner, or to the same student, queue
            # here (SQLite's write lock does the same).
            query = FIND_FOR_ISSUE.get(
                (conn.dialect.name, student_id is not None, device_id is not None)
            )
            if query is None:
                return None
            found = conn.execute(
                query, {"student": student_key, "actor": actor, "device": device_key}
            ).first()
            if found is None or not found.staff_active:
                return None  # the general path names what is missing, or who is inactive
            settings = settings_of_row(found)
            held = found
            if conn.dialect.name == "postgresql":
                plain = (
                    found.pool is DevicePool.LOAN
                    and found.status is DeviceStatus.IN_STOCK
                    and found.student_status is StudentStatus.ACTIVE
                )
                keys = {"device": found.id, "student": found.student_id}
                if plain:
                    held = conn.execute(OPEN_LOANS_AND_CHARGES, keys | {"draw": True}).one()
                else:
                    held = conn.execute(OPEN_LOANS_ONLY, keys).one()
            # A refusal the rows show is raised here, in the general path's words and order.
            refuse_as_the_general_path(session, found, held, settings)
            if (
                found.pool is not DevicePool.LOAN
                or found.status is not DeviceStatus.IN_STOCK
                or found.student_status is not StudentStatus.ACTIVE
                or held.device_out
                or held.student_loans >= settings.loan_limit
                or (settings.block_loans_with_unpaid_charges and held.owes)
            ):
                return None
            due_at = settings.due_at(loan_type, moment, school_days)
            if due_at <= moment or (
                school_days is not None and settings.due_refusal(due_at, moment) is not None
            ):
                return None  # the general path says why
            loan = {
                "device_id": found.id,
                "student_id": found.student_id,
                "loan_type": loan_type,
                "accessories": accessories,
                "accessories_missing": "",
                "condition_out": condition_out,
                "condition_in": None,
                "notes": notes.strip(),
                "issued_at": moment,
                "issued_by_id": found.staff_id,
                "due_at": due_at,
                "returned_at": None,
                "returned_to_id": None,
                "ticket_id": None,
            }
            moved = {"device": found.id, "to": DeviceStatus.ON_LOAN}
            if conn.dialect.name == "postgresql":
                loan["id"] = held.next_loan
            else:
                conn.execute(SET_STATUS, moved)
                key = conn.execute(INSERT_LOAN, loan).inserted_primary_key
                assert key is not None  # an insert of one row
                loan["id"] = key[0]
            audit = [
                audit_row(moment, found.staff_id, "insert", "loans", loan["id"], None, loan),
                audit_row(
                    moment, found.staff_id, "update", "devices", found.id,
                    {"status": DeviceStatus.IN_STOCK}, {"status": DeviceStatus.ON_LOAN},
                ),
            ]  # fmt: skip
            if conn.dialect.name == "postgresql":
                params = {f"{k}_{n}": v for n, row in enumerate(audit) for k, v in row.items()}
                params |= {f"l_{k}": v for k, v in loan.items()} | moved
                write_in_one(conn, ISSUE_IN_ONE, params)
            else:
                _audit(conn, audit)
    except IntegrityError:
        return None  # another counter got there first: the general path says who has it
    return _info(loan, found, actor, None)


def quick_return(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None,
    loan_id: int | None,
    condition: Condition,
    notes: str,
    now: datetime | None,
) -> tuple[LoanInfo, bool] | None:
    """Take back the open loan of ``device_code`` (or the loan ``loan_id``) without damage:
    the loan and whether it was overdue, or ``None`` when it is not the plain case."""
    code = (device_code or "").strip()
    if condition is Condition.DAMAGED or (not code and loan_id is None):
        return None
    if needed("loan.return") is not StaffRole.COUNTER:
        return None  # the statements below check only that the staff member is active
    moment = _now(now)
    if loan_id is not None:
        query, params = RETURN_BY_SLIP, {"loan": loan_id, "actor": actor}
    else:
        query, params = RETURN_BY_DEVICE, {"code": code, "actor": actor}
    with unit_of_work(factory, None, action="loan.return", now=moment) as session:
        conn = session.connection()
        found = conn.execute(query, params).all()
        if not found and loan_id is not None:  # returned already? said in the general words
            refuse_a_second_return(conn, loan_id, actor)
        if len(found) != 1 or not found[0].staff_active or moment < found[0].issued_at:
            return None
        row = found[0]
        changes: dict[str, object] = {
            "condition_in": condition,
            "returned_at": moment,
            "returned_to_id": row.staff_id,
        }
        before: dict[str, object] = dict.fromkeys(changes)
        extra = notes.strip()
        if extra:
            changes["notes"] = f"{row.notes}\n{extra}" if row.notes else extra
            before["notes"] = row.notes
        closing = {
            "loan": row.id,
            "condition": condition,
            "at": moment,
            "staff": row.staff_id,
            "notes_now": changes.get("notes", row.notes),
        }
        audit = [audit_row(moment, row.staff_id, "update", "loans", row.id, before, changes)]
        status = expected_status(
            row.status, has_open_loan=False, open_ticket_category=None, assigned=row.assigned
        )
        moved = {"device": row.device_id, "to": status}
        if status is not row.status:
            audit.append(
                audit_row(
                    moment,
                    row.staff_id,
                    "update",
                    "devices",
                    row.device_id,
                    {"status": row.status},
                    {"status": status},
                )  # fmt: skip
            )
        if conn.dialect.name == "postgresql":
            params = {f"{k}_{n}": v for n, entry in enumerate(audit) for k, v in entry.items()}
            params |= closing | (moved if len(audit) == 2 else {})
            write_in_one(conn, RETURN_IN_ONE[len(audit)], params)
        else:
            conn.execute(CLOSE_LOAN, closing)
            if len(audit) == 2:
                conn.execute(SET_STATUS, moved)
            _audit(conn, audit)
    loan = {column.name: row._mapping[column.name] for column in loans.c} | changes
    return _info(loan, row, row.issued_by, actor), row.due_at < moment
