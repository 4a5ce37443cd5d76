"""Which of the loan's accessories came back? A small keyboard-only chooser: one checkbox per
accessory, each toggled by its underlined letter; Enter confirms, Esc goes back to the return."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


def mnemonic_texts(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(letter, text with &)`` for each name: the first letter of it no earlier name took."""
    taken: set[str] = {"o"}  # O is the OK button's
    out = []
    for name in names:
        label = name.capitalize()
        index = next(
            (i for i, ch in enumerate(label) if ch.isalpha() and ch.lower() not in taken), -1
        )
        if index < 0:
            out.append(("", label.replace("&", "&&")))
            continue
        taken.add(label[index].lower())
        out.append((label[index].lower(), label[:index] + "&" + label[index:]))
    return out


class MissingDialog(QDialog):
    """Every accessory starts ticked (came back); untick what is missing."""

    def __init__(
        self, title: str, accessories: tuple[str, ...], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("missingDialog")
        self.setWindowTitle(title)
        self.accessories = accessories
        layout = QVBoxLayout(self)
        hint = QLabel("Tick what came back (press its letter); Enter confirms, Esc goes back.")
        hint.setWordWrap(True)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        layout.addWidget(hint)
        self.boxes: dict[str, QCheckBox] = {}
        self._keys: dict[str, QCheckBox] = {}
        for name, (letter, text) in zip(accessories, mnemonic_texts(accessories), strict=True):
            box = QCheckBox(text)
            box.setChecked(True)
            self.boxes[name] = box
            if letter:
                self._keys[letter] = box
            layout.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        layout.addWidget(buttons)
        if self.boxes:
            next(iter(self.boxes.values())).setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        text = event.text().lower()
        if event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.AltModifier):
            box = self._keys.get(text)
            if box is not None:
                box.toggle()
                box.setFocus()
                return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return
        super().keyPressEvent(event)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name, box in self.boxes.items() if not box.isChecked())
