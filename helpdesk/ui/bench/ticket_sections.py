"""The sections of the ticket page about the repair itself (damage and notes, parts, vendor and
time, photos), each a group box that owns its widgets, fills itself from the
page's data (:class:`helpdesk.services.repairs.ticket_queue.TicketPage`) and says by a signal what
the technician asked for; :class:`helpdesk.ui.bench.ticket_page.TicketPage` lays them out and
answers the signals."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
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
)

from helpdesk.services.repairs.ticket_queue import TicketPage as PageData
from helpdesk.ui.bench.widgets import (
    THUMB,
    fill_table,
    load_thumbnails,
    make_table,
    minutes_text,
    money,
    submit,
)
from helpdesk.ui.context import AppContext


class DamageBox(QGroupBox):
    """What happened to the device and the diagnosis notes; ``note_added`` asks for a new note."""

    note_added = Signal()

    def __init__(self) -> None:
        super().__init__("Damage and diagnosis")
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
        self.note_edit.returnPressed.connect(self.note_added)
        self.note_button = QPushButton("Add note")
        self.note_button.clicked.connect(self.note_added)
        row = QHBoxLayout()
        row.addWidget(self.note_edit, 1)
        row.addWidget(self.note_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.damage)
        layout.addWidget(QLabel("Diagnosis notes"))
        layout.addWidget(self.diagnosis)
        layout.addLayout(row)

    def show_ticket(self, page: PageData) -> None:
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
        self.damage.setText(f"{' · '.join(facts)}<br>{escape(t.fault)}")
        self.diagnosis.setPlainText(t.diagnosis or "")
        self.note_button.setEnabled(t.is_open)


class PartsBox(QGroupBox):
    """The parts used and their costs; ``part_added`` asks for the part typed in the row."""

    part_added = Signal()

    def __init__(self) -> None:
        super().__init__("Parts")
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
        self.part_button.clicked.connect(self.part_added)
        for field in (self.part_name, self.part_number):
            field.returnPressed.connect(self.part_added)
        row = QHBoxLayout()
        row.addWidget(self.part_name, 3)
        row.addWidget(self.part_number, 2)
        row.addWidget(self.part_qty)
        row.addWidget(self.part_cost)
        row.addWidget(self.part_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.parts_table, 1)
        layout.addWidget(self.parts_total)
        layout.addLayout(row)

    def show_ticket(self, page: PageData) -> None:
        t = page.ticket
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
        self.part_button.setEnabled(t.is_open)

    def clear_fields(self) -> None:
        self.part_name.clear()
        self.part_number.clear()
        self.part_qty.setValue(1)
        self.part_cost.setValue(0)


class VendorBox(QGroupBox):
    """Vendor, RMA, warranty and time on the bench; ``vendor_saved`` and ``time_added``."""

    vendor_saved = Signal()
    time_added = Signal()

    def __init__(self) -> None:
        super().__init__("Vendor, warranty and time")
        self.vendor_edit = QLineEdit()
        self.vendor_edit.setObjectName("vendorEdit")
        self.vendor_edit.setPlaceholderText("Repairer, e.g. Lenovo depot repair")
        self.rma_edit = QLineEdit()
        self.rma_edit.setObjectName("rmaEdit")
        for field in (self.vendor_edit, self.rma_edit):
            field.returnPressed.connect(self.vendor_saved)
        self.warranty_box = QCheckBox("Warranty repair")
        self.warranty_text = QLabel()
        self.warranty_text.setObjectName("hint")
        self.vendor_button = QPushButton("Save vendor")
        self.vendor_button.clicked.connect(self.vendor_saved)
        self.time_text = QLabel()
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setValue(15)
        self.minutes.setSuffix(" min")
        self.time_button = QPushButton("Add time")
        self.time_button.clicked.connect(self.time_added)
        warranty_row = QHBoxLayout()
        warranty_row.addWidget(self.warranty_box)
        warranty_row.addWidget(self.warranty_text, 1)
        warranty_row.addWidget(self.vendor_button)
        time_row = QHBoxLayout()
        time_row.addWidget(self.time_text, 1)
        time_row.addWidget(self.minutes)
        time_row.addWidget(self.time_button)
        form = QFormLayout(self)
        form.addRow("Vendor", self.vendor_edit)
        form.addRow("RMA number", self.rma_edit)
        form.addRow(warranty_row)
        form.addRow("Time spent", time_row)

    def show_ticket(self, page: PageData) -> None:
        t = page.ticket
        if not self.vendor_edit.hasFocus():  # never overwrite what is being typed
            self.vendor_edit.setText(t.vendor)
            self.rma_edit.setText(t.rma_number)
        self.warranty_box.setChecked(t.warranty)
        self.warranty_text.setText(
            f"warranty until {page.warranty_until:%d/%m/%Y}"
            if page.warranty_until
            else "no warranty date on record"
        )
        self.time_text.setText(minutes_text(t.minutes_spent))
        self.vendor_button.setEnabled(t.is_open)
        self.time_button.setEnabled(t.is_open)


class PhotosBox(QGroupBox):
    """The damage photos as thumbnails (double-click opens one); ``file_wanted`` and
    ``camera_wanted`` ask for a photo from a file or from this computer's camera."""

    file_wanted = Signal()
    camera_wanted = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__("Photos")
        self.ctx = ctx
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
        self.photo_button.clicked.connect(self.file_wanted)
        self.camera_button = QPushButton("Take photo with the camera")
        self.camera_button.setObjectName("cameraPhoto")
        self.camera_button.clicked.connect(self.camera_wanted)
        if not ctx.camera_source:
            self.camera_button.setEnabled(False)
            self.camera_button.setToolTip("No camera is chosen for this computer (Settings).")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.camera_button)
        buttons.addWidget(self.photo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.photos)
        layout.addWidget(self.photo_where)
        layout.addLayout(buttons)

    def show_ticket(self, page: PageData) -> None:
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
        is_open = page.ticket.is_open
        self.photo_button.setEnabled(is_open)
        self.camera_button.setEnabled(is_open and bool(self.ctx.camera_source))
        files = page.photo_files
        submit(
            self,
            lambda: load_thumbnails(files),
            self._thumbnails,
            key=f"thumbs-{id(self)}",
            db=False,
        )

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
        QDesktopServices.openUrl(QUrl.fromLocalFile(item.data(Qt.ItemDataRole.UserRole)))
