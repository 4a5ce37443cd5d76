"""The sections of the ticket page where something is decided: where the ticket moves next (with a
second press for a move that cannot be undone, and a replacement after a write-off) and what the
student pays (cover, charge, payments and waiver). Each is a group box that owns its widgets,
fills itself from the page's data and says by a signal what the technician asked for."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import TicketState
from helpdesk.services.core.views import PaymentInfo
from helpdesk.services.repairs import bench_actions
from helpdesk.services.repairs.ticket_queue import TicketPage as PageData
from helpdesk.ui.bench.payment_dialog import payment_row
from helpdesk.ui.bench.widgets import fill_table, make_table, money, submit
from helpdesk.ui.context import AppContext
from helpdesk.ui.style import BAD, GOOD, GOOD_BG, MUTED, WARN, WARN_BG, badge_html

MOVE_WORDS = {
    "diagnosing": "Diagnose",
    "awaiting_payment": "Await payment",
    "awaiting_parts": "Await parts",
    "with_vendor": "Send to vendor",
    "repaired": "Repaired",
    "ready_for_collection": "Ready for collection",
    "collected": "Collected",
    "written_off": "Write off…",
    "cancelled": "Cancel ticket…",
}
CONFIRM = {
    "written_off": "Write off {tag}? The device is retired and taken off {who}; this cannot be "
    "undone.",
    "cancelled": "Cancel {code}? Any charge still due is waived and the claim no longer counts.",
}
# Moves that need more than moving a ticket (the permission table's action for each).
MOVE_ACTIONS = {"written_off": "ticket.write_off"}
CHARGE_COLOURS = {"due": (WARN, WARN_BG), "paid": (GOOD, GOOD_BG), "waived": (MUTED, "#eef1f4")}


class MovesBox(QGroupBox):
    """The moves the lifecycle allows from here. ``move_wanted(state)`` once a move is pressed
    (a write-off or a cancel only after "Yes, go ahead"); ``replacement_wanted`` asks to assign
    the spare chosen for the student of a written-off device."""

    move_wanted = Signal(str)
    replacement_wanted = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("Move the ticket")
        self.ctx = ctx
        self.page: PageData | None = None
        # The actions the acting staff member may do (None: not known, every move shown); a move
        # that needs more (MOVE_ACTIONS) is hidden from the others (the services refuse it too).
        self.allowed: frozenset[str] | None = None
        self.pending_move: str | None = None
        self.move_hint = QLabel()
        self.move_hint.setObjectName("hint")
        self.move_hint.setWordWrap(True)
        self.move_grid = QGridLayout()
        self.move_buttons: dict[str, QPushButton] = {}
        for state, words in MOVE_WORDS.items():
            button = QPushButton(words)
            button.setObjectName(f"move_{state}")
            button.clicked.connect(lambda _c=False, s=state: self.press(s))
            self.move_buttons[state] = button
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setStyleSheet(f"color: {BAD}; font-weight: 600;")
        self.confirm_button = QPushButton("Yes, go ahead")
        self.confirm_button.setObjectName("confirmMove")
        self.confirm_button.setStyleSheet(f"background: {BAD}; color: white; border-color: {BAD};")
        self.confirm_button.clicked.connect(self.confirm)
        self.keep_button = QPushButton("Keep it")
        self.keep_button.clicked.connect(self.hide_confirm)
        self.confirm_row = QWidget()
        confirm = QHBoxLayout(self.confirm_row)
        confirm.setContentsMargins(0, 0, 0, 0)
        confirm.addWidget(self.confirm_text, 1)
        confirm.addWidget(self.confirm_button)
        confirm.addWidget(self.keep_button)
        self.confirm_row.hide()
        self.replacement = QWidget()
        self.replacement.setObjectName("replacement")
        self.replacement_text = QLabel()
        self.replacement_text.setWordWrap(True)
        self.spare = QComboBox()
        self.spare.setObjectName("spareDevice")
        self.spare.setEditable(True)
        self.spare.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        spare_edit = self.spare.lineEdit()
        assert spare_edit is not None  # an editable box has its line edit
        spare_edit.returnPressed.connect(self.replacement_wanted)
        spare_edit.setPlaceholderText("Scan or choose a spare laptop")
        self.assign_button = QPushButton("Assign replacement")
        self.assign_button.setObjectName("primary")
        self.assign_button.clicked.connect(self.replacement_wanted)
        spare_row = QHBoxLayout()
        spare_row.addWidget(self.spare, 1)
        spare_row.addWidget(self.assign_button)
        rep = QVBoxLayout(self.replacement)
        rep.setContentsMargins(0, 0, 0, 0)
        rep.addWidget(self.replacement_text)
        rep.addLayout(spare_row)
        self.replacement.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.move_hint)
        layout.addLayout(self.move_grid)
        layout.addWidget(self.confirm_row)
        layout.addWidget(self.replacement)

    def press(self, state: str) -> None:
        """A move button: a move that cannot be undone asks first, any other goes ahead."""
        if self.page is None:
            return
        if state in CONFIRM and self.pending_move != state:
            t = self.page.ticket
            who = f"{t.student_name} ({t.form})" if t.student_id else "its assignment"
            self.pending_move = state
            self.confirm_text.setText(CONFIRM[state].format(tag=t.asset_tag, who=who, code=t.code))
            self.confirm_row.show()
            return
        self.hide_confirm()
        self.move_wanted.emit(state)

    def confirm(self) -> None:
        if self.pending_move is not None:
            self.press(self.pending_move)

    def hide_confirm(self) -> None:
        self.pending_move = None
        self.confirm_row.hide()

    def may_move(self, state: str) -> bool:
        action = MOVE_ACTIONS.get(state)
        return action is None or self.allowed is None or action in self.allowed

    def chosen_spare(self) -> str:
        """The asset tag of the spare chosen in the list, or the first word typed or scanned."""
        index = self.spare.findText(self.spare.currentText())
        tag = self.spare.itemData(index) if index >= 0 else None
        return str(tag or self.spare.currentText().strip().split(" ")[0])

    def show_ticket(self, page: PageData) -> None:
        self.page = page
        allowed = {s for s in page.allowed if self.may_move(s)}
        for button in self.move_buttons.values():
            self.move_grid.removeWidget(button)
            button.hide()
        shown = [s for s in MOVE_WORDS if s in allowed]
        for n, state in enumerate(shown):
            self.move_grid.addWidget(self.move_buttons[state], n // 3, n % 3)
            self.move_buttons[state].show()
        t = page.ticket
        if not allowed:
            when = f" on {t.closed_at:%d/%m/%Y}" if t.closed_at else ""
            self.move_hint.setText(f"This ticket is {t.state.label}{when} and closed.")
        else:
            self.move_hint.setText("Only the moves the lifecycle allows from here are offered.")
        if self.pending_move not in allowed:
            self.hide_confirm()
        show_replacement = t.state is TicketState.WRITTEN_OFF and t.student_id is not None
        self.replacement.setVisible(show_replacement)
        for widget in (self.spare, self.assign_button):
            widget.setVisible(not page.replacement)
        if show_replacement and page.replacement:
            self.replacement_text.setText(
                f"{t.asset_tag} is retired. {t.student_name} ({t.form}) has {page.replacement} "
                "as a replacement."
            )
        elif show_replacement:
            self.replacement_text.setText(
                f"{t.asset_tag} is retired. Assign a replacement {page.device_kind} to "
                f"{t.student_name} ({t.form}):"
            )
            factory, kind = self.ctx.factory, page.device_kind
            submit(
                self,
                lambda: bench_actions.spare_devices(factory, kind),
                self._spares,
                key=f"spares-{id(self)}",
            )

    def _spares(self, spares: list[bench_actions.SpareDevice]) -> None:
        typed = self.spare.currentText()
        self.spare.clear()
        for spare in spares:
            self.spare.addItem(f"{spare.asset_tag}  {spare.model}", spare.asset_tag)
        self.spare.setEditText(typed)


# The ticket page's controls shown only to those who may use them.
MONEY_ACTIONS = ("payment.record", "payment.reverse", "charge.waive")
COVER_ACTIONS = ("cover.add", "cover.edit")
PAGE_ACTIONS = (*MONEY_ACTIONS, *COVER_ACTIONS, *MOVE_ACTIONS.values())


class ChargeBox(QGroupBox):
    """Cover today, the charge and its rule, the payments taken. ``pay_wanted``, ``waive_wanted``,
    ``cover_wanted`` and ``reverse_wanted`` ask for those actions."""

    pay_wanted = Signal()
    waive_wanted = Signal()
    cover_wanted = Signal()
    reverse_wanted = Signal()

    def __init__(self) -> None:
        super().__init__("Cover and charge")
        self.page: PageData | None = None
        # The money actions the acting staff member may do (None: not known, all shown); the
        # others are hidden (the services refuse them all the same).
        self.allowed: frozenset[str] | None = None
        self.cover_text = QLabel()
        self.cover_text.setWordWrap(True)
        self.cover_text.setTextFormat(Qt.TextFormat.RichText)
        self.pay_button = QPushButton("Record &payment…")
        self.pay_button.setObjectName("recordPayment")
        self.pay_button.clicked.connect(self.pay_wanted)
        self.waive_reason = QLineEdit()
        self.waive_reason.setObjectName("waiveReason")
        self.waive_reason.setPlaceholderText("Reason for waiving (required)")
        self.waive_button = QPushButton("Waive charge")
        self.waive_button.setObjectName("waiveCharge")
        self.waive_button.clicked.connect(self.waive_wanted)
        self.cover_button = QPushButton("Cover periods…")
        self.cover_button.clicked.connect(self.cover_wanted)
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.pay_button)
        pay_row.addWidget(self.cover_button)
        pay_row.addStretch(1)
        waive_row = QHBoxLayout()
        waive_row.addWidget(self.waive_reason, 1)
        waive_row.addWidget(self.waive_button)
        self.payments_table = make_table(
            ["Taken", "Amount", "Method", "Receipt", "By", "Reversed"], 5
        )
        self.payments_table.setObjectName("paymentsTable")
        self.payments_table.setMaximumHeight(110)
        self.reverse_button = QPushButton("Re&verse payment…")
        self.reverse_button.setObjectName("reversePayment")
        self.reverse_button.setToolTip("A manager undoes the chosen payment, with a reason.")
        self.reverse_button.clicked.connect(self.reverse_wanted)
        self.payments_table.itemSelectionChanged.connect(self._payment_chosen)
        reverse_row = QHBoxLayout()
        reverse_row.addStretch(1)
        reverse_row.addWidget(self.reverse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.cover_text)
        layout.addLayout(pay_row)
        layout.addLayout(waive_row)
        layout.addWidget(self.payments_table)
        layout.addLayout(reverse_row)

    def may(self, action: str) -> bool:
        return self.allowed is None or action in self.allowed

    def chosen_payment(self) -> PaymentInfo | None:
        """The payment picked in the list (payments are listed oldest first)."""
        row = self.payments_table.currentRow()
        if self.page is None or not 0 <= row < len(self.page.ticket.payments):
            return None
        return self.page.ticket.payments[row]

    def _payment_chosen(self) -> None:
        chosen = self.chosen_payment()
        self.reverse_button.setEnabled(chosen is not None and not chosen.is_reversed)

    def show_ticket(self, page: PageData) -> None:
        self.page = page
        t = page.ticket
        lines = [f"Cover today: {escape(page.cover_label)}."]
        if t.cover is not None:
            status = t.charge_status or "due"
            fg, bg = CHARGE_COLOURS.get(status, (MUTED, "#eef1f4"))
            charge = money(t.charge_pence)
            lines.append(
                f"<b style='font-size:13pt'>Charge {charge}</b> {badge_html(status, fg, bg)}"
            )
            if t.paid_pence:
                lines.append(
                    f"Paid so far {money(t.paid_pence)}; still to pay {money(t.balance_pence)}."
                )
            lines.append(f"Rule: {escape(t.cover.rule)}")
            if t.waiver_reason:
                lines.append(f"Waived: {escape(t.waiver_reason)}")
        elif t.category in ("software", "battery"):
            lines.append("A fault, not damage: no claim and no charge.")
        else:
            lines.append("No charge was raised for this ticket.")
        self.cover_text.setText("<br>".join(lines))
        due = t.charge_status == "due" and t.charge_pence > 0
        fill_table(self.payments_table, [payment_row(p) for p in t.payments])
        self.payments_table.setVisible(bool(t.payments))
        self.reverse_button.setVisible(bool(t.payments) and self.may("payment.reverse"))
        self._payment_chosen()
        self.pay_button.setEnabled(due)
        self.waive_button.setEnabled(due)
        self.waive_reason.setEnabled(due)
        self.pay_button.setVisible(self.may("payment.record"))
        self.waive_button.setVisible(self.may("charge.waive"))
        self.waive_reason.setVisible(self.may("charge.waive"))
        self.cover_button.setEnabled(t.student_id is not None)
        self.cover_button.setVisible(any(self.may(a) for a in COVER_ACTIONS))
