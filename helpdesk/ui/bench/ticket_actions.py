"""What the ticket page does, kept by the page as ``page.ticket_actions``: every action is one service
call off the GUI thread, a success is said in green and the page reloads, a refusal is one red
sentence. The actions read what was typed from the page's sections."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from helpdesk.domain.enums import TicketState
from helpdesk.domain.errors import ValidationError
from helpdesk.services.core.views import money
from helpdesk.services.counter import assignments
from helpdesk.services.repairs import bench_actions, tickets
from helpdesk.ui.bench.payment_dialog import PaymentDetails, PaymentDialog, ask_reversal_reason
from helpdesk.ui.bench.widgets import CameraFailed, camera_snapshot, submit
from helpdesk.ui.errors import describe_failure

if TYPE_CHECKING:
    from helpdesk.ui.bench.cover_dialog import CoverDialog
    from helpdesk.ui.bench.ticket_page import TicketPage
    from helpdesk.ui.counter.actions import SlipJob
    from helpdesk.ui.printing import PrintQueue


class TicketActions(QObject):
    """The actions on one ticket page (its child: they end with the page)."""

    def __init__(self, view: TicketPage) -> None:
        super().__init__(view)
        self.view = view
        self.ctx = view.ctx
        self.ticket_id = view.ticket_id
        self.busy = False
        self.print_queue: PrintQueue | None = None
        self.last_slip: SlipJob | None = None  # the receipt printed last
        self.payment_dialog: PaymentDialog | None = None
        self.cover_dialog: CoverDialog | None = None

    def _say(self, sentence: str, tone: str) -> None:
        self.view.say(sentence, tone)

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
            self.view.reload()
            self.view.changed.emit()

        def failed(exc: BaseException) -> None:
            self.busy = False
            sentence = str(exc) if isinstance(exc, CameraFailed) else describe_failure(what, exc)
            self._say(sentence, "bad")

        submit(self, call, ok, failed)

    def move_to(self, state: str) -> None:
        """Move the ticket on, with the note typed (if any) kept with the move."""
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        note_edit = self.view.damage_box.note_edit
        note = note_edit.text()
        label = TicketState(state).label
        self._run(
            "Moving the ticket",
            lambda: tickets.move_ticket(factory, actor, ticket_id, state, note=note),
            f"Moved to {label}.",
            lambda _r: note_edit.clear(),
        )

    def add_note(self) -> None:
        note_edit = self.view.damage_box.note_edit
        factory, actor, ticket_id, note = (self.ctx.factory, self.ctx.actor, self.ticket_id,
                                           note_edit.text())  # fmt: skip
        self._run(
            "Adding the note",
            lambda: bench_actions.add_diagnosis_note(factory, actor, ticket_id, note),
            "Note added.",
            lambda _r: note_edit.clear(),
        )

    def add_part(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        box = self.view.parts_box
        name, number = box.part_name.text(), box.part_number.text()
        qty, pence = box.part_qty.value(), round(box.part_cost.value() * 100)

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
            lambda _r: box.clear_fields(),
        )

    def add_photo(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self.view,
                "Add a photo of the damage",
                "",
                "Photos (*.jpg *.jpeg *.png *.bmp *.webp)",
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

        folder = tempfile.mkdtemp(prefix="helpdesk-camera-")

        def store(path: Path) -> None:  # the camera's picture, stored on the database thread
            self._run(
                "Storing the photo",
                lambda: bench_actions.add_photo(factory, actor, ticket_id, path, caption="camera"),
                "Photo taken and stored.",
                lambda _r: shutil.rmtree(folder, ignore_errors=True),
            )

        def failed(exc: BaseException) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            sentence = str(exc) if isinstance(exc, CameraFailed) else None
            self._say(sentence or describe_failure("Taking the photo", exc), "bad")

        self._say("Taking the photo…", "info")
        # the camera is slow and is not the database: it runs on the other worker
        submit(self, lambda: camera_snapshot(source, Path(folder)), store, failed, db=False)

    def save_vendor(self) -> None:
        factory, actor, ticket_id = self.ctx.factory, self.ctx.actor, self.ticket_id
        box = self.view.vendor_box
        vendor, rma, warranty = (
            box.vendor_edit.text(),
            box.rma_edit.text(),
            box.warranty_box.isChecked(),
        )
        self._run(
            "Saving the vendor",
            lambda: tickets.set_vendor(factory, actor, ticket_id, vendor, rma, warranty=warranty),
            "Vendor saved.",
        )

    def add_time(self) -> None:
        factory, actor, ticket_id, minutes = (self.ctx.factory, self.ctx.actor, self.ticket_id,
                                              self.view.vendor_box.minutes.value())  # fmt: skip
        self._run(
            "Adding time",
            lambda: tickets.add_time(factory, actor, ticket_id, minutes),
            f"{minutes} min added.",
        )

    def record_payment(self, details: PaymentDetails | None = None) -> None:
        """Ask for the amount, method and receipt number (the payment dialog), then record it."""
        if self.view.page is None:
            return
        t = self.view.page.ticket
        if details is None:
            dialog = PaymentDialog(t.code, t.charge_pence, t.balance_pence, self.view)
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

    def reverse_payment(self, reason: str | None = None) -> None:
        """Undo the chosen payment, with a reason (asked for); the service checks the role."""
        chosen = self.view.charge_box.chosen_payment()
        if chosen is None:
            self._say("Choose the payment to reverse in the list first.", "info")
            return
        if reason is None:
            reason = ask_reversal_reason(self.view, chosen)
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
        waive_reason = self.view.charge_box.waive_reason
        reason = waive_reason.text()
        self._run(
            "Waiving the charge",
            lambda: tickets.waive_charge(factory, actor, ticket_id, reason),
            "Charge waived.",
            lambda _r: waive_reason.clear(),
        )

    def assign_replacement(self) -> None:
        page = self.view.page
        if page is None or page.ticket.student_id is None:
            return
        tag = self.view.moves_box.chosen_spare()
        factory, actor, student_id = self.ctx.factory, self.ctx.actor, page.ticket.student_id
        who = f"{page.ticket.student_name} ({page.ticket.form})"
        self._run(
            "Assigning the replacement",
            lambda: assignments.assign_device(
                factory, actor, device_code=tag, student_id=student_id
            ),  # fmt: skip
            f"{tag} is now assigned to {who}.",
        )

    # --- the repair receipt (reprinted for a family that lost theirs) ----------------------------

    def _receipt_job(self) -> SlipJob:
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
        from helpdesk.ui.counter.actions import slip_pdf, slip_record

        job = self._receipt_job()
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self.view,
                "Save the repair receipt",
                f"{job.title.split()[-1]}.pdf",
                "PDF files (*.pdf)",
            )
        if not path:
            return
        ctx, target = self.ctx, Path(path)

        def write() -> Path:
            pdf = slip_pdf(ctx, job, slip_record(ctx, job))  # a small receipt: drawn here
            try:
                target.write_bytes(pdf)
            except OSError as exc:
                raise ValidationError(
                    f"The receipt could not be saved as {target}: {exc.strerror or exc}."
                ) from None
            return target

        self._run("Saving the receipt", write, f"Receipt saved as {target}.")

    def edit_cover(self) -> None:
        page = self.view.page
        if page is None or page.ticket.student_id is None:
            return
        from helpdesk.ui.bench.cover_dialog import CoverDialog

        dialog = CoverDialog(self.ctx, page.ticket.student_id, self.view)
        dialog.changed.connect(self.view.reload)
        dialog.show()
        self.cover_dialog = dialog
