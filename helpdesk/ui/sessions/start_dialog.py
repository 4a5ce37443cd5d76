"""Starting a session: its kind (pickup, hand-in, stocktake), the expected list it works through
and a name. The choices offered follow the kind: a pickup takes a form, a year group or everyone;
a hand-in a form, a year group, the leavers or every allocated laptop; a stocktake a location, a
status or a file of tags. The dialog only gathers the choice (:meth:`StartDialog.choice`); the
panel starts the session on the database thread and the services refuse an empty list in a
sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QWidget,
)

from helpdesk.ui.style import BAD

KINDS = (("pickup", "Pickup (students collect their laptops)"),
         ("handin", "Hand-in (laptops come back)"),
         ("stocktake", "Stocktake (count what is in a place)"))  # fmt: skip
SCOPES = {  # kind: the expected lists it can work through
    "pickup": (("form", "A form"), ("year", "A year group"), ("everyone", "Everyone")),
    "handin": (
        ("form", "A form"),
        ("year", "A year group"),
        ("leavers", "The leavers"),
        ("everyone", "Every allocated laptop"),
    ),
    "stocktake": (
        ("location", "A location (room, cart, cupboard)"),
        ("status", "Devices with a status"),
        ("tags", "A file of asset tags"),
    ),
}
STATUSES = ("in_stock", "assigned", "on_loan", "in_repair", "lost", "stolen", "retired")


@dataclass(frozen=True)
class StartChoice:
    """What ``start_session`` is called with (``kind`` and its keyword arguments)."""

    kind: str
    options: dict[str, object] = field(default_factory=dict)


def read_tags(path: str) -> list[str]:
    """The asset tags of a tags file: one per line (or the first column of a CSV), blank lines
    and a header line starting with 'tag' left out."""
    tags: list[str] = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        tag = line.split(",")[0].strip().strip('"')
        if tag and not (not tags and tag.lower().startswith("tag")):
            tags.append(tag)
    return tags


class StartDialog(QDialog):
    """Kind, expected list, name; OK starts it (the panel does the starting)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Start a session")
        self.kind = QComboBox()
        for key, text in KINDS:
            self.kind.addItem(text, key)
        self.scope = QComboBox()
        self.form = QLineEdit()
        self.form.setPlaceholderText("e.g. 7A")
        self.year = QSpinBox()
        self.year.setRange(1, 14)
        self.year.setValue(7)
        self.location = QLineEdit()
        self.location.setPlaceholderText("e.g. Cart 3, Room 12 cupboard")
        self.status = QComboBox()
        for status in STATUSES:
            self.status.addItem(status.replace("_", " "), status)
        self.tags_file = QLineEdit()
        self.tags_file.setPlaceholderText("a text or CSV file, one asset tag a line")
        browse = QPushButton("&Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse)
        tags_row = QWidget()
        tags_layout = QHBoxLayout(tags_row)
        tags_layout.setContentsMargins(0, 0, 0, 0)
        tags_layout.addWidget(self.tags_file, 1)
        tags_layout.addWidget(browse)
        self.value = QStackedWidget()
        self.pages = {"form": self.form, "year": self.year, "location": self.location,
                      "status": self.status, "tags": tags_row}  # fmt: skip
        for page in self.pages.values():
            self.value.addWidget(page)
        self.value.addWidget(QLabel("(no more to choose)"))
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Year 7 pickup, September")
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {BAD};")
        self.error.setWordWrap(True)

        form = QFormLayout(self)
        form.addRow("&Kind:", self.kind)
        form.addRow("&Expected:", self.scope)
        form.addRow("&Which:", self.value)
        form.addRow("N&ame:", self.name)
        form.addRow(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Start")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self._kind_changed()

    def set_choice(self, kind: str, scope: str, value: str = "", name: str = "") -> None:
        """Fill the dialog (for a person's shortcut and the tests)."""
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.scope.setCurrentIndex(self.scope.findData(scope))
        if scope == "form":
            self.form.setText(value)
        elif scope == "year":
            self.year.setValue(int(value))
        elif scope == "location":
            self.location.setText(value)
        elif scope == "status":
            self.status.setCurrentIndex(self.status.findData(value))
        elif scope == "tags":
            self.tags_file.setText(value)
        self.name.setText(name)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.scope.blockSignals(True)
        self.scope.clear()
        for key, text in SCOPES[kind]:
            self.scope.addItem(text, key)
        self.scope.blockSignals(False)
        self._scope_changed()

    def _scope_changed(self) -> None:
        page = self.pages.get(self.scope.currentData())
        self.value.setCurrentIndex(
            self.value.count() - 1 if page is None else self.value.indexOf(page)
        )

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "The asset tags to count", str(Path.home()), "Tag lists (*.txt *.csv)"
        )
        if path:
            self.tags_file.setText(path)

    def choice(self) -> StartChoice:
        """The kind and ``start_session``'s keywords; ValueError with a sentence when a choice
        is missing."""
        kind, scope = self.kind.currentData(), self.scope.currentData()
        options: dict[str, object] = {}
        if scope == "form":
            if not self.form.text().strip():
                raise ValueError("Type the form, for example 7A.")
            options["form"] = self.form.text().strip()
        elif scope == "year":
            options["year"] = self.year.value()
        elif scope == "everyone":
            options["everyone"] = True
        elif scope == "leavers":
            options["leavers"] = True
        elif scope == "location":
            if not self.location.text().strip():
                raise ValueError("Type the location to count, for example Cart 3.")
            options["location"] = self.location.text().strip()
        elif scope == "status":
            options["status"] = self.status.currentData()
        elif scope == "tags":
            path = self.tags_file.text().strip()
            try:
                tags = read_tags(path)
            except OSError as exc:
                raise ValueError(f"The tags file cannot be read: {exc.strerror or exc}.") from exc
            if not tags:
                raise ValueError("The tags file holds no asset tags.")
            options["tags"] = tags
        if self.name.text().strip():
            options["name"] = self.name.text().strip()
        return StartChoice(kind, options)

    def _accept(self) -> None:
        try:
            self.choice()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        self.accept()
