"""What the labels panel sends out: the batch printed or saved as a PDF, batches kept for a
printer that was not there printed again, and the pickup-day hand-over agreements.

A batch sent to a printer is recorded as printed (which devices, when, by whom) once the print
system accepts the job. A PDF is a preview: saving one records nothing, and 'Mark as printed'
records the saved batch when the person says the sheets went to a printer.

Every job runs on a worker thread, one at a time, with the panel's busy bar showing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QFileDialog, QPushButton

from helpdesk.domain.errors import ValidationError
from helpdesk.labels import calibration, slips
from helpdesk.labels.output import write_pdf
from helpdesk.services.reporting import documents, slip_data
from helpdesk.services.reporting.documents import LabelPrintRecord
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.labels.preview import BatchPreview, make_sheets
from helpdesk.ui.printing import PrintJob, keep_job, kept_watch

if TYPE_CHECKING:
    from helpdesk.ui.labels.panel import LabelsPanel

# None: not printed, the job is kept; True: printed, not yet recorded
Recorded = LabelPrintRecord | BaseException | bool | None
Outcome = tuple[PrintJob, BatchPreview, Recorded]


def plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


class LabelOutput:
    """Print, Save as PDF, Print again, Mark as printed and the hand-over agreements."""

    def __init__(self, panel: LabelsPanel) -> None:
        self.panel = panel
        self.kept: list[tuple[PrintJob, BatchPreview]] = []  # label jobs waiting for a printer
        self.saved: BatchPreview | None = None  # saved as a PDF, not yet marked as printed
        self.working = ""  # what a job is doing, "" when idle
        self.mark_button = QPushButton("&Mark as printed")
        self.mark_button.setAutoDefault(False)
        self.mark_button.clicked.connect(self.mark_printed)
        self.mark_button.hide()
        kept_watch().changed.connect(self.kept_changed)

    # --- running a job -------------------------------------------------------------------------

    def run(
        self,
        what: str,
        work: Callable[..., Any],
        done: Callable[[Any], None],
        failing: str,
        *,
        read: Callable[[], Any] | None = None,
        db: bool = False,
    ) -> None:
        """Run ``work`` off the GUI thread with the busy bar showing; then ``done(result)``.
        One job at a time: the buttons are off while it runs. ``db``: ``work`` reads or writes
        the database, so it runs on the window's database thread; ``read``: first ``read()`` on
        the database thread, then ``work(data)`` (PDFs, printing) on the other worker, so a long
        PDF never holds up the database."""
        p = self.panel
        if self.working:
            return
        self.working = what
        p._set_ready(False)
        for button in (p.retry_button, self.mark_button, p.handover_button):
            button.setEnabled(False)
        p.progress.show()
        p._say("info", what)

        def finished(result: object) -> None:
            if p._alive():
                self.end()
                done(result)

        def failed(exc: BaseException) -> None:
            text = describe_failure(failing, exc)  # logged even when the panel is gone
            if p._alive():
                self.end()
                p._say("bad", text)

        def render(data: object) -> None:
            if p._alive():
                p.ctx.runner.submit(lambda: work(data), finished, failed)

        if read is not None:
            p.ctx.db.submit(read, render, failed)
        else:
            (p.ctx.db if db else p.ctx.runner).submit(work, finished, failed)

    def kept_changed(self) -> None:
        """A kept batch printed or discarded from the print queue is no longer this panel's to
        print again."""
        still = [(job, b) for job, b in self.kept if job.kept_at is None or job.kept_at.exists()]
        if len(still) != len(self.kept):
            self.kept = still
            if not self.working and self.panel._alive():
                self.end()

    def end(self) -> None:
        p = self.panel
        self.working = ""
        p.progress.setVisible(p._pending is not None)
        p._set_ready(p.preview is not None and not p._timer.isActive())
        p.retry_button.setVisible(bool(self.kept))
        p.retry_button.setEnabled(True)
        p.retry_button.setText(f"Print again ({plural(len(self.kept), 'batch', 'batches')})")
        self.mark_button.setVisible(self.saved is not None)
        self.mark_button.setEnabled(True)
        p._source_changed(p.choices.source.currentData())

    # --- the batch -----------------------------------------------------------------------------

    def save_pdf(self, path: str | None = None) -> None:
        """Write the batch's sheets as a PDF. Nothing is recorded: 'Mark as printed' does that."""
        p = self.panel
        preview = p.preview
        if preview is None or not p.is_ready():
            p._say("warn", "Wait for the preview: nothing was saved.")
            return
        if not path:
            name = f"labels-{preview.request.describe().replace(' ', '-')}.pdf"
            path = self.ask_file("Save the labels as PDF", name)
        if not path:
            return
        target = path
        offset = calibration.get_offset(None)  # the correction kept for PDF files, if any

        def work() -> tuple[Path, int]:
            sheets = make_sheets(preview, offset)
            return write_pdf(sheets.pdf, target), sheets.pages

        def done(result: tuple[Path, int]) -> None:
            written, pages = result
            self.saved = preview
            self.end()
            labels = plural(preview.count, "label")
            p._say(
                "good",
                f"Saved {labels} on {plural(pages, 'page')} as {written}; not recorded as "
                "printed until you choose 'Mark as printed'.",
            )
            self.mark_button.setToolTip(
                f"The {labels} of {preview.request.describe()} saved as {written} were printed: "
                "record them (Alt+M)"
            )

        self.run(f"Making {plural(preview.count, 'label')}…", work, done, "Saving the labels")

    def mark_printed(self) -> None:
        """Record the batch saved as a PDF as printed: the person says it went to a printer."""
        p = self.panel
        preview = self.saved
        if preview is None:
            p._say("warn", "Save the labels as a PDF first: there is nothing to mark as printed.")
            return

        def done(record: LabelPrintRecord | BaseException) -> None:
            what = preview.request.describe()
            if isinstance(record, LabelPrintRecord):
                self.saved = None
                self.end()
                p._say(
                    "good",
                    f"Recorded {plural(record.count, 'label')} of {what} as printed by "
                    f"{record.printed_by}.",
                )
                self.recorded(preview)
            else:
                why = describe_failure("Recording the labels as printed", record)
                p._say(
                    "bad",
                    f"The labels of {what} were not recorded as printed, so they still count as "
                    f"not yet labelled: {why}",
                )

        self.run(
            "Recording the labels as printed…",
            lambda: self.record(preview),
            done,
            "Recording",
            db=True,
        )

    def print_labels(self) -> None:
        """Send the batch to the label printer and record the labels as printed."""
        p = self.panel
        preview = p.preview
        if preview is None or not p.is_ready():
            p._say("warn", "Wait for the preview: nothing was printed.")
            return
        printer = p.printer()
        offset = calibration.get_offset(printer or None)
        t = preview.template

        def work() -> Outcome:
            sheets = make_sheets(preview, offset)
            title = f"Asset labels ({preview.count}) on {t.id}"
            job = keep_job(
                PrintJob(
                    "label",
                    title,
                    sheets.pdf,
                    printer=printer,
                    dpi=t.dpi,
                    label_devices=tuple(preview.device_ids()),
                    label_template=t.id,
                )
            )
            return self.send(job, preview)

        self.run(
            f"Printing {plural(preview.count, 'label')} on {printer or 'no printer'}…",
            work,
            lambda outcome: self.record_sent([outcome]),
            "Printing the labels",
        )

    def print_kept(self) -> None:
        """Send the label batches kept after a failed print to the printer chosen now."""
        kept = list(self.kept)
        printer = self.panel.printer()
        batches = plural(len(kept), "kept batch", "kept batches")
        self.run(
            f"Printing {batches} on {printer or 'no printer'}…",
            lambda: [self.send(self.for_printer(job, b, printer), b) for job, b in kept],
            lambda outcomes: self.record_sent(outcomes, retried=kept),
            "Printing the kept labels",
        )

    @staticmethod
    def for_printer(job: PrintJob, preview: BatchPreview, printer: str) -> PrintJob:
        """The kept job for ``printer``: drawn again with that printer's correction if it
        was made for another. Off the GUI thread."""
        if printer == job.printer:
            return job
        offset = calibration.get_offset(printer or None)
        return replace(job, printer=printer, pdf=make_sheets(preview, offset).pdf)

    def send(self, job: PrintJob, preview: BatchPreview) -> Outcome:
        """Off the GUI thread: print a kept job. The third part is True when it went through
        (its labels are then recorded by :meth:`record_sent`), None when not."""
        if job.printer and self.panel.queue.submit(job):  # on success the queue forgets the job
            return job, preview, True
        return job, preview, None  # the queue has said why (or will: no printer)

    def record_sent(self, outcomes: list[Outcome], retried: list | None = None) -> None:
        """Record the labels of the batches that went through, on the database thread; then
        say what happened (:meth:`sent`)."""
        if not any(printed for _j, _p, printed in outcomes):
            self.sent(outcomes, retried)
            return
        self.run(
            "Recording the labels as printed…",
            lambda: [(j, b, self.record(b) if ok else None) for j, b, ok in outcomes],
            lambda recorded: self.sent(recorded, retried),
            "Recording the labels as printed",
            db=True,
        )

    def record(self, preview: BatchPreview) -> LabelPrintRecord | BaseException:
        """On the database thread: record the batch's labels as printed; the error if that
        fails (the labels exist by now, so the person must hear it, not lose the outcome)."""
        ctx = self.panel.ctx
        try:
            return documents.record_label_prints(
                ctx.factory, ctx.actor, preview.device_ids(), preview.template.id
            )
        except Exception as exc:  # noqa: BLE001
            return exc

    def sent(self, outcomes: list[Outcome], retried: list | None = None) -> None:
        p = self.panel
        if retried:
            done = {id(k) for k in retried}
            self.kept = [k for k in self.kept if id(k) not in done]
        for job, preview, record in outcomes:
            if record is None:
                self.kept.append((job, preview))
                if not job.printer:
                    p.queue.submit(job)  # says there is no printer; the job stays kept
                continue
            sent = (
                f"Sent {plural(preview.count, 'label')} on {plural(preview.pages, 'sheet')} "
                f"to {job.printer}"
            )
            if isinstance(record, BaseException):
                why = describe_failure("Recording the labels as printed", record)
                p._say(
                    "bad",
                    f"{sent}, but they were not recorded as printed, so they still count as not "
                    f"yet labelled: {why}",
                )
                continue
            by = record.printed_by if isinstance(record, LabelPrintRecord) else "nobody"
            p._say("good", f"{sent}; recorded as printed by {by}.")
            self.recorded(preview)
        self.end()

    def recorded(self, preview: BatchPreview) -> None:
        p = self.panel
        p.choices.set_reprint(preview.devices, preview.request.describe())
        source = p.choices.source.currentData()
        if source == "unlabelled" or (
            p.choices.only_unlabelled.isChecked() and source != "reprint"
        ):
            p.schedule_preview(0)

    # --- hand-over agreements ------------------------------------------------------------------

    def handover(self, deliver: Callable[[bytes, int], str | PrintJob]) -> None:
        p = self.panel
        request = p.choices.request()
        if request.source not in ("form", "year") or not (request.form or request.year):
            p._say("warn", "Choose a form or a year group for the hand-over agreements.")
            return
        factory, fmt = p.ctx.factory, p.ctx.machine.slip_format
        form = request.form if request.source == "form" else None
        year = request.year if request.source == "year" else None

        def read() -> list:
            return slip_data.handover_agreements(factory, form=form, year_group=year)

        def work(items: list) -> str | PrintJob:
            if not items:
                raise ValidationError(
                    f"No student of {request.describe()} has a device allocated: there are no "
                    "hand-over agreements to print."
                )
            return deliver(slips.handover_pdf(items, fmt), len(items))

        def done(outcome: str | PrintJob) -> None:
            if isinstance(outcome, PrintJob):
                p.queue.submit(outcome)  # no printer: the queue says so and keeps the job
            elif outcome:
                p._say("good", outcome)

        self.run(
            f"Making the hand-over agreements of {request.describe()}…",
            work,
            done,
            "Making the hand-over agreements",
            read=read,
        )

    def save_handover(self, path: str | None = None) -> None:
        if not path:
            what = self.panel.choices.request().describe().replace(" ", "-")
            path = self.ask_file("Save the hand-over agreements", f"hand-over-{what}.pdf")
        if not path:
            return
        target = path

        def deliver(pdf: bytes, count: int) -> str:
            written = write_pdf(pdf, target)
            return f"Saved {plural(count, 'hand-over agreement')} as {written}."

        self.handover(deliver)

    def print_handover(self) -> None:
        p = self.panel
        printer = p.queue.printer_for("slip")
        dpi = slips.ROLL_DPI if p.ctx.machine.slip_format != "half-a4" else None
        queue = p.queue

        def deliver(pdf: bytes, count: int) -> str | PrintJob:
            job = PrintJob("slip", "Hand-over agreements", pdf, printer=printer, dpi=dpi)
            if not printer:
                return job
            if queue.submit(job):
                return f"Sent {plural(count, 'hand-over agreement')} to {printer}."
            return ""  # the queue has said why and kept the job

        self.handover(deliver)

    def ask_file(self, title: str, name: str) -> str:
        """A PDF file name from the save dialog, starting in the folder used last."""
        machine = self.panel.ctx.machine
        folder = machine.label_folder or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(
            self.panel, title, str(Path(folder) / name), "PDF files (*.pdf)"
        )
        if path:
            machine.label_folder = str(Path(path).parent)
        return path
