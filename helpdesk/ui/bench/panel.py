"""The bench: the repair ticket queue, oldest first, filtered by state, technician and vendor, with
the count of open tickets per state as chips and ages in school days (older than five stands out).
Scanning a device, a repair receipt, a loan slip or a student card opens the ticket.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import TicketState
from helpdesk.services.counter.lookup import (
    Card,
    DeviceCard,
    LoanCard,
    StudentCard,
    TicketCard,
    lookup,
)
from helpdesk.services.repairs import ticket_queue
from helpdesk.ui.bench.ticket_page import TicketPage
from helpdesk.ui.bench.widgets import say, size_columns, submit
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure, report_unexpected
from helpdesk.ui.models.queue_model import AGE_COLUMN, QueueModel
from helpdesk.ui.style import ACCENT, BAD, LINE, MUTED, PAPER
from helpdesk.ui.widgets.scan_box import ScanBox

STRETCH_COLUMNS = (2,)  # the student (name and form) takes the room left
GROWING_COLUMNS = {6: 0.35}  # the vendor takes this share of a wide table's room to spare
# The text each other column is sized for (or its header when wider); longer text is elided
# and shown whole in the tooltip.
COLUMN_SAMPLES = {
    0: "TKT-000000",
    1: "PER-000000",
    3: "hinge / ports",
    4: "awaiting parts",
    5: "j.smith",
    6: "Vendor name",
    7: "RMA-00000",
    8: "Wed 30/09/26",
    9: "0",
}


CHIP_STYLE = f"""
QPushButton#stateChip {{ border: 1px solid {LINE}; border-radius: 11px; padding: 2px 8px;
    background: {PAPER}; color: {MUTED}; font-size: 9pt; }}
