"""Settings: the school's (saved in the database, shared by every counter) and this computer's
(camera, printers, sounds; saved in the user's settings file).
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, time

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.errors import HelpdeskError
from helpdesk.services.core import settings as school_settings
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.machine_settings import PRINT_KINDS


def printer_names() -> list[str]:
    """The printers the operating system knows (CUPS on Linux, the spooler on Windows)."""
    from PySide6.QtPrintSupport import QPrinterInfo

    return list(QPrinterInfo.availablePrinterNames())


class SchoolTab(QWidget):
    """School name, end of the school day, closure dates, loan rules, tag and card patterns."""

    def __init__(self, current, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.current = current
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.school_name = QLineEdit(current.school_name)
        self.school_name.setObjectName("schoolName")
        self.end_of_day = QTimeEdit(QTime(current.end_of_day.hour, current.end_of_day.minute))
        self.end_of_day.setDisplayFormat("HH:mm")
        self.loan_limit = QSpinBox()
        self.loan_limit.setRange(1, 10)
        self.loan_limit.setValue(current.loan_limit)
        self.block_unpaid = QCheckBox("Refuse loans to students with unpaid charges")
        self.block_unpaid.setChecked(current.block_loans_with_unpaid_charges)
        self.long_days = QSpinBox()
        self.long_days.setRange(1, 200)
        self.long_days.setValue(current.long_loan_days)
        self.long_days.setSuffix(" school days")
        self.swap_days = QSpinBox()
        self.swap_days.setRange(1, 200)
        self.swap_days.setValue(current.swap_loan_days)
        self.swap_days.setSuffix(" school days")
        self.retention = QSpinBox()
        self.retention.setObjectName("retentionYears")
        self.retention.setRange(1, 20)
        self.retention.setValue(current.retention_years)
        self.retention.setSuffix(" academic years after leaving")
        self.terms = QPlainTextEdit(current.loan_terms)
        self.terms.setObjectName("loanTerms")
        self.terms.setFixedHeight(70)
        self.terms.setTabChangesFocus(True)
        self.tag_pattern = QLineEdit(current.asset_tag_pattern)
        self.card_pattern = QLineEdit(current.card_pattern)
        for edit in (self.tag_pattern, self.card_pattern):
            edit.setPlaceholderText("a regular expression, e.g. PER-\\d{6}")
        form.addRow("School name", self.school_name)
        form.addRow("End of the school day", self.end_of_day)
        form.addRow("Open loans per student", self.loan_limit)
        form.addRow("", self.block_unpaid)
        form.addRow("Long loans last", self.long_days)
        form.addRow("Swap loans last", self.swap_days)
        form.addRow("Keep leavers' records", self.retention)
        form.addRow("Terms on the loan slip", self.terms)
        form.addRow("Asset tag pattern", self.tag_pattern)
        form.addRow("Student card pattern", self.card_pattern)

        closures = QWidget()
        col = QVBoxLayout(closures)
        col.setContentsMargins(0, 0, 0, 0)
        self.closure_list = QListWidget()
        self.closure_list.setMaximumHeight(150)
        for day in sorted(current.closures):
            self._add_closure_item(day)
        coming = [n for n, day in enumerate(sorted(current.closures)) if day >= date.today()]
        if coming:  # the next closure days first, not last year's
            self.closure_list.scrollToItem(
                self.closure_list.item(coming[0]), QListWidget.ScrollHint.PositionAtTop
            )
        row = QHBoxLayout()
        self.closure_date = QDateEdit(QDate.currentDate())
        self.closure_date.setCalendarPopup(True)
        self.closure_date.setDisplayFormat("ddd dd/MM/yyyy")
        add = QPushButton("Add closure day")
        add.clicked.connect(self._add_closure)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove_closure)
        row.addWidget(self.closure_date)
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        col.addWidget(self.closure_list)
        col.addLayout(row)
        form.addRow("Closure dates\n(loans are never due)", closures)

    def _add_closure_item(self, day: date) -> None:
        self.closure_list.addItem(day.strftime("%a %d/%m/%Y"))
        self.closure_list.item(self.closure_list.count() - 1).setData(
            Qt.ItemDataRole.UserRole, day.isoformat()
        )

    def closures(self) -> list[date]:
        return sorted(
            date.fromisoformat(self.closure_list.item(n).data(Qt.ItemDataRole.UserRole))
            for n in range(self.closure_list.count())
        )

    def _add_closure(self) -> None:
        day = self.closure_date.date().toPython()
        assert isinstance(day, date)  # a QDate becomes a date
        if day not in self.closures():
            self._add_closure_item(day)

    def _remove_closure(self) -> None:
        for item in self.closure_list.selectedItems():
            self.closure_list.takeItem(self.closure_list.row(item))

    def values(self):  # noqa: ANN201 - a SchoolSettings
        t = self.end_of_day.time()
        changes = {
            "school_name": self.school_name.text().strip(),
            "end_of_day": time(t.hour(), t.minute()),
            "loan_limit": self.loan_limit.value(),
            "block_loans_with_unpaid_charges": self.block_unpaid.isChecked(),
            "asset_tag_pattern": self.tag_pattern.text().strip(),
            "card_pattern": self.card_pattern.text().strip(),
            "closures": tuple(self.closures()),
            "long_loan_days": self.long_days.value(),
            "swap_loan_days": self.swap_days.value(),
            "retention_years": self.retention.value(),
            "loan_terms": self.terms.toPlainText().strip(),
        }
        known = {f.name for f in fields(self.current)}
        return replace(self.current, **{k: v for k, v in changes.items() if k in known})


class MachineTab(QWidget):
    """Camera, a printer per kind of document, sounds, printing slips at the counter, when the
    window locks, and the daily backup (on or off, and its folder)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        machine = ctx.machine
        form = QFormLayout(self)
        self.camera = QLineEdit(machine.camera)
        self.camera.setPlaceholderText("0 for the first webcam, a video file or a folder of images")
        form.addRow("Camera", self.camera)
        names = printer_names()
        self.printers: dict[str, QComboBox] = {}
        for kind, title in PRINT_KINDS.items():
            box = QComboBox()
            box.addItem("System default printer", "")
            for name in names:
                box.addItem(name, name)
            chosen = machine.printer(kind)
            if chosen and chosen not in names:
                box.addItem(f"{chosen} (not found)", chosen)
            box.setCurrentIndex(max(0, box.findData(chosen)))
            self.printers[kind] = box
            form.addRow(title, box)
        if not names:
            note = QLabel("No printers found: slips can still be saved as PDF.")
            note.setObjectName("hint")
            form.addRow("", note)
        self.sounds = QCheckBox("Play a sound on every scan")
        self.sounds.setChecked(machine.sounds)
        self.print_slips = QCheckBox("Print a slip after every loan and swap")
        self.print_slips.setChecked(machine.print_slips)
        self.slip_format = QComboBox()
        self.slip_format.addItem("Half an A4 sheet", "half-a4")
        self.slip_format.addItem("80 mm receipt roll", "receipt-80mm")
        self.slip_format.setCurrentIndex(max(0, self.slip_format.findData(machine.slip_format)))
        form.addRow("", self.sounds)
        form.addRow("", self.print_slips)
        form.addRow("Slips and receipts on", self.slip_format)
        self.lock_after = QSpinBox()
        self.lock_after.setObjectName("lockAfter")
        self.lock_after.setRange(0, 240)
        self.lock_after.setSuffix(" min")
        self.lock_after.setSpecialValueText("never")
        self.lock_after.setValue(machine.lock_after_minutes)
        form.addRow("Lock when unused for", self.lock_after)
        from helpdesk.services.care.rotation import backup_kind

        self.daily_backup = QCheckBox("Make a backup of the database once a day")
        self.daily_backup.setObjectName("dailyBackup")
        self.daily_backup.setChecked(machine.daily_backup(backup_kind(ctx.factory) == "sqlite"))
        self.backup_folder = QLineEdit(str(machine.backup_folder))
        self.backup_folder.setObjectName("backupFolder")
        form.addRow("", self.daily_backup)
        form.addRow("Daily backups go to", self.backup_folder)

    def save(self, ctx: AppContext) -> None:
        machine = ctx.machine
        machine.camera = self.camera.text().strip()
        for kind, box in self.printers.items():
            machine.set_printer(kind, box.currentData() or "")
        machine.sounds = self.sounds.isChecked()
        machine.print_slips = self.print_slips.isChecked()
        machine.slip_format = self.slip_format.currentData()
        machine.lock_after_minutes = self.lock_after.value()
        machine.set_daily_backup(self.daily_backup.isChecked())
        machine.backup_folder = self.backup_folder.text()


