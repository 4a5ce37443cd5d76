"""Leavers with a past for the purge and subject access tests, added to the small school of
service_school.py through the ORM (so the audit hook writes their rows, names and all, as it
does for the counters): a loan, a repair with a photo and a part, a paid claim, a cover period,
an ended allocation, a laptop whose notes name them and a refusal at the counter naming them."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from photo_files import draw
from sqlalchemy import select

from helpdesk.domain.enums import (
    ChargeStatus,
    Condition,
    CoverStatus,
    DamageCategory,
    DeviceKind,
    DevicePool,
    DeviceStatus,
    IncidentType,
    LoanType,
    PaymentMethod,
    StudentStatus,
    TicketState,
)
from helpdesk.domain.models import (
    Assignment,
    Claim,
    CoverPeriod,
    Device,
    Loan,
    Payment,
    Scheme,
    Staff,
    Student,
    Ticket,
    TicketPart,
    TicketPhoto,
)
from helpdesk.services.counter.counter_log import record_refusal

PAST = datetime(2025, 3, 10, 10, 0)


def png() -> bytes:
    out = io.BytesIO()
    draw(64, 48).save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class Leaver:
    id: int
    card: str
    first: str
    last: str


def add_leaver(
    factory,  # noqa: ANN001 - the services' session factory
    card: str,
    first: str,
    last: str,
    *,
    left_on: date = date(2025, 7, 18),
    charge: ChargeStatus = ChargeStatus.PAID,
) -> Leaver:
    """A student with a full past, left on ``left_on``; every record is closed (``charge``: DUE
    leaves £50.00 unpaid)."""
    tag = f"LAP-{card}"
    with factory() as session, session.begin():
        admin = session.scalar(select(Staff).where(Staff.username == "admin"))
        scheme = session.scalar(select(Scheme))
        student = Student(card_code=card, first_name=first, last_name=last, year_group=11,
                          form="11Z")  # fmt: skip
        laptop = Device(asset_tag=tag, serial=f"SN-{card}", make="Dell", model="3190",
                        kind=DeviceKind.LAPTOP, pool=DevicePool.ALLOCATION,
                        status=DeviceStatus.IN_STOCK,
                        notes=f"Kept aside for {first} {last} ({card})")  # fmt: skip
        session.add_all([student, laptop])
        session.flush()
        session.add(Assignment(device=laptop, student=student, started_at=PAST,
                               ended_at=datetime(2025, 7, 18, 12)))  # fmt: skip
        session.add(CoverPeriod(student=student, scheme=scheme, starts_on=date(2024, 9, 1),
                                ends_on=date(2025, 8, 31), status=CoverStatus.INSURED,
                                claims_allowed=2))  # fmt: skip
        loaner = session.scalar(select(Device).where(Device.asset_tag == "LNR-004"))
        session.add(Loan(device=loaner, student=student, loan_type=LoanType.DAY,
                         notes=f"{first} said the charger is {last}'s own", issued_at=PAST,
                         issued_by_id=admin.id, due_at=datetime(2025, 3, 10, 15, 30),
                         returned_at=datetime(2025, 3, 10, 15), condition_in=Condition.GOOD,
                         returned_to_id=admin.id))  # fmt: skip
        ticket = Ticket(device=laptop, student=student, damage_category=DamageCategory.SCREEN,
                        fault=f"{first} {last} dropped it on the stairs",
                        diagnosis=f"Screen cracked; {first} says it was an accident",
                        state=TicketState.COLLECTED, opened_at=PAST, opened_by_id=admin.id,
                        state_changed_at=datetime(2025, 3, 20), closed_at=datetime(2025, 3, 20))  # fmt: skip
        session.add(ticket)
        session.flush()
        session.add(TicketPart(ticket=ticket, description=f"LCD panel for {last}",
                               quantity=1, unit_cost_pence=4000))  # fmt: skip
        data = png()
        session.add(TicketPhoto(ticket=ticket, path=f"{first.lower()}-crack.png",
                                caption=f"{first}'s screen", taken_at=PAST, data=data,
                                thumbnail=data, media_type="image/png", size=len(data)))  # fmt: skip
        claim = Claim(ticket=ticket, student=student, incident_type=IncidentType.ACCIDENTAL_DAMAGE,
                      occurred_on=date(2025, 3, 9), reported_on=date(2025, 3, 10),
                      charge_pence=5000, rule="Second claim: £50.00", charge_status=charge,
                      created_at=PAST)  # fmt: skip
        session.add(claim)
        session.flush()
        if charge is ChargeStatus.PAID:
            session.add(Payment(claim_id=claim.id, amount_pence=5000, method=PaymentMethod.CASH,
                                receipt_number=f"R-{card}", taken_at=PAST,
                                taken_by_id=admin.id))  # fmt: skip
        session.flush()
        student.status = StudentStatus.LEFT
        student.left_on = left_on
        leaver = Leaver(student.id, card, first, last)
    record_refusal(factory, "admin", "desk-1", f"{first} {last} (11Z) has left the school.",
                   card, now=PAST)  # fmt: skip
    return leaver
