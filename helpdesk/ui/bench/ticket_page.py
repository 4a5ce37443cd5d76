"""The ticket page: the device and student, the damage and its photos, diagnosis notes, parts and
their costs, vendor, RMA and warranty, time on the bench, the cover check and the charge with the
rule, payment or waiver, the moves the lifecycle allows, and the full history.

Every action is a service call off the GUI thread; a refusal shows as one red sentence.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import TicketState
from helpdesk.services.repairs import bench_actions
from helpdesk.services.repairs import ticket_queue as bench
from helpdesk.ui.bench.payment_dialog import payment_row
from helpdesk.ui.bench.ticket_actions import TicketActions
from helpdesk.ui.bench.ticket_sections import MOVE_WORDS, TicketSections
from helpdesk.ui.bench.widgets import (
    RIGHT_WIDTH,
    fill_table,
    load_thumbnails,
    make_table,
    minutes_text,
    money,
    say,
    submit,
)
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.style import BAD, BAD_BG, GOOD, GOOD_BG, MUTED, WARN, WARN_BG, badge_html

DISABLED_STYLE = "QPushButton:disabled, QLineEdit:disabled { color: #9aa5b1; background: #eef1f4; }"
CHARGE_COLOURS = {"due": (WARN, WARN_BG), "paid": (GOOD, GOOD_BG), "waived": (MUTED, "#eef1f4")}


class TicketPage(TicketSections, TicketActions, QDialog):
    """One repair ticket. ``changed`` after every action that succeeded."""

    changed = Signal()

    def __init__(self, ctx: AppContext, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ticket_id = ticket_id
        self.page: bench.TicketPage | None = None
        self.pending_move: str | None = None
        self.busy = False
        self.setWindowTitle("Repair ticket")
        self.setObjectName("ticketPage")
        self.setStyleSheet(DISABLED_STYLE)
        self.resize(1280, 960)

        self.title = QLabel("Loading…")
        self.title.setObjectName("cardTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("cardSub")
        self.subtitle.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        right_column = QWidget()
        right_column.setFixedWidth(RIGHT_WIDTH)
        right = QVBoxLayout(right_column)
        right.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addWidget(right_column)
        left.addWidget(self._damage_box())
        left.addWidget(self._vendor_box())
        left.addWidget(self._parts_box(), 1)
        right.addWidget(self._move_box())
        right.addWidget(self._charge_box())
        right.addWidget(self._photos_box())
        right.addStretch(1)

        self.history = QTabWidget()
        self.changes_table = make_table(["When", "Who", "What happened"], 2)
        self.device_table = make_table(["When", "What", "Ref"], 1)
        self.history.addTab(self.changes_table, "Ticket history")
        self.history.addTab(self.device_table, "Device history")
        self.history.setFixedHeight(190)

        self.print_queue = None
        print_button = QPushButton("Print receipt")
        print_button.setObjectName("printReceipt")
        print_button.clicked.connect(self.print_receipt)
        pdf_button = QPushButton("Receipt as PDF…")
        pdf_button.setObjectName("receiptPdf")
        pdf_button.clicked.connect(lambda: self.save_receipt())
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(print_button)
        top.addWidget(pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.history)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field never presses a move button
        for field in (self.part_name, self.part_number):
            field.returnPressed.connect(self.add_part)
        for field in (self.vendor_edit, self.rma_edit):
            field.returnPressed.connect(self.save_vendor)
        self.reload()

    # --- loading and showing ---------------------------------------------------------------------

    def reload(self) -> None:
        factory, ticket_id = self.ctx.factory, self.ticket_id
        submit(
            self,
            lambda: bench.ticket_page(factory, ticket_id),
            self.show_page,
            lambda exc: self._say(describe_failure("Loading the ticket", exc), "bad"),
            key=f"ticket-page-{id(self)}",
        )

    def show_page(self, page: bench.TicketPage) -> None:
        self.page = page
        t = page.ticket
        state = TicketState(t.state)
        self.setWindowTitle(f"{t.code} · {t.asset_tag}")
        title = f"{t.code}  {badge_html(state.label, *self._state_colours(state))}"
        if page.student_unpaid_pence > 0:  # the student owes money, on this or another ticket
            owed = f"Unpaid charges {money(page.student_unpaid_pence)}"
            title += f"  {badge_html(owed, BAD, BAD_BG)}"
        self.title.setText(title)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        who = f"{t.student_name} ({t.form}), card {t.card_code}" if t.student_id else "no student"
        self.subtitle.setText(
            f"{t.asset_tag} · {t.model} · serial {t.serial} · {page.device_status.replace('_', ' ')}"
            f"  —  {who}  —  logged {t.opened_at:%d/%m/%Y %H:%M}, "
            f"{page.age_school_days} school day{'' if page.age_school_days == 1 else 's'} old"
            + (f", technician {t.technician}" if t.technician else "")
        )
        self._show_damage(page)
        fill_table(
            self.parts_table,
            [
                (
                    p.description,
                    p.part_number,
                    str(p.quantity),
                    money(p.unit_cost_pence),
                    money(p.quantity * p.unit_cost_pence),
                )  # fmt: skip
                for p in t.parts
            ],
        )
        self.parts_total.setText(f"<b>Parts total: {money(t.parts_pence)}</b>")
        self._show_photos(page)
        self._show_moves(page)
        self._show_charge(page)
        if not self.vendor_edit.hasFocus():
            self.vendor_edit.setText(t.vendor)
            self.rma_edit.setText(t.rma_number)
        self.warranty_box.setChecked(t.warranty)
        self.warranty_text.setText(
            f"warranty until {page.warranty_until:%d/%m/%Y}"
            if page.warranty_until
            else "no warranty date on record"
        )
        self.time_text.setText(minutes_text(t.minutes_spent))
        self._fit_labels()
        for widget in (self.note_button, self.part_button, self.vendor_button, self.time_button,
                       self.photo_button):  # fmt: skip
            widget.setEnabled(t.is_open)
        self.camera_button.setEnabled(t.is_open and bool(self.ctx.camera_source))
        fill_table(
            self.changes_table,
            [(f"{e.at:%d/%m/%Y %H:%M}", e.who, e.text) for e in page.events],
        )
        fill_table(
            self.device_table,
            [(f"{h.at:%d/%m/%Y %H:%M}", h.text, h.ref) for h in page.device_history],
        )

    @staticmethod
    def _state_colours(state: TicketState) -> tuple[str, str]:
        if state in (TicketState.COLLECTED, TicketState.READY_FOR_COLLECTION):
            return GOOD, GOOD_BG
        if state in (TicketState.WRITTEN_OFF, TicketState.CANCELLED):
            return MUTED, "#eef1f4"
        if state is TicketState.AWAITING_PAYMENT:
            return WARN, WARN_BG
        return "#2f6fde", "#e8f0fe"

    def _show_damage(self, page: bench.TicketPage) -> None:
        t = page.ticket
        facts = [f"<b>{t.category.replace('_', ' / ').capitalize()}</b>"]
        if page.occurred_on:
            facts.append(f"happened {page.occurred_on:%d/%m/%Y}")
        if page.reported_on and page.reported_on != page.occurred_on:
            facts.append(f"reported {page.reported_on:%d/%m/%Y}")
        if page.crime_reference:
            facts.append(f"crime reference {escape(page.crime_reference)}")
        if t.swap_loan is not None:
            loan = t.swap_loan
            status = "out" if loan.is_open else f"back {loan.returned_at:%d/%m}"
            facts.append(f"swap loaner {loan.asset_tag} ({status})")
        text = " · ".join(facts)
        self.damage.setText(f"{text}<br>{escape(t.fault)}")
        self.diagnosis.setPlainText(t.diagnosis or "")

    def _show_photos(self, page: bench.TicketPage) -> None:
        kept = (
            "(kept with the backup)"
            if page.photos_in_backup
            else "(back this folder up with the database)"
        )
        self.photo_where.setText(
            f"Stored in {page.photo_folder} {kept}."
            if page.photo_files
            else f"No photos yet. Photos are stored in {page.photo_folder} {kept}."
        )
        files = page.photo_files
        submit(self, lambda: load_thumbnails(files), self._thumbnails, key=f"thumbs-{id(self)}")

    def _thumbnails(self, thumbs: list[tuple[str, QImage | None]]) -> None:
        self.photos.clear()
        for path, image in thumbs:
            name = path.rsplit("/", 1)[-1]
            item = QListWidgetItem(name if image is not None else f"{name} (missing)")
            if image is not None:
                item.setIcon(QIcon(QPixmap.fromImage(image)))
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.photos.addItem(item)

    def _open_photo(self, item: QListWidgetItem) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.ItemDataRole.UserRole)))

    def _show_moves(self, page: bench.TicketPage) -> None:
        allowed = set(page.allowed)
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
            self.move_hint.setText(f"This ticket is {TicketState(t.state).label}{when} and closed.")
        else:
            self.move_hint.setText("Only the moves the lifecycle allows from here are offered.")
        if self.pending_move not in allowed:
            self._hide_confirm()
        show_replacement = t.state == TicketState.WRITTEN_OFF.value and t.student_id is not None
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

    def _show_charge(self, page: bench.TicketPage) -> None:
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
        self.reverse_button.setVisible(bool(t.payments))
        self._payment_chosen()
        self.pay_button.setEnabled(due)
        self.waive_button.setEnabled(due)
        self.waive_reason.setEnabled(due)
        self.cover_button.setEnabled(t.student_id is not None)

    # --- messages and layout ------------------------------------------------------------------

    def _say(self, sentence: str, tone: str) -> None:
        say(self.message, sentence, tone)

    def _fit_labels(self) -> None:
        """Word-wrapped labels in the fixed right column take the height their text needs."""
        for label in (self.cover_text, self.photo_where, self.move_hint, self.confirm_text,
                      self.replacement_text):  # fmt: skip
            width = label.width() if label.width() > 50 else RIGHT_WIDTH - 40
            label.setMinimumHeight(label.heightForWidth(width))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._fit_labels()