class SettingsDialog(QDialog):
    """Opens at once; the School tab fills when the school's settings arrive from the database
    thread. Saving goes through that thread too: the dialog closes when the answer comes, or
    shows the refusal sentence."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.school_name = ""
        self.school: SchoolTab | None = None  # made when the school's settings arrive
        self.saving = False
        self.setWindowTitle("Settings")
        self.resize(640, 560)
        self.tabs = QTabWidget()
        self.loading = QLabel("Loading the school's settings…")
        self.loading.setObjectName("hint")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.machine = MachineTab(ctx)
        self.tabs.addTab(self.loading, "School")
        self.tabs.addTab(self.machine, "This computer")
        self.error = QLabel()
        self.error.setObjectName("message")
        self.error.setProperty("tone", "bad")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)  # until the school's settings are here
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        factory = ctx.factory
        ctx.db.submit(
            lambda: school_settings.get_settings(factory), self._loaded, self._load_failed
        )

    def _alive(self) -> bool:
        from shiboken6 import isValid

        return isValid(self)

    def _loaded(self, current) -> None:  # noqa: ANN001 - a SchoolSettings
        if not self._alive():
            return
        showing = self.tabs.currentIndex() == 0
        self.school = SchoolTab(current)
        self.tabs.removeTab(0)
        self.tabs.insertTab(0, self.school, "School")
        self.loading.deleteLater()
        self.save_button.setEnabled(True)
        if showing:
            self.tabs.setCurrentIndex(0)
            if self.isVisible():
                self.school.school_name.setFocus()

    def _load_failed(self, exc: BaseException) -> None:
        if self._alive():
            self.loading.setText(describe_failure("Loading the school's settings", exc))

    def save(self) -> None:
        if self.school is None or self.saving:
            return
        try:
            values = self.school.values()
        except HelpdeskError as exc:
            self._refused(exc)
            return
        self.saving = True
        self.save_button.setEnabled(False)
        self.error.hide()
        factory, actor = self.ctx.factory, self.ctx.actor
        self.ctx.db.submit(
            lambda: school_settings.save_settings(factory, actor, values),
            lambda _r: self._saved(values.school_name),
            self._refused,
        )

    def _saved(self, school_name: str) -> None:
        if not self._alive():
            return
        self.saving = False
        self.save_button.setEnabled(True)
        self.machine.save(self.ctx)
        self.school_name = school_name
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        if not self._alive():
            return
        self.saving = False
        self.save_button.setEnabled(self.school is not None)
        if isinstance(exc, HelpdeskError):
            self.error.setText(str(exc))
        else:  # logged, shown as one sentence
            self.error.setText(describe_failure("Saving the settings", exc))
        self.error.show()
