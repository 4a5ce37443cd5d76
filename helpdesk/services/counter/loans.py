"""Loans at the counter: issue a loan laptop, take it back (damage found opens a ticket), the
loaner swap (a ticket on the student's own laptop and a swap loan, as one transaction) and
collecting the repaired laptop once the loaner is back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk.domain.enums import (
    Condition,
    DevicePool,
    DeviceStatus,
    LoanType,
    StudentStatus,
    TicketState,
)
from helpdesk.domain.errors import AlreadyOnLoan, NotFound, Refused, ValidationError
from helpdesk.domain.models import Device, Loan, Student, Ticket
from helpdesk.services.core.codes import loan_code, parse_loan_code, ticket_code
from helpdesk.services.core.records import (
    active_assignment_of,
    find_device,
    find_student,
    open_loan_of,
    open_ticket_of,
    settle_status,
)
from helpdesk.services.core.settings import SchoolSettings, load_settings
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    actor_of,
    now_of,
    read_session,
    unit_of_work,
)
from helpdesk.services.core.views import (
    CoverCheck,
    LoanInfo,
    TicketInfo,
    claim_of,
    cover_from_claim,
    loan_info,
    money,
    student_label,
    ticket_info,
    unpaid_pence,
)
from helpdesk.services.counter.accessories import missing_on_return
from helpdesk.services.counter.quick_loans import quick_issue, quick_return
from helpdesk.services.records.history import device_history, student_history
from helpdesk.services.repairs.tickets import (
    DamageReport,
    book_ticket,
    change_state,
    find_ticket,
    open_swap_loan,
)

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


@dataclass(frozen=True)
class SwapInfo:
    ticket: TicketInfo
    loan: LoanInfo
    cover: CoverCheck | None


def _due_time(due: object, settings: SchoolSettings) -> datetime:
    """A due time given by hand: a day means the end of that school day; a time with a zone is
    taken in the school's local time."""
    if isinstance(due, datetime):
        return due.astimezone().replace(tzinfo=None) if due.tzinfo is not None else due
    if isinstance(due, date):
        return datetime.combine(due, settings.end_of_day)
    raise ValidationError(f"The due time {due!r} is not a date or a time.")


def _accessories(items: Iterable[str] | str) -> str:
    if isinstance(items, str):
        items = items.split(",")
    cleaned: list[str] = []
    for item in items:
        name = str(item).strip().lower()
        if "," in name:
            raise ValidationError(f"An accessory's name cannot hold a comma: '{item}'.")
        if name and name not in cleaned:
            cleaned.append(name)
    return ",".join(cleaned)


def _condition(value: str | Condition, what: str) -> Condition:
    try:
        return Condition(value)
    except ValueError:
        names = ", ".join(c.value for c in Condition)
        raise ValidationError(f"'{value}' is not a {what}; use one of: {names}.") from None


def _check_can_lend(
    session: Session, device: Device, student: Student, settings: SchoolSettings
) -> None:
    """Every refusal of an issue, most specific first."""
    tag = device.asset_tag
    if device.pool is not DevicePool.LOAN:
        raise Refused(f"{tag} is not in the loan pool: it is allocated to a student one to one.")
    # The device's open loan and the student's open loans, in one query.
    open_loans = session.scalars(
        select(Loan)
        .where(
            Loan.returned_at.is_(None),
            or_(Loan.device_id == device.id, Loan.student_id == student.id),
        )
        .order_by(Loan.issued_at, Loan.id)
    ).all()
    for loan in open_loans:
        if loan.device_id == device.id:
            raise AlreadyOnLoan(f"{tag} is already on loan to {student_label(loan.student)}.")
    if device.status is not DeviceStatus.IN_STOCK:
        raise Refused(f"{tag} cannot be lent: it is {device.status.label}.")
    who = student_label(student)
    if student.status is StudentStatus.LEFT:
        when = f" on {student.left_on:%d/%m/%Y}" if student.left_on else ""
        raise Refused(f"{who} left the school{when} and cannot borrow a device.")
    open_tags = [loan.device.asset_tag for loan in open_loans if loan.student_id == student.id]
    if len(open_tags) >= settings.loan_limit:
        plural = "loan" if len(open_tags) == 1 else "loans"
        raise Refused(
            f"{who} already has {len(open_tags)} open {plural} ({', '.join(open_tags)}); "
            f"the limit is {settings.loan_limit}."
        )
    if settings.block_loans_with_unpaid_charges:
        owed = unpaid_pence(session, student.id)
        if owed > 0:
            raise Refused(
                f"{who} has unpaid charges of {money(owed)}: no loans until they are paid or "
                "waived."
            )


def _lend(
    session: Session,
    device: Device,
    student: Student,
    *,
    loan_type: LoanType,
    accessories: str,
    due_at: datetime | date | None,
    school_days: int | None,
    condition_out: Condition,
    notes: str,
    ticket: Ticket | None = None,
    checked: bool = False,
) -> Loan:
    settings = load_settings(session)
    if not checked:
        _check_can_lend(session, device, student, settings)
    now = now_of(session)
    if due_at is None:
        due_at = settings.due_at(loan_type, now, school_days)
    else:
        due_at = _due_time(due_at, settings)
    if due_at <= now:
        raise ValidationError(
            f"The loan cannot be due at {due_at:%d/%m/%Y %H:%M}: that is not after now "
            f"({now:%d/%m/%Y %H:%M})."
        )
    loan = Loan(
        device=device,
        student=student,
        loan_type=loan_type,
        accessories=accessories,
        condition_out=condition_out,
        notes=notes.strip(),
        issued_at=now,
        issued_by_id=actor_of(session).id,
        due_at=due_at,
        ticket_id=ticket.id if ticket else None,
    )
    session.add(loan)
    # Lendable means in stock, with no open loan; an open ticket or an assignment would have
    # made it in repair or assigned. Now it is on loan.
    settle_status(session, device, has_open_loan=True, open_ticket=None, assigned=False)
    return loan


