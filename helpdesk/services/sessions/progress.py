"""Reading a session back: its progress (done / expected overall and by group, what is missing,
what was unexpected or refused, the last scans; for a stocktake its four groups), the list of
sessions, and the rows of its report (every item and every scan)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.models import ScanSession, SessionItem, SessionScan, Staff
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.sessions.common import counts_of, find_session, info_of, session_info
from helpdesk.services.sessions.shapes import (
    GroupProgress,
    MissingItem,
    ScanLine,
    SessionInfo,
    SessionStatus,
)

RECENT = 20
REPORT_COLUMNS = ("record", "code", "label", "group", "outcome", "at", "station", "sentence")


def _line(scan: SessionScan) -> ScanLine:
    return ScanLine(scan.at, scan.station, scan.code, scan.outcome, scan.sentence)  # type: ignore[arg-type]


def _first_per_code(lines: list[ScanLine]) -> tuple[ScanLine, ...]:
    seen: dict[str, ScanLine] = {}
    for line in lines:
        seen.setdefault(line.code.upper(), line)
    return tuple(seen.values())


def _status(session: Session, row: ScanSession) -> SessionStatus:
    items = session.execute(
        select(SessionItem.code, SessionItem.label, SessionItem.grouping, SessionItem.done_at)
        .where(SessionItem.session_id == row.id)
        .order_by(SessionItem.grouping, SessionItem.label, SessionItem.code)
    ).all()
    # the counts, the groups and the lists all come from this one statement: on PostgreSQL a
    # read runs each statement on its own snapshot, and another station may scan in between
    tally: dict[str, list[int]] = {}
    for _c, _label, g, done in items:
        counts = tally.setdefault(g or "", [0, 0])
        counts[0] += 1
        counts[1] += done is not None
    groups = tuple(GroupProgress(g, n, d) for g, (n, d) in sorted(tally.items()))
    missing = tuple(MissingItem(c, label, g or "") for c, label, g, done in items if done is None)
    found = (
        tuple(MissingItem(c, label, g or "") for c, label, g, done in items if done is not None)
        if row.kind == "stocktake"
        else ()
    )
    odd = [
        (_line(s), s.device_id)
        for s in session.scalars(
            select(SessionScan)
            .where(
                SessionScan.session_id == row.id,
                SessionScan.outcome.in_(("unexpected", "problem")),
            )
            .order_by(SessionScan.id)
        )
    ]
    unexpected = _first_per_code([line for line, _d in odd if line.outcome == "unexpected"])
    problems = tuple(line for line, _d in odd if line.outcome == "problem")
    recent = tuple(
        _line(s)
        for s in session.scalars(
            select(SessionScan)
            .where(SessionScan.session_id == row.id)
            .order_by(SessionScan.id.desc())
            .limit(RECENT)
        )
    )
    stocktake = row.kind == "stocktake"
    return SessionStatus(
        session=replace(
            session_info(session, row),
            expected=len(items),
            done=sum(group.done for group in groups),
        ),
        groups=groups,
        missing=missing,
        unexpected=unexpected,
        problems=problems,
        recent=recent,
        found=found,
        elsewhere=unexpected if stocktake else (),
        unknown=(
            _first_per_code([line for line, d in odd if line.outcome == "problem" and d is None])
            if stocktake
            else ()
        ),
    )


def session_status(factory: SessionFactory, actor: str, session_code: str) -> SessionStatus:
    """A session's progress as every station shows it."""
    with read_session(factory) as session:
        return _status(session, find_session(session, session_code))


def list_sessions(
    factory: SessionFactory, actor: str, *, open_only: bool = False
) -> list[SessionInfo]:
    """The sessions, newest first (only the open ones with ``open_only``)."""
    with read_session(factory) as session:
        query = (
            select(ScanSession, Staff.display_name)
            .outerjoin(Staff, Staff.id == ScanSession.started_by_id)
            .order_by(ScanSession.id.desc())
        )
        if open_only:
            query = query.where(ScanSession.closed_at.is_(None))
        rows = session.execute(query).all()
        counts = counts_of(session, [r.id for r, _n in rows])
        return [info_of(r, counts[r.id], name) for r, name in rows]


def session_report(
    factory: SessionFactory, actor: str, session_code: str
) -> tuple[SessionInfo, list[tuple[str, ...]]]:
    """The rows of a session's report (columns :data:`REPORT_COLUMNS`): every expected item
    (done or missing, and when), then every scan in the order made."""
    with read_session(factory) as session:
        row = find_session(session, session_code)
        info = session_info(session, row)
        rows: list[tuple[str, ...]] = []
        for code, label, group, done in session.execute(
            select(SessionItem.code, SessionItem.label, SessionItem.grouping, SessionItem.done_at)
            .where(SessionItem.session_id == row.id)
            .order_by(SessionItem.grouping, SessionItem.label, SessionItem.code)
        ):
            at = done.isoformat(sep=" ") if done else ""
            rows.append(
                ("item", code, label, group or "", "done" if done else "missing", at, "", "")
            )
        for scan in session.scalars(
            select(SessionScan).where(SessionScan.session_id == row.id).order_by(SessionScan.id)
        ):
            rows.append(
                (
                    "scan",
                    scan.code,
                    "",
                    "",
                    scan.outcome,
                    scan.at.isoformat(sep=" "),
                    scan.station or "",
                    scan.sentence,
                )
            )
        return info, rows
