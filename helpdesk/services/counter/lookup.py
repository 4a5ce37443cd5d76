"""Look up any scanned code: a loan slip (LOAN-000123), a repair receipt (TKT-000045), a student
card, an asset tag or a serial number; the answer is a card with what the counter needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.services.core.codes import loan_code, parse_loan_code, parse_ticket_code, ticket_code
from helpdesk.services.core.records import case_variants
from helpdesk.services.core.settings import load_settings
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.core.views import (
    CoverBadge,
    CoverCheck,
    DeviceSummary,
    HistoryRow,
    LoanInfo,
    StudentSummary,
    TicketInfo,
    device_summary,
    loan_info,
    student_summary,
    ticket_info_of,
)
from helpdesk.services.counter.card_history import device_history_records
from helpdesk.services.counter.card_reads import (
    DEVICE_BY_ID,
    LOAN_BY_ID,
    MISSING_OF_STUDENT,
    OPEN_LOANS_OF_STUDENT,
    OPEN_TICKET_OF_DEVICE,
    OPEN_TICKETS_OF_STUDENT,
    STUDENT_EXISTS,
    TICKET_BY_ID,
    device_with_holder,
    devices_of_student,
    loans_where,
    resolve,
    student_with_cover,
    ticket_records,
)
from helpdesk.services.records.history import rows_of
from helpdesk.services.repairs.insurance import badge_of

RECENT = 10


@dataclass(frozen=True)
class StudentCard:
    id: int
    card_code: str
    name: str
    first_name: str
    last_name: str
    year_group: int
    form: str
    status: StudentStatus
    left_on: date | None
    assigned_devices: tuple[DeviceSummary, ...]
    open_loans: tuple[LoanInfo, ...]
    open_tickets: tuple[TicketInfo, ...]
    cover: CoverBadge
    unpaid_pence: int
    loan_limit: int = 1  # the school's number of open loans per student
    blocks_on_unpaid: bool = False  # whether the school lends nothing while charges are unpaid
    kind: str = "student"
    # loans whose accessories have not all come back (the card warns until they do)
    missing_accessories: tuple[LoanInfo, ...] = ()


@dataclass(frozen=True)
class DeviceCard:
    id: int
    asset_tag: str
    serial: str
    make: str
    model: str
    kind_of_device: DeviceKind
    pool: DevicePool
    status: DeviceStatus
    assigned_to: StudentSummary | None
    open_loan: LoanInfo | None
    open_ticket: TicketInfo | None
    swap_loan: LoanInfo | None  # the open swap loan tied to this device's open ticket
    warranty_until: date | None
    history: tuple[HistoryRow, ...]  # the latest few events
    kind: str = "device"
    location: str | None = None  # the room, cart or cupboard it is kept in, when recorded


@dataclass(frozen=True)
class LoanCard:
    loan: LoanInfo
    device: DeviceSummary
    student: StudentSummary
    kind: str = "loan"


@dataclass(frozen=True)
class TicketCard:
    ticket: TicketInfo
    device: DeviceSummary
    student: StudentSummary | None
    cover: CoverCheck | None
    kind: str = "ticket"


Card = StudentCard | DeviceCard | LoanCard | TicketCard


def _student_card(conn: Connection, student_id: int, today: date) -> StudentCard:
    student, periods, owed, counts = student_with_cover(conn, student_id)
    devices = devices_of_student(conn, student_id)
    settings = load_settings(conn)
    loans = loans_where(conn, OPEN_LOANS_OF_STUDENT, id=student_id) if counts.open_loans else []
    tickets = (
        ticket_records(conn, OPEN_TICKETS_OF_STUDENT, id=student_id) if counts.open_tickets else []
    )
    missing = loans_where(conn, MISSING_OF_STUDENT, id=student_id) if counts.missing else []
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
        open_tickets=tuple(ticket_info_of(*t) for t in tickets),
        cover=badge_of(periods, today),
        unpaid_pence=owed,
        loan_limit=settings.loan_limit,
        blocks_on_unpaid=settings.block_loans_with_unpaid_charges,
        missing_accessories=tuple(loan_info(loan) for loan in missing),
    )


def _device_card(conn: Connection, resolved: Any) -> DeviceCard:
    device, holder, open_loan_id, open_ticket_id = device_with_holder(resolved)
    device_id = device.id
    loan = loans_where(conn, LOAN_BY_ID, id=open_loan_id)[0] if open_loan_id else None
    found = ticket_records(conn, OPEN_TICKET_OF_DEVICE, id=device_id) if open_ticket_id else []
    ticket = ticket_info_of(*found[0]) if found else None
    swap = ticket.swap_loan if ticket is not None else None
    history = rows_of(
        *device_history_records(conn, device, device_id, RECENT), (), for_student=False
    )
    return DeviceCard(
        id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        make=device.make,
        model=device.model,
        kind_of_device=device.kind,
        pool=device.pool,
        status=device.status,
        assigned_to=student_summary(holder) if holder else None,
        open_loan=loan_info(loan) if loan else None,
        open_ticket=ticket,
        swap_loan=swap if swap is not None and swap.is_open else None,
        warranty_until=device.warranty_until,
        history=tuple(history[:RECENT]),
        location=device.location,
    )


def _find_card(conn: Connection, code: str, today: date) -> Card | None:
    loan_id = parse_loan_code(code)
    if loan_id is not None:
        found = loans_where(conn, LOAN_BY_ID, id=loan_id)
        if not found:
            raise NotFound(f"The loan slip {loan_code(loan_id)} is not in the records.")
        loan = found[0]
        return LoanCard(loan_info(loan), device_summary(loan.device), student_summary(loan.student))
    ticket_id = parse_ticket_code(code)
    if ticket_id is not None:
        records = ticket_records(conn, TICKET_BY_ID, id=ticket_id)
        if not records:
            raise NotFound(f"The repair receipt {ticket_code(ticket_id)} is not in the records.")
        info = ticket_info_of(*records[0])
        ticket = records[0][0]
        return TicketCard(
            info,
            device_summary(ticket.device),
            student_summary(ticket.student) if ticket.student else None,
            info.cover,
        )
    found = resolve(conn, code, case_variants(code))
    if found is None:
        return None
    if found.kind == "student":
        return _student_card(conn, found.id, today)
    return _device_card(conn, found)


def lookup(factory: SessionFactory, code: str, *, now: datetime | None = None) -> Card:
    """The record a scanned code names, as a card; NotFound with a sentence when none."""
    text = (code or "").strip()
    if not text:
        raise ValidationError("Nothing was scanned.")
    today = (now or datetime.now()).date()
    with read_session(factory) as session:
        card = _find_card(session.connection(), text, today)
    if card is None:
        raise NotFound(
            f"Nothing has the code '{text}': it is not a student card, asset tag, serial number, "
            "loan slip or repair receipt."
        )
    return card


def record_card(
    factory: SessionFactory, kind: str, record_id: int, *, now: datetime | None = None
) -> StudentCard | DeviceCard:
    """The card of one student or device by its id (``kind`` "student" or "device"), as a scan
    of its card or tag would show it; NotFound with a sentence when it is no longer there."""
    today = (now or datetime.now()).date()
    with read_session(factory) as session:
        conn = session.connection()
        if kind == "student":
            if conn.execute(STUDENT_EXISTS, {"id": record_id}).first() is None:
                raise NotFound("This student is no longer in the records.")
            return _student_card(conn, record_id, today)
        row = conn.execute(DEVICE_BY_ID, {"id": record_id}).first()
        if row is None:
            raise NotFound("This device is no longer in the records.")
        return _device_card(conn, row)