def _already_on_loan(factory: SessionFactory, device_id: int | None, code: str | None) -> None:
    """After a clash on the one-open-loan-per-device index: say who has the device."""
    with read_session(factory) as session:
        try:
            device = find_device(session, device_code=code, device_id=device_id)
        except NotFound:
            return
        loan = open_loan_of(session, device.id)
        if loan is not None:
            raise AlreadyOnLoan(
                f"{device.asset_tag} is already on loan to {student_label(loan.student)}."
            )


def _validate_type(loan_type: str | LoanType, school_days: int | None) -> LoanType:
    try:
        kind = LoanType(loan_type)
    except ValueError:
        names = ", ".join(t.value for t in LoanType)
        raise ValidationError(
            f"'{loan_type}' is not a type of loan; use one of: {names}."
        ) from None
    if school_days is not None and (not isinstance(school_days, int) or school_days < 1):
        raise ValidationError("A loan must last at least 1 school day.")
    return kind


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
    kind = _validate_type(loan_type, school_days)
    if kind is LoanType.SWAP:
        raise ValidationError("A swap loan goes with a repair ticket: use the swap at the counter.")
    condition = _condition(condition_out, "condition")
    extras = _accessories(accessories)
    if student_code is not None and device_code is not None and due_at is None:
        quick = quick_issue(
            factory,
            actor,
            student_code=student_code,
            device_code=device_code,
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
        with unit_of_work(factory, actor, now=now) as session:
            # The device row is locked first: two counters lending it queue here, and the second
            # then finds the first one's loan (PostgreSQL; SQLite's write lock does the same).
            device = find_device(session, device_code=device_code, device_id=device_id, lock=True)
            student = find_student(
                session, student_code=student_code, student_id=student_id, lock=True
            )
            loan = _lend(
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
        _already_on_loan(factory, device_id, device_code)
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
    state = _condition(condition, "condition")
    if state is Condition.DAMAGED and damage is None:
        raise ValidationError("Describe the damage: a damaged return opens a repair ticket.")
    if damage is not None:
        state = Condition.DAMAGED
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
    with unit_of_work(factory, actor, now=now) as session:
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


def swap(
    factory: SessionFactory,
    actor: str,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    own_device_code: str | None = None,
    own_device_id: int | None = None,
    loaner_code: str | None = None,
    loaner_id: int | None = None,
    damage: DamageReport | None = None,
    accessories: Iterable[str] = ("charger",),
    due_at: datetime | None = None,
    school_days: int | None = None,
    now: datetime | None = None,
) -> SwapInfo:
    """The loaner swap, all or nothing: a repair ticket on the student's own laptop and a swap
    loan of a pool laptop, linked to that ticket.

    Without ``damage``, the laptop must already be booked in: the loaner goes with its open ticket.
    """
    _validate_type(LoanType.SWAP, school_days)
    extras = _accessories(accessories)
    try:
        with unit_of_work(factory, actor, now=now) as session:
            loaner = find_device(session, device_code=loaner_code, device_id=loaner_id, lock=True)
            own = find_device(
                session, device_code=own_device_code, device_id=own_device_id, lock=True
            )
            student = find_student(
                session, student_code=student_code, student_id=student_id, lock=True
            )
            if own.id == loaner.id:
                raise ValidationError(
                    f"{own.asset_tag} cannot be both the laptop in for repair and the loaner."
                )
            assignment = active_assignment_of(session, own.id)
            if assignment is None or assignment.student_id != student.id:
                raise Refused(
                    f"{own.asset_tag} is not assigned to {student_label(student)}; a swap is for "
                    "the student's own laptop."
                )
            _check_can_lend(session, loaner, student, load_settings(session))
            if damage is None:
                ticket = open_ticket_of(session, own.id)
                if ticket is None:
                    raise ValidationError(
                        f"Describe what is wrong with {own.asset_tag}: a swap books it in for repair."
                    )
                out = open_swap_loan(session, ticket)
                if out is not None:
                    raise Refused(
                        f"{ticket_code(ticket.id)} already has the loan laptop "
                        f"{out.device.asset_tag} out to {student_label(out.student)}."
                    )
                claim = claim_of(session, ticket.id)
                cover = cover_from_claim(claim) if claim else None
            else:
                ticket, cover = book_ticket(session, own, student, damage, now=now_of(session))
                settle_status(session, own)
            loan = _lend(
                session,
                loaner,
                student,
                loan_type=LoanType.SWAP,
                accessories=extras,
                due_at=due_at,
                school_days=school_days,
                condition_out=Condition.GOOD,
                notes="",
                ticket=ticket,
                checked=True,
            )
            session.flush()
            return SwapInfo(ticket=ticket_info(session, ticket), loan=loan_info(loan), cover=cover)
    except IntegrityError:
        _already_on_loan(factory, loaner_id, loaner_code)
        raise


def collect(
    factory: SessionFactory,
    actor: str,
    *,
    ticket_id: int | str,
    now: datetime | None = None,
) -> TicketInfo:
    """The student collects the repaired laptop: refused while the swap loaner is still out."""
    with unit_of_work(factory, actor, now=now) as session:
        ticket = find_ticket(session, ticket_id)
        change_state(session, ticket, TicketState.COLLECTED)
        session.flush()
        return ticket_info(session, ticket)
