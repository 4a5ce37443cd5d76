"""The statements of the quick loaner swap (quick_swaps.py) and the typed rows it reads and
writes: what it finds and locks, what the rules read after the locks, and on PostgreSQL the
whole swap written as one statement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Insert, Select, Text, bindparam, cast, exists, func, select
from sqlalchemy import update as sql_update

from helpdesk.domain.enums import (
    CLOSED_TICKET_STATES,
    ChargeStatus,
    CoverStatus,
    DamageCategory,
    IncidentType,
    TicketState,
)
from helpdesk.domain.models import (
    Assignment,
    Claim,
    CoverPeriod,
    Device,
    FeeRule,
    Loan,
    Scheme,
    Staff,
    Student,
    Ticket,
    UninsuredPrice,
    table_of,
)
from helpdesk.services.core.settings import settings_columns
from helpdesk.services.counter.card_rows import DeviceRow, StudentRow, UserRow
from helpdesk.services.counter.quick_loans import audit_rows, holding
from helpdesk.services.counter.quick_refusals import holder_columns

devices, students, staff, loans = (
    table_of(Device),
    table_of(Student),
    table_of(Staff),
    table_of(Loan),
)
tickets, claims, assignments = table_of(Ticket), table_of(Claim), table_of(Assignment)
periods, schemes, fees = table_of(CoverPeriod), table_of(Scheme), table_of(FeeRule)
prices = table_of(UninsuredPrice)


def _find(dialect: str) -> Select:
    """The staff member, the loaner and the laptop (two rows, in the order of their ids, the
    order every action locks devices in), the student and the settings; devices and student
    locked (SQLite's write lock, taken at BEGIN, does the same)."""
    return (
        select(
            staff.c.id.label("staff_id"),
            staff.c.active.label("staff_active"),
            devices,
            students.c.id.label("student_id"),
            students.c.card_code,
            students.c.first_name,
            students.c.last_name,
            students.c.form,
            students.c.year_group,
            students.c.status.label("student_status"),
            students.c.left_on,
            *settings_columns(dialect),
            # read before the locks: on PostgreSQL only a hint of whether the swap will be made
            *_checks(),
        )
        .select_from(devices)
        .join(students, students.c.id == bindparam("student"))
        .join(staff, staff.c.username == bindparam("actor"))
        .where(devices.c.id.in_([bindparam("loaner"), bindparam("own")]))
        .order_by(devices.c.id)
        .with_for_update(of=[devices, students])
    )


def _fee_schedule(dialect: str) -> Any:
    """The scheme's fee rules as one JSON array of [id, incident, from, to, pence]."""
    columns = (fees.c.id, fees.c.incident_type, fees.c.claim_from, fees.c.claim_to,
               fees.c.charge_pence)  # fmt: skip
    if dialect == "postgresql":
        rows: Any = cast(func.json_agg(func.json_build_array(*columns)), Text)
    else:
        rows = func.json_group_array(func.json_array(*columns))
    return select(rows).where(fees.c.scheme_id == schemes.c.id).scalar_subquery()


_PERIOD = (  # the cover period on the day of the incident, an insured one first (cover_period_on)
    select(periods.c.id)
    .where(
        periods.c.student_id == bindparam("student"),
        periods.c.starts_on <= bindparam("day"),
        periods.c.ends_on >= bindparam("day"),
    )
    .order_by(
        (periods.c.status == CoverStatus.INSURED).desc(),
        periods.c.starts_on.desc(),
        periods.c.id.desc(),
    )
    .limit(1)
    .scalar_subquery()
)


def _checks() -> tuple[Any, ...]:
    """Whether the loaner is out, the student's open loans, whether they owe, the laptop's
    owner and whether it has an open ticket."""
    return (
        *holding(bindparam("loaner"), bindparam("student")),
        select(assignments.c.student_id)
        .where(assignments.c.device_id == bindparam("own"), assignments.c.ended_at.is_(None))
        .limit(1)
        .scalar_subquery()
        .label("owner_id"),
        exists()
        .where(
            tickets.c.device_id == bindparam("own"), tickets.c.state.not_in(CLOSED_TICKET_STATES)
        )
        .label("own_ticket"),
    )


def _facts(dialect: str, numbers: tuple[str, ...]) -> Select:
    """What the rules read, in one row, after the rows above are locked (on PostgreSQL a
    statement sees what was committed when it began: a second counter must see the first one's
    loan once it has waited for the lock). On PostgreSQL it may also draw the numbers of the
    rows to write (``numbers``: of which tables), so that they go to the server as one
    statement."""
    drawn = [
        func.nextval(func.pg_get_serial_sequence(table, "id")).label(f"next_{table}")
        for table in numbers
    ]
    return (
        select(
            *_checks(),
            *holder_columns(bindparam("loaner")),  # for "already on loan to ..."
            select(prices.c.charge_pence)
            .where(prices.c.damage_category == bindparam("category"))
            .limit(1)
            .scalar_subquery()
            .label("price"),
            periods.c.id.label("period_id"),
            periods.c.status.label("period_status"),
            periods.c.starts_on,
            periods.c.ends_on,
            periods.c.claims_allowed,
            schemes.c.name.label("scheme_name"),
            schemes.c.report_within_days,
            schemes.c.excludes_no_case,
            schemes.c.excludes_deliberate,
            _fee_schedule(dialect).label("fee_rules"),
            select(func.count(claims.c.id))
            .where(claims.c.cover_period_id == periods.c.id, claims.c.claim_number.is_not(None))
            .scalar_subquery()
            .label("claims_used"),
            *drawn,
        )
        .select_from(
            students.outerjoin(periods, periods.c.id == _PERIOD).outerjoin(
                schemes, schemes.c.id == periods.c.scheme_id
            )
        )
        .where(students.c.id == bindparam("student"))
    )


FIND = {dialect: _find(dialect) for dialect in ("sqlite", "postgresql")}
# the numbers drawn: none (SQLite, or a swap that may well be refused), or those of the rows a
# swap writes (a fault raises no claim)
DRAWN = {"none": (), "fault": ("tickets", "loans"), "damage": ("tickets", "claims", "loans")}
FACTS = {
    (dialect, drawn): _facts(dialect, DRAWN[drawn])
    for dialect in ("sqlite", "postgresql")
    for drawn in DRAWN
}


@dataclass(frozen=True)
class FeeRow:
    id: int
    incident_type: IncidentType | None
    claim_from: int
    claim_to: int | None
    charge_pence: int


@dataclass(frozen=True)
class SchemeTerms:
    name: str
    report_within_days: int | None
    excludes_no_case: bool
    excludes_deliberate: bool
    fee_rules: Sequence[FeeRow]


@dataclass(frozen=True)
class CoverRow:
    id: int
    status: CoverStatus
    starts_on: date
    ends_on: date
    claims_allowed: int
    scheme: SchemeTerms


@dataclass(frozen=True)
class TicketWritten:
    """The ticket as written, for its card (the shape of views.TicketShape)."""

    id: int
    damage_category: DamageCategory
    fault: str
    diagnosis: str
    state: TicketState
    opened_at: datetime
    state_changed_at: datetime
    closed_at: datetime | None
    vendor: str
    rma_number: str
    warranty: bool
    minutes_spent: int
    device: DeviceRow
    student: StudentRow
    technician: UserRow | None


@dataclass(frozen=True)
class ClaimWritten:
    id: int
    claim_number: int | None
    charge_pence: int
    charge_status: ChargeStatus
    waiver_reason: str
    rule: str
    incident_type: IncidentType
    cover_period: CoverRow | None


def period_of(facts: Any) -> CoverRow | None:
    """The cover period of the FACTS row, with its scheme and fee schedule (``None``: none)."""
    if facts.period_id is None:
        return None
    schedule = [
        FeeRow(
            id=int(f[0]),
            incident_type=IncidentType(f[1]) if f[1] else None,
            claim_from=int(f[2]),
            claim_to=None if f[3] is None else int(f[3]),
            charge_pence=int(f[4]),
        )
        for f in json.loads(facts.fee_rules or "[]")
        if f[0] is not None
    ]
    scheme = SchemeTerms(
        name=facts.scheme_name,
        report_within_days=facts.report_within_days,
        excludes_no_case=bool(facts.excludes_no_case),
        excludes_deliberate=bool(facts.excludes_deliberate),
        fee_rules=schedule,
    )
    return CoverRow(
        id=facts.period_id,
        status=facts.period_status,
        starts_on=facts.starts_on,
        ends_on=facts.ends_on,
        claims_allowed=facts.claims_allowed,
        scheme=scheme,
    )


_WRITTEN_IN_ONE: dict[tuple[bool, bool], Insert] = {}


def writes_in_one(with_claim: bool, own_moves: bool) -> Insert:
    """PostgreSQL: the ticket, its claim, the loan, the statuses and the audit rows at once."""
    key = (with_claim, own_moves)
    if key not in _WRITTEN_IN_ONE:
        rows = 2 + with_claim + 1 + own_moves
        statement = audit_rows(rows).add_cte(
            tickets.insert().values({c.name: bindparam(f"t_{c.name}") for c in tickets.c}).cte()
        )
        if with_claim:
            values: dict[str, Any] = {c.name: bindparam(f"c_{c.name}") for c in claims.c}
            statement = statement.add_cte(claims.insert().values(values).cte())
        statement = statement.add_cte(
            loans.insert().values({c.name: bindparam(f"l_{c.name}") for c in loans.c}).cte()
        )
        for who in ("loaner", "own")[: 1 + own_moves]:
            statement = statement.add_cte(
                sql_update(devices)
                .where(devices.c.id == bindparam(f"{who}_device"))
                .values(status=bindparam(f"{who}_to"))
                .cte()
            )
        _WRITTEN_IN_ONE[key] = statement
    return _WRITTEN_IN_ONE[key]
