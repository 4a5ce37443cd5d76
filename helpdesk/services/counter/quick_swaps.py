"""The loaner swap the counter makes (by the ids it scanned, with damage described and no
photos) as a few plain SQL statements: the staff member, both laptops, the student and the
settings in one locked query; what the rules need (the open loans, the laptop's owner and open
ticket, the cover period with its scheme, fee schedule and claims used, the uninsured price) in
one more; then the ticket, its claim, the swap loan, both laptops' statuses and the audit rows,
on PostgreSQL as one statement.

Only swaps.py calls this, from inside ``swap``, the one entry of the action. A refusal the rows
show (the loaner out to someone, the laptop not the student's, the student at the limit...) is
raised here in the general path's exception, words and order (quick_refusals.py for the loan's
part). Anything else that is not the plain case (a typed code, photos, a chosen due time, a
laptop already booked in, a theft, a clash with another counter...) answers ``None`` and the
general path decides, so the two never disagree: this path only ever does what the general one
would have done, with the same rows, audit rows and card (tests/services/test_quick_swaps.py).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert
from sqlalchemy.exc import IntegrityError

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import (
    ChargeStatus,
    Condition,
    DevicePool,
    DeviceStatus,
    IncidentType,
    LoanType,
    StaffRole,
    StudentStatus,
    TicketState,
)
from helpdesk.domain.errors import HelpdeskError, Refused
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.permissions import needed
from helpdesk.services.core.records import expected_status
from helpdesk.services.core.settings import SchoolSettings, settings_of_row
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import (
    CoverCheck,
    LoanInfo,
    TicketInfo,
    loan_info,
    student_label,
    ticket_info_of,
)
from helpdesk.services.counter.card_rows import (
    DeviceRef,
    DeviceRow,
    LoanRow,
    StudentRef,
    StudentRow,
    UserRow,
    row_of,
)
from helpdesk.services.counter.quick_loans import SET_STATUS, audit_rows
from helpdesk.services.counter.quick_refusals import refuse_as_the_general_path
from helpdesk.services.counter.swap_rows import (
    FACTS,
    FIND,
    ClaimWritten,
    CoverRow,
    TicketWritten,
    claims,
    loans,
    period_of,
    tickets,
    writes_in_one,
)
from helpdesk.services.repairs.insurance import FAULTS, Intake, decide_cover, make_intake


def _intake(damage: Any, moment: datetime) -> Intake | None:
    try:
        return make_intake(
            damage.category,
            occurred_on=damage.occurred_on,
            reported_on=damage.reported_on,
            crime_reference=damage.crime_reference,
            deliberate=damage.deliberate,
            in_case=damage.in_case,
            today=moment.date(),
        )
    except HelpdeskError:
        return None  # the general path says what is wrong, in its order


def quick_swap(
    factory: SessionFactory,
    actor: str,
    *,
    student_id: int,
    own_device_id: int,
    loaner_id: int,
    damage: Any,
    accessories: str,
    school_days: int | None,
    now: datetime | None,
) -> tuple[TicketInfo, LoanInfo, CoverCheck | None] | None:
    """The swap as swaps.swap makes it, or ``None`` when it is not the plain case. ``damage``
    is a DamageReport with its photos read (none: a swap with photos takes the general path)."""
    description = (damage.description or "").strip()
    if own_device_id == loaner_id or damage.photos or not description:
        return None
    if needed("loan.swap") is not StaffRole.COUNTER:
        return None  # the statements below check only that the staff member is active
    moment = now or datetime.now().replace(microsecond=0)
    intake = _intake(damage, moment)
    if intake is None or (intake.category.value == "stolen" and not intake.crime_reference):
        return None
    try:
        with unit_of_work(factory, None, action="loan.swap", now=moment) as session:
            conn = session.connection()
            dialect = conn.dialect.name
            if dialect not in FIND:
                return None
            keys = {"student": student_id, "own": own_device_id, "loaner": loaner_id}
            rows = conn.execute(FIND[dialect], keys | {"actor": actor}).all()
            if len(rows) != 2 or not rows[0].staff_active:
                return None  # the general path names what is missing, or who is inactive
            found = {row.id: row for row in rows}
            loaner, own = found[loaner_id], found[own_device_id]
            settings = settings_of_row(loaner)
            drawn = "none"
            if dialect == "postgresql" and _looks_plain(loaner, own, settings):
                drawn = "fault" if intake.category in FAULTS else "damage"
            facts = conn.execute(
                FACTS[dialect, drawn],
                keys | {"day": intake.occurred_on, "category": intake.category},
            ).one()
            if facts.owner_id != own.student_id:
                raise Refused(
                    f"{own.asset_tag} is not assigned to {student_label(own)}; a swap is for "
                    "the student's own laptop."
                )
            refuse_as_the_general_path(session, loaner, facts, settings)
            if (
                loaner.status is not DeviceStatus.IN_STOCK
                or facts.device_out
                or facts.student_loans >= settings.loan_limit
                or (settings.block_loans_with_unpaid_charges and facts.owes)
                or own.status is DeviceStatus.RETIRED
                or facts.own_ticket
            ):
                return None  # the general path decides (and words the refusal)
            if dialect == "postgresql" and drawn == "none":
                return None  # it looked refused before the locks and is not: the general path
            due_at = settings.due_at(LoanType.SWAP, moment, school_days)
            if due_at <= moment:
                return None
            return _write(conn, actor, loaner, own, facts, intake, description, accessories,
                          due_at, moment)  # fmt: skip
    except IntegrityError:
        return None  # another counter got there first: the general path says who has it


def _looks_plain(loaner: Any, own: Any, settings: SchoolSettings) -> bool:
    """Whether the swap will be made, as far as the first query shows (its checks were read
    before the locks): then the second draws the new rows' numbers. A refused swap draws none
    (no gap in the ticket numbers), but for a change another counter made in between."""
    return not (
        loaner.pool is not DevicePool.LOAN
        or loaner.status is not DeviceStatus.IN_STOCK
        or loaner.student_status is not StudentStatus.ACTIVE
        or own.status is DeviceStatus.RETIRED
        or loaner.owner_id != loaner.student_id
        or loaner.device_out
        or loaner.student_loans >= settings.loan_limit
        or (settings.block_loans_with_unpaid_charges and loaner.owes)
        or loaner.own_ticket
    )


def _write(
    conn: Connection,
    actor: str,
    loaner: Any,
    own: Any,
    facts: Any,
    intake: Intake,
    description: str,
    accessories: str,
    due_at: datetime,
    moment: datetime,
) -> tuple[TicketInfo, LoanInfo, CoverCheck | None]:
    """Write the swap the rows allow, with its audit rows; the ticket's card and the loan."""
    staff_id, student_id = loaner.staff_id, loaner.student_id
    period = period_of(facts)
    used = int(facts.claims_used or 0) if period else 0
    check = decide_cover(intake, period, used, lambda: facts.price)
    postgres = conn.dialect.name == "postgresql"
    ticket: dict[str, Any] = {
        "device_id": own.id,
        "student_id": student_id,
        "damage_category": intake.category,
        "fault": description,
        "diagnosis": "",
        "state": TicketState.LOGGED,
        "technician_id": None,
        "vendor": "",
        "rma_number": "",
        "warranty": bool(
            intake.category in FAULTS
            and own.warranty_until is not None
            and own.warranty_until >= intake.occurred_on
        ),
        "deliberate": intake.deliberate,
        "in_case": intake.in_case,
        "minutes_spent": 0,
        "opened_at": moment,
        "opened_by_id": staff_id,
        "state_changed_at": moment,
        "closed_at": None,
    }
    claim: dict[str, Any] | None = None
    if intake.category not in FAULTS:
        settled = check.charge_pence == 0
        claim = {
            "student_id": student_id,
            "cover_period_id": period.id if period else None,
            "incident_type": IncidentType(check.incident_type),
            "occurred_on": intake.occurred_on,
            "reported_on": intake.reported_on,
            "crime_reference": intake.crime_reference,
            "claim_number": check.claim_number,
            "charge_pence": check.charge_pence,
            "rule": check.rule[:300],
            "charge_status": ChargeStatus.PAID if settled else ChargeStatus.DUE,
            "waiver_reason": "",
            "settled_at": moment if settled else None,
            "created_at": moment,
        }
    loan: dict[str, Any] = {
        "device_id": loaner.id,
        "student_id": student_id,
        "loan_type": LoanType.SWAP,
        "accessories": accessories,
        "accessories_missing": "",
        "condition_out": Condition.GOOD,
        "condition_in": None,
        "notes": "",
        "issued_at": moment,
        "issued_by_id": staff_id,
        "due_at": due_at,
        "returned_at": None,
        "returned_to_id": None,
    }
    own_to = expected_status(own.status, has_open_loan=False,
                             open_ticket_category=intake.category, assigned=True)  # fmt: skip
    moves = [(loaner, DeviceStatus.ON_LOAN)] + ([(own, own_to)] if own_to is not own.status else [])
    if postgres:
        ticket["id"], loan["id"] = facts.next_tickets, facts.next_loans
        if claim is not None:
            claim["id"] = facts.next_claims
    else:
        for device, status in moves:
            conn.execute(SET_STATUS, {"device": device.id, "to": status})
        ticket["id"] = _insert(conn, tickets.insert(), ticket)
    claim = None if claim is None else claim | {"ticket_id": ticket["id"]}
    loan["ticket_id"] = ticket["id"]
    if not postgres:
        if claim is not None:
            claim["id"] = _insert(conn, claims.insert(), claim)
        loan["id"] = _insert(conn, loans.insert(), loan)
    # the rows the ORM's hook writes for the same swap: the inserts, then the devices changed
    audit = [audit_row(moment, staff_id, "insert", "tickets", ticket["id"], None, ticket)]
    if claim is not None:
        audit.append(audit_row(moment, staff_id, "insert", "claims", claim["id"], None, claim))
    audit.append(audit_row(moment, staff_id, "insert", "loans", loan["id"], None, loan))
    for device, status in sorted(moves, key=lambda move: move[0].id):
        audit.append(audit_row(moment, staff_id, "update", "devices", device.id,
                               {"status": device.status}, {"status": status}))  # fmt: skip
    if postgres:
        params = {f"{k}_{n}": v for n, row in enumerate(audit) for k, v in row.items()}
        params |= {f"t_{k}": v for k, v in ticket.items()} | {f"l_{k}": v for k, v in loan.items()}
        params |= {f"c_{k}": v for k, v in (claim or {}).items()}
        params |= {"loaner_device": loaner.id, "loaner_to": DeviceStatus.ON_LOAN}
        params |= {"own_device": own.id, "own_to": own_to} if len(moves) == 2 else {}
        statement = writes_in_one(claim is not None, len(moves) == 2)
        write_in_one(conn, statement, params)
    else:
        conn.execute(audit_rows(len(audit)), {f"{k}_{n}": v for n, row in enumerate(audit)
                                               for k, v in row.items()})  # fmt: skip
    return _card(actor, loaner, own, ticket, claim, loan, period, check)


