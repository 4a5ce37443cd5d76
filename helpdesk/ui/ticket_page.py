"""The ticket page: the device and student, the damage and its photos, diagnosis notes, parts and
their costs, vendor, RMA and warranty, time on the bench, the cover check and the charge with the
rule, payment or waiver, the moves the lifecycle allows, and the full history.

Every action is a service call off the GUI thread; a refusal shows as one red sentence.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
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
from helpdesk.domain.errors import ValidationError
from helpdesk.services import assignments, bench_actions, tickets
from helpdesk.services import ticket_queue as bench
from helpdesk.ui.bench_widgets import (
    RIGHT_WIDTH,
    CameraFailed,
    camera_snapshot,
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
from helpdesk.ui.style import GOOD, GOOD_BG, MUTED, WARN, WARN_BG, badge_html
from helpdesk.ui.ticket_sections import MOVE_WORDS, TicketSections

CONFIRM = {
    "written_off": "Write off {tag}? The device is retired and taken off {who}; this cannot be "
    "undone.",
    "cancelled": "Cancel {code}? Any charge still due is waived and the claim no longer counts.",
}
DISABLED_STYLE = "QPushButton:disabled, QLineEdit:disabled { color: #9aa5b1; background: #eef1f4; }"
CHARGE_COLOURS = {"due": (WARN, WARN_BG), "paid": (GOOD, GOOD_BG), "waived": (MUTED, "#eef1f4")}


class TicketPage(TicketSections, QDialog):
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
        self.title.setText(f"{t.code}  {badge_html(state.label, *self._state_colours(state))}")
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
        for widget in (self.note_button, self.part_button, self.vendor_button, self.time_button):
            widget.setEnabled(t.is_open)
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
            lines.append(f"Rule: {escape(t.cover.rule)}")
            if t.waiver_reason:
                lines.append(f"Waived: {escape(t.waiver_reason)}")
        elif t.category in ("software", "battery"):
            lines.append("A fault, not damage: no claim and no charge.")
        else:
            lines.append("No charge was raised for this ticket.")
        self.cover_text.setText("<br>".join(lines))
        due = t.charge_status == "due" and t.charge_pence > 0
        self.pay_button.setEnabled(due)
        self.waive_button.setEnabled(due)
        self.waive_reason.setEnabled(due)
        self.cover_button.setEnabled(t.student_id is not None)

    # --- actions ---------------------------------------------------------------------------------

    def _run(self, what: str, call: Callable[[], object], done: str, after=None) -> None:  # noqa: ANN001
        """Run a service call off the GUI thread; on success say ``done`` and reload."""
        if self.busy:
            self._say("Still saving the last change; try again in a moment.", "info")
            return
        self.busy = True

        def ok(result: object) -> None:
            self.busy = False
            self._say(done, "good")
            if after is not None:
                after(result)
            self.reload()
            self.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            sentence = str(exc) if isinstance(exc, CameraFailed) else describe_failure(what, exc)
            self._say(sentence, "bad")

        submit(self, call, ok, failed)

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

    def move(self, state: str) -> None:
        if self.page is None:
            return
        if state in CONFIRM and self.pending_move != state:
            t = self.page.ticket
            who = f"{t.student_name} ({t.form})" if t.student_id else "its assignment"
            self.pending_move = state
            self.confirm_text.setText(CONFIRM[state].format(tag=t.asset_tag, who=who, code=t.code))
            self.confirm_row.show()
            return
        self._hide_confirm()
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        note = self.note_edit.text()
        label = TicketState(state).label

        def cleared(_result: object) -> None:
            self.note_edit.clear()

        self._run(
            "Moving the ticket",
            lambda: tickets.move_ticket(factory, actor, ticket_id, state, note=note),
            f"Moved to {label}.",
            cleared,
        )

    def confirm_move(self) -> None:
        if self.pending_move is not None:
            self.move(self.pending_move)

    def _hide_confirm(self) -> None:
        self.pending_move = None
        self.confirm_row.hide()

    def add_note(self) -> None:
        factory, actor, ticket_id, note = (self.ctx.factory, self.ctx.actor, self.ticket_id,
                                           self.note_edit.text())  # fmt: skip
        self._run(
            "Adding the note",
            lambda: bench_actions.add_diagnosis_note(factory, actor, ticket_id, note),
            "Note added.",
            lambda _r: self.note_edit.clear(),
        )

    def add_part(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        name, number = self.part_name.text(), self.part_number.text()
        qty, pence = self.part_qty.value(), round(self.part_cost.value() * 100)

        def cleared(_result: object) -> None:
            self.part_name.clear()
            self.part_number.clear()
            self.part_qty.setValue(1)
            self.part_cost.setValue(0)

        self._run(
            "Adding the part",
            lambda: tickets.add_part(
                factory,
                actor,
                ticket_id,
                name,
                part_number=number,
                quantity=qty,
                unit_cost_pence=pence,
            ),  # fmt: skip
            f"Part added: {name.strip()}.",
            cleared,
        )

    def add_photo(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Add a photo of the damage", "", "Photos (*.jpg *.jpeg *.png *.bmp *.webp)"
            )
        if not path:
            return
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        self._run(
            "Adding the photo",
            lambda: bench_actions.add_photo(factory, actor, ticket_id, path),
            "Photo added.",
        )

    def take_photo(self) -> None:
        """A snapshot from this computer's camera, stored with the ticket like a file."""
        source = self.ctx.camera_source
        if not source:
            self._say("No camera is chosen for this computer; add a photo from a file.", "bad")
            return
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id

        def snap_and_store() -> object:
            with tempfile.TemporaryDirectory() as folder:
                path = camera_snapshot(source, Path(folder))
                return bench_actions.add_photo(factory, actor, ticket_id, path, caption="camera")

        self._say("Taking the photo…", "info")
        self._run("Taking the photo", snap_and_store, "Photo taken and stored.")

    def save_vendor(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        vendor, rma, warranty = (self.vendor_edit.text(), self.rma_edit.text(),
                                 self.warranty_box.isChecked())  # fmt: skip
        self._run(
            "Saving the vendor",
            lambda: tickets.set_vendor(factory, actor, ticket_id, vendor, rma, warranty=warranty),
            "Vendor saved.",
        )

    def add_time(self) -> None:
        factory, actor, ticket_id, minutes = (self.ctx.factory, self.ctx.actor, self.ticket_id,
                                              self.minutes.value())  # fmt: skip
        self._run(
            "Adding time",
            lambda: tickets.add_time(factory, actor, ticket_id, minutes),
            f"{minutes} min added.",
        )

    def record_payment(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        self._run(
            "Recording the payment",
            lambda: tickets.record_payment(factory, actor, ticket_id),
            "Payment recorded.",
        )

    def waive(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        reason = self.waive_reason.text()
        self._run(
            "Waiving the charge",
            lambda: tickets.waive_charge(factory, actor, ticket_id, reason),
            "Charge waived.",
            lambda _r: self.waive_reason.clear(),
        )

    def assign_replacement(self) -> None:
        if self.page is None or self.page.ticket.student_id is None:
            return
        index = self.spare.findText(self.spare.currentText())
        tag = self.spare.itemData(index) if index >= 0 else None
        tag = tag or self.spare.currentText().strip().split(" ")[0]
        factory, actor, student_id = self.ctx.factory, self.ctx.actor, self.page.ticket.student_id
        who = f"{self.page.ticket.student_name} ({self.page.ticket.form})"
        self._run(
            "Assigning the replacement",
            lambda: assignments.assign_device(
                factory, actor, device_code=tag, student_id=student_id
            ),  # fmt: skip
            f"{tag} is now assigned to {who}.",
        )

    # --- the repair receipt (reprinted for a family that lost theirs) ----------------------------

    def _receipt_job(self):  # noqa: ANN202 - a counter_actions.SlipJob
        from helpdesk.services.codes import ticket_code
        from helpdesk.ui.counter_actions import SlipJob

        return SlipJob("receipt", self.ticket_id, f"Repair receipt {ticket_code(self.ticket_id)}")

    def print_receipt(self) -> None:
        """Send the repair receipt to this computer's slip printer (kept for a retry if it fails)."""
        from helpdesk.ui import counter_actions

        if self.print_queue is None:
            self.print_queue = counter_actions.make_print_queue(self, self.ctx)
            self.print_queue.printed.connect(
                lambda _kind, printer, _pages: self._say(f"Receipt sent to {printer}.", "good")
            )
        counter_actions.print_in_background(self, self._receipt_job())

    def print_failed(self, sentence: str) -> None:
        self._say(sentence, "warn")

    def save_receipt(self, path: str | None = None) -> None:
        """The repair receipt as a PDF file (to e-mail to a family)."""
        from helpdesk.ui.counter_actions import slip_pdf

        job = self._receipt_job()
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the repair receipt", f"{job.title.split()[-1]}.pdf", "PDF files (*.pdf)"
            )
        if not path:
            return
        ctx, target = self.ctx, Path(path)

        def write() -> Path:
            pdf = slip_pdf(ctx, job)
            try:
                target.write_bytes(pdf)
            except OSError as exc:
                raise ValidationError(
                    f"The receipt could not be saved as {target}: {exc.strerror or exc}."
                ) from None
            return target

        self._run("Saving the receipt", write, f"Receipt saved as {target}.")

    def edit_cover(self) -> None:
        if self.page is None or self.page.ticket.student_id is None:
            return
        from helpdesk.ui.cover_dialog import CoverDialog

        dialog = CoverDialog(self.ctx, self.page.ticket.student_id, self)
        dialog.changed.connect(self.reload)
        dialog.show()
        self.cover_dialog = dialog
