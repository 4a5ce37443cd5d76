"""What the session modules share inside a unit of work: reading a session by its code, its
counts, the session's :class:`SessionInfo`, a scan's draft answer and marking an item done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound, Refused
from helpdesk.domain.models import (
    Device,
    ScanSession,
    SessionItem,
    SessionScan,
    Staff,
    Student,
    table_of,
)
from helpdesk.services.core.codes import parse_session_code, session_code
from helpdesk.services.core.unit_of_work import now_of
from helpdesk.services.sessions.shapes import Outcome, SessionInfo, Waiting

KIND_WORDS = {"pickup": "pickup", "handin": "hand-in", "stocktake": "stocktake"}


class SessionClosed(Refused):
    """A scan or a close in a session that is closed already."""


def session_id_of(code: str | int) -> int:
    """The id a session code names (``SES-000001``, or the bare number); NotFound otherwise."""
    if isinstance(code, int):
        return code
    number = parse_session_code(code)
    if number is None and code.strip().isdigit():
        number = int(code.strip())
    if number is None:
        raise NotFound(f"'{code.strip()}' is not a session code (e.g. SES-000001).")
    return number


def find_session(session: Session, code: str | int, *, must_be_open: bool = False) -> ScanSession:
    number = session_id_of(code)
    found = session.get(ScanSession, number)
    if found is None:
        raise NotFound(f"There is no session {session_code(number)}.")
    if must_be_open and found.closed_at is not None:
        raise SessionClosed(
            f"{session_code(number)} was closed at {found.closed_at:%H:%M on %d/%m/%Y}; "
            "start or join an open session."
        )
    return found


def counts_of(session: Session, session_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Each session's (expected, done), in one query."""
    ids = list(session_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SessionItem.session_id, func.count(), func.count(SessionItem.done_at))
        .where(SessionItem.session_id.in_(ids))
        .group_by(SessionItem.session_id)
    )
    found = {sid: (int(n), int(d)) for sid, n, d in rows}
    return {sid: found.get(sid, (0, 0)) for sid in ids}


def info_of(
    row: ScanSession, counts: tuple[int, int], started_by: str | None = None
) -> SessionInfo:
    return SessionInfo(
        id=row.id,
        code=session_code(row.id),
        kind=row.kind,
        name=row.name,
        scope=row.scope,
        scope_value=row.scope_value,
        location=row.location,
        started_at=row.started_at,
        started_by=started_by or "",
        closed_at=row.closed_at,
        expected=counts[0],
        done=counts[1],
    )


def session_info(session: Session, row: ScanSession) -> SessionInfo:
    """The session with its counts and who started it, in one query."""
    starter = select(Staff.display_name).where(Staff.id == row.started_by_id).scalar_subquery()
    expected, done, name = session.execute(
        select(func.count(), func.count(SessionItem.done_at), starter).where(
            SessionItem.session_id == row.id
        )
    ).one()
    return info_of(row, (int(expected), int(done)), name)


@dataclass
class Draft:
    """What a kind's scan decided, before the scan row is written: ``mark`` says whether the item
    must be marked done now ("must": the action's record depends on it, so a lost race undoes
    it; "may": mark it if nobody has) or not at all."""

    outcome: Outcome
    sentence: str
    student: Student | None = None
    device: Device | None = None
    item_id: int | None = None
    mark: Literal["must", "may"] | None = None
    already: str = ""  # the sentence when the item turns out to be done by another station
    waiting_for: Waiting | None = None
    pending_student_id: int | None = None
    assignment_id: int | None = None
    ticket_id: int | None = None
    print_label: bool = False
    print_agreement: bool = False
    print_receipt: bool = False


@dataclass(frozen=True)
class ScanOptions:
    pending_student_id: int | None = None
    agreement: str = "paper"
    agreement_name: str | None = None
    condition: str = "good"
    missing: tuple[str, ...] = ()
    station: str | None = None


def item_of(
    session: Session,
    session_id: int,
    *,
    student_id: int | None = None,
    device_id: int | None = None,
) -> SessionItem | None:
    query = select(SessionItem).where(SessionItem.session_id == session_id)
    if student_id is not None:
        query = query.where(SessionItem.student_id == student_id)
    else:
        query = query.where(SessionItem.device_id == device_id)
    return session.scalar(query.limit(1))


def write_scan(
    session: Session,
    row: ScanSession,
    code: str,
    outcome: Outcome,
    sentence: str,
    *,
    station: str | None,
    item_id: int | None = None,
    student_id: int | None = None,
    device_id: int | None = None,
) -> SessionScan:
    scan = SessionScan(
        session_id=row.id,
        at=now_of(session),
        staff_id=session.info.get("staff_id"),
        station=(station or None) and station[:64],
        code=code[:64],
        outcome=outcome,
        sentence=sentence,
        item_id=item_id,
        student_id=student_id,
        device_id=device_id,
    )
    session.add(scan)
    session.flush()
    return scan


def mark_done(session: Session, item_id: int, scan_id: int) -> bool:
    """Mark the item done by this scan unless another station did first (one guarded UPDATE:
    of two stations at the same moment exactly one gets a row)."""
    items = table_of(SessionItem)
    result = session.execute(
        update(items)
        .where(items.c.id == item_id, items.c.done_at.is_(None))
        .values(done_at=now_of(session), done_scan_id=scan_id)
    )
    return bool(getattr(result, "rowcount", 0))
