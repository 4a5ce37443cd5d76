"""Booking in damage at the counter: category, what happened, webcam photos, the cover check.

Keyboard first: the category list takes type-ahead (S for screen, K for keyboard...), Tab goes to
the description, F9 takes a photo from the webcam, Ctrl+Enter books it in, Esc cancels. The two
questions that change the charge (in its case? deliberate?) have no answer until the person at
the counter gives one (Alt+C / Alt+N, Alt+A / Alt+D); nothing is booked in before. The cover
check (insured or not, claims used of allowed, the charge and the rule behind it) is worked out
again whenever the category or an answer changes. The form scrolls, so the dialog fits a
1280x720 screen.
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
    QButtonGroup,
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
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from helpdesk.domain.enums import DamageCategory
from helpdesk.ui.style import BAD, MUTED, WARN
from helpdesk.ui.workers import Runner


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


class YesNo(QWidget):
    """A question with two answers and none chosen to start with: nothing is assumed."""

    def __init__(self, yes: str, no: str, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.yes, self.no = QRadioButton(yes), QRadioButton(no)
        self.yes.setObjectName(f"{name}Yes")
        self.no.setObjectName(f"{name}No")
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for button in (self.yes, self.no):
            self.group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)

    def answer(self) -> bool | None:
        """True for yes, False for no, None while unanswered."""
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None


class DamageDialog(QDialog):
    """Ask for the damage; ``details`` holds the answer after ``exec()`` returns Accepted."""

    def __init__(
        self,
        title: str,
        *,
        cover_for: Callable[..., CoverLine] | None = None,
        snapshot: Callable[[], QPixmap | None] | None = None,
        db: Runner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Book in damage")
        self.setMinimumWidth(560)
        self.setMaximumHeight(680)  # fits a 1280x720 screen, title bar included
        self.cover_for = cover_for
        self.db = db  # given: the cover check runs on the window's database thread
        self._cover_text = ""
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
        self.in_case = YesNo("Yes, in its &case", "&No, not in its case", "inCase")
        self.deliberate = YesNo("&Deliberate", "&Accidental", "deliberate")
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

        self.unanswered = QLabel()
        self.unanswered.setObjectName("unanswered")
        self.unanswered.setWordWrap(True)

        body = QWidget()
        form = QFormLayout(body)
        form.addRow("Damage", self.category)
        form.addRow("Description", self.description)
        form.addRow("In its case?", self.in_case)
        form.addRow("Deliberate?", self.deliberate)
        form.addRow("Crime reference", self.crime_reference)
        form.addRow("Photos", photo_row)
        form.addRow("Cover", self.cover)
        scroll = QScrollArea()
        scroll.setObjectName("damageForm")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        self.form_area = scroll

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Book in (Ctrl+Enter)")
        buttons.accepted.connect(self.book_in)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.unanswered)
        layout.addWidget(buttons)

        QShortcut(QKeySequence("Ctrl+Return"), self, self.book_in)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.book_in)
        QShortcut(QKeySequence("F9"), self, self.take_photo)
        self.category.currentIndexChanged.connect(self._update_cover)
        self.deliberate.group.buttonToggled.connect(self._update_cover)
        self.in_case.group.buttonToggled.connect(self._update_cover)
        self._update_cover()
        # as wide as the form needs (never cut off sideways), as tall as fits under 680 px
        bar = scroll.verticalScrollBar().sizeHint().width()
        scroll.setMinimumWidth(body.sizeHint().width() + bar)
        scroll.setMinimumHeight(min(body.sizeHint().height() + 40, 480))
        self.category.setFocus()

    def chosen_category(self) -> DamageCategory:
        return self.category.currentData()

    def set_category(self, category: DamageCategory) -> None:
        self.category.setCurrentIndex(self.category.findData(category))

    def missing(self) -> str | None:
        """The question still unanswered, as a sentence; None when both are answered."""
        if self.in_case.answer() is None and self.deliberate.answer() is None:
            return "Say whether it was in its case and whether the damage looks deliberate."
        if self.in_case.answer() is None:
            return "Say whether it was in its case."
        if self.deliberate.answer() is None:
            return "Say whether the damage looks deliberate."
        return None

    def _update_cover(self) -> None:
        missing = self.missing()
        self.ok_button.setEnabled(missing is None)
        self.unanswered.setText(f'<span style="color:{WARN}">{missing}</span>' if missing else "")
        self.unanswered.setVisible(missing is not None)
        if self.cover_for is None:
            self.cover.setText(f'<span style="color:{MUTED}">No student: no cover check.</span>')
            return
        if missing is not None:
            self.cover.setText(
                f'<span style="color:{MUTED}">The charge is worked out once both questions '
                "are answered.</span>"
            )
            self._cover_text = ""
            return
        cover_for, category = self.cover_for, self.chosen_category()
        deliberate, in_case = bool(self.deliberate.answer()), bool(self.in_case.answer())

        def check() -> CoverLine:
            return cover_for(category, deliberate=deliberate, in_case=in_case)

        if self.db is not None:  # the answer comes by the event loop; the dialog stays usable
            self._cover_text = ""
            self.cover.setText(f'<span style="color:{MUTED}">Checking the cover…</span>')
            self.db.submit(check, self._show_cover, self._cover_failed, key="damage-cover")
            return
        try:
            line = check()
        except Exception as exc:  # noqa: BLE001 - the check failing must not lose the booking
            self._cover_failed(exc)
            return
        self._show_cover(line)

    def _cover_failed(self, exc: BaseException) -> None:
        from helpdesk.ui.errors import describe_failure

        self._show_cover(CoverLine(describe_failure("The cover check", exc), WARN))

    def _show_cover(self, line: CoverLine) -> None:
        if not isValid(self):  # closed before the answer came
            return
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
        if self.missing() is not None:
            self._update_cover()
            (self.in_case if self.in_case.answer() is None else self.deliberate).yes.setFocus()
            return
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
            deliberate=bool(self.deliberate.answer()),
            in_case=bool(self.in_case.answer()),
            crime_reference=self.crime_reference.text().strip(),
            cover_text=self._cover_text,
        )
        self.accept()
