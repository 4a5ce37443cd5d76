"""Students and devices: two lists with instant search, each row opening its detail page.

The lists are :class:`PagedTableModel` s: the search runs on a worker thread as you type (older
searches are dropped), and rows load page by page as you scroll, so 100,000 devices never
freeze the window.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.records import browse
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import report_unexpected
from helpdesk.ui.models.paged_model import Column, PagedTableModel
from helpdesk.ui.style import BAD, MUTED, STATUS_COLOURS

DEVICE_COLUMNS = (
    Column("Asset tag", lambda r: r.asset_tag, width=130),
    Column("Serial", lambda r: r.serial, width=130),
    Column("Model", lambda r: f"{r.make} {r.model}".strip(), width=170),
    Column("Kind", lambda r: r.kind, width=80),
    Column("Pool", lambda r: "loan pool" if r.pool == "loan" else "1:1", width=90),
    Column(
        "Status",
        lambda r: r.status.replace("_", " "),
        colour=lambda r: STATUS_COLOURS.get(r.status),
        width=100,
    ),
    Column("Place", lambda r: r.location, width=110),
    Column(
        "With",
        lambda r: r.holder + (" — on loan" if r.holder_via == "loan" else ""),
    ),
)

STUDENT_COLUMNS = (
    Column("Surname", lambda r: r.last_name, width=150),
    Column("First name", lambda r: r.first_name, width=140),
    Column("Year", lambda r: str(r.year_group), align_right=True, width=60),
    Column("Form", lambda r: r.form, width=70),
    Column("Card", lambda r: r.card_code, width=110),
    Column("Laptop", lambda r: r.device, width=130),
    Column("Loans", lambda r: str(r.open_loans or ""), align_right=True, width=60),
    Column(
        "Status",
        lambda r: "left" if r.status == "left" else "",
        colour=lambda r: BAD if r.status == "left" else MUTED,
    ),
)


class SearchList(QWidget):
    """A search box over a lazy table; Enter or a double click opens the row."""

    open_record = Signal(object)

    def __init__(
        self, ctx: AppContext, columns, fetch, placeholder: str, parent: QWidget | None = None
    ) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(placeholder)
        self.search_box.setClearButtonEnabled(True)
        self.count_label = QLabel("…")
        self.count_label.setObjectName("hint")
        self.model = PagedTableModel(columns, fetch, ctx.db, parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(28)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.doubleClicked.connect(self._open_index)
        for n, column in enumerate(columns):
            self.view.setColumnWidth(n, column.width)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.view, self._open_current)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(60)
        self._debounce.timeout.connect(self._search_now)
        self.search_box.textChanged.connect(lambda _t: self._debounce.start())
        self.search_box.returnPressed.connect(self._enter_in_search)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(lambda exc: report_unexpected(self, "The search", exc))
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.model.search("")

    def _search_now(self) -> None:
        self.count_label.setText("searching…")
        self.model.search(self.search_box.text())

    def _loaded(self, total: int) -> None:
        self.count_label.setText(f"{total:,} found")

    def _enter_in_search(self) -> None:
        if self.model.total == 1 or (self.model.total and self.view.currentIndex().isValid()):
            self._open_current()
        elif self.model.total:
            self.view.setFocus()
            self.view.selectRow(0)

    def _open_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid() and self.model.total:
            index = self.model.index(0, 0)
        self._open_index(index)

    def _open_index(self, index) -> None:  # noqa: ANN001
        record = self.model.row_record(index.row()) if index.isValid() else None
        if record is not None:
            self.open_record.emit(record)


class RecordsPanel(QWidget):
    """Students and devices, each a searchable list with detail pages."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel("Students & devices")
        title.setObjectName("pageTitle")
        self.tabs = QTabWidget()
        self.students = SearchList(
            ctx,
            STUDENT_COLUMNS,
            partial(browse.student_page, ctx.factory),
            "Search students by name, form or card…",
        )
        self.devices = SearchList(
            ctx,
            DEVICE_COLUMNS,
            partial(browse.device_page, ctx.factory),
            "Search devices by asset tag, serial, model or place…",
        )
        self.tabs.addTab(self.students, "Students")
        self.tabs.addTab(self.devices, "Devices")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.students.open_record.connect(lambda r: self.open_detail("student", r.id))
        self.devices.open_record.connect(lambda r: self.open_detail("device", r.id))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def activated(self) -> None:
        self._tab_changed(self.tabs.currentIndex())

    def _tab_changed(self, index: int) -> None:
        current = self.students if index == 0 else self.devices
        current.start()
        current.search_box.setFocus()

    def open_detail(self, kind: str, record_id: int) -> None:
        from helpdesk.ui.records.detail_dialog import DetailDialog

        dialog = DetailDialog(self.ctx, kind, record_id, self)
        dialog.open()
