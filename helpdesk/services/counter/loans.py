"""Loans at the counter: issue a loan laptop and take it back (damage found opens a ticket).

``issue_loan`` and ``return_loan`` are the one way in for every caller: the counter (ids from
its scans, back by the loan's id), the command line (codes as typed), the demo school and the
bench. The plain case (a loan by the school's rules out, a loan back in good order or fair wear
with everything that went out) runs as a few SQL statements in quick_loans.py, which also
refuses a loan out its first query shows cannot be made, in the words of lending.py; anything
else is decided here through the ORM, so a refusal reads the same whoever asked.
The loaner swap and collecting a repaired laptop are in swaps.py (named here too).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.domain.enums import Condition, LoanType
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Device, Loan
from helpdesk.services.core.codes import loan_code, parse_loan_code
from helpdesk.services.core.records import (
    active_assignment_of,
    find_device,
    find_student,
    open_loan_of,
    settle_status,
)
from helpdesk.services.core.unit_of_work import SessionFactory, actor_of, now_of, unit_of_work
from helpdesk.services.core.views import LoanInfo, TicketInfo, loan_info, student_label, ticket_info
from helpdesk.services.counter.accessories import missing_on_return
from helpdesk.services.counter.lending import (
    accessories_of,
    condition_of,
    lend,
    loan_type_of,
    say_who_has_it,
)
from helpdesk.services.counter.quick_loans import quick_issue, quick_return
from helpdesk.services.counter.swaps import SwapInfo, collect, swap
from helpdesk.services.records.history import device_history, student_history
from helpdesk.services.repairs.tickets import DamageReport, book_ticket, photos_read

__all__ = [
    "DamageReport",
    "LoanInfo",
    "ReturnInfo",
    "SwapInfo",
    "collect",
    "device_history",
    "issue_loan",
    "return_loan",
    "student_history",
    "swap",
]


@dataclass(frozen=True)
class ReturnInfo:
    loan: LoanInfo
    ticket: TicketInfo | None  # the repair ticket the damage found opened
    was_overdue: bool


def issue_loan(
    factory: SessionFactory,
    actor: str,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    device_code: str | None = None,
    device_id: int | None = None,
    loan_type: str | LoanType = LoanType.DAY,
    accessories: Iterable[str] = ("charger",),
    due_at: datetime | date | None = None,
    school_days: int | None = None,
    condition_out: str | Condition = Condition.GOOD,
    notes: str = "",
    now: datetime | None = None,
) -> LoanInfo:
    """Lend a loan-pool device to a student; due by the school's rules unless ``due_at`` or
    ``school_days`` says otherwise."""
    kind = loan_type_of(loan_type, school_days)
    if kind is LoanType.SWAP:
        raise ValidationError("A swap loan goes with a repair ticket: use the swap at the counter.")
    condition = condition_of(condition_out, "condition")
    extras = accessories_of(accessories)
    if due_at is None:
        quick = quick_issue(
            factory,
            actor,
            student_code=student_code,
            student_id=student_id,
            device_code=device_code,
            device_id=device_id,
            loan_type=kind,
            accessories=extras,
            condition_out=condition,
            notes=notes,
            school_days=school_days,
            now=now,
        )
        if quick is not None:
            return quick
    try:
        with unit_of_work(factory, actor, action="loan.issue", now=now) as session:
            # The device row is locked first: two counters lending it queue here, and the second
            # then finds the first one's loan (PostgreSQL; SQLite's write lock does the same).
            device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
            student = find_student(
                session, student_code=student_code, student_id=student_id, lock=True
            )
            loan = lend(
                session,
                device,
                student,
                loan_type=kind,
                accessories=extras,
                due_at=due_at,
                school_days=school_days,
                condition_out=condition,
                notes=notes,
            )
            session.flush()
            return loan_info(loan)
    except IntegrityError:
        say_who_has_it(factory, device_id, device_code)
        raise


def _loan_to_return(session: Session, device_code: str | None, loan_id: int | str | None) -> Loan:
    if loan_id is not None:
        number = parse_loan_code(loan_id) if isinstance(loan_id, str) else loan_id
        if number is None and isinstance(loan_id, str) and loan_id.strip().isdigit():
            number = int(loan_id)
        if number is None:
            raise NotFound(f"'{loan_id}' is not a loan slip number (e.g. LOAN-000123).")
        loan = session.scalar(select(Loan).where(Loan.id == number).with_for_update(of=Loan))
        if loan is None:
            raise NotFound(f"There is no loan {loan_code(number)}.")
        if loan.returned_at is not None:
            raise Refused(
                f"{loan_code(loan.id)} ({loan.device.asset_tag}) was already returned on "
                f"{loan.returned_at:%d/%m/%Y at %H:%M}."
            )
        return loan
    code = (device_code or "").strip()
    if code:
        # The usual case in one query: the open loan of the device with this tag or serial,
        # locked (a second counter returning it waits, then finds it returned).
        loan = session.scalar(
            select(Loan)
            .join(Device, Device.id == Loan.device_id)
            .where(Loan.returned_at.is_(None), or_(Device.asset_tag == code, Device.serial == code))
            .with_for_update(of=Loan)
            .limit(1)
        )
        if loan is not None:
            return loan
    device = find_device(session, device_code=device_code, lock=True)
    loan = open_loan_of(session, device.id)
    if loan is None:
        assignment = active_assignment_of(session, device.id)
        if assignment is not None:
            raise Refused(
                f"{device.asset_tag} is not on loan: it is assigned to "
                f"{student_label(assignment.student)}."
            )
        raise Refused(f"{device.asset_tag} is not on loan.")
    return loan


def return_loan(
    factory: SessionFactory,
    actor: str,
    *,
    device_code: str | None = None,
    loan_id: int | str | None = None,
    condition: str | Condition = Condition.GOOD,
    notes: str = "",
    damage: DamageReport | None = None,
    missing: Iterable[str] = (),
    now: datetime | None = None,
) -> ReturnInfo:
    """Take a loan back by device or loan slip; damage found books a repair ticket against the
    student who had it; accessories ``missing`` (of those that went out) stay on the loan."""
    if device_code is None and loan_id is None:
        raise ValidationError("Scan the device or the loan slip to take a loan back.")
    state = condition_of(condition, "condition")
    if state is Condition.DAMAGED and damage is None:
        raise ValidationError("Describe the damage: a damaged return opens a repair ticket.")
    if damage is not None:
        state = Condition.DAMAGED
    damage = photos_read(damage)
    number = parse_loan_code(loan_id) if isinstance(loan_id, str) else loan_id
    missing = tuple(missing)
    if damage is None and not missing and (loan_id is None or number is not None):
        quick = quick_return(
            factory,
            actor,
            device_code=device_code,
            loan_id=number,
            condition=state,
            notes=notes,
            now=now,
        )
        if quick is not None:
            returned, was_overdue = quick
            return ReturnInfo(loan=returned, ticket=None, was_overdue=was_overdue)
    with unit_of_work(factory, actor, action="loan.return", now=now) as session:
        loan = _loan_to_return(session, device_code, loan_id)
        moment = now_of(session)
        if moment < loan.issued_at:
            raise ValidationError("A loan cannot be returned before it was issued.")
        assigned = active_assignment_of(session, loan.device_id) is not None
        loan.returned_at = moment
        loan.returned_to_id = actor_of(session).id
        loan.condition_in = state
        if missing:
            loan.accessories_missing = missing_on_return(loan, missing)
        if notes.strip():
            loan.notes = f"{loan.notes}\n{notes.strip()}" if loan.notes else notes.strip()
        ticket = None
        if damage is not None:
            ticket, _ = book_ticket(session, loan.device, loan.student, damage, now=moment)
        # A device out on loan cannot have had a ticket opened on it: the only open ticket is
        # the one the damage just opened.
        settle_status(
            session, loan.device, has_open_loan=False, open_ticket=ticket, assigned=assigned
        )
        session.flush()
        return ReturnInfo(
            loan=loan_info(loan),
            ticket=ticket_info(session, ticket) if ticket else None,
            was_overdue=loan.due_at < moment,
        )
