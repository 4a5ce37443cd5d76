"""Labels: asset labels for a batch of devices on pickup day, and the hand-over agreements.

Choose the devices, the label stock, where the first free label is on a partly used sheet,
copies per tag and what a label shows (:mod:`helpdesk.ui.label_choices`). The first sheet is
previewed as it will print, with the count of labels and sheets; a tag that cannot fit the stock
is refused before anything is printed (:mod:`helpdesk.ui.label_preview`). Print sends the sheets
to the printer remembered for labels; a missing printer keeps the job, and 'Print again' sends it
once the printer is back. Save as PDF writes the same sheets. Both record the labels as printed,
so 'only devices not yet labelled' leaves them out next time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.errors import ValidationError
from helpdesk.labels import calibration, slips
from helpdesk.labels.output import write_pdf
from helpdesk.labels.templates import all_templates
from helpdesk.services import browse, documents
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.label_alignment import AlignmentDialog
from helpdesk.ui.label_choices import LabelChoices
from helpdesk.ui.label_preview import (
    BatchPreview,
    BatchRequest,
    NothingToLabel,
    PreviewView,
    make_preview,
    make_sheets,
)
from helpdesk.ui.printing import PrintJob, PrintQueue, keep_job, printer_names
from helpdesk.ui.style import CANVAS, LINE, MUTED

# Print and Save are off until the preview matches the choices: make that visible.
DISABLED_LOOK = f"""
QPushButton:disabled, QPushButton#primary:disabled {{
    color: {MUTED}; background: {CANVAS}; border-color: {LINE};
}}
"""


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word if n == 1 else many or word + 's'}"


class LabelsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.templates, problems = all_templates()
        self.preview: BatchPreview | None = None
        self.kept: list[tuple[PrintJob, BatchPreview]] = []  # label jobs waiting for a printer
        self._pending: BatchRequest | None = None  # the batch being previewed
        self._working = ""  # what a Save or Print job is doing, "" when idle
        self._loaded = False
        self._closed = False
        self.queue = PrintQueue(ctx.machine, self)
        self.queue.failed.connect(lambda _kind, message: self._say("bad", message))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_preview)

        title = QLabel("Asset labels")
        title.setObjectName("pageTitle")
        self.choices = LabelChoices(self.templates, ctx.machine.path)
        self.choices.changed.connect(self.schedule_preview)
        self.choices.source_changed.connect(self._source_changed)
        scroll = QScrollArea()
        scroll.setWidget(self.choices)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFixedWidth(390)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.summary = QLabel("Choose the devices to label.")
        self.summary.setObjectName("message")
        self.summary.setWordWrap(True)
        self.preview_view = PreviewView()
        self.preview_view.set_text("The first sheet appears here.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the PDF is made in one piece
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.retry_button = QPushButton("Print again")
        self.retry_button.setToolTip("Send the labels kept for a retry to the printer chosen")
        self.retry_button.clicked.connect(self.print_kept)
        self.retry_button.hide()
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.retry_button)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.preview_view, 1)
        right.addWidget(self.progress)
        right.addLayout(message_row)
        right.addLayout(self._action_bar())
        self.choices.devices_layout.addWidget(self.handover_button)

        body = QHBoxLayout()
        body.addWidget(scroll)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(body, 1)
        self.setStyleSheet(DISABLED_LOOK)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_labels)
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.save_pdf())
        if problems:
            self._say("warn", "Some label stock files were left out: " + "; ".join(problems))
        self._source_changed(self.choices.source.currentData())

    def _action_bar(self) -> QHBoxLayout:
        self.printer_choice = QComboBox()
        self.printer_choice.setMinimumWidth(170)
        self.printer_choice.setToolTip("The printer for asset labels (remembered on this computer)")
        self._fill_printers()
        self.printer_choice.currentIndexChanged.connect(self._printer_chosen)
        self.align_button = QPushButton("Line up…")
        self.align_button.setToolTip(
            "Print the alignment test page and correct this printer's position on the labels"
        )
        self.align_button.clicked.connect(self.line_up)
        self.print_button = QPushButton("Print labels")
        self.print_button.setObjectName("primary")
        self.print_button.setToolTip("Ctrl+P")
        self.print_button.clicked.connect(self.print_labels)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.handover_button = QPushButton("Hand-over agreements")
        menu = QMenu(self.handover_button)
        menu.addAction("Print", self.print_handover)
        menu.addAction("Save as PDF…", lambda: self.save_handover())
        self.handover_button.setMenu(menu)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Printer"))
        bar.addWidget(self.printer_choice)
        bar.addWidget(self.align_button)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        return bar

    # --- choices -------------------------------------------------------------------------------

    def set_source(self, key: str, value: object = None) -> None:
        self.choices.set_source(key, value)

    def set_template(self, template_id: str) -> None:
        self.choices.set_template(template_id)

    def _source_changed(self, key: str) -> None:
        batch = key in ("form", "year") and not self._working
        self.handover_button.setEnabled(batch)
        self.handover_button.setToolTip(
            "Pickup-day agreements for the chosen form or year group"
            if batch
            else "Choose a form or a year group for the hand-over agreements"
        )

    def _fill_printers(self) -> None:
        remembered = self.ctx.machine.printer("label")
        names = printer_names()
        self.printer_choice.blockSignals(True)
        self.printer_choice.clear()
        if remembered and remembered not in names:
            self.printer_choice.addItem(f"{remembered} (not found)", remembered)
        for name in names:
            self.printer_choice.addItem(name, name)
        if not names and not remembered:
            self.printer_choice.addItem("No printer found", "")
        index = self.printer_choice.findData(remembered or self.queue.printer_for("label"))
        self.printer_choice.setCurrentIndex(max(0, index))
        self.printer_choice.blockSignals(False)

    def _printer_chosen(self) -> None:
        name = self.printer_choice.currentData()
        if name:
            self.queue.remember("label", name)

    def printer(self) -> str:
        return self.printer_choice.currentData() or self.queue.printer_for("label")

    def line_up(self) -> AlignmentDialog:
        """The alignment dialog for the chosen stock and printer (window-modal, not blocking)."""
        dialog = AlignmentDialog(self.choices.template(), self.printer(), self.ctx.runner, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # --- loading -------------------------------------------------------------------------------

    def _alive(self) -> bool:
        """The panel still exists: an answer from a worker may come after it was closed."""
        return not self._closed and shiboken6.isValid(self)

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()

    def activated(self) -> None:
        self._fill_printers()
        if self._loaded:
            return
        factory = self.ctx.factory

        def failed(exc: BaseException) -> None:
            if self._alive():
                self._say("bad", describe_failure("Loading the forms", exc))

        self.ctx.runner.submit(
            lambda: (browse.forms_and_years(factory), documents.school_name(factory)),
            self._loaded_choices,
            failed,
        )

    def settings_changed(self) -> None:
        self._loaded = False
        self.activated()

    def _loaded_choices(self, loaded: tuple[tuple[list[str], list[int]], str]) -> None:
        if not self._alive():
            return
        (forms, years), school = loaded
        self.choices.fill(forms, years, school)
        self._loaded = True
        self.schedule_preview(0)

    # --- preview -------------------------------------------------------------------------------

    def schedule_preview(self, delay: int = 150) -> None:
        self.preview = None
        self._pending = None  # an answer for earlier choices is dropped
        self._set_ready(False)
        self._timer.start(delay)

    def refresh_preview(self) -> None:
        self._timer.stop()
        if not self._loaded:
            return
        request = self.choices.request()
        self._pending = request
        self.progress.show()
        self._tone(self.summary, "info")
        self.summary.setText(f"Laying out the labels of {request.describe()}…")
        factory, templates = self.ctx.factory, self.templates
        self.ctx.runner.submit(
            lambda: make_preview(factory, request, templates),
            self._show_preview,
            lambda exc: self._preview_failed(request, exc),
            key="labels-preview",
        )

    def is_settled(self) -> bool:
        """The preview (or why there is none) matches the current choices."""
        return self._loaded and self._pending is None and not self._timer.isActive()

    def is_busy(self) -> bool:
        """A Save, Print or hand-over job is running."""
        return bool(self._working)

    def is_ready(self) -> bool:
        """A preview of the current choices is shown and can be printed or saved."""
        return self.is_settled() and self.preview is not None and not self._working

    def _show_preview(self, preview: BatchPreview) -> None:
        if not self._alive() or preview.request != self._pending:
            return
        self._pending = None
        self.preview = preview
        self.progress.setVisible(bool(self._working))
        t, r = preview.template, preview.request
        parts = [
            f"<b>{_plural(preview.count, 'label')}</b>"
            + (f" ({r.copies} per tag)" if r.copies > 1 else ""),
            f"{r.describe()}: {_plural(len(preview.devices), 'device')}"
            + self._labelled_note(preview),
        ]
        if t.kind == "sheet":
            sheets = _plural(preview.pages, "sheet")
            parts.append(sheets + (f", the first from label {r.start}" if r.start > 1 else ""))
        else:
            parts.append("on the roll")
        self._tone(self.summary, "info")
        self.summary.setText("  ·  ".join(parts))
        self.choices.set_filled(min(preview.count, t.per_page - r.start + 1))
        self.preview_view.set_image(preview.image)
        self.choices.remember(r)
        self._set_ready(True)

    @staticmethod
    def _labelled_note(preview: BatchPreview) -> str:
        n = preview.labelled_before
        if not n:
            return ""
        left_out = preview.request.only_unlabelled
        return f" ({n} labelled before{', left out' if left_out else ''})"

    def _preview_failed(self, request, exc: BaseException) -> None:  # noqa: ANN001
        if not self._alive() or request != self._pending:
            return
        self._pending = None
        self.progress.setVisible(bool(self._working))
        self.choices.set_filled(0)
        self._tone(self.summary, "warn" if isinstance(exc, NothingToLabel) else "bad")
        self.summary.setText(describe_failure("Making the preview", exc))
        self.preview_view.set_text("Nothing to print.")

    def _set_ready(self, ready: bool) -> None:
        ready = ready and not self._working
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- printing and saving -------------------------------------------------------------------

    def _run(self, what: str, work: Callable[[], object], done: Callable, failing: str) -> None:
        """Run ``work`` off the GUI thread with the busy bar showing; then ``done(result)``.
        One job at a time: the buttons are off while it runs."""
        if self._working:
            return
        self._working = what
        self._set_ready(False)
        self.retry_button.setEnabled(False)
        self.handover_button.setEnabled(False)
        self.progress.show()
        self._say("info", what)

        def finished(result: object) -> None:
            if self._alive():
                self._end()
                done(result)

        def failed(exc: BaseException) -> None:
            text = describe_failure(failing, exc)  # logged even when the panel is gone
            if self._alive():
                self._end()
                self._say("bad", text)

        self.ctx.runner.submit(work, finished, failed)

    def _end(self) -> None:
        self._working = ""
        self.progress.setVisible(self._pending is not None)
        self._set_ready(self.preview is not None and not self._timer.isActive())
        self.retry_button.setVisible(bool(self.kept))
        self.retry_button.setEnabled(True)
        self._source_changed(self.choices.source.currentData())
        self.retry_button.setText(f"Print again ({_plural(len(self.kept), 'batch', 'batches')})")

    def save_pdf(self, path: str | None = None) -> None:
        """Write the batch's sheets as a PDF and record the labels as printed."""
        preview = self.preview
        if preview is None or not self.is_ready():
            self._say("warn", "Wait for the preview: nothing was saved.")
            return
        if not path:
            name = f"labels-{preview.request.describe().replace(' ', '-')}.pdf"
            path = self._ask_file("Save the labels as PDF", name)
        if not path:
            return
        offset = calibration.get_offset(None)  # the correction kept for PDF files, if any

        def work():  # noqa: ANN202
            sheets = make_sheets(preview, offset)
            written = write_pdf(sheets.pdf, path)
            return written, sheets.pages, self._record(preview)

        def done(result) -> None:  # noqa: ANN001
            written, pages, record = result
            saved = (
                f"Saved {_plural(preview.count, 'label')} on {_plural(pages, 'page')} as {written}"
            )
            if isinstance(record, BaseException):
                self._not_recorded(saved, record)
                return
            self._say("good", f"{saved}; recorded as printed by {record.printed_by}.")
            self._recorded(preview)

        self._run(f"Making {_plural(preview.count, 'label')}…", work, done, "Saving the labels")

    def print_labels(self) -> None:
        """Send the batch to the label printer and record the labels as printed."""
        preview = self.preview
        if preview is None or not self.is_ready():
            self._say("warn", "Wait for the preview: nothing was printed.")
            return
        printer = self.printer()
        offset = calibration.get_offset(printer or None)
        t = preview.template

        def work():  # noqa: ANN202
            sheets = make_sheets(preview, offset)
            title = f"Asset labels ({preview.count}) on {t.id}"
            job = keep_job(PrintJob("label", title, sheets.pdf, printer=printer, dpi=t.dpi))
            return self._send(job, preview)

        self._run(
            f"Printing {_plural(preview.count, 'label')} on {printer or 'no printer'}…",
            work,
            lambda outcome: self._sent([outcome]),
            "Printing the labels",
        )

    def print_kept(self) -> None:
        """Send the label batches kept after a failed print to the printer chosen now."""
        kept = list(self.kept)
        printer = self.printer()
        batches = _plural(len(kept), "kept batch", "kept batches")
        self._run(
            f"Printing {batches} on {printer or 'no printer'}…",
            lambda: [self._send(self._for_printer(job, p, printer), p) for job, p in kept],
            lambda outcomes: self._sent(outcomes, retried=kept),
            "Printing the kept labels",
        )

    @staticmethod
    def _for_printer(job: PrintJob, preview: BatchPreview, printer: str) -> PrintJob:
        """The kept job for ``printer``: drawn again with that printer's correction if it
        was made for another. Off the GUI thread."""
        if printer == job.printer:
            return job
        offset = calibration.get_offset(printer or None)
        return replace(job, printer=printer, pdf=make_sheets(preview, offset).pdf)

    def _send(self, job: PrintJob, preview: BatchPreview):  # noqa: ANN202
        """Off the GUI thread: print a kept job; record its labels when it went through."""
        if job.printer and self.queue.submit(job):  # on success the queue forgets the job
            return job, preview, self._record(preview)
        return job, preview, None  # the queue has said why (or will: no printer)

    def _record(self, preview: BatchPreview):  # noqa: ANN202
        """Off the GUI thread: record the batch's labels as printed; the error if that fails
        (the labels exist by now, so the person must hear it, not lose the outcome)."""
        try:
            return documents.record_label_prints(
                self.ctx.factory, self.ctx.actor, preview.device_ids(), preview.template.id
            )
        except Exception as exc:  # noqa: BLE001
            return exc

    def _not_recorded(self, done: str, exc: BaseException) -> None:
        why = describe_failure("Recording the labels as printed", exc)
        self._say(
            "bad",
            f"{done}, but they were not recorded as printed, so they still count as not yet "
            f"labelled: {why}",
        )

    def _sent(self, outcomes: list, retried: list | None = None) -> None:
        if retried:
            done = {id(k) for k in retried}
            self.kept = [k for k in self.kept if id(k) not in done]
        for job, preview, record in outcomes:
            if record is None:
                self.kept.append((job, preview))
                if not job.printer:
                    self.queue.submit(job)  # says there is no printer; the job stays kept
                continue
            sent = (
                f"Sent {_plural(preview.count, 'label')} on {_plural(preview.pages, 'sheet')} "
                f"to {job.printer}"
            )
            if isinstance(record, BaseException):
                self._not_recorded(sent, record)
                continue
            self._say("good", f"{sent}; recorded as printed by {record.printed_by}.")
            self._recorded(preview)
        self._end()

    def _recorded(self, preview: BatchPreview) -> None:
        self.choices.set_reprint(preview.devices, preview.request.describe())
        source = self.choices.source.currentData()
        if source == "unlabelled" or (
            self.choices.only_unlabelled.isChecked() and source != "reprint"
        ):
            self.schedule_preview(0)

    # --- hand-over agreements ------------------------------------------------------------------

    def _handover(self, deliver: Callable[[bytes, int], str | PrintJob]) -> None:
        request = self.choices.request()
        if request.source not in ("form", "year") or not (request.form or request.year):
            self._say("warn", "Choose a form or a year group for the hand-over agreements.")
            return
        factory, fmt = self.ctx.factory, self.ctx.machine.slip_format
        form = request.form if request.source == "form" else None
        year = request.year if request.source == "year" else None

        def work():  # noqa: ANN202
            items = documents.handover_agreements(factory, form=form, year_group=year)
            if not items:
                raise ValidationError(
                    f"No student of {request.describe()} has a device allocated: there are no "
                    "hand-over agreements to print."
                )
            return deliver(slips.handover_pdf(items, fmt), len(items))

        def done(outcome: str | PrintJob) -> None:
            if isinstance(outcome, PrintJob):
                self.queue.submit(outcome)  # no printer: the queue says so and keeps the job
            elif outcome:
                self._say("good", outcome)

        self._run(
            f"Making the hand-over agreements of {request.describe()}…",
            work,
            done,
            "Making the hand-over agreements",
        )

    def save_handover(self, path: str | None = None) -> None:
        if not path:
            what = self.choices.request().describe().replace(" ", "-")
            path = self._ask_file("Save the hand-over agreements", f"hand-over-{what}.pdf")
        if not path:
            return

        def deliver(pdf: bytes, count: int) -> str:
            written = write_pdf(pdf, path)
            return f"Saved {_plural(count, 'hand-over agreement')} as {written}."

        self._handover(deliver)

    def print_handover(self) -> None:
        printer = self.queue.printer_for("slip")
        dpi = slips.ROLL_DPI if self.ctx.machine.slip_format != "half-a4" else None
        queue = self.queue

        def deliver(pdf: bytes, count: int) -> str | PrintJob:
            job = PrintJob("slip", "Hand-over agreements", pdf, printer=printer, dpi=dpi)
            if not printer:
                return job
            if queue.submit(job):
                return f"Sent {_plural(count, 'hand-over agreement')} to {printer}."
            return ""  # the queue has said why and kept the job

        self._handover(deliver)

    def _ask_file(self, title: str, name: str) -> str:
        """A PDF file name from the save dialog, starting in the folder used last."""
        folder = self.choices.remembered_folder() or str(Path.home())
        path, _ = QFileDialog.getSaveFileName(
            self, title, str(Path(folder) / name), "PDF files (*.pdf)"
        )
        if path:
            self.choices.remember_folder(str(Path(path).parent))
        return path

    # --- messages ------------------------------------------------------------------------------

    @staticmethod
    def _tone(label: QLabel, tone: str) -> None:
        label.setProperty("tone", tone)
        label.style().unpolish(label)
        label.style().polish(label)

    def _say(self, tone: str, text: str) -> None:
        self._tone(self.message, tone)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisible() else ""