QPushButton#stateChip:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
"""


# what the queue shows is read from these: a change to any of them refreshes it
QUEUE_TABLES = ("tickets", "ticket_parts", "payments", "devices", "students", "claims", "loans")


class BenchPanel(QWidget):
    """The ticket queue; ``opened(TicketPage)`` when a ticket page is shown."""

    opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pages: list[TicketPage] = []
        self.queue: ticket_queue.TicketQueue | None = None
        title = QLabel("Bench")
        title.setObjectName("pageTitle")
        self.scan_box = ScanBox()
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText(
            "Scan a device, a repair receipt (TKT-…) or a loan slip to open its ticket"
        )
        self.scan_box.scanned.connect(lambda code, _burst: self.open_code(code))
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()

        self.chips = QHBoxLayout()
        self.chips.setSpacing(8)
        self.chip_buttons: dict[TicketState | None, QPushButton] = {}
        chip_row = QWidget()
        chip_row.setStyleSheet(CHIP_STYLE)
        chip_row.setLayout(self.chips)
        self.chips.setContentsMargins(0, 0, 0, 0)
        for state in [None, *(s for s in TicketState if s.is_open)]:
            chip = QPushButton(state.label if state else "all open")
            chip.setObjectName("stateChip")
            chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            chip.setCheckable(True)
            chip.clicked.connect(lambda _checked=False, s=state: self.set_state(s))
            chip.setMinimumWidth(chip.fontMetrics().horizontalAdvance(chip.text()) + 26)
            self.chip_buttons[state] = chip
            self.chips.addWidget(chip)
        self.chips.addStretch(1)
        self.old_label = QLabel()
        self.old_label.setObjectName("oldCount")
        self.old_label.setStyleSheet(f"color: {BAD}; font-weight: 600;")

        self.state_filter = QComboBox()
        self.state_filter.setObjectName("stateFilter")
        self.state_filter.addItem("All open tickets", None)
        for state in TicketState:
            self.state_filter.addItem(state.label.capitalize(), state.value)
        self.tech_filter = QComboBox()
        self.tech_filter.setObjectName("technicianFilter")
        self.tech_filter.addItem("Any technician", None)
        self.tech_filter.addItem("Nobody yet", "")
        self.vendor_filter = QComboBox()
        self.vendor_filter.setObjectName("vendorFilter")
        self.vendor_filter.addItem("Any vendor", None)
        self.vendor_filter.addItem("No vendor", "")
        self.closed_box = QCheckBox("Closed too")
        self.closed_box.setToolTip("Show collected, written-off and cancelled tickets as well")
        for combo in (self.state_filter, self.tech_filter, self.vendor_filter):
            combo.currentIndexChanged.connect(self.refresh)
        self.closed_box.toggled.connect(self.refresh)
        self.count = QLabel("…")
        self.count.setObjectName("hint")
        open_button = QPushButton("Open ticket")
        open_button.clicked.connect(self.open_selected)
        bar = QHBoxLayout()
        for label, widget in (
            ("State", self.state_filter),
            ("Technician", self.tech_filter),
            ("Vendor", self.vendor_filter),
        ):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.closed_box)
        self.count.setMinimumWidth(90)
        bar.addSpacing(8)
        bar.addWidget(self.count)
        bar.addWidget(self.old_label, 1)
        bar.addWidget(open_button)

        self.model = QueueModel(self)
        self.view = QTableView()
        self.view.setObjectName("ticketQueue")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicator(AGE_COLUMN, Qt.SortOrder.DescendingOrder)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        size_columns(self.view, COLUMN_SAMPLES, STRETCH_COLUMNS, GROWING_COLUMNS)
        self.view.doubleClicked.connect(lambda index: self.open_row(index.row()))
        self.view.activated.connect(lambda index: self.open_row(index.row()))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.scan_box)
        self.cover_button = QPushButton()
        self.cover_button.setObjectName("studentCover")
        self.cover_button.clicked.connect(self.open_cover)
        self.cover_button.hide()
        self.cover_student: int | None = None
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.cover_button)
        layout.addLayout(message_row)
        layout.addWidget(chip_row)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.refresh)
        self._mark_chip()

    # --- the queue -------------------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()
        self.timer.start()
        self.scan_box.setFocus()

    def filters(self) -> dict:
        return {
            "state": self.state_filter.currentData(),
            "technician": self.tech_filter.currentData(),
            "vendor": self.vendor_filter.currentData(),
            "include_closed": self.closed_box.isChecked(),
        }

    def set_state(self, state: str | None) -> None:
        index = self.state_filter.findData(state)
        if index >= 0 and index != self.state_filter.currentIndex():
            self.state_filter.setCurrentIndex(index)
        self._mark_chip()

    def set_technician(self, username: str | None) -> None:
        self._choose(self.tech_filter, username)

    def set_vendor(self, vendor: str | None) -> None:
        self._choose(self.vendor_filter, vendor)

    @staticmethod
    def _choose(combo: QComboBox, value: str | None) -> None:
        index = combo.findData(value)
        if index < 0:
            combo.addItem(value or "", value)
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    def _mark_chip(self) -> None:
        current = self.state_filter.currentData()
        for state, chip in self.chip_buttons.items():
            chip.setChecked(state == current)

    def refresh(self) -> None:
        self._mark_chip()
        factory, filters = self.ctx.factory, self.filters()
        submit(
            self,
            lambda: ticket_queue.ticket_queue(factory, **filters),
            self._show,
            lambda exc: report_unexpected(self, "Loading the ticket queue", exc),
            key="bench-queue",
        )

    def changed_elsewhere(self, changes: object) -> None:
        """Another counter, the command line or this window changed something: the queue and
        its chips are read again (the selected ticket stays selected)."""
        touches = getattr(changes, "touches", None)
        if changes is None or touches is None or touches(*QUEUE_TABLES):
            self.refresh()

    def _show(self, queue: ticket_queue.TicketQueue) -> None:
        self.queue = queue
        chosen = self.view.selectionModel().selectedRows()
        kept = self.model.rows[chosen[0].row()].id if chosen else None
        self.model.set_rows(list(queue.rows))
        for row, ticket in enumerate(self.model.rows):
            if ticket.id == kept:
                self.view.selectRow(row)
                break
        counts = dict(queue.counts)
        for state, chip in self.chip_buttons.items():
            name = state.label if state else "all open"
            chip.setText(f"{name}  {queue.open_total if state is None else counts.get(state, 0)}")
            chip.setMinimumWidth(chip.fontMetrics().horizontalAdvance(chip.text()) + 26)
        self.old_label.setText(
            f"{queue.old} older than {ticket_queue.OLD_AFTER_SCHOOL_DAYS} school days"
            if queue.old
            else ""
        )
        self._add_choices(self.tech_filter, queue.technicians)
        self._add_choices(self.vendor_filter, queue.vendors)
        shown = len(queue.rows)
        self.count.setText(f"{shown} ticket{'s' if shown != 1 else ''}" if shown else "No tickets.")

    @staticmethod
    def _add_choices(combo: QComboBox, values: tuple[str, ...]) -> None:
        combo.blockSignals(True)
        for value in values:
            if combo.findData(value) < 0:
                combo.addItem(value, value)
        combo.blockSignals(False)

    # --- opening a ticket ------------------------------------------------------------------------

    def open_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self.open_row(rows[0].row())
        else:
            self._say("Choose a ticket in the queue first, or scan one.", "info")

    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.open_ticket(self.model.rows[row].id)

    def _lookup(self, code: str) -> None:
        factory = self.ctx.factory
        submit(
            self,
            lambda: lookup(factory, code),
            self._scanned,
            lambda exc: self._say(describe_failure("Looking up the code", exc), "bad"),
            key="bench-scan",
        )

    def _scanned(self, card: Card) -> None:
        if isinstance(card, TicketCard):
            self.open_ticket(card.ticket.id)
        elif isinstance(card, DeviceCard):
            if card.open_ticket is not None:
                self.open_ticket(card.open_ticket.id)
            else:
                self._say(f"{card.asset_tag} has no open repair ticket.", "bad")
        elif isinstance(card, LoanCard):
            if card.loan.ticket_id is not None:
                self.open_ticket(card.loan.ticket_id)
            else:
                self._say(f"{card.loan.code} is a {card.loan.loan_type} loan, not a repair.", "bad")
        elif isinstance(card, StudentCard):
            tickets = card.open_tickets
            if len(tickets) == 1:
                self.open_ticket(tickets[0].id)
            elif tickets:
                codes = ", ".join(t.code for t in tickets)
                self._say(f"{card.name} has {len(tickets)} open tickets: {codes}.", "info")
            else:
                self._say(f"{card.name} ({card.form}) has no open repair ticket.", "bad")
            self.cover_student = card.id
            self.cover_button.setText(f"Cover periods of {card.name}…")
            self.cover_button.show()

    def open_cover(self):  # noqa: ANN201 - a CoverDialog
        """The cover periods of the student last scanned (list, add, edit)."""
        from helpdesk.ui.bench.cover_dialog import CoverDialog

        if self.cover_student is None:
            return None
        dialog = CoverDialog(self.ctx, self.cover_student, self)
        dialog.finished.connect(lambda _result: dialog.deleteLater())
        dialog.show()
        self.cover_dialog = dialog
        return dialog

    def handle_scan(self, code: str) -> bool:
        """A scan made while the bench shows (anywhere in it): open the code's ticket."""
        self.open_code(code)
        return True

    def open_code(self, code: str) -> None:
        self.cover_button.hide()
        self._lookup(code)

    def open_ticket(self, ticket_id: int) -> TicketPage:
        self.message.hide()
        for page in self.pages:
            if page.ticket_id == ticket_id and page.isVisible():
                page.raise_()
                page.activateWindow()
                page.reload()
                return page
        page = TicketPage(self.ctx, ticket_id, self)
        page.changed.connect(self.refresh)
        page.finished.connect(lambda _result, p=page: self._closed(p))
        self.pages.append(page)
        page.show()
        self.opened.emit(page)
        return page

    def _closed(self, page: TicketPage) -> None:
        if page in self.pages:
            self.pages.remove(page)
        page.deleteLater()
        self.scan_box.setFocus()  # ready for the next scan

    def _say(self, sentence: str, tone: str) -> None:
        say(self.message, sentence, tone)
