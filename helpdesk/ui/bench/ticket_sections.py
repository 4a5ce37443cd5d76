"""The sections of the ticket page (damage and notes, vendor and time, parts, moves, cover and
charge, photos), built here and filled in by :class:`helpdesk.ui.bench.ticket_page.TicketPage`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from helpdesk.ui.bench.widgets import THUMB, make_table
from helpdesk.ui.style import BAD

if TYPE_CHECKING:
    from helpdesk.ui.bench.ticket_actions import TicketActions as _Page  # the page's actions
else:
    _Page = object

MOVE_WORDS = {
    "diagnosing": "Diagnose",
    "awaiting_payment": "Await payment",
    "awaiting_parts": "Await parts",
    "with_vendor": "Send to vendor",
    "repaired": "Repaired",
    "ready_for_collection": "Ready for collection",
    "collected": "Collected",
    "written_off": "Write off…",
    "cancelled": "Cancel ticket…",
}


class TicketSections(_Page):
    """Builds the page's group boxes and keeps their widgets as attributes of the page."""

    if TYPE_CHECKING:

        def _open_photo(self, item: QListWidgetItem) -> None: ...

    def _damage_box(self) -> QGroupBox:
        box = QGroupBox("Damage and diagnosis")
        self.damage = QLabel()
        self.damage.setWordWrap(True)
        self.damage.setTextFormat(Qt.TextFormat.RichText)
        self.diagnosis = QPlainTextEdit()
        self.diagnosis.setObjectName("diagnosisNotes")
        self.diagnosis.setReadOnly(True)
        self.diagnosis.setMaximumHeight(76)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText("A diagnosis note (also kept with the next move)")
        self.note_edit.returnPressed.connect(self.add_note)
        self.note_button = QPushButton("Add note")
        self.note_button.clicked.connect(self.add_note)
        row = QHBoxLayout()
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.note_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.damage)
        layout.addWidget(QLabel("Diagnosis notes"))
        layout.addWidget(self.diagnosis)
        layout.addLayout(row)
        return box

    def _parts_box(self) -> QGroupBox:
        box = QGroupBox("Parts")
        self.parts_table = make_table(["Part", "Part number", "Qty", "Unit cost", "Cost"], 0)
        self.parts_table.setMinimumHeight(90)
        self.parts_total = QLabel()
        self.parts_total.setObjectName("partsTotal")
        self.parts_total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.part_name = QLineEdit()
        self.part_name.setObjectName("partName")
        self.part_name.setPlaceholderText('Part, e.g. LCD panel 11.6"')
        self.part_number = QLineEdit()
        self.part_number.setPlaceholderText("Part number")
        self.part_qty = QSpinBox()
        self.part_qty.setRange(1, 99)
        self.part_cost = QDoubleSpinBox()
        self.part_cost.setObjectName("partCost")
        self.part_cost.setPrefix("£")
        self.part_cost.setRange(0, 10_000)
        self.part_cost.setDecimals(2)
        self.part_button = QPushButton("Add part")
        self.part_button.clicked.connect(self.add_part)
        row = QHBoxLayout()
        row.addWidget(self.part_name, 3)
        row.addWidget(self.part_number, 2)
        row.addWidget(self.part_qty)
        row.addWidget(self.part_cost)
        row.addWidget(self.part_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.parts_table, 1)
        layout.addWidget(self.parts_total)
        layout.addLayout(row)
        return box

    def _photos_box(self) -> QGroupBox:
        box = QGroupBox("Photos")
        self.photos = QListWidget()
        self.photos.setObjectName("photos")
        self.photos.setViewMode(QListWidget.ViewMode.IconMode)
        self.photos.setIconSize(QSize(THUMB, THUMB))
        self.photos.setFlow(QListWidget.Flow.LeftToRight)
        self.photos.setWrapping(False)
        self.photos.setFixedHeight(THUMB + 36)
        self.photos.itemDoubleClicked.connect(self._open_photo)
        self.photo_where = QLabel()
        self.photo_where.setObjectName("hint")
        self.photo_where.setWordWrap(True)
        self.photo_where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.photo_button = QPushButton("Add photo from file…")
        self.photo_button.clicked.connect(lambda: self.add_photo())
        self.camera_button = QPushButton("Take photo with the camera")
        self.camera_button.setObjectName("cameraPhoto")
        self.camera_button.clicked.connect(self.take_photo)
        if not self.ctx.camera_source:
            self.camera_button.setEnabled(False)
            self.camera_button.setToolTip("No camera is chosen for this computer (Settings).")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.camera_button)
        buttons.addWidget(self.photo_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.photos)
        layout.addWidget(self.photo_where)
        layout.addLayout(buttons)
        return box

    def _move_box(self) -> QGroupBox:
        box = QGroupBox("Move the ticket")
        self.move_hint = QLabel()
        self.move_hint.setObjectName("hint")
        self.move_hint.setWordWrap(True)
        self.move_grid = QGridLayout()
        self.move_buttons: dict[str, QPushButton] = {}
        for state, words in MOVE_WORDS.items():
            button = QPushButton(words)
            button.setObjectName(f"move_{state}")
            button.clicked.connect(lambda _c=False, s=state: self.move_to(s))
            self.move_buttons[state] = button
        self.confirm_text = QLabel()
        self.confirm_text.setWordWrap(True)
        self.confirm_text.setStyleSheet(f"color: {BAD}; font-weight: 600;")
        self.confirm_button = QPushButton("Yes, go ahead")
        self.confirm_button.setObjectName("confirmMove")
        self.confirm_button.setStyleSheet(f"background: {BAD}; color: white; border-color: {BAD};")
        self.confirm_button.clicked.connect(self.confirm_move)
        self.keep_button = QPushButton("Keep it")
        self.keep_button.clicked.connect(self._hide_confirm)
        self.confirm_row = QWidget()
        confirm = QHBoxLayout(self.confirm_row)
        confirm.setContentsMargins(0, 0, 0, 0)
        confirm.addWidget(self.confirm_text, 1)
        confirm.addWidget(self.confirm_button)
        confirm.addWidget(self.keep_button)
        self.confirm_row.hide()
        self.replacement = QWidget()
        self.replacement.setObjectName("replacement")
        self.replacement_text = QLabel()
        self.replacement_text.setWordWrap(True)
        self.spare = QComboBox()
        self.spare.setObjectName("spareDevice")
        self.spare.setEditable(True)
        self.spare.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        spare_edit = self.spare.lineEdit()
        assert spare_edit is not None  # an editable box has its line edit
        spare_edit.returnPressed.connect(self.assign_replacement)
        spare_edit.setPlaceholderText("Scan or choose a spare laptop")
        self.assign_button = QPushButton("Assign replacement")
        self.assign_button.setObjectName("primary")
        self.assign_button.clicked.connect(self.assign_replacement)
        spare_row = QHBoxLayout()
        spare_row.addWidget(self.spare, 1)
        spare_row.addWidget(self.assign_button)
        rep = QVBoxLayout(self.replacement)
        rep.setContentsMargins(0, 0, 0, 0)
        rep.addWidget(self.replacement_text)
        rep.addLayout(spare_row)
        self.replacement.hide()
        layout = QVBoxLayout(box)
        layout.addWidget(self.move_hint)
        layout.addLayout(self.move_grid)
        layout.addWidget(self.confirm_row)
        layout.addWidget(self.replacement)
        return box

    def _charge_box(self) -> QGroupBox:
        box = QGroupBox("Cover and charge")
        self.cover_text = QLabel()
        self.cover_text.setWordWrap(True)
        self.cover_text.setTextFormat(Qt.TextFormat.RichText)
        self.pay_button = QPushButton("Record &payment…")
        self.pay_button.setObjectName("recordPayment")
        self.pay_button.clicked.connect(lambda: self.record_payment())
        self.waive_reason = QLineEdit()
        self.waive_reason.setObjectName("waiveReason")
        self.waive_reason.setPlaceholderText("Reason for waiving (required)")
        self.waive_button = QPushButton("Waive charge")
        self.waive_button.setObjectName("waiveCharge")
        self.waive_button.clicked.connect(self.waive)
        self.cover_button = QPushButton("Cover periods…")
        self.cover_button.clicked.connect(self.edit_cover)
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.pay_button)
        pay_row.addWidget(self.cover_button)
        pay_row.addStretch(1)
        waive_row = QHBoxLayout()
        waive_row.addWidget(self.waive_reason, 1)
        waive_row.addWidget(self.waive_button)
        self.payments_table = make_table(
            ["Taken", "Amount", "Method", "Receipt", "By", "Reversed"], 5
        )
        self.payments_table.setObjectName("paymentsTable")
        self.payments_table.setMaximumHeight(110)
        self.reverse_button = QPushButton("Re&verse payment…")
        self.reverse_button.setObjectName("reversePayment")
        self.reverse_button.setToolTip("A manager undoes the chosen payment, with a reason.")
        self.reverse_button.clicked.connect(lambda: self.reverse_payment())
        self.payments_table.itemSelectionChanged.connect(self._payment_chosen)
        reverse_row = QHBoxLayout()
        reverse_row.addStretch(1)
        reverse_row.addWidget(self.reverse_button)
        layout = QVBoxLayout(box)
        layout.addWidget(self.cover_text)
        layout.addLayout(pay_row)
        layout.addLayout(waive_row)
        layout.addWidget(self.payments_table)
        layout.addLayout(reverse_row)
        return box

    def _vendor_box(self) -> QGroupBox:
        box = QGroupBox("Vendor, warranty and time")
        self.vendor_edit = QLineEdit()
        self.vendor_edit.setObjectName("vendorEdit")
        self.vendor_edit.setPlaceholderText("Repairer, e.g. Lenovo depot repair")
        self.rma_edit = QLineEdit()
        self.rma_edit.setObjectName("rmaEdit")
        self.warranty_box = QCheckBox("Warranty repair")
        self.warranty_text = QLabel()
        self.warranty_text.setObjectName("hint")
        self.vendor_button = QPushButton("Save vendor")
        self.vendor_button.clicked.connect(self.save_vendor)
        self.time_text = QLabel()
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(15)
        self.minutes.setSuffix(" min")
        self.time_button = QPushButton("Add time")
        self.time_button.clicked.connect(self.add_time)
        warranty_row = QHBoxLayout()
        warranty_row.addWidget(self.warranty_box)
        warranty_row.addWidget(self.warranty_text, 1)
        warranty_row.addWidget(self.vendor_button)
        time_row = QHBoxLayout()
        time_row.addWidget(self.time_text, 1)
        time_row.addWidget(self.minutes)
        time_row.addWidget(self.time_button)
        form = QFormLayout(box)
        form.addRow("Vendor", self.vendor_edit)
        form.addRow("RMA number", self.rma_edit)
        form.addRow(warranty_row)
        form.addRow("Time spent", time_row)
        return box
