"""The sessions bench's checks of the final state, read from the database (not from what the
stations say), then compared with what the stations say they did. Each check is a line:
(passed, sentence)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, func, select

from helpdesk.domain.enums import Condition, DeviceStatus
from helpdesk.domain.models import (
    Assignment,
    Device,
    LabelPrint,
    SessionItem,
    SessionScan,
    Student,
    Ticket,
)

Line = tuple[bool, str]


def _is(label: str, got: int, want: int) -> Line:
    return got == want, f"{label}: {got}" + ("" if got == want else f" (expected {want})")


def _scans(conn, session_id: int) -> Counter[str]:  # noqa: ANN001
    rows = conn.execute(
        select(SessionScan.outcome, func.count())
        .where(SessionScan.session_id == session_id)
        .group_by(SessionScan.outcome)
    )
    return Counter({outcome: int(n) for outcome, n in rows})


def _items(conn, session_id: int) -> tuple[int, int]:  # noqa: ANN001
    expected, done = conn.execute(
        select(func.count(), func.count(SessionItem.done_at)).where(
            SessionItem.session_id == session_id
        )
    ).one()
    return int(expected), int(done)


def _outcomes(conn, session_id: int, reports: list) -> list[Line]:  # noqa: ANN001
    said = sum((rep.outcomes for rep in reports), Counter())
    kept = _scans(conn, session_id)
    words = ", ".join(f"{w} {kept[w]}" for w in ("done", "already", "unexpected", "problem"))
    return [(kept == said, f"scan rows by outcome match the stations' answers ({words})")]


def pickup(engine: Engine, session_id: int, intake: list[int], before: int, reports: list,
           collisions: bool) -> list[Line]:  # fmt: skip
    """``intake``: the ids of the students expected; ``before``: open allocations before."""
    n = len(intake)
    with engine.connect() as conn:
        expected, done = _items(conn, session_id)
        open_rows = conn.execute(
            select(Assignment.id, Assignment.device_id, Assignment.student_id,
                   Assignment.agreement_printed_at)
            .where(Assignment.ended_at.is_(None), Assignment.student_id.in_(intake))
        ).all()  # fmt: skip
        twice_device = conn.scalar(
            select(func.count()).select_from(
                select(Assignment.device_id).where(Assignment.ended_at.is_(None))
                .group_by(Assignment.device_id).having(func.count() > 1).subquery()
            )
        )  # fmt: skip
        twice_student = conn.scalar(
            select(func.count()).select_from(
                select(Assignment.student_id)
                .join(Device, Device.id == Assignment.device_id)
                .where(Assignment.ended_at.is_(None), Device.kind == "laptop")
                .group_by(Assignment.student_id).having(func.count() > 1).subquery()
            )
        )  # fmt: skip
        open_all = conn.scalar(select(func.count()).where(Assignment.ended_at.is_(None)))
        ended = conn.scalar(select(func.count()).where(Assignment.ended_at.is_not(None)))
        devices = [row.device_id for row in open_rows]
        labelled = conn.scalar(
            select(func.count(func.distinct(LabelPrint.device_id))).where(
                LabelPrint.device_id.in_(devices or [0])
            )
        )
        label_rows = conn.scalar(
            select(func.count()).where(LabelPrint.device_id.in_(devices or [0]))
        )
        lines = [
            _is("session items done", done, n),
            _is("session items expected", expected, n),
            _is("open allocations of the students expected", len(open_rows), n),
            _is("devices allocated twice (anywhere)", int(twice_device or 0), 0),
            _is("students holding two laptops (anywhere)", int(twice_student or 0), 0),
            _is("allocations ended (reassignments)", int(ended or 0), 0),
            _is("open allocations made beside the session's", int(open_all or 0) - before - n, 0),
        ]
        made = [a for rep in reports for a in rep.allocations]
        lines += [
            _is("allocations reported by two stations or twice", len(made) - len(set(made)), 0),
            (set(made) == {row.id for row in open_rows},
             "the allocations in the database are exactly those the stations reported"),
            _is("asset labels recorded, one per laptop", int(label_rows or 0), n),
            _is("laptops labelled", int(labelled or 0), n),
            _is("agreements recorded as printed",
                sum(1 for row in open_rows if row.agreement_printed_at is not None), n),
        ]  # fmt: skip
        lines += _outcomes(conn, session_id, reports)
        if collisions:
            already = sum(rep.outcomes["already"] for rep in reports)
            lines.append((already > 0, f"stations met on the same students: {already} 'already'"))
    return lines


def handin(engine: Engine, session_id: int, intake: list[int], damaged: set[str],
           reports: list) -> list[Line]:  # fmt: skip
    n = len(intake)
    with engine.connect() as conn:
        expected, done = _items(conn, session_id)
        still = conn.scalar(
            select(func.count()).where(
                Assignment.ended_at.is_(None), Assignment.student_id.in_(intake)
            )
        )
        ended = conn.execute(
            select(Device.asset_tag, Device.status, Assignment.returned_condition)
            .join(Device, Device.id == Assignment.device_id)
            .where(Assignment.ended_at.is_not(None), Assignment.student_id.in_(intake))
        ).all()
        tags = [row.asset_tag for row in ended]
        tickets = conn.execute(
            select(Ticket.id, Device.asset_tag)
            .join(Device, Device.id == Ticket.device_id)
            .where(Ticket.student_id.in_(intake))
        ).all()
        wrong = [
            row.asset_tag
            for row in ended
            if (row.asset_tag in damaged) != (row.status is DeviceStatus.IN_REPAIR)
            or (row.asset_tag in damaged) != (row.returned_condition is Condition.DAMAGED)
            or (row.asset_tag not in damaged and row.status is not DeviceStatus.IN_STOCK)
        ]
        lines = [
            _is("session items done", done, n),
            _is("session items expected", expected, n),
            _is("open allocations of those students left", int(still or 0), 0),
            _is("allocations ended", len(ended), n),
            _is("laptops handed in twice", len(tags) - len(set(tags)), 0),
            _is("bench tickets opened", len(tickets), len(damaged)),
            ({t for _i, t in tickets} == damaged, "a ticket for each damaged laptop, no other"),
            _is("laptops whose status or condition disagrees with how they came back",
                len(wrong), 0),
        ]  # fmt: skip
        said = [t for rep in reports for t in rep.handed_in]
        said_tickets = [t for rep in reports for t in rep.tickets]
        lines += [
            _is("hand-ins reported by two stations or twice", len(said) - len(set(said)), 0),
            (set(said) == set(tags), "the hand-ins in the database are those the stations reported"),
            (sorted(said_tickets) == sorted(i for i, _t in tickets),
             "the tickets in the database are those the stations reported"),
        ]  # fmt: skip
        lines += _outcomes(conn, session_id, reports)
    return lines


def stocktake(engine: Engine, session_id: int, status, want: dict[str, int],  # noqa: ANN001
              reports: list, collisions: bool) -> list[Line]:  # fmt: skip
    """``status``: the session's SessionStatus; ``want``: the four groups' sizes planned."""
    got = {
        "found here": len(status.found),
        "belongs elsewhere": len(status.elsewhere),
        "missing": len(status.missing),
        "unknown tags": len(status.unknown),
    }
    lines = [_is(f"stocktake group '{name}'", got[name], want[name]) for name in want]
    with engine.connect() as conn:
        expected, done = _items(conn, session_id)
        lines += [
            _is("session items done (found here)", done, want["found here"]),
            _is("session items expected", expected, want["found here"] + want["missing"]),
        ]
        lines += _outcomes(conn, session_id, reports)
    if collisions:
        already = sum(rep.outcomes["already"] for rep in reports)
        lines.append((already > 0, f"stations counted the same tags: {already} 'already'"))
    return lines


def students_of(engine: Engine, codes: list[str]) -> list[int]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Student.id).where(Student.card_code.in_(codes))))
