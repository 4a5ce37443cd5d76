"""What goes out to form tutors and parents: the ready-for-collection list per form, and the
facts of a charge letter. Read-only; plain dataclasses out; the PDFs are made in helpdesk.labels.
No Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from helpdesk.domain.enums import ChargeStatus, LoanType, TicketState
from helpdesk.domain.errors import NotFound
from helpdesk.domain.models import Claim, CoverPeriod, Device, Loan, Setting, Student, Ticket
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.unit_of_work import read_session, require_reader
from helpdesk.services.core.views import balance_of

SCHOOL_NAME_KEYS = ("school_name", "school", "name")
PAYMENT_KEYS = ("payment_instructions", "how_to_pay", "payment")
DEFAULT_HOW_TO_PAY = (
    "Please pay at the school office or through the school's online payment system, "
    "quoting the reference {reference}. If you have any questions about this charge, please "
    "contact the ICT support centre."
)


# --- settings, read tolerant of their absence ----------------------------------------------------


def _setting_text(session: Session, keys: tuple[str, ...]) -> str:
    """The first of ``keys`` found in the settings table, as text; a JSON object stored under a
    key is searched for the same keys. Empty when none is set (or the value is unreadable)."""
    stored = {key: value for key, value in session.execute(select(Setting.key, Setting.value))}
    for key in keys:
        if key not in stored:
            continue
        raw = stored[key]
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            value = raw
        if isinstance(value, dict):
            for inner in keys:
                if isinstance(value.get(inner), str) and value[inner].strip():
                    return value[inner].strip()
            continue
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def school_name(factory) -> str:  # noqa: ANN001 - the services' session factory
    """The school's name from the settings (empty when none is set)."""
    with read_session(factory) as session:
        return _setting_text(session, SCHOOL_NAME_KEYS)


# --- ready for collection ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyRow:
    ticket_id: int
    ticket: str  # TKT-000045
    student: str
    card_code: str
    asset_tag: str
    model: str
    category: str
    ready_since: datetime
    loaner_to_return: str  # the swap loaner's asset tag, to bring back at collection; or ""


@dataclass(frozen=True)
class FormNotice:
    form: str
    year_group: int
    rows: tuple[ReadyRow, ...]


def ready_for_collection(
    factory,  # noqa: ANN001 - the services' session factory
    actor: str,
    *,
    form: str | None = None,
) -> tuple[FormNotice, ...]:
    """Students whose repaired devices are ready for collection, grouped by form (by year group,
    then form; students by surname). A swap loaner still out is named: it comes back first."""
    query = (
        select(Ticket, Student, Device)
        .join(Student, Student.id == Ticket.student_id)
        .join(Device, Device.id == Ticket.device_id)
        .where(Ticket.state == TicketState.READY_FOR_COLLECTION)
        .order_by(
            Student.year_group, Student.form, Student.last_name, Student.first_name, Ticket.id
        )  # fmt: skip
    )
    if form:
        query = query.where(Student.form == form)
    with read_session(factory) as session:
        require_reader(session, actor, "notices.make")
        found = session.execute(query).unique().all()
        ids = [ticket.id for ticket, _, _ in found]
        loaners: dict[int | None, str] = {}
        if ids:
            for ticket_id, tag in session.execute(
                select(Loan.ticket_id, Device.asset_tag)
                .join(Device, Device.id == Loan.device_id)
                .where(
                    Loan.ticket_id.in_(ids),
                    Loan.returned_at.is_(None),
                    Loan.loan_type == LoanType.SWAP,
                )
            ):
                loaners[ticket_id] = tag
        groups: dict[str, tuple[int, list[ReadyRow]]] = {}
        for ticket, student, device in found:
            year, rows = groups.setdefault(student.form, (student.year_group, []))
            rows.append(
                ReadyRow(
                    ticket_id=ticket.id,
                    ticket=ticket_code(ticket.id),
                    student=f"{student.first_name} {student.last_name}",
                    card_code=student.card_code,
                    asset_tag=device.asset_tag,
                    model=f"{device.make} {device.model}".strip(),
                    category=ticket.damage_category.label,
                    ready_since=ticket.state_changed_at,
                    loaner_to_return=loaners.get(ticket.id, ""),
                )
            )
    return tuple(FormNotice(name, year, tuple(rows)) for name, (year, rows) in groups.items())


