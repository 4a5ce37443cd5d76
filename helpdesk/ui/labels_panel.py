"""Labels: asset labels for a batch of devices on pickup day, and the hand-over agreements.

Choose the devices (a form or a year group in hand-out order, tags typed or scanned, a range of
tags, every device not yet labelled, or the last batch again), the label stock, where the first
free label is on a partly used sheet, copies per tag and what a label shows. The first sheet is
previewed as it will print, with the count of labels and sheets; a tag that cannot fit the stock
is refused before anything is printed. Print sends the sheets to the printer remembered for
labels (a missing printer keeps the job for a retry); Save as PDF writes the same sheets. Both
record the labels as printed, so 'only devices not yet labelled' leaves them out next time.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.errors import ValidationError
from helpdesk.labels import calibration, slips
from helpdesk.labels.asset_labels import LabelDesign
from helpdesk.labels.output import write_pdf
from helpdesk.labels.templates import LabelTemplate, all_templates
from helpdesk.services import browse, documents
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.label_preview import (
    SOURCES,
    BatchPreview,
    BatchRequest,
    NothingToLabel,
    PreviewView,
    SheetGrid,
    make_preview,
    make_sheets,
)
from helpdesk.ui.printing import PrintJob, PrintQueue, printer_names

CODES = {
    "code128": "Code 128",
    "code128+qr": "Code 128 and QR",
    "code128+datamatrix": "Code 128 and Data Matrix",
    "qr": "QR only (small labels)",
    "datamatrix": "Data Matrix only (small labels)",
}
DEFAULT_TEMPLATE = "avery-l7160"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class LabelsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.templates, problems = all_templates()
        self.preview: BatchPreview | None = None
        self.last_printed: BatchPreview | None = None
        self._pending: BatchRequest | None = None
        self._working = ""  # what a Save or Print job is doing, "" when idle
        self._loaded = False
        self._header_touched = False
        self._remembered = QSettings(ctx.machine.path, QSettings.Format.IniFormat)
        self.queue = PrintQueue(ctx.machine, self)
        self.queue.failed.connect(self._print_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_preview)

        title = QLabel("Asset labels")
        title.setObjectName("pageTitle")
        controls = QWidget()
        column = QVBoxLayout(controls)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self._devices_box())
        column.addWidget(self._stock_box())
        column.addWidget(self._design_box())
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(controls)
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
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.preview_view, 1)
        right.addWidget(self.progress)
        right.addWidget(self.message)
        right.addLayout(self._action_bar())

        body = QHBoxLayout()
        body.addWidget(scroll)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(body, 1)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_labels)
        QShortcut(QKeySequence("Ctrl+S"), self, lambda: self.save_pdf())

        self._restore_choices()
        if problems:
            self._say("warn", "Some label stock files were left out: " + "; ".join(problems))
        self._update_source()

    # --- building ------------------------------------------------------------------------------

    def _devices_box(self) -> QGroupBox:
        box = QGroupBox("Devices")
        form = QVBoxLayout(box)
        self.source = QComboBox()
        for key, text in SOURCES.items():
            self.source.addItem(text, key)
        self.source.currentIndexChanged.connect(self._update_source)
        self.form_choice = QComboBox()
        self.form_choice.setPlaceholderText("loading forms…")
        self.year_choice = QComboBox()
        self.year_choice.setPlaceholderText("loading year groups…")
        self.tags_box = QPlainTextEdit()
        self.tags_box.setPlaceholderText("Scan or type asset tags, one a line")
        self.tags_box.setTabChangesFocus(True)
        self.range_first = QLineEdit()
        self.range_first.setPlaceholderText("first tag, e.g. LT-0100")
        self.range_last = QLineEdit()
        self.range_last.setPlaceholderText("last tag, e.g. LT-0150")
        range_page = QWidget()
        range_row = QHBoxLayout(range_page)
        range_row.setContentsMargins(0, 0, 0, 0)
        range_row.addWidget(self.range_first)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.range_last)
        self.unlabelled_hint = QLabel("Every device in use or in stock that never had a label.")
        self.reprint_hint = QLabel("Nothing printed here yet.")
        self.inputs = {
            "form": self.form_choice,
            "year": self.year_choice,
            "tags": self.tags_box,
            "range": range_page,
            "unlabelled": self.unlabelled_hint,
            "reprint": self.reprint_hint,
        }
        for widget in (self.unlabelled_hint, self.reprint_hint):
            widget.setObjectName("hint")
            widget.setWordWrap(True)
        self.tags_box.setMinimumHeight(110)
        self.only_unlabelled = QCheckBox("Only devices not yet labelled")
        for signal in (
            self.form_choice.currentIndexChanged,
            self.year_choice.currentIndexChanged,
            self.only_unlabelled.toggled,
        ):
            signal.connect(lambda *_: self.schedule_preview())
        self.tags_box.textChanged.connect(lambda: self.schedule_preview(600))
        self.range_first.textChanged.connect(lambda: self.schedule_preview(600))
        self.range_last.textChanged.connect(lambda: self.schedule_preview(600))
        form.addWidget(self.source)
        for widget in self.inputs.values():
            form.addWidget(widget)
        form.addWidget(self.only_unlabelled)
        return box

    def _stock_box(self) -> QGroupBox:
        box = QGroupBox("Label stock")
        layout = QVBoxLayout(box)
        self.template_choice = QComboBox()
        self.template_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.template_choice.setMinimumContentsLength(24)
        for t in self.templates:
            self.template_choice.addItem(t.name.split(",")[0], t.id)
            self.template_choice.setItemData(
                self.template_choice.count() - 1,
                f"{t.name} ({t.id}; {t.source})",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.template_choice.currentIndexChanged.connect(self._template_changed)
        self.stock_summary = QLabel()
        self.stock_summary.setObjectName("hint")
        self.stock_summary.setWordWrap(True)
        self.grid = SheetGrid()
        self.grid.setMinimumHeight(170)
        self.grid_hint = QLabel("On a partly used sheet, click the first free label.")
        self.grid_hint.setObjectName("hint")
        self.grid_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start = QSpinBox()
        self.start.setRange(1, 1)
        self.start.valueChanged.connect(self.grid.set_start)
        self.grid.start_changed.connect(self._start_changed)
        self.copies = QSpinBox()
        self.copies.setRange(1, 100)
        self.copies.setSuffix(" per tag")
        self.copies.valueChanged.connect(lambda *_: self.schedule_preview())
        fields = QFormLayout()
        fields.addRow("First free label", self.start)
        fields.addRow("Copies", self.copies)
        layout.addWidget(self.template_choice)
        layout.addWidget(self.stock_summary)
        layout.addWidget(self.grid)
        layout.addWidget(self.grid_hint)
        layout.addLayout(fields)
        return box

    def _design_box(self) -> QGroupBox:
        box = QGroupBox("On each label")
        fields = QFormLayout(box)
        self.header = QLineEdit()
        self.header.setPlaceholderText("no top line")
        self.header.textEdited.connect(self._header_edited)
        self.code_choice = QComboBox()
        for key, text in CODES.items():
            self.code_choice.addItem(text, key)
        self.show_model = QCheckBox("Model")
        self.show_serial = QCheckBox("Serial number")
        self.outline = QCheckBox("Label edges (a test on plain paper)")
        extras = QHBoxLayout()
        extras.addWidget(self.show_model)
        extras.addWidget(self.show_serial)
        extras.addStretch(1)
        fields.addRow("Top line", self.header)
        fields.addRow("Code", self.code_choice)
        fields.addRow("Also", extras)
        fields.addRow("", self.outline)
        self.code_choice.currentIndexChanged.connect(lambda *_: self.schedule_preview())
        for box_ in (self.show_model, self.show_serial, self.outline):
            box_.toggled.connect(lambda *_: self.schedule_preview())
        return box

    def _action_bar(self) -> QHBoxLayout:
        self.printer_choice = QComboBox()
        self.printer_choice.setMinimumWidth(170)
        self.printer_choice.setToolTip("The printer for asset labels (remembered on this computer)")
        self._fill_printers()
        self.printer_choice.currentIndexChanged.connect(self._printer_chosen)
        self.print_button = QPushButton("Print labels")
        self.print_button.setObjectName("primary")
        self.print_button.setToolTip("Ctrl+P")
        self.print_button.clicked.connect(self.print_labels)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.clicked.connect(lambda: self.save_pdf())
        self.handover_button = QPushButton("Hand-over agreements ▾")
        self.handover_button.setMinimumWidth(
            self.handover_button.fontMetrics().horizontalAdvance("Hand-over agreements ▾") + 40
        )
        menu = QMenu(self.handover_button)
        menu.addAction("Print", self.print_handover)
        menu.addAction("Save as PDF…", lambda: self.save_handover())
        self.handover_button.setMenu(menu)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Printer"))
        bar.addWidget(self.printer_choice)
        bar.addStretch(1)
        bar.addWidget(self.handover_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        return bar

    # --- choices -------------------------------------------------------------------------------

    def _restore_choices(self) -> None:
        q = self._remembered
        index = self.template_choice.findData(str(q.value("labels/template", DEFAULT_TEMPLATE)))
        self.template_choice.setCurrentIndex(max(0, index))
        self._template_changed()
        code = self.code_choice.findData(str(q.value("labels/code", "code128")))
        self.code_choice.setCurrentIndex(max(0, code))
        self.show_model.setChecked(str(q.value("labels/model", "true")) == "true")
        self.show_serial.setChecked(str(q.value("labels/serial", "true")) == "true")

    def _remember_choices(self, request: BatchRequest) -> None:
        q = self._remembered
        q.setValue("labels/template", request.template_id)
        q.setValue("labels/code", request.design.symbology)
        q.setValue("labels/model", "true" if request.design.show_model else "false")
        q.setValue("labels/serial", "true" if request.design.show_serial else "false")
        q.sync()

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

    def template(self) -> LabelTemplate:
        return self.templates[max(0, self.template_choice.currentIndex())]

    def _template_changed(self) -> None:
        t = self.template()
        self.stock_summary.setText(t.summary())
        self.grid.set_template(t)
        self.grid.setVisible(t.per_page > 1)
        self.start.setRange(1, t.per_page)
        self.start.setSuffix(f" of {t.per_page}")
        self.grid_hint.setVisible(t.per_page > 1)
        self.start.setEnabled(t.per_page > 1)
        self.schedule_preview()

    def _start_changed(self, start: int) -> None:
        self.start.setValue(start)
        self.schedule_preview()

    def _header_edited(self) -> None:
        self._header_touched = True
        self.schedule_preview(600)

    def _update_source(self) -> None:
        key = self.source.currentData()
        for name, widget in self.inputs.items():
            widget.setVisible(name == key)
        self.only_unlabelled.setEnabled(key not in ("unlabelled", "reprint"))
        self.handover_button.setEnabled(key in ("form", "year"))
        self.handover_button.setToolTip(
            "Pickup-day agreements for the chosen form or year group"
            if key in ("form", "year")
            else "Choose a form or a year group for the hand-over agreements"
        )
        if key == "tags":
            self.tags_box.setFocus()
        self.schedule_preview()

    def set_source(self, key: str, value: object = None) -> None:
        """Choose the batch: ``("form", "7A")``, ``("year", 7)``, ``("tags", "A\\nB")``,
        ``("range", ("A1", "A9"))``, ``("unlabelled",)`` or ``("reprint",)``."""
        self.source.setCurrentIndex(self.source.findData(key))
        if key == "form":
            self.form_choice.setCurrentIndex(self.form_choice.findData(value))
        elif key == "year":
            self.year_choice.setCurrentIndex(self.year_choice.findData(value))
        elif key == "tags":
            self.tags_box.setPlainText(str(value or ""))
        elif key == "range":
            first, last = value  # type: ignore[misc]
            self.range_first.setText(first)
            self.range_last.setText(last)

    def set_template(self, template_id: str) -> None:
        self.template_choice.setCurrentIndex(self.template_choice.findData(template_id))

    def request(self) -> BatchRequest:
        """The batch as the panel shows it now."""
        tags: list[str] = []
        for line in self.tags_box.toPlainText().splitlines():
            tag = line.strip()
            if tag and tag not in tags:
                tags.append(tag)
        return BatchRequest(
            source=self.source.currentData(),
            template_id=self.template().id,
            start=self.start.value(),
            copies=self.copies.value(),
            design=LabelDesign(
                header=self.header.text().strip(),
                symbology=self.code_choice.currentData(),
                show_model=self.show_model.isChecked(),
                show_serial=self.show_serial.isChecked(),
            ),
            outline=self.outline.isChecked(),
            only_unlabelled=self.only_unlabelled.isChecked(),
            form=self.form_choice.currentData() or "",
            year=self.year_choice.currentData(),
            tags=tuple(tags),
            first=self.range_first.text().strip(),
            last=self.range_last.text().strip(),
            reprint=self.last_printed.devices if self.last_printed else (),
        )

    # --- loading -------------------------------------------------------------------------------

    def activated(self) -> None:
        self._fill_printers()
        if self._loaded:
            return
        factory = self.ctx.factory
        self.ctx.runner.submit(
            lambda: (browse.forms_and_years(factory), documents.school_name(factory)),
            self._loaded_choices,
            lambda exc: self._say("bad", describe_failure("Loading the forms", exc)),
        )

    def settings_changed(self) -> None:
        self._loaded = False
        self.activated()

    def _loaded_choices(self, loaded: tuple[tuple[list[str], list[int]], str]) -> None:
        (forms, years), school = loaded
        for combo, items, text in (
            (self.form_choice, forms, "Form {}"),
            (self.year_choice, years, "Year {}"),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for item in items:
                combo.addItem(text.format(item), item)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)
        self.form_choice.setPlaceholderText("no forms yet")
        self.year_choice.setPlaceholderText("no year groups yet")
        if not self._header_touched:
            self.header.setText(f"Property of {school}" if school else "Property of the school")
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
        request = self.request()
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

    def is_ready(self) -> bool:
        """A preview of the current choices is shown and can be printed or saved."""
        return (
            self.preview is not None
            and self._pending is None
            and not self._timer.isActive()
            and not self._working
        )

    def _show_preview(self, preview: BatchPreview) -> None:
        if preview.request != self._pending:
            return
        self._pending = None
        self.preview = preview
        self.progress.setVisible(bool(self._working))
        t = preview.template
        r = preview.request
        parts = [
            f"<b>{_plural(preview.count, 'label')}</b>"
            + (f" ({r.copies} per tag)" if r.copies > 1 else ""),
            f"{r.describe()}: {_plural(len(preview.devices), 'device')}",
        ]
        if t.kind == "sheet":
            sheets = _plural(preview.pages, "sheet")
            parts.append(sheets + (f", the first from label {r.start}" if r.start > 1 else ""))
        else:
            parts.append("on the roll")
        self._tone(self.summary, "info")
        self.summary.setText("  ·  ".join(parts))
        self.grid.set_filled(min(preview.count, t.per_page - preview.request.start + 1))
        self.preview_view.set_image(preview.image)
        self._remember_choices(preview.request)
        self._set_ready(True)

    def _preview_failed(self, request: BatchRequest, exc: BaseException) -> None:
        if request != self._pending:
            return
        self._pending = None
        self.progress.setVisible(bool(self._working))
        self.grid.set_filled(0)
        tone = "warn" if isinstance(exc, NothingToLabel) else "bad"
        self._tone(self.summary, tone)
        self.summary.setText(describe_failure("Making the preview", exc))
        self.preview_view.set_text("Nothing to print.")

    def _set_ready(self, ready: bool) -> None:
        ready = ready and not self._working
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- printing and saving -------------------------------------------------------------------

    def _begin(self, what: str) -> None:
        self._working = what
        self._set_ready(False)
        self.progress.show()
        self._say("info", what)

    def _end(self) -> None:
        self._working = ""
        self.progress.setVisible(self._pending is not None)
        self._set_ready(self.preview is not None and not self._timer.isActive())

    def save_pdf(self, path: str | None = None) -> None:
        """Write the batch's sheets as a PDF and record the labels as printed."""
        preview = self.preview
        if preview is None or not self.is_ready():
            self._say("warn", "Wait for the preview: nothing was saved.")
            return
        if not path:
            name = f"labels-{preview.request.describe().replace(' ', '-')}.pdf"
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the labels as PDF", str(Path.home() / name), "PDF files (*.pdf)"
            )
        if not path:
            return
        factory, actor = self.ctx.factory, self.ctx.actor

        def work():  # noqa: ANN202
            sheets = make_sheets(preview)
            written = write_pdf(sheets.pdf, path)
            record = documents.record_label_prints(
                factory, actor, preview.device_ids(), preview.template.id
            )
            return written, sheets.pages, record

        def done(result) -> None:  # noqa: ANN001
            written, pages, record = result
            self._end()
            self.last_printed = preview
            self._say(
                "good",
                f"Saved {_plural(record.count, 'label')} on {_plural(pages, 'page')} as "
                f"{written}; recorded as printed by {record.printed_by}.",
            )
            self._after_recording()

        self._begin(f"Making {_plural(preview.count, 'label')}…")
        self.ctx.runner.submit(work, done, lambda exc: self._failed("Saving the labels", exc))

    def print_labels(self) -> None:
        """Send the batch to the label printer and record the labels as printed."""
        preview = self.preview
        if preview is None or not self.is_ready():
            self._say("warn", "Wait for the preview: nothing was printed.")
            return
        printer = self.printer_choice.currentData() or self.queue.printer_for("label")
        offset = calibration.get_offset(printer or None)
        factory, actor, queue = self.ctx.factory, self.ctx.actor, self.queue
        t = preview.template

        def work():  # noqa: ANN202
            sheets = make_sheets(preview, offset)
            job = PrintJob(
                kind="label",
                title=f"Asset labels ({preview.count}) on {t.id}",
                pdf=sheets.pdf,
                printer=printer,
                dpi=t.dpi,
            )
            if not printer:
                return job, None  # the queue says there is no printer, on the GUI thread
            if not queue.submit(job):
                return None, None  # the queue has said why and kept the job
            return None, documents.record_label_prints(factory, actor, preview.device_ids(), t.id)

        def done(result) -> None:  # noqa: ANN001
            job, record = result
            self._end()
            if job is not None:
                self.queue.submit(job)
            if record is None:
                return
            self.last_printed = preview
            self._say(
                "good",
                f"Sent {_plural(record.count, 'label')} on {_plural(preview.pages, 'sheet')} to "
                f"{printer}; recorded as printed by {record.printed_by}.",
            )
            self._after_recording()

        self._begin(f"Printing {_plural(preview.count, 'label')} on {printer or 'no printer'}…")
        self.ctx.runner.submit(work, done, lambda exc: self._failed("Printing the labels", exc))

    def _after_recording(self) -> None:
        self.reprint_hint.setText(
            f"{_plural(len(self.last_printed.devices), 'device')} of "  # type: ignore[union-attr]
            f"{self.last_printed.request.describe()}, as last printed here."  # type: ignore[union-attr]
        )
        source = self.source.currentData()
        if source == "unlabelled" or (self.only_unlabelled.isChecked() and source != "reprint"):
            self.schedule_preview(0)

    def _print_failed(self, kind: str, message: str) -> None:
        self._say("bad", message)

    def _failed(self, what: str, exc: BaseException) -> None:
        self._end()
        self._say("bad", describe_failure(what, exc))

    # --- hand-over agreements ------------------------------------------------------------------

    def _handover(self, deliver) -> None:  # noqa: ANN001
        request = self.request()
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
            self._end()
            if isinstance(outcome, PrintJob):
                self.queue.submit(outcome)  # no printer: the queue says so and keeps the job
            elif outcome:
                self._say("good", outcome)

        self._begin(f"Making the hand-over agreements of {request.describe()}…")
        self.ctx.runner.submit(
            work, done, lambda exc: self._failed("Making the hand-over agreements", exc)
        )

    def save_handover(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Save the hand-over agreements",
                str(Path.home() / "hand-over-agreements.pdf"),
                "PDF files (*.pdf)",
            )
        if not path:
            return

        def deliver(pdf: bytes, count: int) -> str:
            written = write_pdf(pdf, path)
            return f"Saved {_plural(count, 'hand-over agreement')} as {written}."

        self._handover(deliver)

    def print_handover(self) -> None:
        printer = self.queue.printer_for("slip")
        roll = self.ctx.machine.slip_format != "half-a4"
        queue = self.queue

        def deliver(pdf: bytes, count: int) -> str | PrintJob:
            job = PrintJob(
                kind="slip",
                title="Hand-over agreements",
                pdf=pdf,
                printer=printer,
                dpi=slips.ROLL_DPI if roll else None,
            )
            if not printer:
                return job
            if queue.submit(job):
                return f"Sent {_plural(count, 'hand-over agreement')} to {printer}."
            return ""  # the queue has said why and kept the job

        self._handover(deliver)

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
