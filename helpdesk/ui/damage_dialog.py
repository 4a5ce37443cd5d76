"""Booking in damage at the counter: category, what happened, webcam photos, the cover check.

Keyboard first: the category list takes type-ahead (S for screen, K for keyboard...), Tab goes to
the description, F9 takes a photo from the webcam, Ctrl+Enter books it in, Esc cancels. The cover
check (insured or not, claims used of allowed, the charge and the rule behind it) is worked out
again whenever the category changes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import DamageCategory
from helpdesk.ui.style import BAD, MUTED, WARN


@dataclass(frozen=True)
class DamageDetails:
    category: DamageCategory
    description: str
    photos: tuple[Path, ...] = ()
    deliberate: bool = False
    in_case: bool = True
    crime_reference: str = ""
    cover_text: str = ""  # what the cover check said when it was booked in


@dataclass
class CoverLine:
    """What the dialog shows of a cover check: a sentence and a colour."""

    text: str
    colour: str = MUTED
    extra: list[str] = field(default_factory=list)


class DamageDialog(QDialog):
    """Ask for the damage; ``details`` holds the answer after ``exec()`` returns Accepted."""

    def __init__(
        self,
        title: str,
        *,
        cover_for: Callable[..., CoverLine] | None = None,
        snapshot: Callable[[], QPixmap | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Book in damage")
        self.setMinimumWidth(560)
        self.cover_for = cover_for
        self.snapshot = snapshot
        self.details: DamageDetails | None = None
        self.photos: list[Path] = []
        self._photo_dir = Path(tempfile.mkdtemp(prefix="helpdesk-photos-"))

        heading = QLabel(title)
        heading.setObjectName("cardTitle")
        heading.setWordWrap(True)
        self.category = QComboBox()
        self.category.setObjectName("damageCategory")
        for category in DamageCategory:
            self.category.addItem(category.label.capitalize(), category)
        self.description = QPlainTextEdit()
        self.description.setObjectName("damageDescription")
        self.description.setPlaceholderText("What happened, what is broken…")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.deliberate = QCheckBox("Damage looks deliberate")
        self.in_case = QCheckBox("It was in its case")
        self.in_case.setChecked(True)
        self.crime_reference = QLineEdit()
        self.crime_reference.setObjectName("crimeReference")
        self.crime_reference.setPlaceholderText("Police crime reference (needed for theft)")
        self.photo_label = QLabel("No photos yet.")
        self.photo_label.setObjectName("hint")
        photo_row = QHBoxLayout()
        self.snap_button = QPushButton("Take photo (F9)")
        self.snap_button.clicked.connect(self.take_photo)
        self.snap_button.setEnabled(snapshot is not None)
        file_button = QPushButton("Add photo from file…")
        file_button.clicked.connect(self._photo_from_file)
        photo_row.addWidget(self.snap_button)
        photo_row.addWidget(file_button)
        photo_row.addWidget(self.photo_label, 1)
        self.cover = QLabel()
        self.cover.setObjectName("coverCheck")
        self.cover.setWordWrap(True)
        self.cover.setTextFormat(Qt.TextFormat.RichText)

        form = QFormLayout()
        form.addRow("Damage", self.category)
        form.addRow("Description", self.description)
        form.addRow("", self.deliberate)
        form.addRow("", self.in_case)
        form.addRow("Crime reference", self.crime_reference)
        form.addRow("Photos", photo_row)
        form.addRow("Cover", self.cover)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Book in (Ctrl+Enter)")
        buttons.accepted.connect(self.book_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(buttons)

        QShortcut(QKeySequence("Ctrl+Return"), self, self.book_in)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.book_in)
        QShortcut(QKeySequence("F9"), self, self.take_photo)
        self.category.currentIndexChanged.connect(self._update_cover)
        self.deliberate.toggled.connect(self._update_cover)
        self.in_case.toggled.connect(self._update_cover)
        self._update_cover()
        self.category.setFocus()

    def chosen_category(self) -> DamageCategory:
        return self.category.currentData()

    def set_category(self, category: DamageCategory) -> None:
        self.category.setCurrentIndex(self.category.findData(category))

    def _update_cover(self) -> None:
        if self.cover_for is None:
            self.cover.setText(f'<span style="color:{MUTED}">No student: no cover check.</span>')
            return
        try:
            line = self.cover_for(
                self.chosen_category(),
                deliberate=self.deliberate.isChecked(),
                in_case=self.in_case.isChecked(),
            )
        except Exception as exc:  # noqa: BLE001 - the check failing must not lose the booking
            from helpdesk.ui.errors import describe_failure

            line = CoverLine(describe_failure("The cover check", exc), WARN)
        extra = "".join(f"<br/><span style='color:{MUTED}'>{t}</span>" for t in line.extra)
        self.cover.setText(f"<b style='color:{line.colour}'>{line.text}</b>{extra}")
        self._cover_text = line.text

    def take_photo(self) -> None:
        if self.snapshot is None:
            return
        pixmap = self.snapshot()
        if pixmap is None or pixmap.isNull():
            self.photo_label.setText("The camera gave no picture; try again.")
            return
        path = self._photo_dir / f"damage-{datetime.now():%Y%m%d-%H%M%S}-{len(self.photos) + 1}.jpg"
        pixmap.save(str(path), "JPG", 90)
        self.add_photo(path)

    def add_photo(self, path: Path) -> None:
        self.photos.append(Path(path))
        count = len(self.photos)
        self.photo_label.setText(f"{count} photo{'s' if count != 1 else ''}: {Path(path).name}")

    def _photo_from_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Add a photo", "", "Images (*.jpg *.jpeg *.png)"
        )
        if name:
            self.add_photo(Path(name))

    def book_in(self) -> None:
        description = self.description.toPlainText().strip()
        if not description:
            self.description.setPlaceholderText("Please describe the damage first.")
            self.description.setStyleSheet(f"border: 2px solid {BAD};")
            self.description.setFocus()
            return
        self.details = DamageDetails(
            category=self.chosen_category(),
            description=description,
            photos=tuple(self.photos),
            deliberate=self.deliberate.isChecked(),
            in_case=self.in_case.isChecked(),
            crime_reference=self.crime_reference.text().strip(),
            cover_text=getattr(self, "_cover_text", ""),
        )
        self.accept()