def _insert(conn: Connection, statement: Insert, values: dict[str, Any]) -> int:
    key = conn.execute(statement, values).inserted_primary_key
    assert key is not None  # an insert of one row
    return int(key[0])


def _card(
    actor: str,
    loaner: Any,
    own: Any,
    ticket: dict[str, Any],
    claim: dict[str, Any] | None,
    loan: dict[str, Any],
    period: CoverRow | None,
    check: CoverCheck,
) -> tuple[TicketInfo, LoanInfo, CoverCheck | None]:
    """The ticket's card and the loan, built as the general path builds them."""
    student = row_of(StudentRow, own, id=own.student_id, status=own.student_status)
    written = TicketWritten(
        id=ticket["id"], damage_category=ticket["damage_category"], fault=ticket["fault"],
        diagnosis="", state=TicketState.LOGGED, opened_at=ticket["opened_at"],
        state_changed_at=ticket["state_changed_at"], closed_at=None, vendor="", rma_number="",
        warranty=ticket["warranty"], minutes_spent=0, device=row_of(DeviceRow, own),
        student=student, technician=None,
    )  # fmt: skip
    claimed = None
    if claim is not None:
        claimed = ClaimWritten(
            id=claim["id"], claim_number=claim["claim_number"],
            charge_pence=claim["charge_pence"], charge_status=claim["charge_status"],
            waiver_reason="", rule=claim["rule"], incident_type=claim["incident_type"],
            cover_period=period,
        )  # fmt: skip
    swap_loan = _loan_row(loan, loaner, actor)
    return ticket_info_of(written, claimed, swap_loan, (), (), ()), loan_info(swap_loan), check


def _loan_row(loan: dict[str, Any], row: Any, actor: str) -> LoanRow[DeviceRef, StudentRef]:
    """The loan as written, with the loaner's and the student's columns of ``row``."""
    names = [f.name for f in fields(LoanRow) if f.name not in _NESTED]
    return LoanRow(
        **{name: loan[name] for name in names},
        device=row_of(DeviceRef, row, id=loan["device_id"]),
        student=row_of(StudentRef, row, id=loan["student_id"]),
        issued_by=UserRow(actor),
        returned_to=None,
    )


_NESTED = {"device", "student", "issued_by", "returned_to"}
