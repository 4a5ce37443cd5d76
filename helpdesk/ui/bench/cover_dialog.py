"""A student's insurance cover periods: the list (claims used of those allowed), a new period,
and changes to the one chosen. Overlapping periods and impossible dates are refused in a sentence.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import CoverStatus
from helpdesk.services.repairs import cover_periods as bench
from helpdesk.ui.bench.widgets import say, submit
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.style import COVER_COLOURS

HEADERS = ["Scheme", "From", "To", "Status", "Claims used"]


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class CoverDialog(QDialog):
    """``changed`` after a period was added or edited."""

    changed = Signal()

    def __init__(self, ctx: AppContext, student_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.student_id = student_id
        self.cover: bench.StudentCover | None = None
        self.busy = False
        self.setWindowTitle("Cover periods")
        self.resize(720, 480)
        self.title = QLabel("Loading…")
        self.title.setObjectName("cardTitle")
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("coverPeriods")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._chosen)

        form_box = QGroupBox("Period")
        self.scheme = QComboBox()
        self.scheme.setObjectName("coverScheme")
        self.starts = QDateEdit()
        self.ends = QDateEdit()
        for edit in (self.starts, self.ends):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        today = date.today()
        first = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
        self.starts.setDate(_qdate(first))
        self.ends.setDate(_qdate(date(first.year + 1, 8, 31)))
        self.status = QComboBox()
        self.status.setObjectName("coverStatus")
        for status in CoverStatus:
            self.status.addItem(status.label, status.value)
        self.claims = QSpinBox()
        self.claims.setRange(0, 20)
        self.claims.setValue(2)
        form = QFormLayout(form_box)
        form.addRow("Scheme", self.scheme)
        form.addRow("From", self.starts)
        form.addRow("To", self.ends)
        form.addRow("Status", self.status)
        form.addRow("Claims allowed", self.claims)
        self.add_button = QPushButton("Add as a new period")
        self.add_button.setObjectName("addPeriod")
        self.add_button.clicked.connect(self.add_period)
        self.save_button = QPushButton("Save changes to the chosen period")
        self.save_button.setObjectName("savePeriod")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save_period)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(form_box)
        layout.addLayout(buttons)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.reload()

    def reload(self) -> None:
        factory, student_id = self.ctx.factory, self.student_id
        submit(
            self,
            lambda: bench.student_cover(factory, student_id=student_id),
            self.show_cover,
            lambda exc: say(self.message, describe_failure("Loading the cover", exc), "bad"),
        )

    def show_cover(self, cover: bench.StudentCover) -> None:
        self.cover = cover
        self.title.setText(f"Cover periods of {cover.student}, card {cover.card_code}")
        chosen = self.scheme.currentText()
        self.scheme.clear()
        self.scheme.addItems(list(cover.schemes))
        if chosen:
            self.scheme.setCurrentText(chosen)
        self.table.setRowCount(len(cover.periods))
        for r, p in enumerate(cover.periods):
            values = (p.scheme, f"{p.starts_on:%d/%m/%Y}", f"{p.ends_on:%d/%m/%Y}",
                      p.status.label, f"{p.claims_used} of {p.claims_allowed}")  # fmt: skip
            for c, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, p.id)
                if c == 3:
                    from PySide6.QtGui import QBrush, QColor

                    fg, bg = COVER_COLOURS.get(p.status, COVER_COLOURS["none"])
                    item.setForeground(QBrush(QColor(fg)))
                    item.setBackground(QBrush(QColor(bg)))
                self.table.setItem(r, c, item)
        if not cover.periods:
            say(self.message, f"{cover.student} has no cover on record.", "info")
        self.save_button.setEnabled(bool(self.table.selectedItems()))

    def chosen_period(self) -> bench.CoverPeriodRow | None:
        if self.cover is None:
            return None
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.cover.periods[rows[0].row()]

    def choose(self, row: int) -> None:
        self.table.selectRow(row)

    def _chosen(self) -> None:
        period = self.chosen_period()
        self.save_button.setEnabled(period is not None)
        if period is None:
            return
        self.scheme.setCurrentText(period.scheme)
        self.starts.setDate(_qdate(period.starts_on))
        self.ends.setDate(_qdate(period.ends_on))
        self.status.setCurrentIndex(self.status.findData(period.status.value))
        self.claims.setValue(period.claims_allowed)

    def _values(self) -> dict:
        return {
            "scheme": self.scheme.currentText(),
            "starts_on": _pydate(self.starts.date()),
            "ends_on": _pydate(self.ends.date()),
            "status": self.status.currentData(),
            "claims_allowed": self.claims.value(),
        }

    def _run(self, what: str, call, done: str) -> None:  # noqa: ANN001
        if self.busy:
            return
        self.busy = True

        def ok(cover: bench.StudentCover) -> None:
            self.busy = False
            self.show_cover(cover)
            say(self.message, done, "good")
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            say(self.message, describe_failure(what, exc), "bad")

        submit(self, call, ok, failed)

    def add_period(self) -> None:
        factory, actor, student_id, values = (self.ctx.factory, self.ctx.actor, self.student_id,
                                              self._values())  # fmt: skip
        self._run(
            "Adding the cover period",
            lambda: bench.add_cover_period(factory, actor, student_id=student_id, **values),
            "Cover period added.",
        )

    def save_period(self) -> None:
        period = self.chosen_period()
        if period is None:
            say(self.message, "Choose the period to change in the list first.", "info")
            return
        factory, actor, values = self.ctx.factory, self.ctx.actor, self._values()
        self._run(
            "Saving the cover period",
            lambda: bench.edit_cover_period(factory, actor, period.id, **values),
            "Cover period saved.",
        )
