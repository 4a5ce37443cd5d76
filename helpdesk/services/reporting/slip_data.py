"""What slips, repair receipts and hand-over agreements need from the records, as plain frozen
dataclasses read in one read session each (the paper itself is drawn by helpdesk.labels.slips)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DevicePool
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import (
    Assignment,
    Claim,
    CoverPeriod,
    Device,
    Loan,
    Setting,
    Student,
    Ticket,
    UninsuredPrice,
)
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    read_session,
)
from helpdesk.services.reporting.documents import (
    SCHOOL_NAME_KEY,
    TERMS_KEYS,
    LabelDevice,
    _label_device,
    setting_text,
)


@dataclass(frozen=True)
class LoanSlipData:
    loan_id: int
    code: str
    school_name: str
    student: str
    form: str
    year_group: int
    asset_tag: str
    serial: str
    model: str
    accessories: str
    condition: str
    loan_type: str
    issued_at: datetime
    issued_by: str
    due_at: datetime
    terms: str  # empty: the shipped default text


@dataclass(frozen=True)
class RepairReceiptData:
    ticket_id: int
    code: str
    school_name: str
    student: str
    form: str
    asset_tag: str
    serial: str
    model: str
    damage: str
    fault: str
    in_case: bool
    opened_at: datetime
    opened_by: str
    cover: str  # "insured (Standard scheme)", "uninsured", "no cover on record"
    charge_pence: int | None  # None: to be confirmed after diagnosis
    charge_basis: str
    terms: str
    loaner: bool = False  # a loan laptop: back to the loan pool once repaired, not collected


@dataclass(frozen=True)
class HandoverData:
    school_name: str
    student: str
    form: str
    year_group: int
    card_code: str
    asset_tag: str
    serial: str
    model: str
    terms: str


# --- slips and receipts -------------------------------------------------------------------------


def _model(device: Device) -> str:
    return " ".join(part for part in (device.make, device.model) if part)


def loan_slip(factory: SessionFactory, loan_id: int) -> LoanSlipData:
    with read_session(factory) as session:
        loan = session.get(Loan, loan_id)
        if loan is None:
            raise NotFound(f"There is no loan {loan_code(loan_id)}.")
        return LoanSlipData(
            loan_id=loan.id,
            code=loan_code(loan.id),
            school_name=setting_text(session, SCHOOL_NAME_KEY),
            student=loan.student.full_name,
            form=loan.student.form,
            year_group=loan.student.year_group,
            asset_tag=loan.device.asset_tag,
            serial=loan.device.serial,
            model=_model(loan.device),
            accessories=loan.accessories,
            condition=loan.condition_out.value,
            loan_type=loan.loan_type.value,
            issued_at=loan.issued_at,
            issued_by=loan.issued_by.display_name,
            due_at=loan.due_at,
            terms=setting_text(session, TERMS_KEYS["loan"]),
        )


def _cover(session: Session, ticket: Ticket) -> tuple[str, CoverPeriod | None]:
    if ticket.student_id is None:
        return "no student recorded", None
    on = ticket.opened_at.date()
    period = session.scalars(
        select(CoverPeriod)
        .where(
            CoverPeriod.student_id == ticket.student_id,
            CoverPeriod.starts_on <= on,
            CoverPeriod.ends_on >= on,
        )
        .order_by(CoverPeriod.starts_on.desc())
    ).first()
    if period is None:
        return "no cover on record", None
    return f"{period.status.label} ({period.scheme.name})", period


def repair_receipt(factory: SessionFactory, ticket_id: int) -> RepairReceiptData:
    with read_session(factory) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"There is no repair ticket {ticket_code(ticket_id)}.")
        cover, period = _cover(session, ticket)
        claim = session.scalar(select(Claim).where(Claim.ticket_id == ticket.id))
        charge: int | None = None
        basis = "to be confirmed after diagnosis"
        if claim is not None:
            charge, basis = claim.charge_pence, claim.rule
        elif ticket.warranty:
            charge, basis = 0, "manufacturer's warranty"
        elif period is None or period.status.value != "insured":
            price = session.scalar(
                select(UninsuredPrice).where(
                    UninsuredPrice.damage_category == ticket.damage_category
                )
            )
            if price is not None:
                charge, basis = (
                    price.charge_pence,
                    f"uninsured price for {ticket.damage_category.label}",
                )
        student = ticket.student
        return RepairReceiptData(
            ticket_id=ticket.id,
            code=ticket_code(ticket.id),
            school_name=setting_text(session, SCHOOL_NAME_KEY),
            student=student.full_name if student else "",
            form=student.form if student else "",
            asset_tag=ticket.device.asset_tag,
            serial=ticket.device.serial,
            model=_model(ticket.device),
            damage=ticket.damage_category.label,
            fault=ticket.fault,
            in_case=ticket.in_case,
            opened_at=ticket.opened_at,
            opened_by=ticket.opened_by.display_name,
            cover=cover,
            charge_pence=charge,
            charge_basis=basis,
            terms=setting_text(session, TERMS_KEYS["repair"]),
            loaner=ticket.device.pool is DevicePool.LOAN,
        )


def handover_agreements(
    factory: SessionFactory, *, form: str | None = None, year_group: int | None = None
) -> list[HandoverData]:
    """One agreement per allocated device of a form or year group, in hand-out order."""
    if (form is None) == (year_group is None):
        raise ValidationError("Choose a form or a year group for the hand-over agreements.")
    with read_session(factory) as session:
        condition = Student.form == form.strip() if form else Student.year_group == year_group
        rows = session.execute(
            select(Device, Student)
            .join(Assignment, Assignment.device_id == Device.id)
            .join(Student, Student.id == Assignment.student_id)
            .where(Assignment.ended_at.is_(None), condition)
            .order_by(Student.form, Student.last_name, Student.first_name, Device.asset_tag)
        ).all()
        school, terms = (
            setting_text(session, SCHOOL_NAME_KEY),
            setting_text(session, TERMS_KEYS["handover"]),
        )
        return [_handover(device, student, school, terms) for device, student in rows]


def _handover(device: Device, student: Student, school: str, terms: str) -> HandoverData:
    return HandoverData(
        school_name=school,
        student=student.full_name,
        form=student.form,
        year_group=student.year_group,
        card_code=student.card_code,
        asset_tag=device.asset_tag,
        serial=device.serial,
        model=_model(device),
        terms=terms,
    )


@dataclass(frozen=True)
class HandoutPapers:
    """What a pickup station prints for an allocation it has just made."""

    label: LabelDevice | None
    agreement: HandoverData | None


def handout_papers(
    factory: SessionFactory, assignment_id: int, *, label: bool, agreement: bool
) -> HandoutPapers:
    """The laptop's asset label (as ``documents.device_for_label`` reads it: the holder is the
    allocation's student) and the student's hand-over agreement (as ``handover_agreements``
    reads it for the form), for one open allocation, in one query and one for the settings,
    instead of reading the whole form's agreements to pick one. Nothing for an allocation that
    has ended meanwhile."""
    if not (label or agreement):
        return HandoutPapers(None, None)
    with read_session(factory) as session:
        row = session.execute(
            select(Device, Student)
            .join(Assignment, Assignment.device_id == Device.id)
            .join(Student, Student.id == Assignment.student_id)
            .where(Assignment.id == assignment_id, Assignment.ended_at.is_(None))
        ).first()
        if row is None:
            return HandoutPapers(None, None)
        device, student = row
        paper = None
        if agreement:
            keys = (SCHOOL_NAME_KEY, TERMS_KEYS["handover"])
            session.scalars(select(Setting).where(Setting.key.in_(keys))).all()  # then by get
            paper = _handover(
                device,
                student,
                setting_text(session, SCHOOL_NAME_KEY),
                setting_text(session, TERMS_KEYS["handover"]),
            )
        return HandoutPapers(_label_device(device, student) if label else None, paper)
