"""Labels: asset labels for a batch of devices on pickup day, and the hand-over agreements.

Choose the devices, the label stock, where the first free label is on a partly used sheet,
copies per tag and what a label shows (:mod:`helpdesk.ui.labels.choices`). The sheets are
previewed as they will print, one at a time (Page Up and Page Down), with the count of labels and
sheets; a tag that cannot fit the stock is refused before anything is printed
(:mod:`helpdesk.ui.labels.preview`, :mod:`helpdesk.ui.labels.sheet_view`). A device scanned while
the area shows joins the batch of tags (:meth:`LabelsPanel.handle_scan`).

Print, Save as PDF, Print again and Mark as printed are :mod:`helpdesk.ui.labels.output`: a print
is recorded, so 'only devices not yet labelled' leaves those devices out; a PDF is recorded only
when 'Mark as printed' says it went to a printer.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from helpdesk.labels.templates import all_templates
from helpdesk.services.records import browse
from helpdesk.services.reporting import documents
from helpdesk.services.reporting.documents import LabelDevice
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.labels.alignment import AlignmentDialog
from helpdesk.ui.labels.choices import LabelChoices
from helpdesk.ui.labels.output import LabelOutput, plural
from helpdesk.ui.labels.preview import (
    BatchPreview,
    BatchRequest,
    NothingToLabel,
    find_devices,
    make_preview,
)
from helpdesk.ui.labels.sheet_view import SheetPager
from helpdesk.ui.printing import PrintQueue, printer_names
from helpdesk.ui.scan_routing import hand_to_counter
from helpdesk.ui.style import CANVAS, LINE, MUTED

# Print and Save are off until the preview matches the choices: make that visible.
DISABLED_LOOK = f"""
QPushButton:disabled, QPushButton#primary:disabled {{
    color: {MUTED}; background: {CANVAS}; border-color: {LINE};
}}
"""


class LabelsPanel(QWidget):
    scan_not_taken = Signal(str)  # a scanned code that is not a device's: for the counter

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.templates, problems = all_templates()
        self.preview: BatchPreview | None = None
        self._pending: BatchRequest | None = None  # the batch being previewed
        self._loaded = False
        self._closed = False
        window = parent
        if window is not None and callable(getattr(window, "show_area", None)):
            self.scan_not_taken.connect(lambda code: hand_to_counter(window, code))
        self.queue = PrintQueue(ctx.machine, self)
        self.queue.failed.connect(lambda _kind, message: self._say("bad", message))
        self.output = LabelOutput(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh_preview)

        title = QLabel("Asset labels")
        title.setObjectName("pageTitle")
        self.choices = LabelChoices(self.templates, ctx.machine)
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
        self.sheets = SheetPager(ctx.runner)
        self.sheets.set_text("The first sheet appears here.")
        self.preview_view = self.sheets.view
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
        self.retry_button.setAutoDefault(False)
        self.retry_button.hide()
        self.mark_button = self.output.mark_button
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.mark_button)
        message_row.addWidget(self.retry_button)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.sheets, 1)
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
        for key, turn in (
            (Qt.Key.Key_PageDown, self.sheets.next_sheet),
            (Qt.Key.Key_PageUp, self.sheets.previous_sheet),
        ):
            shortcut = QShortcut(QKeySequence(key), self, turn)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
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
        batch = key in ("form", "year") and not self.output.working
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
        self.ctx.db.submit(
            lambda: (browse.forms_and_years(factory), documents.school_name(factory)),
            self._loaded_choices,
            self._loading_failed,
        )

    def _loading_failed(self, exc: BaseException) -> None:
        if self._alive():
            self._say("bad", describe_failure("Loading the forms", exc))

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

        def failed(exc: BaseException) -> None:
            self._preview_failed(request, exc)

        def lay_out(found: tuple[list[LabelDevice], int]) -> None:  # not the database's work
            if self._alive() and request == self._pending:
                self.ctx.runner.submit(
                    lambda: make_preview(request, templates, found),
                    self._show_preview,
                    failed,
                    key="labels-preview",
                )

        self.ctx.db.submit(
            lambda: find_devices(factory, request), lay_out, failed, key="labels-devices"
        )

    def is_settled(self) -> bool:
        """The preview (or why there is none) matches the current choices."""
        return self._loaded and self._pending is None and not self._timer.isActive()

    def is_busy(self) -> bool:
        """A Save, Print or hand-over job is running."""
        return bool(self.output.working)

    def is_ready(self) -> bool:
        """A preview of the current choices is shown and can be printed or saved."""
        return self.is_settled() and self.preview is not None and not self.output.working

    def _show_preview(self, preview: BatchPreview) -> None:
        if not self._alive() or preview.request != self._pending:
            return
        self._pending = None
        self.preview = preview
        self.progress.setVisible(bool(self.output.working))
        t, r = preview.template, preview.request
        parts = [
            f"<b>{plural(preview.count, 'label')}</b>"
            + (f" ({r.copies} per tag)" if r.copies > 1 else ""),
            f"{r.describe()}: {plural(len(preview.devices), 'device')}"
            + self._labelled_note(preview),
        ]
        if t.kind == "sheet":
            sheets = plural(preview.pages, "sheet")
            parts.append(sheets + (f", the first from label {r.start}" if r.start > 1 else ""))
        else:
            parts.append("on the roll")
        self._tone(self.summary, "info")
        self.summary.setText("  ·  ".join(parts))
        self.choices.set_filled(min(preview.count, t.per_page - r.start + 1))
        self.sheets.set_batch(preview)
        self.choices.remember(r)
        self._set_ready(True)

    @staticmethod
    def _labelled_note(preview: BatchPreview) -> str:
        n = preview.labelled_before
        if not n:
            return ""
        left_out = preview.request.only_unlabelled
        return f" ({n} labelled before{', left out' if left_out else ''})"

    def _preview_failed(self, request: BatchRequest, exc: BaseException) -> None:
        if not self._alive() or request != self._pending:
            return
        self._pending = None
        self.progress.setVisible(bool(self.output.working))
        self.choices.set_filled(0)
        self._tone(self.summary, "warn" if isinstance(exc, NothingToLabel) else "bad")
        self.summary.setText(describe_failure("Making the preview", exc))
        self.sheets.set_text("Nothing to print.")

    def _set_ready(self, ready: bool) -> None:
        ready = ready and not self.output.working
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    # --- printing and saving (helpdesk.ui.labels.output) ----------------------------------------

    def save_pdf(self, path: str | None = None) -> None:
        """Write the batch's sheets as a PDF (recorded as printed only by 'Mark as printed')."""
        self.output.save_pdf(path)

    def mark_printed(self) -> None:
        """Record the batch last saved as a PDF as printed."""
        self.output.mark_printed()

    def print_labels(self) -> None:
        """Send the batch to the label printer and record the labels as printed."""
        self.output.print_labels()

    def print_kept(self) -> None:
        self.output.print_kept()

    def save_handover(self, path: str | None = None) -> None:
        self.output.save_handover(path)

    def print_handover(self) -> None:
        self.output.print_handover()

    # --- scans ---------------------------------------------------------------------------------

    def handle_scan(self, code: str) -> bool:
        """A code scanned while the labels area shows: taken (True), looked up on the database
        thread. A device (by asset tag or serial) joins the batch of tags typed or scanned and
        the preview follows. Anything else is refused in one sentence in the panel and handed
        on by ``scan_not_taken(code)`` (the window gives it to the counter)."""
        code = code.strip()
        factory = self.ctx.factory

        def failed(exc: BaseException) -> None:  # said in the panel, the scan is not lost
            if self._alive():
                self._say("bad", describe_failure("Looking up the scanned code", exc))
                self.scan_not_taken.emit(code)

        self.ctx.db.submit(
            lambda: documents.device_for_label(factory, code),
            lambda device: self._scanned(code, device),
            failed,
        )
        return True

    def _scanned(self, code: str, device: LabelDevice | None) -> None:
        if not self._alive():
            return
        if device is None:
            self._say(
                "warn",
                f"'{code}' is not the asset tag or serial number of a device, so no label was "
                "added.",
            )
            self.scan_not_taken.emit(code)
            return
        added = self.choices.add_tag(device.asset_tag)
        count = len(self.choices.request().tags)
        self._say(
            "info",
            f"{device.asset_tag} {'added to' if added else 'is already in'} the tags to label "
            f"({plural(count, 'tag')}).",
        )
        self.schedule_preview(0)

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
