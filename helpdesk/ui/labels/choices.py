"""The labels area's choices: which devices, on which label stock from which position, how
many copies, and what a label shows. Every change emits ``changed(delay_ms)`` so the panel
previews the batch again (after a pause while tags or text are typed).

The stock and the design are remembered on this computer (the machine settings file).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from helpdesk.labels.asset_labels import LabelDesign
from helpdesk.labels.templates import LabelTemplate
from helpdesk.services.reporting.documents import LabelDevice
from helpdesk.ui.labels.preview import SOURCES, BatchRequest, SheetGrid
from helpdesk.ui.machine_settings import LabelLook, MachineSettings

CODES = {
    "code128": "Code 128",
    "code128+qr": "Code 128 and QR",
    "code128+datamatrix": "Code 128 and Data Matrix",
    "qr": "QR only (small labels)",
    "datamatrix": "Data Matrix only (small labels)",
}
DELAY = 150  # ms to wait before previewing again after a choice
TYPING_DELAY = 600  # ms after the last key typed
TAG_SEPARATORS = re.compile(r"[\n\r\t,;]+")  # a scanner's Enter or Tab, a pasted list


class LabelChoices(QWidget):
    changed = Signal(int)  # preview again after this many ms
    source_changed = Signal(str)

    def __init__(
        self,
        templates: Sequence[LabelTemplate],
        machine: MachineSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.templates = list(templates)
        self.reprint: tuple[LabelDevice, ...] = ()
        self._header_touched = False
        self.machine = machine
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 8, 0)
        column.addWidget(self._devices_box())
        column.addWidget(self._stock_box())
        column.addWidget(self._design_box())
        column.addStretch(1)
        self.restore()
        self._update_source()

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
        self.tags_box.setPlaceholderText(
            "Scan or type asset tags, one a line (or paste a column from a spreadsheet)"
        )
        self.range_first = QLineEdit()
        self.range_first.setPlaceholderText("first tag, e.g. LT-00100")
        self.range_last = QLineEdit()
        self.range_last.setPlaceholderText("last tag, e.g. LT-00150")
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
        self.tags_box.setMinimumHeight(90)
        self.tags_box.setMaximumHeight(140)
        self.only_unlabelled = QCheckBox("Only devices not yet labelled")
        for signal in (
            self.form_choice.currentIndexChanged,
            self.year_choice.currentIndexChanged,
            self.only_unlabelled.toggled,
        ):
            signal.connect(lambda *_: self.changed.emit(DELAY))
        self.tags_box.textChanged.connect(lambda: self.changed.emit(TYPING_DELAY))
        self.range_first.textChanged.connect(lambda: self.changed.emit(TYPING_DELAY))
        self.range_last.textChanged.connect(lambda: self.changed.emit(TYPING_DELAY))
        form.addWidget(self.source)
        for page in self.inputs.values():
            form.addWidget(page)
        form.addWidget(self.only_unlabelled)
        self.devices_layout = form  # the panel adds the hand-over agreements here
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
        self.copies.valueChanged.connect(lambda *_: self.changed.emit(DELAY))
        self._stock_fields = fields = QFormLayout()
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
        self.code_choice.currentIndexChanged.connect(lambda *_: self.changed.emit(DELAY))
        for box_ in (self.show_model, self.show_serial, self.outline):
            box_.toggled.connect(lambda *_: self.changed.emit(DELAY))
        return box

    def restore(self) -> None:
        """The stock and design last used on this computer."""
        look = self.machine.label_look([t.id for t in self.templates], CODES)
        index = self.template_choice.findData(look.template)
        self.template_choice.setCurrentIndex(max(0, index))
        self._template_changed()
        self.code_choice.setCurrentIndex(max(0, self.code_choice.findData(look.code)))
        self.show_model.setChecked(look.show_model)
        self.show_serial.setChecked(look.show_serial)

    def remember(self, request: BatchRequest) -> None:
        self.machine.remember_label_look(
            LabelLook(
                template=request.template_id,
                code=request.design.symbology,
                show_model=request.design.show_model,
                show_serial=request.design.show_serial,
            )
        )

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
        self._stock_fields.setRowVisible(self.start, t.per_page > 1)
        self.changed.emit(DELAY)

    def _start_changed(self, start: int) -> None:
        self.start.setValue(start)
        self.changed.emit(DELAY)

    def _header_edited(self) -> None:
        self._header_touched = True
        self.changed.emit(TYPING_DELAY)

    def _update_source(self) -> None:
        key = self.source.currentData()
        for name, widget in self.inputs.items():
            widget.setVisible(name == key)
        self.only_unlabelled.setEnabled(key not in ("unlabelled", "reprint"))
        self.source_changed.emit(key)
        if key == "tags":
            self.tags_box.setFocus()
        self.changed.emit(DELAY)

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
            first, last = value if isinstance(value, tuple) else ("", "")
            self.range_first.setText(str(first))
            self.range_last.setText(str(last))

    def add_tag(self, tag: str) -> bool:
        """Put ``tag`` at the end of the tags typed or scanned, choosing that batch; False when
        it is there already."""
        if self.source.currentData() != "tags":
            self.source.setCurrentIndex(self.source.findData("tags"))
        text = self.tags_box.toPlainText()
        if tag in (t.strip() for t in TAG_SEPARATORS.split(text)):
            return False
        if text.strip() and not text.endswith(("\n", "\r")):
            text += "\n"
        self.tags_box.setPlainText(text.lstrip() + tag + "\n")
        self.tags_box.moveCursor(QTextCursor.MoveOperation.End)
        return True

    def set_template(self, template_id: str) -> None:
        self.template_choice.setCurrentIndex(self.template_choice.findData(template_id))

    def request(self) -> BatchRequest:
        """The batch as chosen now."""
        tags: list[str] = []
        for tag in TAG_SEPARATORS.split(self.tags_box.toPlainText()):
            tag = tag.strip()
            if tag and tag not in tags:  # a tag scanned twice is labelled once
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
            reprint=self.reprint,
        )

    def fill(self, forms: Sequence[str], years: Sequence[int], school: str) -> None:
        """The forms and year groups to choose from, and the school's name for the top line."""
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

    def set_reprint(self, devices: Sequence[LabelDevice], what: str) -> None:
        """The last batch printed here, for 'the last batch again'."""
        self.reprint = tuple(devices)
        n = len(self.reprint)
        self.reprint_hint.setText(
            f"{n} device{'' if n == 1 else 's'} of {what}, as last printed here."
        )

    def set_filled(self, count: int) -> None:
        self.grid.set_filled(count)
