"""The plain records the services hand out (frozen dataclasses, never ORM objects), and the
functions that build them from the ORM inside a unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from helpdesk.domain.enums import (
    ChargeStatus,
    Condition,
    CoverStatus,
    DamageCategory,
    DeviceKind,
    DevicePool,
    DeviceStatus,
    LoanType,
    PaymentMethod,
    StudentStatus,
    TicketState,
)
from helpdesk.domain.models import Claim, Loan, Payment, Staff, Ticket
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.core.shapes import (
    ClaimShape,
    DeviceShape,
    LoanShape,
    Named,
    PartShape,
    StudentShape,
    TicketShape,
)


def money(pence: int) -> str:
    """Pence as the school writes money: ``£50.00``."""
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def student_label(student: Named) -> str:
    """``Anna Smith (7A)``: how a student is named in every sentence."""
    return f"{student.first_name} {student.last_name} ({student.form})"


@dataclass(frozen=True)
class StudentSummary:
    id: int
    card_code: str
    name: str
    form: str
    year_group: int
    status: StudentStatus

    @property
    def label(self) -> str:
        return f"{self.name} ({self.form})"


@dataclass(frozen=True)
class DeviceSummary:
    id: int
    asset_tag: str
    serial: str
    make: str
    model: str
    kind: DeviceKind
    pool: DevicePool
    status: DeviceStatus
    location: str | None = None  # the room, cart or cupboard it is kept in, when recorded


@dataclass(frozen=True)
class LoanInfo:
    id: int
    code: str  # LOAN-000123, the loan slip's barcode
    loan_type: LoanType
    device_id: int
    asset_tag: str
    serial: str
    model: str
    student_id: int
    student_name: str
    card_code: str
    form: str
    accessories: tuple[str, ...]
    condition_out: Condition
    condition_in: Condition | None
    issued_at: datetime
    issued_by: str
    due_at: datetime
    returned_at: datetime | None
    returned_to: str | None
    ticket_id: int | None
    notes: str
    accessories_missing: tuple[str, ...] = ()  # went out with the loan, not back yet

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def is_overdue(self, now: datetime) -> bool:
        return self.returned_at is None and self.due_at < now


LoanSummary = LoanInfo


@dataclass(frozen=True)
class CoverCheck:
    """The cover check at intake: what the family pays and the rule that says so."""

    status: CoverStatus | None  # None: no cover on record
    scheme: str | None
    claims_used: int
    claims_allowed: int
    claim_number: int | None  # the number this claim takes in the period; None when not a claim
    charge_pence: int
    rule: str  # the sentence of the rule that produced the charge
    excluded: str | None  # why the insurance does not pay, when it does not
    incident_type: str = ""
    refused: str | None = None  # why the damage cannot be booked in as it is (theft, no crime ref)

    @property
    def insured(self) -> bool:
        return self.status is CoverStatus.INSURED


@dataclass(frozen=True)
class PartInfo:
    id: int
    description: str
    part_number: str
    quantity: int
    unit_cost_pence: int


@dataclass(frozen=True)
class PaymentInfo:
    id: int
    amount_pence: int
    method: PaymentMethod
    receipt_number: str
    taken_at: datetime
    taken_by: str
    reversed_at: datetime | None = None
    reversed_by: str = ""
    reversal_reason: str = ""

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


@dataclass(frozen=True)
class TicketInfo:
    id: int
    code: str  # TKT-000045, the repair receipt's barcode
    device_id: int
    asset_tag: str
    serial: str
    model: str
    student_id: int | None
    student_name: str
    card_code: str
    form: str
    category: DamageCategory
    fault: str
    diagnosis: str
    state: TicketState
    opened_at: datetime
    state_changed_at: datetime
    closed_at: datetime | None
    technician: str
    vendor: str
    rma_number: str
    warranty: bool
    minutes_spent: int
    parts: tuple[PartInfo, ...]
    parts_pence: int
    photos: tuple[str, ...]
    cover: CoverCheck | None
    charge_pence: int
    charge_status: ChargeStatus | None  # None when nothing is charged
    waiver_reason: str
    swap_loan: LoanInfo | None
    paid_pence: int = 0  # the payments not reversed
    payments: tuple[PaymentInfo, ...] = ()  # oldest first, reversed ones included

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def balance_pence(self) -> int:
        """What is left to pay: nothing once the charge is paid or waived."""
        if self.charge_status is not ChargeStatus.DUE:
            return 0
        return max(self.charge_pence - self.paid_pence, 0)


TicketSummary = TicketInfo


@dataclass(frozen=True)
class CoverBadge:
    status: CoverStatus | None  # None: no cover on record
    label: str  # "insured", "no cover on record"...
    scheme: str | None
    claims_used: int
    claims_allowed: int
    ends_on: date | None


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    kind: str  # loan | return | assigned | unassigned | ticket | moved | closed | claim | payment
    text: str
    ref: str  # LOAN-000123, TKT-000045, or ""


@dataclass(frozen=True)
class AssignmentInfo:
    id: int
    device: DeviceSummary
    student: StudentSummary
    started_at: datetime
    ended_at: datetime | None
    ticket_id: int | None = None  # ended damaged: the repair ticket it went to the bench with


# --- builders (inside a unit of work) -----------------------------------------------------------


def student_summary(student: StudentShape) -> StudentSummary:
    return StudentSummary(
        id=student.id,
        card_code=student.card_code,
        name=f"{student.first_name} {student.last_name}",
        form=student.form,
        year_group=student.year_group,
        status=student.status,
    )


def device_summary(device: DeviceShape) -> DeviceSummary:
    return DeviceSummary(
        id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        make=device.make,
        model=device.model,
        kind=device.kind,
        pool=device.pool,
        status=device.status,
        location=device.location,
    )


def loan_info(loan: LoanShape) -> LoanInfo:
    device, student = loan.device, loan.student
    return LoanInfo(
        id=loan.id,
        code=loan_code(loan.id),
        loan_type=loan.loan_type,
        device_id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        model=f"{device.make} {device.model}".strip(),
        student_id=student.id,
        student_name=f"{student.first_name} {student.last_name}",
        card_code=student.card_code,
        form=student.form,
        accessories=tuple(a for a in loan.accessories.split(",") if a),
        condition_out=loan.condition_out,
        condition_in=loan.condition_in,
        issued_at=loan.issued_at,
        issued_by=loan.issued_by.username,
        due_at=loan.due_at,
        returned_at=loan.returned_at,
        returned_to=loan.returned_to.username if loan.returned_to else None,
        ticket_id=loan.ticket_id,
        notes=loan.notes,
        accessories_missing=tuple(a for a in (loan.accessories_missing or "").split(",") if a),
    )


def claim_of(session: Session, ticket_id: int) -> Claim | None:
    return session.scalar(select(Claim).where(Claim.ticket_id == ticket_id))


def cover_from_claim(claim: ClaimShape) -> CoverCheck:
    period = claim.cover_period
    return CoverCheck(
        status=period.status if period else None,
        scheme=period.scheme.name if period else None,
        claims_used=(claim.claim_number - 1) if claim.claim_number else 0,
        claims_allowed=period.claims_allowed if period else 0,
        claim_number=claim.claim_number,
        charge_pence=claim.charge_pence,
        rule=claim.rule,
        excluded=None,
        incident_type=claim.incident_type.value,
    )


def ticket_info(
    session: Session, ticket: Ticket, found: tuple[Claim | None, Loan | None] | None = None
) -> TicketInfo:
    """The ticket's card; ``found``: its claim and latest swap loan when the caller has read
    them already in this action (:func:`claim_and_swap`)."""
    claim, swap = claim_and_swap(session, ticket) if found is None else found
    payments = payments_of(session, claim.id) if claim is not None else ()
    return ticket_info_of(
        ticket, claim, swap, ticket.parts, [p.path for p in ticket.photos], payments
    )


def claim_and_swap(session: Session, ticket: Ticket) -> tuple[Claim | None, Loan | None]:
    """The ticket's claim and its latest swap loan, in one query (either may be missing)."""
    row = session.execute(
        select(Claim, Loan)
        .select_from(Ticket)
        .outerjoin(Claim, Claim.ticket_id == Ticket.id)
        .outerjoin(Loan, Loan.ticket_id == Ticket.id)
        .options(
            joinedload(Claim.cover_period),
            joinedload(Loan.issued_by),
            joinedload(Loan.returned_to),
        )
        .where(Ticket.id == ticket.id)
        .order_by(Loan.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else (None, None)


def payments_of(session: Session, claim_id: int) -> tuple[PaymentInfo, ...]:
    """The claim's payments, oldest first, with who took (and reversed) each."""
    taker, reverser = Staff.__table__.alias("taker"), Staff.__table__.alias("reverser")
    rows = session.execute(
        select(Payment, taker.c.username, reverser.c.username)
        .join(taker, taker.c.id == Payment.taken_by_id)
        .outerjoin(reverser, reverser.c.id == Payment.reversed_by_id)
        .where(Payment.claim_id == claim_id)
        .order_by(Payment.id)
    ).all()
    return tuple(
        PaymentInfo(
            id=p.id,
            amount_pence=p.amount_pence,
            method=p.method,
            receipt_number=p.receipt_number,
            taken_at=p.taken_at,
            taken_by=taken_by,
            reversed_at=p.reversed_at,
            reversed_by=reversed_by or "",
            reversal_reason=p.reversal_reason,
        )
        for p, taken_by, reversed_by in rows
    )


def paid_pence_expr(claim_id: ColumnElement) -> ColumnElement:
    """What the claim's payments (those not reversed) add up to, as a SQL expression."""
    payments = Payment.__table__
    return (
        select(func.coalesce(func.sum(payments.c.amount_pence), 0))
        .where(payments.c.claim_id == claim_id, payments.c.reversed_at.is_(None))
        .scalar_subquery()
    )


def balance_of(session: Session, claim: Claim, *, settled_as_paid: bool = True) -> int:
    """The charge less the payments not reversed; nothing for a waived charge (or, unless told
    otherwise, a paid one: charges paid before payments were recorded have no rows)."""
    if claim.charge_status is ChargeStatus.WAIVED:
        return 0
    if claim.charge_status is ChargeStatus.PAID and settled_as_paid:
        return 0
    paid = session.scalar(select(paid_pence_expr(Claim.__table__.c.id)).where(Claim.id == claim.id))
    return claim.charge_pence - int(paid or 0)


def ticket_info_of(
    ticket: TicketShape,
    claim: ClaimShape | None,
    swap: LoanShape | None,
    parts: Sequence[PartShape],
    photos: Sequence[str],
    payments: Sequence[PaymentInfo] = (),
) -> TicketInfo:
    """The ticket as the services hand it out, from the ticket (with its device, student and
    technician), its claim (with its cover period), its latest swap loan, parts and photo paths:
    ORM objects, or the typed rows of the counter's plain SQL (see shapes.py)."""
    device, student = ticket.device, ticket.student
    part_infos = tuple(
        PartInfo(p.id, p.description, p.part_number, p.quantity, p.unit_cost_pence) for p in parts
    )
    return TicketInfo(
        id=ticket.id,
        code=ticket_code(ticket.id),
        device_id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        model=f"{device.make} {device.model}".strip(),
        student_id=student.id if student else None,
        student_name=f"{student.first_name} {student.last_name}" if student else "",
        card_code=student.card_code if student else "",
        form=student.form if student else "",
        category=ticket.damage_category,
        fault=ticket.fault,
        diagnosis=ticket.diagnosis,
        state=ticket.state,
        opened_at=ticket.opened_at,
        state_changed_at=ticket.state_changed_at,
        closed_at=ticket.closed_at,
        technician=ticket.technician.username if ticket.technician else "",
        vendor=ticket.vendor,
        rma_number=ticket.rma_number,
        warranty=ticket.warranty,
        minutes_spent=ticket.minutes_spent,
        parts=part_infos,
        parts_pence=sum(p.quantity * p.unit_cost_pence for p in part_infos),
        photos=tuple(photos),
        cover=cover_from_claim(claim) if claim else None,
        charge_pence=claim.charge_pence if claim else 0,
        charge_status=claim.charge_status if claim else None,
        waiver_reason=claim.waiver_reason if claim else "",
        swap_loan=loan_info(swap) if swap else None,
        paid_pence=sum(p.amount_pence for p in payments if not p.is_reversed),
        payments=tuple(payments),
    )


def unpaid_pence(session: Session, student_id: int) -> int:
    """What the student still owes: their due charges less what has been paid towards them."""
    claims = Claim.__table__
    total = session.scalar(
        select(
            func.coalesce(func.sum(claims.c.charge_pence - paid_pence_expr(claims.c.id)), 0)
        ).where(claims.c.student_id == student_id, claims.c.charge_status == ChargeStatus.DUE)
    )
    return int(total or 0)
