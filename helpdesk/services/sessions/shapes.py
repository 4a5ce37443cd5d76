"""The plain records of the scan sessions (frozen dataclasses, never ORM objects): a session as a
list shows it, the answer to one scan, and a session's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from helpdesk.services.core.views import DeviceSummary, StudentSummary

Outcome = Literal["done", "already", "unexpected", "problem"]
Waiting = Literal["student", "laptop"]


@dataclass(frozen=True)
class SessionInfo:
    id: int
    code: str  # SES-000001
    kind: str  # pickup, handin or stocktake
    name: str
    scope: str  # form, year, all, leavers, location, status or tags
    scope_value: str | None
    location: str | None  # a stocktake's place
    started_at: datetime
    started_by: str  # the staff member's display name ("" when not known)
    closed_at: datetime | None
    expected: int
    done: int

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class ScanResult:
    """What one scan did, and what the station shows and prints next."""

    outcome: Outcome
    sentence: str
    code: str
    # pickup: what the station expects next, and the student accepted and waiting for a laptop
    waiting_for: Waiting | None
    pending_student_id: int | None
    student: StudentSummary | None
    device: DeviceSummary | None
    assignment_id: int | None
    ticket_id: int | None  # hand-in of a damaged laptop: its bench ticket
    print_label: bool  # pickup: the asset label has never been printed
    print_agreement: bool  # pickup: the hand-over agreement has not been printed
    print_receipt: bool  # hand-in
    session: SessionInfo  # the counts after this scan


@dataclass(frozen=True)
class GroupProgress:
    group: str  # a form, or a device's place ("" when none)
    expected: int
    done: int


@dataclass(frozen=True)
class MissingItem:
    code: str
    label: str
    group: str


@dataclass(frozen=True)
class ScanLine:
    at: datetime
    station: str | None
    code: str
    outcome: Outcome
    sentence: str


@dataclass(frozen=True)
class SessionStatus:
    session: SessionInfo
    groups: tuple[GroupProgress, ...]
    missing: tuple[MissingItem, ...]
    unexpected: tuple[ScanLine, ...]
    problems: tuple[ScanLine, ...]
    recent: tuple[ScanLine, ...]  # newest first, at most 20
    found: tuple[MissingItem, ...]  # stocktake: found here
    elsewhere: tuple[ScanLine, ...]  # stocktake: scanned here, recorded elsewhere
    unknown: tuple[ScanLine, ...]  # stocktake: tags no device has
