"""Finding the records an action is about (with a sentence when there is none), locking them for
the action, and keeping a device's status in step with its loans, tickets and assignment."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from helpdesk.domain.enums import CLOSED_TICKET_STATES, DamageCategory, DeviceStatus
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import Assignment, Device, Loan, Student, Ticket
from helpdesk.services.core.codes import parse_ticket_code, ticket_code


def _clean(code: str | None) -> str:
    return (code or "").strip()


def case_variants(code: str) -> list[str]:
    """The code in upper and lower case (a typed code in the other case than the one stored),
    matched with the unique indexes rather than a scan of the whole table."""
    return sorted({code.upper(), code.lower()} - {code})


def find_student(
    session: Session,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    lock: bool = False,
) -> Student:
    """The student named by card code or id; NotFound with a sentence otherwise."""
    if student_id is not None:
        candidates = [select(Student).where(Student.id == student_id)]
        missing = f"There is no student with the id {student_id}."
    else:
        code = _clean(student_code)
        if not code:
            raise ValidationError("Scan or type the student's card.")
        candidates = [
            select(Student).where(Student.card_code == code),
            select(Student).where(Student.card_code.in_(case_variants(code))),
        ]
        missing = f"No student has the card code '{code}'."
    for query in candidates:
        if lock:
            query = query.with_for_update()
        student = session.scalar(query)
        if student is not None:
            return student
    raise NotFound(missing)


def device_by_code(session: Session, code: str, *, lock: bool = False) -> Device | None:
    """The device whose asset tag or serial is ``code`` (a tag wins over another's serial); then
    the same in the other letter case. One indexed query each."""
    for wanted in ([code], case_variants(code)):
        if not wanted:
            continue
        query = select(Device).where(or_(Device.asset_tag.in_(wanted), Device.serial.in_(wanted)))
        if lock:
            query = query.with_for_update()
        found = list(session.scalars(query.limit(4)))
        if found:
            found.sort(key=lambda d: (d.asset_tag not in wanted, d.id))
            return found[0]
    return None


def find_device(
    session: Session,
    *,
    device_code: str | None = None,
    device_id: int | None = None,
    lock: bool = False,
) -> Device:
    """The device named by asset tag, serial or id; NotFound with a sentence otherwise."""
    if device_id is not None:
        query = select(Device).where(Device.id == device_id)
        if lock:
            query = query.with_for_update()
        device = session.scalar(query)
        if device is None:
            raise NotFound(f"There is no device with the id {device_id}.")
        return device
    code = _clean(device_code)
    if not code:
        raise ValidationError("Scan or type the device's asset tag.")
    device = device_by_code(session, code, lock=lock)
    if device is None:
        raise NotFound(f"No device has the asset tag or serial '{code}'.")
    return device


def open_loan_of(session: Session, device_id: int) -> Loan | None:
    return session.scalar(
        select(Loan).where(Loan.device_id == device_id, Loan.returned_at.is_(None))
    )


def open_ticket_of(session: Session, device_id: int) -> Ticket | None:
    return session.scalar(
        select(Ticket)
        .where(Ticket.device_id == device_id, Ticket.state.not_in(CLOSED_TICKET_STATES))
        .order_by(Ticket.id.desc())
        .limit(1)
    )


def active_assignment_of(session: Session, device_id: int) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(Assignment.device_id == device_id, Assignment.ended_at.is_(None))
    )


def expected_status(
    current: DeviceStatus,
    *,
    has_open_loan: bool,
    open_ticket_category: DamageCategory | None,
    assigned: bool,
) -> DeviceStatus:
    """What a device's status must be, given its open loan, open ticket and assignment.

    Retired is for good. An open ticket wins (lost and stolen tickets mark the device lost or
    stolen, any other damage puts it in repair), then an open loan, then the assignment. Lost or
    stolen set by hand (an import) stays until something else happens to the device.
    """
    if current is DeviceStatus.RETIRED:
        return current
    if open_ticket_category is not None:
        return {
            DamageCategory.LOST: DeviceStatus.LOST,
            DamageCategory.STOLEN: DeviceStatus.STOLEN,
        }.get(open_ticket_category, DeviceStatus.IN_REPAIR)
    if has_open_loan:
        return DeviceStatus.ON_LOAN
    if assigned:
        return DeviceStatus.ASSIGNED
    if current in (DeviceStatus.LOST, DeviceStatus.STOLEN):
        return current
    return DeviceStatus.IN_STOCK


def settle_status(
    session: Session,
    device: Device,
    *,
    has_open_loan: bool | None = None,
    open_ticket: Ticket | None | bool = True,
    assigned: bool | None = None,
) -> DeviceStatus:
    """Set the device's status from its open loan, open ticket and assignment.

    What the caller already knows may be passed (``open_ticket=None`` means there is none);
    the rest is read from the database after a flush.
    """
    if has_open_loan is None or open_ticket is True or assigned is None:
        session.flush()
    if open_ticket is True:
        open_ticket = open_ticket_of(session, device.id)
    if has_open_loan is None:
        has_open_loan = open_loan_of(session, device.id) is not None
    if assigned is None:
        assigned = active_assignment_of(session, device.id) is not None
    status = expected_status(
        device.status,
        has_open_loan=has_open_loan,
        open_ticket_category=open_ticket.damage_category if open_ticket else None,
        assigned=assigned,
    )
    if device.status is not status:
        device.status = status
    return status


def find_ticket(
    session: Session, ticket_id: int | str, *, lock: bool = True, with_lists: bool = False
) -> Ticket:
    """The ticket (its row locked unless ``lock`` is false); ``with_lists``: its parts and
    photos (not their bytes) read in the same query, for a card built after a change."""
    number = parse_ticket_code(ticket_id) if isinstance(ticket_id, str) else ticket_id
    if number is None and isinstance(ticket_id, str) and ticket_id.strip().isdigit():
        number = int(ticket_id)
    if number is None:
        raise NotFound(f"'{ticket_id}' is not a repair ticket number (e.g. TKT-000045).")
    query = select(Ticket).where(Ticket.id == number)
    if lock:
        query = query.with_for_update(of=Ticket)
    if with_lists:
        query = query.options(joinedload(Ticket.parts), joinedload(Ticket.photos))
    ticket = session.execute(query).unique().scalar_one_or_none()
    if ticket is None:
        raise NotFound(f"There is no repair ticket {ticket_code(number)}.")
    return ticket
