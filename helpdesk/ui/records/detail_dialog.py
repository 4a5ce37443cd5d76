"""The detail page of a student or a device: its card, its full history and its audit trail.

Everything is loaded on a worker thread; the dialog shows "Loading…" until it arrives. "Audit
trail…" (Alt+A) opens the audit viewer for this record's code alone (managers and up). On a
device, "Place…" (Alt+P, a technician's and up: hidden below) asks for the room, cart or
cupboard it is kept in and sets it on the database thread (``records.places.set_location``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.core.staff import actions_allowed
from helpdesk.services.core.unit_of_work import SessionFactory
from helpdesk.services.core.views import DeviceSummary
from helpdesk.services.counter.lookup import DeviceCard, StudentCard, record_card
from helpdesk.services.records import browse
from helpdesk.services.records.history import device_history, student_history
from helpdesk.services.records.places import place_sentence, set_location
from helpdesk.ui.context import AppContext
from helpdesk.ui.counter import card_views
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.widgets.cards import CardView, CardWidget

if TYPE_CHECKING:
    from helpdesk.ui.audit.panel import AuditDialog


@dataclass(frozen=True)
class HistoryLine:
    when: str
    what: str
    ref: str = ""  # the loan slip or repair ticket the line is about


@dataclass(frozen=True)
class Detail:
    card: CardView
    history: list[HistoryLine]
    audit: list[browse.AuditRow]
    code: str = ""  # the card code or asset tag: the record in the audit viewer
    place: str | None = None  # a device's place, for the "Place…" question
    may_place: bool = False  # the acting staff member may set a device's place


PLACE_ACTION = "devices.relocate"  # a technician's: the button is hidden below that


def load_detail(
    factory: SessionFactory, kind: str, record_id: int, actor: str | None = None
) -> Detail:
    """Runs on a worker: the card, the full history and the audit trail of one record."""
    now = datetime.now()
    card = record_card(factory, kind, record_id, now=now)
    if isinstance(card, DeviceCard):
        # The page shows the whole history below the card: not its latest few on it as well.
        card = replace(card, history=())
        rows = device_history(factory, device_id=record_id)
        code = card.asset_tag
    else:
        rows = student_history(factory, student_id=record_id)
        code = card.card_code if isinstance(card, StudentCard) else ""
    history = [HistoryLine(f"{row.at:%d/%m/%Y %H:%M}", row.text, row.ref) for row in rows]
    audit = browse.record_audit_trail(factory, kind, record_id)
    view = card_views.view_of(card, now)
    if not isinstance(card, DeviceCard):
        return Detail(view, history, audit, code)
    may_place = PLACE_ACTION in actions_allowed(factory, actor, (PLACE_ACTION,))
    return Detail(view, history, audit, code, card.location, may_place)


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


class DetailDialog(QDialog):
    def __init__(
        self, ctx: AppContext, kind: str, record_id: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.record_id = record_id
        self.detail: Detail | None = None
        self.note = ""  # what the last action said, shown once the record is read again
        self.setWindowTitle("Student" if kind == "student" else "Device")
        self.resize(900, 680)
        self.card = CardWidget()
        self.status = QLabel("Loading…")
        self.status.setObjectName("hint")
        self.tabs = QTabWidget()
        self.history_table = _table(["When", "What", "Loan / repair"])
        self.audit_table = _table(["When", "Who", "Record", "Change"])
        self.tabs.addTab(self.history_table, "History")
        self.tabs.addTab(self.audit_table, "Audit trail")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.audit_button = QPushButton("&Audit trail…")
        self.audit_button.setObjectName("openAuditTrail")
        self.audit_button.setToolTip("Everything done to this record, in the audit viewer")
        self.audit_button.setEnabled(False)
        self.audit_button.clicked.connect(lambda: self.open_audit_trail())
        buttons.addButton(self.audit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.place_button = QPushButton("&Place…")
        self.place_button.setObjectName("setPlace")
        self.place_button.setToolTip("The room, cart or cupboard this device is kept in")
        self.place_button.setVisible(False)
        self.place_button.clicked.connect(lambda: self.ask_place())
        buttons.addButton(self.place_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.audit_dialog: AuditDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.card)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self._load()

    def _load(self) -> None:
        ctx, kind, record_id = self.ctx, self.kind, self.record_id
        ctx.db.submit(
            lambda: load_detail(ctx.factory, kind, record_id, ctx.actor), self._loaded, self._failed
        )

    def _failed(self, exc: BaseException) -> None:
        self.status.setText(describe_failure("Loading this record", exc))
        self.status.show()

    def _loaded(self, detail: Detail) -> None:
        self.detail = detail
        self.audit_button.setEnabled(bool(detail.code))
        self.place_button.setVisible(detail.may_place)
        if self.note:
            self.status.setText(self.note)
            self.status.show()
            self.note = ""
        else:
            self.status.setText("")
            self.status.hide()
        self.card.show_view(detail.card)
        self.history_table.setRowCount(len(detail.history))
        for row, line in enumerate(detail.history):
            for col, text in enumerate((line.when, line.what, line.ref)):
                self.history_table.setItem(row, col, QTableWidgetItem(text))
        self.audit_table.setRowCount(len(detail.audit))
        for row, entry in enumerate(detail.audit):
            record = f"{entry.entity} {entry.entity_id or ''}".strip()
            values = (
                entry.at.strftime("%d/%m/%Y %H:%M"),
                entry.who,
                f"{entry.action} {record}",
                entry.changes,
            )
            for col, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.audit_table.setItem(row, col, item)
        self.history_table.resizeColumnsToContents()
        self.audit_table.setColumnWidth(0, 130)
        self.audit_table.setColumnWidth(1, 90)
        self.audit_table.setColumnWidth(2, 150)

    def open_audit_trail(self) -> AuditDialog | None:
        """The audit viewer filtered by this record's code (shown, not modal)."""
        from helpdesk.ui.audit.panel import AuditDialog

        if self.detail is None or not self.detail.code:
            return None
        if self.audit_dialog is not None:
            self.audit_dialog.close()
            self.audit_dialog.deleteLater()
        self.audit_dialog = AuditDialog(self.ctx, self.detail.code, self)
        self.audit_dialog.show()
        return self.audit_dialog

    # --- the device's place ----------------------------------------------------------------------

    def ask_place(self) -> None:
        """Ask for the device's place (empty: none) and set it."""
        if self.detail is None or not self.detail.may_place:
            return
        text, ok = QInputDialog.getText(
            self,
            "Place",
            f"Where is {self.detail.code} kept? (a room, a cart, a cupboard; empty: nowhere)",
            text=self.detail.place or "",
        )
        if ok:
            self.set_place(text)

    def set_place(self, text: str) -> None:
        """Set the device's place on the database thread, then read the record again."""
        if self.detail is None or not self.detail.code:
            return
        ctx, tag = self.ctx, self.detail.code
        self.place_button.setEnabled(False)

        def done(device: DeviceSummary) -> None:
            self.place_button.setEnabled(True)
            self.note = place_sentence(device) + "."
            self._load()

        def failed(exc: BaseException) -> None:
            self.place_button.setEnabled(True)
            self.status.setText(describe_failure("Setting the place", exc))
            self.status.show()

        ctx.db.submit(lambda: set_location(ctx.factory, ctx.actor, tag, text), done, failed)
