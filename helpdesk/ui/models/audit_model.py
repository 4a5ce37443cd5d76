"""The audit trail as a lazy table model: newest first, a page at a time from the services'
``audit_page`` on the window's database thread (the house's :class:`PagedTableModel`), so a trail
of 100,000 rows scrolls as smoothly as ten. The values before and after are shown as a person
reads them (``status: on_loan, notes: (empty)``), in full in the tooltip.

The filters travel as the model's query, a short JSON text, so every page of one search is read
with the same filters and a page of an older search is dropped when it arrives."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt

from helpdesk.services.reporting.audit_trail import LIMIT, AuditRow, audit_page, readable
from helpdesk.ui.models.paged_model import Column, PagedTableModel
from helpdesk.ui.style import BAD, MUTED
from helpdesk.ui.workers import Runner

# what a refusal, a sign-in or a lock-out looks like in the list
ACTION_COLOURS = {
    "refuse": BAD,
    "sign-in-refused": BAD,
    "lock-out": BAD,
    "sign-in": MUTED,
    "sign-out": MUTED,
}

COLUMNS = (
    Column("When", lambda r: f"{r.at:%d/%m/%Y %H:%M:%S}", width=140),
    Column("Who", lambda r: r.who or "system", width=100),
    Column("What", lambda r: r.action, lambda r: ACTION_COLOURS.get(r.action), width=110),
    Column("Record", lambda r: r.record, width=150),
    Column("Before", lambda r: readable(r.before), width=260),
    Column("After", lambda r: readable(r.after), width=260),
    Column("Station", lambda r: r.station, width=100),
)
BEFORE, AFTER = 4, 5


@dataclass(frozen=True)
class AuditFilters:
    """What the trail is narrowed to; empty text and ``None`` mean "any"."""

    staff: str = ""
    date_from: date | None = None
    date_to: date | None = None
    record: str = ""

    def as_query(self) -> str:
        values = asdict(self)
        for key in ("date_from", "date_to"):
            values[key] = values[key].isoformat() if values[key] else None
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_query(cls, query: str) -> AuditFilters:
        if not query:
            return cls()
        values = json.loads(query)
        for key in ("date_from", "date_to"):
            values[key] = date.fromisoformat(values[key]) if values[key] else None
        return cls(**values)

    def keywords(self) -> dict[str, Any]:
        """The filters as the services' keyword arguments (``audit_trail``, ``audit_page``)."""
        return {
            "staff": self.staff or None,
            "date_from": self.date_from,
            "date_to": self.date_to,
            "record": self.record or None,
        }


class AuditModel(PagedTableModel):
    """The audit rows of ``actor``'s search; :meth:`show` starts one. A refusal (below a manager,
    an unknown record code) arrives by ``failed`` as the services' sentence. At most ``cap`` rows
    are offered (the newest); ``total`` stays the number that match, for "narrow the filters"."""

    def __init__(
        self,
        factory: Any,
        actor: str,
        runner: Runner,
        *,
        page_size: int = 200,
        cap: int = LIMIT,
        parent: QObject | None = None,
    ) -> None:
        def fetch(
            query: str, offset: int, limit: int, with_total: bool
        ) -> tuple[Sequence[AuditRow], int | None]:
            filters = AuditFilters.from_query(query)
            limit = max(0, min(limit, self.cap - offset))  # nothing past the cap is read
            return audit_page(factory, self.actor, offset, limit, with_total, **filters.keywords())

        super().__init__(COLUMNS, fetch, runner, page_size=page_size, parent=parent)
        self.actor = actor  # who reads: the person signed in when the search starts
        self.cap = cap
        self.filters = AuditFilters()

    def show(self, filters: AuditFilters) -> None:
        """Read the trail again with ``filters`` (earlier answers are dropped)."""
        self.filters = filters
        self.search(filters.as_query())

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else min(self.total, self.cap)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid():
            record = self.row_record(index.row())
            if record is None or index.column() not in (BEFORE, AFTER):
                return None
            return readable(record.before if index.column() == BEFORE else record.after) or None
        return super().data(index, role)
