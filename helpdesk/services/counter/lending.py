"""What issuing a loan and the loaner swap share: the checks before a device is lent, with every
refusal's sentence, the loan made through the ORM, and the reading of what the counter typed
(the type of loan, its due time, its accessories, a condition)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import Condition, DevicePool, DeviceStatus, LoanType, StudentStatus
from helpdesk.domain.errors import AlreadyOnLoan, NotFound, Refused, ValidationError
from helpdesk.domain.models import Device, Loan, Student, Ticket
from helpdesk.services.core.records import find_device, open_loan_of, settle_status
from helpdesk.services.core.settings import SchoolSettings, load_settings
from helpdesk.services.core.shapes import Named
from helpdesk.services.core.unit_of_work import SessionFactory, actor_of, now_of, read_session
from helpdesk.services.core.views import money, student_label, unpaid_pence

__all__ = [
    "accessories_of",
    "at_the_limit",
    "check_can_lend",
    "condition_of",
    "due_time",
    "has_left",
    "lend",
    "loan_type_of",
    "not_in_stock",
    "not_in_the_pool",
    "on_loan_to",
    "owes",
    "say_who_has_it",
]


def due_time(due: object, settings: SchoolSettings) -> datetime:
    """A due time given by hand: a day means the end of that school day; a time with a zone is
    taken in the school's local time."""
    if isinstance(due, datetime):
        return due.astimezone().replace(tzinfo=None) if due.tzinfo is not None else due
    if isinstance(due, date):
        return datetime.combine(due, settings.end_of_day)
    raise ValidationError(f"The due time {due!r} is not a date or a time.")


def accessories_of(items: Iterable[str] | str) -> str:
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


def condition_of(value: str | Condition, what: str) -> Condition:
    try:
        return Condition(value)
    except ValueError:
        names = ", ".join(c.value for c in Condition)
        raise ValidationError(f"'{value}' is not a {what}; use one of: {names}.") from None


def check_can_lend(
    session: Session, device: Device, student: Student, settings: SchoolSettings
) -> None:
    """Every refusal of an issue, most specific first (quick_refusals.py keeps this order)."""
    tag = device.asset_tag
    if device.pool is not DevicePool.LOAN:
        raise not_in_the_pool(tag)
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
            raise on_loan_to(tag, loan.student)
    if device.status is not DeviceStatus.IN_STOCK:
        raise not_in_stock(tag, device.status)
    if student.status is StudentStatus.LEFT:
        raise has_left(student, student.left_on)
    open_tags = [loan.device.asset_tag for loan in open_loans if loan.student_id == student.id]
    if len(open_tags) >= settings.loan_limit:
        raise at_the_limit(student, open_tags, settings.loan_limit)
    if settings.block_loans_with_unpaid_charges:
        owed = unpaid_pence(session, student.id)
        if owed > 0:
            raise owes(student, owed)


# The refusals of an issue, in the words both paths use (here and quick_refusals.py).
def not_in_the_pool(tag: str) -> Refused:
    return Refused(f"{tag} is not in the loan pool: it is allocated to a student one to one.")


def on_loan_to(tag: str, holder: Named) -> AlreadyOnLoan:
    return AlreadyOnLoan(f"{tag} is already on loan to {student_label(holder)}.")


def not_in_stock(tag: str, status: DeviceStatus) -> Refused:
    return Refused(f"{tag} cannot be lent: it is {status.label}.")


def has_left(student: Named, left_on: date | None) -> Refused:
    when = f" on {left_on:%d/%m/%Y}" if left_on else ""
    return Refused(f"{student_label(student)} left the school{when} and cannot borrow a device.")


def at_the_limit(student: Named, open_tags: Sequence[str], limit: int) -> Refused:
    plural = "loan" if len(open_tags) == 1 else "loans"
    return Refused(
        f"{student_label(student)} already has {len(open_tags)} open {plural} "
        f"({', '.join(open_tags)}); the limit is {limit}."
    )


def owes(student: Named, pence: int) -> Refused:
    return Refused(
        f"{student_label(student)} has unpaid charges of {money(pence)}: no loans until they "
        "are paid or waived."
    )


def lend(
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
    settings: SchoolSettings | None = None,
) -> Loan:
    """The loan made, the device on loan. ``settings``: the school's, when the caller has
    read them in this transaction already (they are read here otherwise)."""
    if settings is None:
        settings = load_settings(session)
    if not checked:
        check_can_lend(session, device, student, settings)
    now = now_of(session)
    if due_at is None:
        due_at = settings.due_at(loan_type, now, school_days)
        chosen = school_days is not None
    else:
        due_at = due_time(due_at, settings)
        chosen = True
    refusal = settings.due_refusal(due_at, now) if chosen else None
    if refusal is not None and due_at > now:
        raise ValidationError(refusal)
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
        ticket=ticket,  # its id is known once the ticket is written, in the same flush
    )
    session.add(loan)
    # Lendable means in stock, with no open loan; an open ticket or an assignment would have
    # made it in repair or assigned. Now it is on loan.
    settle_status(session, device, has_open_loan=True, open_ticket=None, assigned=False)
    return loan


def say_who_has_it(factory: SessionFactory, device_id: int | None, code: str | None) -> None:
    """After a clash on the one-open-loan-per-device index: say who has the device."""
    with read_session(factory) as session:
        try:
            device = find_device(session, device_code=code, device_id=device_id)
        except NotFound:
            return
        loan = open_loan_of(session, device.id)
        if loan is not None:
            raise on_loan_to(device.asset_tag, loan.student)


def loan_type_of(loan_type: str | LoanType, school_days: int | None) -> LoanType:
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
