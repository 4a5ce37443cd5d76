"""A ticket moved on at the bench (one step along its open states, no note) as a few plain SQL
statements: the staff member and the locked ticket with everything its card shows (device,
student, technician, claim and cover, latest swap loan, parts, photos and payments) in one
query; the lifecycle's rules (lifecycle.py, the same as the general path's); then the ticket's
change, the laptop's status if it changes, and their audit rows, on PostgreSQL as one statement.

Only tickets.move_ticket calls this, the one entry of the action. A move the lifecycle refuses is
raised here in the general path's words; anything else out of the plain case (a closing move,
a note, a ticket or staff member not found) answers ``None`` and the general path decides, so
the two never disagree (tests/services/test_quick_moves.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, Text, bindparam, cast, func, select, update

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import CLOSED_TICKET_STATES, PaymentMethod, TicketState
from helpdesk.domain.models import (
    Claim,
    Device,
    Loan,
    Staff,
    Student,
    Ticket,
    TicketPart,
    TicketPhoto,
    table_of,
)
from helpdesk.domain.payments import Payment
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.permissions import require
from helpdesk.services.core.records import expected_status
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import PaymentInfo, TicketInfo, ticket_info_of
from helpdesk.services.counter.card_reads import _TICKET
from helpdesk.services.counter.card_rows import (
    ClaimRow,
    DeviceRef,
    DeviceRow,
    LoanRow,
    PartRow,
    PeriodRow,
    SchemeRow,
    StudentRef,
    StudentRow,
    TicketRow,
    UserRow,
    row_of,
)
from helpdesk.services.counter.quick_loans import SET_STATUS, audit_rows
from helpdesk.services.repairs.lifecycle import check_paid, check_transition

tickets, devices, staff, loans = table_of(Ticket), table_of(Device), table_of(Staff), table_of(Loan)
claims, parts, photos, payments = (
    table_of(Claim),
    table_of(TicketPart),
    table_of(TicketPhoto),
    table_of(Payment),
)
mover = staff.alias("mover")
swap_loan, swap_device = loans.alias("swap_loan"), devices.alias("swap_device")
swap_student = table_of(Student).alias("swap_student")
issuer, returner = staff.alias("swap_issuer"), staff.alias("swap_returner")
taker, reverser = staff.alias("payment_taker"), staff.alias("payment_reverser")


def _as_json(dialect: str, rows: Select) -> Any:
    """The rows as one JSON array of arrays, in their order (a scalar subquery)."""
    inner = rows.subquery()
    if dialect == "postgresql":
        array: Any = cast(func.json_agg(func.json_build_array(*inner.c)), Text)
    else:
        array = func.json_group_array(func.json_array(*inner.c))
    return select(array).scalar_subquery()


def _find(dialect: str) -> Select:
    """The mover and the ticket's card, the ticket locked; lists as JSON (one statement)."""
    ticket: Any = bindparam("ticket")
    latest = select(func.max(loans.c.id)).where(loans.c.ticket_id == ticket).scalar_subquery()
    the_parts = (
        select(parts.c.id, parts.c.description, parts.c.part_number, parts.c.quantity,
               parts.c.unit_cost_pence)
        .where(parts.c.ticket_id == ticket)
        .order_by(parts.c.id)
    )  # fmt: skip
    the_photos = (
        select(photos.c.id, photos.c.path).where(photos.c.ticket_id == ticket).order_by(photos.c.id)
    )
    the_payments = (
        select(
            payments.c.id, payments.c.amount_pence, payments.c.method, payments.c.receipt_number,
            payments.c.taken_at, taker.c.username, payments.c.reversed_at, reverser.c.username,
            payments.c.reversal_reason,
        )
        .join(claims, claims.c.id == payments.c.claim_id)
        .join(taker, taker.c.id == payments.c.taken_by_id)
        .outerjoin(reverser, reverser.c.id == payments.c.reversed_by_id)
        .where(claims.c.ticket_id == ticket)
        .order_by(payments.c.id)
    )  # fmt: skip
    return (
        _TICKET.add_columns(
            mover.c.id.label("mover_id"),
            mover.c.username.label("mover"),
            mover.c.role.label("mover_role"),
            mover.c.active.label("mover_active"),
            *[c.label(f"l_{c.name}") for c in swap_loan.c],
            *[c.label(f"ld_{c.name}") for c in swap_device.c],
            *[c.label(f"ls_{c.name}") for c in swap_student.c],
            issuer.c.username.label("issued_by"),
            returner.c.username.label("returned_to"),
            _as_json(dialect, the_parts).label("parts_json"),
            _as_json(dialect, the_photos).label("photos_json"),
            _as_json(dialect, the_payments).label("payments_json"),
        )
        .join(mover, mover.c.username == bindparam("actor"))
        .outerjoin(swap_loan, swap_loan.c.id == latest)
        .outerjoin(swap_device, swap_device.c.id == swap_loan.c.device_id)
        .outerjoin(swap_student, swap_student.c.id == swap_loan.c.student_id)
        .outerjoin(issuer, issuer.c.id == swap_loan.c.issued_by_id)
        .outerjoin(returner, returner.c.id == swap_loan.c.returned_to_id)
        .where(tickets.c.id == ticket)
        .with_for_update(of=tickets)
    )


