"""Read-only queries for the main window: counts for the status bar, the audit trail of a record,
and whether the database is still empty (first run). Plain dataclasses out; no Qt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.domain.models import AuditEntry, Device, Loan, Staff, Student


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    who: str
    action: str
    entity: str
    entity_id: int | None
    changes: str  # "status: in_stock -> on_loan; notes: '' -> 'x'"


def database_is_empty(factory) -> bool:  # noqa: ANN001 - the services' session factory
    """True when the school has neither students nor devices yet (the first run)."""
    with factory() as session:
        has_student = session.scalar(select(Student.id).limit(1)) is not None
        has_device = session.scalar(select(Device.id).limit(1)) is not None
    return not (has_student or has_device)


def loans_due_today(factory, today: date | None = None) -> tuple[int, int]:  # noqa: ANN001
    """(open loans due today, open loans already overdue) for the status bar."""
    now = datetime.now().replace(microsecond=0)
    today = today or now.date()
    start = datetime.combine(today, time.min)
    end = start + timedelta(days=1)
    with factory() as session:
        due = session.scalar(
            select(func.count(Loan.id)).where(
                Loan.returned_at.is_(None), Loan.due_at >= start, Loan.due_at < end
            )
        )
        overdue = session.scalar(
            select(func.count(Loan.id)).where(Loan.returned_at.is_(None), Loan.due_at < now)
        )
    return int(due or 0), int(overdue or 0)


def _describe_changes(action: str, before: str | None, after: str | None) -> str:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    if action == "insert":
        shown = {k: v for k, v in new.items() if v not in (None, "") and k != "id"}
        return ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
    if action == "delete":
        return "removed"
    keys = sorted(set(old) | set(new))
    return "; ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys)


def audit_trail(
    factory,  # noqa: ANN001
    entity: str,
    entity_id: int,
    *,
    related: dict[str, list[int]] | None = None,
    limit: int = 500,
) -> list[AuditRow]:
    """Every audit entry of one record (``entity`` is the table, e.g. 'devices'), newest first.

    ``related`` adds the entries of linked records, e.g. ``{"loans": [3, 9]}``.
    """
    wanted = [(entity, [entity_id])] + list((related or {}).items())
    rows: list[AuditRow] = []
    with factory() as session:
        for table, ids in wanted:
            if not ids:
                continue
            result = session.execute(
                select(AuditEntry, Staff.username)
                .outerjoin(Staff, Staff.id == AuditEntry.staff_id)
                .where(AuditEntry.entity == table, AuditEntry.entity_id.in_(ids))
                .order_by(AuditEntry.id.desc())
                .limit(limit)
            )
            for entry, username in result:
                rows.append(
                    AuditRow(
                        at=entry.at,
                        who=username or "system",
                        action=entry.action,
                        entity=entry.entity,
                        entity_id=entry.entity_id,
                        changes=_describe_changes(entry.action, entry.before, entry.after),
                    )
                )
    rows.sort(key=lambda r: r.at, reverse=True)
    return rows[:limit]
