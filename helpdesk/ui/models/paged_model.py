"""A lazy table model over pages of plain records (DTOs), loaded off the GUI thread.

The model knows how many rows the current search has and keeps a window of pages in memory. A row
that is painted before its page has arrived shows as "…" and asks for that page in the
background; when the page comes back only those rows are repainted. A new search drops every
answer that belongs to an older one, so typing fast never shows stale rows. The GUI thread never
runs a query: 100,000 rows scroll as smoothly as 100.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from helpdesk.ui.workers import Runner

# fetch(query, offset, limit, with_total) -> (rows, total or None)
PageFetcher = Callable[[str, int, int, bool], tuple[Sequence[Any], int | None]]


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Any], str]
    colour: Callable[[Any], str | None] | None = None
    align_right: bool = False
    width: int = 120


class PagedTableModel(QAbstractTableModel):
    """Rows come from ``fetch(query, offset, limit)``; call :meth:`search` to (re)start."""

    loaded = Signal(int)  # total rows of the current search, once known
    failed = Signal(object)  # an exception from the fetcher

    PLACEHOLDER = "…"

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: PageFetcher,
        runner: Runner,
        *,
        page_size: int = 200,
        max_pages: int = 60,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.fetch = fetch
        self.runner = runner
        self.page_size = page_size
        self.max_pages = max_pages
        self.query = ""
        self.total = 0
        self.generation = 0
        self.searching = False
        self._pages: OrderedDict[int, Sequence[Any]] = OrderedDict()
        self._pending: set[int] = set()
        self._wanted: list[int] = []
        self._key = f"paged-model-{id(self)}"
        # Pages asked for while painting are fetched once the paint is over: a worker that
        # starts mid-paint would compete with it for the interpreter and stall the window.
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._submit_wanted)

    # --- searching -----------------------------------------------------------------------------

    def search(self, query: str) -> None:
        """Start a new search; earlier answers are ignored when they arrive."""
        self.generation += 1
        self.query = query
        self.searching = True
        generation = self.generation
        fetch, size = self.fetch, self.page_size

        def first_page() -> tuple[Sequence[Any], int | None]:
            return fetch(query, 0, size, True)

        self.runner.submit(
            first_page,
            lambda result: self._first_page(generation, result),
            lambda exc: self._failed(generation, exc),
            key=self._key,
        )

    def refresh(self) -> None:
        self.search(self.query)

    def _current(self, generation: int) -> bool:
        """An answer from the worker is for this model's latest search, and the model is still
        there (its window may have closed while the page was read)."""
        return shiboken6.isValid(self) and generation == self.generation

    def _first_page(self, generation: int, result: tuple[Sequence[Any], int]) -> None:
        if not self._current(generation):
            return
        rows, total = result
        self.beginResetModel()
        self._pages.clear()
        self._pending.clear()
        self._wanted.clear()
        self.total = total
        self._pages[0] = rows
        self.endResetModel()
        self.searching = False
        self.loaded.emit(total)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if self._current(generation):
            self.searching = False
            self.failed.emit(exc)

    # --- pages ---------------------------------------------------------------------------------

    def row_record(self, row: int) -> Any | None:
        """The record shown on ``row``, or None while its page is loading."""
        page, at = divmod(row, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        return rows[at] if at < len(rows) else None

    def _request(self, page: int) -> None:
        if page in self._pending:
            return
        self._pending.add(page)
        self._wanted.append(page)
        self._flush.start()

    def _submit_wanted(self) -> None:
        wanted, self._wanted = self._wanted, []
        for page in wanted:
            self._submit(page)

    def _submit(self, page: int) -> None:
        generation = self.generation
        query, size, fetch = self.query, self.page_size, self.fetch

        def load() -> tuple[Sequence[Any], int | None]:
            return fetch(query, page * size, size, False)

        self.runner.submit(
            load,
            lambda result: self._page_arrived(generation, page, result),
            lambda exc: self._failed(generation, exc),
        )

    def _page_arrived(
        self, generation: int, page: int, result: tuple[Sequence[Any], int | None]
    ) -> None:
        if not self._current(generation):
            return
        self._pending.discard(page)
        rows, _total = result
        self._pages[page] = rows
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(first + len(rows), self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.columns) - 1))

    # --- Qt model ------------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            record = self.row_record(index.row())
            return self.PLACEHOLDER if record is None else column.text(record)
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            record = self.row_record(index.row())
            colour = column.colour(record) if record is not None else None
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self.row_record(index.row())
        return None