FIND = {dialect: _find(dialect) for dialect in ("sqlite", "postgresql")}
MOVE = (
    update(tickets)
    .where(tickets.c.id == bindparam("ticket"))
    .values(
        state=bindparam("to"),
        state_changed_at=bindparam("at"),
        technician_id=bindparam("technician"),
    )
)
MOVE_IN_ONE = {  # PostgreSQL: the move, the laptop's status if it changes, and the audit rows
    1: audit_rows(1).add_cte(MOVE.cte()),
    2: audit_rows(2).add_cte(MOVE.cte()).add_cte(SET_STATUS.cte()),
}


def _listed(text: str | None) -> list[list[Any]]:
    return sorted((r for r in json.loads(text or "[]") if r[0] is not None), key=lambda r: r[0])


def _when(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def quick_move(
    factory: SessionFactory,
    actor: str,
    ticket_id: int,
    target: TicketState,
    *,
    now: datetime | None,
) -> TicketInfo | None:
    """Move ticket ``ticket_id`` to ``target`` (an open state) as move_ticket does, or ``None``
    when it is not the plain case."""
    if target in CLOSED_TICKET_STATES:
        return None
    moment = now or datetime.now().replace(microsecond=0)
    # The staff member is checked in the statement below, not by the unit of work.
    with unit_of_work(factory, None, action="ticket.move", now=moment) as session:
        conn = session.connection()
        query = FIND.get(conn.dialect.name)
        if query is None:
            return None
        row = conn.execute(query, {"ticket": ticket_id, "actor": actor}).first()
        if row is None or not row.mover_active:
            return None  # the general path names what is missing, or who is inactive
        require(row.mover_role, "ticket.move")
        current = row.t_state
        check_transition(row.t_id, current, target)
        if row.c_id is not None:
            check_paid(row.t_id, current, target, row.c_charge_status, row.c_charge_pence)
        return _move(conn, row, target, moment)


def _move(conn: Connection, row: Any, target: TicketState, moment: datetime) -> TicketInfo:
    """Write the move with its audit rows; the ticket's card after it."""
    technician_id = row.t_technician_id
    technician = row.technician
    if target is TicketState.DIAGNOSING and technician_id is None:
        technician_id, technician = row.mover_id, row.mover
    before: dict[str, Any] = {"state": row.t_state}
    after: dict[str, Any] = {"state": target}
    if moment != row.t_state_changed_at:
        before["state_changed_at"], after["state_changed_at"] = row.t_state_changed_at, moment
    if technician_id != row.t_technician_id:
        before["technician_id"], after["technician_id"] = row.t_technician_id, technician_id
    audit = [audit_row(moment, row.mover_id, "update", "tickets", row.t_id, before, after)]
    # still open: the ticket alone decides the laptop's status (as settle_status is told)
    status = expected_status(row.d_status, has_open_loan=False,
                             open_ticket_category=row.t_damage_category, assigned=False)  # fmt: skip
    moved = {"device": row.d_id, "to": status}
    if status is not row.d_status:
        audit.append(audit_row(moment, row.mover_id, "update", "devices", row.d_id,
                               {"status": row.d_status}, {"status": status}))  # fmt: skip
    change = {"ticket": row.t_id, "to": target, "at": moment, "technician": technician_id}
    if conn.dialect.name == "postgresql":
        params = {f"{k}_{n}": v for n, entry in enumerate(audit) for k, v in entry.items()}
        params |= change | (moved if len(audit) == 2 else {})
        write_in_one(conn, MOVE_IN_ONE[len(audit)], params)
    else:
        conn.execute(MOVE, change)
        if len(audit) == 2:
            conn.execute(SET_STATUS, moved)
        conn.execute(audit_rows(len(audit)), {f"{k}_{n}": v for n, entry in enumerate(audit)
                                               for k, v in entry.items()})  # fmt: skip
    return _card(row, target, moment, technician, status)


def _card(
    row: Any, target: TicketState, moment: datetime, technician: str | None, status: Any
) -> TicketInfo:
    device = row_of(DeviceRow, row, "d_", status=status)
    student = None if row.s_id is None else row_of(StudentRow, row, "s_")
    ticket = row_of(
        TicketRow, row, "t_", state=target, state_changed_at=moment, device=device,
        student=student, technician=None if technician is None else UserRow(technician),
    )  # fmt: skip
    claim = None
    if row.c_id is not None:
        period = None
        if row.p_id is not None:
            period = row_of(PeriodRow, row, "p_", scheme=SchemeRow(row.scheme_name))
        claim = row_of(ClaimRow, row, "c_", cover_period=period)
    swap = None
    if row.l_id is not None:
        swap = row_of(
            LoanRow, row, "l_", device=row_of(DeviceRef, row, "ld_"),
            student=row_of(StudentRef, row, "ls_"), issued_by=UserRow(row.issued_by),
            returned_to=None if row.returned_to is None else UserRow(row.returned_to),
        )  # fmt: skip
    part_rows = [PartRow(*p) for p in _listed(row.parts_json)]
    paths = [p[1] for p in _listed(row.photos_json)]
    paid = tuple(
        PaymentInfo(id=p[0], amount_pence=p[1], method=PaymentMethod(p[2]),
                    receipt_number=p[3], taken_at=_when(p[4]) or moment, taken_by=p[5],
                    reversed_at=_when(p[6]), reversed_by=p[7] or "", reversal_reason=p[8])
        for p in _listed(row.payments_json)
    )  # fmt: skip
    return ticket_info_of(ticket, claim, swap, part_rows, paths, paid)
