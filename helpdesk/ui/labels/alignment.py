"""Lining a label printer up with its label stock: print the alignment test page on plain paper,
hold it against a sheet of labels in front of a light, and move the print until each cross sits
at the centre of its label. The correction is kept per printer and applied to every later print
of asset labels on that printer.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.errors import HelpdeskError
from helpdesk.labels import calibration
from helpdesk.labels.asset_labels import Offset
from helpdesk.labels.templates import LabelTemplate
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.printing import PrintError, print_pdf
from helpdesk.ui.workers import Runner


class AlignmentDialog(QDialog):
    def __init__(
        self,
        template: LabelTemplate,
        printer: str,
        runner: Runner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.template, self.printer, self.runner = template, printer, runner
        self.setWindowTitle("Line up the labels")
        self.setMinimumWidth(460)
        intro = QLabel(
            f"<b>{template.name.split(',')[0]}</b> on <b>{printer or 'no printer chosen'}</b>"
            "<br>Print the test page on plain paper and hold it against a sheet of labels in "
            "front of a light. If the crosses sit left of the label centres, move the print "
            "right; if they sit below, move it up (a negative number)."
        )
        intro.setWordWrap(True)
        offset = calibration.get_offset(printer or None)
        self.x_offset = self._spin(offset.x)
        self.y_offset = self._spin(offset.y)
        fields = QFormLayout()
        fields.addRow("Move the print right by", self.x_offset)
        fields.addRow("Move the print down by", self.y_offset)
        self.message = QLabel()
        self.message.setObjectName("hint")
        self.message.setWordWrap(True)
        self.test_button = QPushButton("Print test page")
        self.test_button.clicked.connect(self.print_test_page)
        self.save_button = QPushButton("Keep for this printer")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.keep)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(fields)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    @staticmethod
    def _spin(value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(-calibration.MAX_OFFSET_MM, calibration.MAX_OFFSET_MM)
        spin.setDecimals(1)
        spin.setSingleStep(0.1)
        spin.setSuffix(" mm")
        spin.setValue(value)
        return spin

    def offset(self) -> Offset:
        return Offset(self.x_offset.value(), self.y_offset.value())

    def keep(self) -> bool:
        try:
            kept = calibration.set_offset(
                self.printer, self.x_offset.value(), self.y_offset.value()
            )
        except HelpdeskError as exc:
            self.message.setText(str(exc))
            return False
        self.message.setText(
            f"Labels on {self.printer} now move {kept.x:+.1f} mm across and {kept.y:+.1f} mm down."
        )
        return True

    def print_test_page(self) -> None:
        template, offset, printer = self.template, self.offset(), self.printer
        if not printer:
            self.message.setText("Choose a printer for asset labels first.")
            return

        def work() -> int:  # a test page is not kept for a retry: it is printed again at will
            pdf = calibration.alignment_page(template, offset, printer)
            return print_pdf(pdf, printer, title=f"Alignment test {template.id}", dpi=template.dpi)

        def done(_pages: int) -> None:
            self.test_button.setEnabled(True)
            self.message.setText(f"The test page went to {printer}.")

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            if isinstance(exc, PrintError):  # the printer is missing or refusing: its sentence
                self.message.setText(str(exc))
            else:
                self.message.setText(describe_failure("Printing the test page", exc))

        self.test_button.setEnabled(False)
        self.message.setText(f"Printing the test page on {printer}…")
        self.runner.submit(work, done, failed)
