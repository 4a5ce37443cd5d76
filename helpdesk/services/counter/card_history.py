"""A scanned device's brief history (its latest loans, its assignments and its latest tickets,
each with its student) read in one statement, as the records history.rows_of formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Select,
    String,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
)

from helpdesk.domain.enums import Condition, DamageCategory, LoanType, TicketState
from helpdesk.services.core.shapes import Tagged
from helpdesk.services.counter.card_reads import assignments, loans, students, tickets


def _branch(kind: str, table: Any, values: dict[str, Any], order: Any, limit: Any) -> Select:
    """One kind of event of a device's history in the columns all kinds share (enums as text,
    missing values as typed NULLs), newest first, as a subquery so that it may have a limit."""
    shared = {
        "kind": literal_column(f"'{kind}'"),
        "id": table.c.id,
        "at": values["at"],
        "due": values.get("due", cast(null(), DateTime)),
        "ended": values["ended"],
        "what": cast(values.get("what", null()), String),
        "how": cast(values.get("how", null()), String),
        "state": cast(values.get("state", null()), String),
        "s_id": students.c.id,
        "s_first_name": students.c.first_name,
        "s_last_name": students.c.last_name,
        "s_form": students.c.form,
    }
    query = (
        select(*(column.label(name) for name, column in shared.items()))
        .select_from(table)
        .outerjoin(students, students.c.id == table.c.student_id)
        .where(table.c.device_id == bindparam("id"))
        .order_by(order.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return select(query.subquery())


DEVICE_HISTORY = union_all(
    _branch(
        "loan",
        loans,
        {
            "at": loans.c.issued_at,
            "due": loans.c.due_at,
            "ended": loans.c.returned_at,
            "what": loans.c.loan_type,
            "how": loans.c.condition_in,
        },
        loans.c.issued_at,
        bindparam("limit"),
    ),
    _branch(
        "assignment",
        assignments,
        {"at": assignments.c.started_at, "ended": assignments.c.ended_at},
        assignments.c.id,
        None,
    ),
    _branch(
        "ticket",
        tickets,
        {
            "at": tickets.c.opened_at,
            "ended": tickets.c.closed_at,
            "what": tickets.c.damage_category,
            "how": tickets.c.fault,
            "state": tickets.c.state,
        },
        tickets.c.opened_at,
        bindparam("limit"),
    ),
)


@dataclass(frozen=True)
class StudentColumns:
    """The student of an event, as the statement reads it."""

    id: int
    first_name: str
    last_name: str
    form: str


@dataclass(frozen=True)
class LoanEvent:
    id: int
    issued_at: datetime
    due_at: datetime
    returned_at: datetime | None
    loan_type: LoanType
    condition_in: Condition | None
    student: StudentColumns
    device: Tagged


@dataclass(frozen=True)
class AssignmentEvent:
    id: int
    started_at: datetime
    ended_at: datetime | None
    student: StudentColumns
    device: Tagged


@dataclass(frozen=True)
class TicketEvent:
    id: int
    opened_at: datetime
    closed_at: datetime | None
    damage_category: DamageCategory
    fault: str
    state: TicketState
    student: StudentColumns | None
    device: Tagged


def _student(row: Any) -> StudentColumns | None:
    if row.s_id is None:
        return None
    return StudentColumns(row.s_id, row.s_first_name, row.s_last_name, row.s_form)


def device_history_records(
    conn: Connection, device: Tagged, device_id: int, limit: int
) -> tuple[list[LoanEvent], list[AssignmentEvent], list[TicketEvent]]:
    """The device's latest loans, its assignments and its latest tickets, each with its student,
    in one statement, as the records history.rows_of takes (a device's brief history)."""
    found_loans: list[LoanEvent] = []
    found_assignments: list[AssignmentEvent] = []
    found_tickets: list[TicketEvent] = []
    for row in conn.execute(DEVICE_HISTORY, {"id": device_id, "limit": limit}):
        student = _student(row)
        if row.kind == "loan":
            assert student is not None  # a loan is always to a student
            found_loans.append(
                LoanEvent(
                    id=row.id,
                    issued_at=row.at,
                    due_at=row.due,
                    returned_at=row.ended,
                    loan_type=LoanType(row.what),
                    condition_in=Condition(row.how) if row.how else None,
                    student=student,
                    device=device,
                )
            )
        elif row.kind == "assignment":
            assert student is not None  # an assignment is always to a student
            found_assignments.append(
                AssignmentEvent(row.id, row.at, row.ended, student=student, device=device)
            )
        else:
            found_tickets.append(
                TicketEvent(
                    id=row.id,
                    opened_at=row.at,
                    closed_at=row.ended,
                    damage_category=DamageCategory(row.what),
                    fault=row.how,
                    state=TicketState(row.state),
                    student=student,
                    device=device,
                )
            )
    return found_loans, found_assignments, found_tickets
