"""What the ticket page does: every action is one service call off the GUI thread, a success is
said in green and the page reloads, a refusal is one red sentence. Mixed into
:class:`helpdesk.ui.bench.ticket_page.TicketPage`."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QWidget,
)

from helpdesk.domain.enums import TicketState
from helpdesk.domain.errors import ValidationError
from helpdesk.services.core.views import PaymentInfo, money
from helpdesk.services.counter import assignments
from helpdesk.services.repairs import bench_actions, tickets
from helpdesk.ui.bench.payment_dialog import PaymentDetails, PaymentDialog, ask_reversal_reason
from helpdesk.ui.bench.widgets import CameraFailed, camera_snapshot, submit
from helpdesk.ui.errors import describe_failure

if TYPE_CHECKING:
    from helpdesk.services.repairs.ticket_queue import TicketPage as PageData
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.printing import PrintQueue

    _Page = QDialog  # mixed into a dialog: the page
else:
    _Page = object

CONFIRM = {
    "written_off": "Write off {tag}? The device is retired and taken off {who}; this cannot be "
    "undone.",
    "cancelled": "Cancel {code}? Any charge still due is waived and the claim no longer counts.",
}


class TicketActions(_Page):
    """The page's actions; the page provides the widgets, ``ctx``, ``ticket_id`` and ``page``."""

    # What the page and its sections provide.
    ctx: AppContext
    ticket_id: int
    page: PageData | None
    pending_move: str | None
    busy: bool
    print_queue: PrintQueue | None
    changed: SignalInstance
    note_edit: QLineEdit
    part_name: QLineEdit
    part_number: QLineEdit
    part_qty: QSpinBox
    part_cost: QDoubleSpinBox
    vendor_edit: QLineEdit
    rma_edit: QLineEdit
    warranty_box: QCheckBox
    minutes: QSpinBox
    waive_reason: QLineEdit
    spare: QComboBox
    confirm_text: QLabel
    confirm_row: QWidget
    payments_table: QTableWidget
    reverse_button: QPushButton
    last_slip: object  # the receipt printed last (for "print the last slip again")

    if TYPE_CHECKING:

        def _say(self, sentence: str, tone: str) -> None: ...

        def reload(self) -> None: ...

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

    def move_to(self, state: str) -> None:
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
            self.move_to(self.pending_move)

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

    def record_payment(self, details: PaymentDetails | None = None) -> None:
        """Ask for the amount, method and receipt number (the payment dialog), then record it."""
        if self.page is None:
            return
        t = self.page.ticket
        if details is None:
            dialog = PaymentDialog(t.code, t.charge_pence, t.balance_pence, self)
            self.payment_dialog = dialog
            if dialog.exec() != PaymentDialog.DialogCode.Accepted:
                return
            details = dialog.details()
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        self._run(
            "Recording the payment",
            lambda: tickets.record_payment(
                factory,
                actor,
                ticket_id,
                details.amount_pence,
                details.method,
                details.receipt_number,
            ),  # fmt: skip
            f"Payment of {money(details.amount_pence)} by {details.method} recorded.",
        )

    def chosen_payment(self) -> PaymentInfo | None:
        """The payment picked in the list (payments are listed oldest first)."""
        row = self.payments_table.currentRow()
        if self.page is None or not 0 <= row < len(self.page.ticket.payments):
            return None
        return self.page.ticket.payments[row]

    def _payment_chosen(self) -> None:
        chosen = self.chosen_payment()
        self.reverse_button.setEnabled(chosen is not None and not chosen.is_reversed)

    def reverse_payment(self, reason: str | None = None) -> None:
        """Undo the chosen payment, with a reason (asked for); the service checks the role."""
        chosen = self.chosen_payment()
        if chosen is None:
            self._say("Choose the payment to reverse in the list first.", "info")
            return
        if reason is None:
            reason = ask_reversal_reason(self, chosen)
            if reason is None:
                return
        factory, actor, payment_id = self.ctx.factory, self.ctx.actor, chosen.id
        self._run(
            "Reversing the payment",
            lambda: tickets.reverse_payment(factory, actor, payment_id, reason),
            f"Payment of {money(chosen.amount_pence)} reversed.",
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
        from helpdesk.services.core.codes import ticket_code
        from helpdesk.ui.counter.actions import SlipJob

        return SlipJob("receipt", self.ticket_id, f"Repair receipt {ticket_code(self.ticket_id)}")

    def print_receipt(self) -> None:
        """Send the repair receipt to this computer's slip printer (kept for a retry if it fails)."""
        from helpdesk.ui.counter import actions as counter_actions

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
        from helpdesk.ui.counter.actions import slip_pdf

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
        from helpdesk.ui.bench.cover_dialog import CoverDialog

        dialog = CoverDialog(self.ctx, self.page.ticket.student_id, self)
        dialog.changed.connect(self.reload)
        dialog.show()
        self.cover_dialog = dialog
