"""Why a quick day loan out (quick_loans.py) cannot be made, told in the same transaction.

The quick path's one query has already read the device, the student, their open loans and
whether they owe: when those show a refusal, it is raised here with the general path's exception
and sentence (the builders of lending.py), in the order of ``lending.check_can_lend``, so a
refused loan costs one transaction, not a quick one and then the general one. What the sentence
needs beyond that query (the holder's name, the student's open loans, what they owe) is read
here. When the rows show no refusal this returns, and when a sentence cannot be worded exactly
(a row gone between two statements, a charge already paid) the caller falls back to the
general path as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.errors import Refused
from helpdesk.domain.models import Device, Loan, Staff, Student, table_of
from helpdesk.services.core.codes import loan_code
from helpdesk.services.core.settings import SchoolSettings
from helpdesk.services.core.views import unpaid_pence
from helpdesk.services.counter.lending import (
    at_the_limit,
    has_left,
    not_in_stock,
    not_in_the_pool,
    on_loan_to,
    owes,
)

devices, students, loans = table_of(Device), table_of(Student), table_of(Loan)
staff = table_of(Staff)


def holder_columns(device: Any) -> tuple[Any, ...]:  # noqa: ANN401 - a column or a parameter
    """Who has ``device`` now (the first name, last name and form of its open loan's student,
    NULL when it is in), as columns of a query that reads more, so that the refusal "already on
    loan to ..." costs no statement of its own."""
    return tuple(
        select(column)
        .select_from(loans)
        .join(students, students.c.id == loans.c.student_id)
        .where(loans.c.device_id == device, loans.c.returned_at.is_(None))
        .limit(1)
        .scalar_subquery()
        .label(f"holder_{column.name}")
        for column in (students.c.first_name, students.c.last_name, students.c.form)
    )


@dataclass(frozen=True)
class _Holder:
    first_name: str
    last_name: str
    form: str


def _holder_in(row: Any) -> _Holder | None:  # noqa: ANN401 - a row of the quick path
    """The holder read with ``row`` by :func:`holder_columns`, if it was."""
    first = getattr(row, "holder_first_name", None)
    if first is None:
        return None
    return _Holder(first, row.holder_last_name, row.holder_form)


HOLDER = (  # who has the device now
    select(students.c.first_name, students.c.last_name, students.c.form)
    .select_from(loans)
    .join(students, students.c.id == loans.c.student_id)
    .where(loans.c.device_id == bindparam("device"), loans.c.returned_at.is_(None))
    .limit(1)
)
OPEN_TAGS = (  # the student's open loans, in the order the general path lists them
    select(devices.c.asset_tag)
    .select_from(loans)
    .join(devices, devices.c.id == loans.c.device_id)
    .where(loans.c.student_id == bindparam("student"), loans.c.returned_at.is_(None))
    .order_by(loans.c.issued_at, loans.c.id)
)


def refuse_as_the_general_path(
    session: Session, found: Any, held: Any, settings: SchoolSettings
) -> None:
    """Raise what ``check_can_lend`` would raise for these rows, or return. ``found``: the
    quick path's row (device columns, the student's as ``student_id``, ``first_name``,
    ``last_name``, ``form``, ``student_status``, ``left_on``); ``held``: its ``device_out``,
    ``student_loans`` and ``owes`` (and the holder's name, when read with them:
    :func:`holder_columns`)."""
    tag = found.asset_tag
    if found.pool is not DevicePool.LOAN:
        raise not_in_the_pool(tag)
    conn = session.connection()
    if held.device_out:
        holder = _holder_in(held) or conn.execute(HOLDER, {"device": found.id}).first()
        if holder is None:
            return  # returned in between: the general path decides
        raise on_loan_to(tag, holder)
    if found.status is not DeviceStatus.IN_STOCK:
        raise not_in_stock(tag, found.status)
    if found.student_status is StudentStatus.LEFT:
        raise has_left(found, found.left_on)
    if held.student_loans >= settings.loan_limit:
        tags = list(conn.execute(OPEN_TAGS, {"student": found.student_id}).scalars())
        if len(tags) >= settings.loan_limit:
            raise at_the_limit(found, tags, settings.loan_limit)
        return
    if settings.block_loans_with_unpaid_charges and held.owes:
        owed = unpaid_pence(session, found.student_id)
        if owed > 0:
            raise owes(found, owed)


RETURNED = (  # a loan slip scanned again: the loan as it is now, and whether the staff member is
    select(loans.c.id, loans.c.returned_at, devices.c.asset_tag)
    .select_from(loans)
    .join(devices, devices.c.id == loans.c.device_id)
    .join(staff, staff.c.username == bindparam("actor"))
    .where(loans.c.id == bindparam("loan"), staff.c.active.is_(True))
)


def refuse_a_second_return(conn: Connection, loan_id: int, actor: str) -> None:
    """A loan back by its slip that the quick path found no open loan for: when the loan was
    returned already (another counter took it back first), raise what the general path raises
    (loans._loan_to_return), in this transaction; otherwise return, and the general path
    decides. ``actor`` must be an active staff member (any may take a loan back)."""
    row = conn.execute(RETURNED, {"loan": loan_id, "actor": actor}).first()
    if row is not None and row.returned_at is not None:
        raise Refused(
            f"{loan_code(row.id)} ({row.asset_tag}) was already returned on "
            f"{row.returned_at:%d/%m/%Y at %H:%M}."
        )
