"""The typed rows the counter's plain SQL reads (card_reads.py, quick_loans.py): small frozen
records with the attribute names of the ORM models, so that the builders in views.py (typed by
the interface types in core/shapes.py) take them as they take the ORM objects."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

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
    StudentStatus,
    TicketState,
)
from helpdesk.services.core.shapes import DeviceTags, StudentTags

R = TypeVar("R")


def row_of(cls: type[R], row: Any, prefix: str = "", **more: Any) -> R:
    """A ``cls`` from the columns of ``row`` named ``prefix`` + each of its fields (those not
    given in ``more``)."""
    mapping, names = row._mapping, [f.name for f in fields(cast(Any, cls))]
    taken = {name: mapping[f"{prefix}{name}"] for name in names if name not in more}
    return cls(**taken, **more)


@dataclass(frozen=True)
class UserRow:
    username: str


@dataclass(frozen=True)
class DeviceRef:
    id: int
    asset_tag: str
    serial: str
    make: str
    model: str


@dataclass(frozen=True)
class DeviceRow(DeviceRef):
    kind: DeviceKind
    pool: DevicePool
    status: DeviceStatus
    warranty_until: date | None
    location: str | None


@dataclass(frozen=True)
class StudentRef:
    id: int
    card_code: str
    first_name: str
    last_name: str
    form: str


@dataclass(frozen=True)
class StudentRow(StudentRef):
    year_group: int
    status: StudentStatus
    left_on: date | None


D = TypeVar("D", bound=DeviceTags, covariant=True)
S = TypeVar("S", bound=StudentTags, covariant=True)


@dataclass(frozen=True)
class LoanRow(Generic[D, S]):
    id: int
    loan_type: LoanType
    accessories: str
    accessories_missing: str
    condition_out: Condition
    condition_in: Condition | None
    issued_at: datetime
    due_at: datetime
    returned_at: datetime | None
    ticket_id: int | None
    notes: str
    device: D
    student: S
    issued_by: UserRow
    returned_to: UserRow | None


@dataclass(frozen=True)
class TicketRow:
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
    student: StudentRow | None
    technician: UserRow | None


@dataclass(frozen=True)
class SchemeRow:
    name: str


@dataclass(frozen=True)
class PeriodRow:
    id: int
    status: CoverStatus
    starts_on: date
    ends_on: date
    claims_allowed: int
    scheme: SchemeRow


@dataclass(frozen=True)
class ClaimRow:
    id: int
    claim_number: int | None
    charge_pence: int
    charge_status: ChargeStatus
    waiver_reason: str
    rule: str
    incident_type: IncidentType
    cover_period: PeriodRow | None


@dataclass(frozen=True)
class PartRow:
    id: int
    description: str
    part_number: str
    quantity: int
    unit_cost_pence: int


CardLoan = LoanRow[DeviceRow, StudentRow]
