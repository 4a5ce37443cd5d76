"""What a scan is, as the counter's flow sees it: the student or device facts built from the lookup
service's answer (no Qt, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helpdesk.domain.enums import DevicePool, DeviceStatus, StudentStatus, TicketState


@dataclass(frozen=True)
class StudentFacts:
    id: int
    name: str
    status: StudentStatus = StudentStatus.ACTIVE
    assigned_device_ids: tuple[int, ...] = ()
    form: str = ""
    open_loans: int = 0
    loan_limit: int = 1
    unpaid_pence: int = 0
    blocks_on_unpaid: bool = False  # the school lends nothing while charges are unpaid

    @property
    def label(self) -> str:
        return f"{self.name} ({self.form})" if self.form else self.name


@dataclass(frozen=True)
class DeviceFacts:
    id: int
    tag: str
    pool: DevicePool
    status: DeviceStatus
    open_loan_id: int | None = None
    open_loan_student_id: int | None = None
    assigned_student_id: int | None = None
    open_ticket_id: int | None = None
    open_ticket_state: TicketState | None = None
    swap_loan_id: int | None = None  # the open swap loan tied to its open ticket
    swap_loan_tag: str | None = None
    assigned_name: str | None = None  # whose own laptop it is
    assigned_form: str = ""
    open_loan_holder: str | None = None  # "Priya Evans (7C)", who has it on loan
    open_loan_issued_at: datetime | None = None
    open_loan_accessories: tuple[str, ...] = ()  # what went out with the open loan


@dataclass(frozen=True)
class LoanFacts:
    id: int
    device: DeviceFacts
    student_id: int
    open: bool
    code: str = ""  # LOAN-000123
    accessories_missing: tuple[str, ...] = ()  # a returned loan's accessories not back yet


@dataclass(frozen=True)
class TicketFacts:
    id: int
    device: DeviceFacts
    state: TicketState
    student_id: int | None = None


Scan = StudentFacts | DeviceFacts | LoanFacts | TicketFacts