# --- charge letters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeLetter:
    school_name: str
    reference: str  # the ticket code, quoted when paying
    claim_id: int
    student: str
    card_code: str
    form: str
    year_group: int
    device: str  # "PER-000001 (Lenovo 300e Gen 3)"
    damage: str
    incident: str
    fault: str
    occurred_on: date
    reported_on: date
    crime_reference: str
    scheme: str  # "Standard cover", or "" when the student had no cover
    claim_number: int | None
    rule: str  # the sentence of the rule that produced the charge
    charge_pence: int
    status: str  # due | paid | waived
    waiver_reason: str
    raised_on: date
    how_to_pay: str
    paid_pence: int = 0  # paid so far towards a charge still due (part payments)

    @property
    def amount(self) -> str:
        return f"£{self.charge_pence / 100:,.2f}"

    @property
    def to_pay(self) -> str:
        """What is left to pay of a charge still due."""
        return f"£{(self.charge_pence - self.paid_pence) / 100:,.2f}"

    @property
    def paid(self) -> str:
        return f"£{self.paid_pence / 100:,.2f}"


def _letter(session: Session, claim: Claim, school: str, how_to_pay: str) -> ChargeLetter:
    ticket = claim.ticket
    student = claim.student
    device = ticket.device
    cover: CoverPeriod | None = claim.cover_period
    reference = ticket_code(ticket.id)
    model = f"{device.make} {device.model}".strip()
    return ChargeLetter(
        school_name=school,
        reference=reference,
        claim_id=claim.id,
        student=f"{student.first_name} {student.last_name}",
        card_code=student.card_code,
        form=student.form,
        year_group=student.year_group,
        device=f"{device.asset_tag} ({model})" if model else device.asset_tag,
        damage=ticket.damage_category.label,
        incident=claim.incident_type.label,
        fault=ticket.fault,
        occurred_on=claim.occurred_on,
        reported_on=claim.reported_on,
        crime_reference=claim.crime_reference,
        scheme=cover.scheme.name if cover is not None else "",
        claim_number=claim.claim_number,
        rule=claim.rule,
        charge_pence=claim.charge_pence,
        status=claim.charge_status.value,
        waiver_reason=claim.waiver_reason,
        raised_on=claim.created_at.date(),
        how_to_pay=how_to_pay.replace("{reference}", reference),
        paid_pence=(
            balance_owed_paid(session, claim) if claim.charge_status is ChargeStatus.DUE else 0
        ),
    )


def balance_owed_paid(session: Session, claim: Claim) -> int:
    """What has been paid so far towards a charge still due."""
    return claim.charge_pence - balance_of(session, claim)


def charge_letter(
    factory,  # noqa: ANN001
    actor: str,
    *,
    claim_id: int | None = None,
    ticket_id: int | None = None,
) -> ChargeLetter:
    """The facts of the charge letter for one claim (named by its id or its ticket's id)."""
    with read_session(factory) as session:
        require_reader(session, actor, "notices.make")
        if claim_id is not None:
            claim = session.get(Claim, claim_id)
            missing = f"There is no claim number {claim_id}."
        elif ticket_id is not None:
            claim = session.scalar(select(Claim).where(Claim.ticket_id == ticket_id))
            missing = f"Ticket {ticket_code(ticket_id)} has no claim or charge."
        else:
            raise NotFound("Name the claim or the ticket for the charge letter.")
        if claim is None:
            raise NotFound(missing)
        school = _setting_text(session, SCHOOL_NAME_KEYS)
        how_to_pay = _setting_text(session, PAYMENT_KEYS) or DEFAULT_HOW_TO_PAY
        return _letter(session, claim, school, how_to_pay)


def charge_letters_due(
    factory,  # noqa: ANN001
    actor: str,
    *,
    form: str | None = None,
) -> tuple[ChargeLetter, ...]:
    """A letter for every charge still due (nothing-to-pay claims left out), by form and name."""
    query = (
        select(Claim)
        .join(Student, Student.id == Claim.student_id)
        .where(Claim.charge_status == ChargeStatus.DUE, Claim.charge_pence > 0)
        .order_by(
            Student.year_group, Student.form, Student.last_name, Student.first_name, Claim.id
        )  # fmt: skip
    )
    if form:
        query = query.where(Student.form == form)
    query = query.options(
        joinedload(Claim.student),
        joinedload(Claim.ticket),
        joinedload(Claim.cover_period).joinedload(CoverPeriod.scheme),
    )
    with read_session(factory) as session:
        require_reader(session, actor, "notices.make")
        school = _setting_text(session, SCHOOL_NAME_KEYS)
        how_to_pay = _setting_text(session, PAYMENT_KEYS) or DEFAULT_HOW_TO_PAY
        return tuple(
            _letter(session, claim, school, how_to_pay) for claim in session.scalars(query)
        )
