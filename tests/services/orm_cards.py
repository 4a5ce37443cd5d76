"""The cards of scanned codes read through the ORM, one object at a time: the reference the
lookup's few plain statements (services/card_reads.py) are checked against."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from helpdesk.domain.enums import CLOSED_TICKET_STATES, ChargeStatus
from helpdesk.domain.errors import NotFound
from helpdesk.domain.models import Assignment, Claim, CoverPeriod, Device, Loan, Student, Ticket
from helpdesk.services.core.codes import loan_code, parse_loan_code, parse_ticket_code, ticket_code
from helpdesk.services.core.records import case_variants, device_by_code
from helpdesk.services.core.settings import load_settings
from helpdesk.services.core.views import (
    CoverBadge,
    device_summary,
    loan_info,
    paid_pence_expr,
    student_summary,
    ticket_info,
)
from helpdesk.services.counter.lookup import Card, DeviceCard, LoanCard, StudentCard, TicketCard
from helpdesk.services.records.history import device_rows
from helpdesk.services.repairs.insurance import badge_of

RECENT = 10


STAFF_OF_LOAN = (joinedload(Loan.issued_by), joinedload(Loan.returned_to))


def _cover_and_unpaid(session: Session, student_id: int, today: date) -> tuple[CoverBadge, int]:
    """The cover badge and the unpaid total in one round trip: every cover period of the student
    with its claims used, and the student's unpaid charges, from a single query."""
    used = (
        select(func.count(Claim.id))
        .where(Claim.cover_period_id == CoverPeriod.id, Claim.claim_number.is_not(None))
        .correlate(CoverPeriod)
        .scalar_subquery()
    )
    unpaid = (
        select(func.coalesce(func.sum(Claim.charge_pence - paid_pence_expr(Claim.id)), 0))
        .where(Claim.student_id == Student.id, Claim.charge_status == ChargeStatus.DUE)
        .correlate(Student)
        .scalar_subquery()
    )
    rows = session.execute(
        select(CoverPeriod, used, unpaid)
        .select_from(Student)
        .outerjoin(CoverPeriod, CoverPeriod.student_id == Student.id)
        .where(Student.id == student_id)
    ).all()
    owed = int(rows[0][2] or 0) if rows else 0
    periods = [(period, int(count or 0)) for period, count, _ in rows if period is not None]
    return badge_of(periods, today), owed


def student_card(session: Session, student: Student, today: date) -> StudentCard:
    devices = session.scalars(
        select(Device)
        .join(Assignment, Assignment.device_id == Device.id)
        .where(Assignment.student_id == student.id, Assignment.ended_at.is_(None))
        .order_by(Device.asset_tag)
    ).all()
    loans = (
        session.scalars(
            select(Loan)
            .options(*STAFF_OF_LOAN)
            .where(Loan.student_id == student.id, Loan.returned_at.is_(None))
            .order_by(Loan.issued_at)
        )
        .unique()
        .all()
    )
    tickets = (
        session.scalars(
            select(Ticket)
            .where(Ticket.student_id == student.id, Ticket.state.not_in(CLOSED_TICKET_STATES))
            .order_by(Ticket.id)
        )
        .unique()
        .all()
    )
    missing = (
        session.scalars(
            select(Loan)
            .options(*STAFF_OF_LOAN)
            .where(Loan.student_id == student.id, Loan.accessories_missing != "")
            .order_by(Loan.issued_at, Loan.id)
        )
        .unique()
        .all()
    )
    cover, owed = _cover_and_unpaid(session, student.id, today)
    settings = load_settings(session)
    return StudentCard(
        id=student.id,
        card_code=student.card_code,
        name=f"{student.first_name} {student.last_name}",
        first_name=student.first_name,
        last_name=student.last_name,
        year_group=student.year_group,
        form=student.form,
        status=student.status,
        left_on=student.left_on,
        assigned_devices=tuple(device_summary(d) for d in devices),
        open_loans=tuple(loan_info(loan) for loan in loans),
        open_tickets=tuple(ticket_info(session, t) for t in tickets),
        cover=cover,
        unpaid_pence=owed,
        loan_limit=settings.loan_limit,
        blocks_on_unpaid=settings.block_loans_with_unpaid_charges,
        missing_accessories=tuple(loan_info(loan) for loan in missing),
    )


def device_card(session: Session, device: Device) -> DeviceCard:
    """The device with its assignment, open loan and open ticket read in one query."""
    row = session.execute(
        select(Assignment, Loan, Ticket)
        .select_from(Device)
        .outerjoin(
            Assignment, and_(Assignment.device_id == Device.id, Assignment.ended_at.is_(None))
        )
        .outerjoin(Loan, and_(Loan.device_id == Device.id, Loan.returned_at.is_(None)))
        .outerjoin(
            Ticket,
            and_(Ticket.device_id == Device.id, Ticket.state.not_in(CLOSED_TICKET_STATES)),
        )
        .options(*STAFF_OF_LOAN)
        .where(Device.id == device.id)
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()
    assignment, loan, ticket = row if row is not None else (None, None, None)
    ticket_card = ticket_info(session, ticket) if ticket else None
    swap = ticket_card.swap_loan if ticket_card is not None else None
    return DeviceCard(
        id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        make=device.make,
        model=device.model,
        kind_of_device=device.kind,
        pool=device.pool,
        status=device.status,
        assigned_to=student_summary(assignment.student) if assignment else None,
        open_loan=loan_info(loan) if loan else None,
        open_ticket=ticket_card,
        swap_loan=swap if swap is not None and swap.is_open else None,
        warranty_until=device.warranty_until,
        history=tuple(device_rows(session, device.id, RECENT, brief=True)),
        location=device.location,
    )


def _find_card(session: Session, code: str, today: date) -> Card | None:
    loan_id = parse_loan_code(code)
    if loan_id is not None:
        loan = session.get(Loan, loan_id, options=STAFF_OF_LOAN)
        if loan is None:
            raise NotFound(f"The loan slip {loan_code(loan_id)} is not in the records.")
        return LoanCard(loan_info(loan), device_summary(loan.device), student_summary(loan.student))
    ticket_id = parse_ticket_code(code)
    if ticket_id is not None:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"The repair receipt {ticket_code(ticket_id)} is not in the records.")
        info = ticket_info(session, ticket)
        return TicketCard(
            info,
            device_summary(ticket.device),
            student_summary(ticket.student) if ticket.student else None,
            info.cover,
        )
    student = session.scalar(select(Student).where(Student.card_code == code))
    if student is not None:
        return student_card(session, student, today)
    device = device_by_code(session, code)
    if device is None:
        variants = case_variants(code)
        student = (
            session.scalar(select(Student).where(Student.card_code.in_(variants)).limit(1))
            if variants
            else None
        )
        if student is not None:
            return student_card(session, student, today)
    if device is not None:
        return device_card(session, device)
    return None


def orm_card(factory, code: str, today: date) -> Card | None:  # noqa: ANN001
    with factory() as session:
        return _find_card(session, code.strip(), today)
