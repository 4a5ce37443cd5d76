"""Every change written to the append-only audit log, by the ORM itself.

An ``after_flush`` hook on every session records inserts, updates (changed columns only) and
deletes of every model, in the same transaction as the change. The acting staff member is taken
from ``session.info["staff_id"]``, which the services set when they open a unit of work.
"""

from __future__ import annotations

import json
import socket
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from helpdesk.domain.models import AuditEntry, Base, table_of

_station: str | None = None

# columns whose values never reach the audit log: only that they were set or cleared
SECRET_COLUMNS = frozenset({"password_hash", "pin_hash"})


def _hide(key: str, value: Any) -> Any:
    if key in SECRET_COLUMNS:
        return None if value is None else "(set)"
    return value


def set_station(name: str | None) -> None:
    """Name this station in the audit log from now on (``None`` or empty: the computer's name)."""
    global _station
    cleaned = (name or "").strip()
    _station = cleaned[:64] or None


def current_station() -> str:
    """The station the audit rows of this process are written at."""
    return _station or socket.gethostname()[:64] or "counter"


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a photo: the log says how big, not what
        return f"{len(value)} bytes"
    return value


def _columns(obj: Base) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: _hide(attr.key, _plain(getattr(obj, attr.key)))
        for attr in state.mapper.column_attrs
        if not (attr.deferred and attr.key in state.unloaded)  # a photo's bytes not read back
    }


def _changes(obj: Base) -> tuple[dict[str, Any], dict[str, Any]]:
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            old = _plain(hist.deleted[0]) if hist.deleted else None
            new = _plain(hist.added[0]) if hist.added else None
            before[attr.key] = _hide(attr.key, old)
            after[attr.key] = "(changed)" if attr.key in SECRET_COLUMNS and new else new
    return before, after


def _dump(values: dict[str, Any] | None) -> str | None:
    return None if values is None else json.dumps(values, sort_keys=True, default=str)


def audit_row(
    at: datetime,
    staff_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    station: str | None = None,
) -> dict[str, Any]:
    """One row of the audit log, values made plain (enums by value, times in ISO 8601): what the
    hook below writes for the ORM, and what the plain-SQL counter actions write themselves."""
    return {
        "at": at,
        "staff_id": staff_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": None if before is None else _dump({k: _plain(v) for k, v in before.items()}),
        "after": None if after is None else _dump({k: _plain(v) for k, v in after.items()}),
        "station": station or current_station(),
    }


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
            audit_row(now, staff_id, action, obj.__tablename__, _primary_key(obj), before, after)
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
        session.connection().execute(insert(table_of(AuditEntry)), rows)
