"""Every change written to the append-only audit log, by the ORM itself.

An ``after_flush`` hook on every session records inserts, updates (changed columns only) and
deletes of every model, in the same transaction as the change. The acting staff member is taken
from ``session.info["staff_id"]``, which the services set when they open a unit of work.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from helpdesk.domain.models import AuditEntry, Base


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _columns(obj: Base) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {attr.key: _plain(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            before[attr.key] = _plain(hist.deleted[0]) if hist.deleted else None
            after[attr.key] = _plain(hist.added[0]) if hist.added else None
    return before, after


def _dump(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, default=str)


def _primary_key(obj: Base) -> int | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    if len(key) == 1 and isinstance(key[0], int):
        return key[0]
    return None


@event.listens_for(Session, "after_flush")
def _write_audit(session: Session, _flush_context: Any) -> None:
    if session.info.get("audit_disabled"):
        return
    now = session.info.get("now") or datetime.now()
    staff_id = session.info.get("staff_id")
    rows: list[dict[str, Any]] = []

    def add(action: str, obj: Base, before: dict | None, after: dict | None) -> None:
        if isinstance(obj, AuditEntry):
            return
        rows.append(
            {
                "at": now,
                "staff_id": staff_id,
                "action": action,
                "entity": obj.__tablename__,
                "entity_id": _primary_key(obj),
                "before": _dump(before),
                "after": _dump(after),
            }
        )

    for obj in session.new:
        add("insert", obj, None, _columns(obj))
    for obj in session.dirty:
        if isinstance(obj, AuditEntry) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(obj)
        if after or before:
            add("update", obj, before, after)
    for obj in session.deleted:
        add("delete", obj, _columns(obj), None)
    if rows:
        session.connection().execute(insert(AuditEntry.__table__), rows)
