"""The counter's "At this counter today" list: one wrapped line per action or refusal, newest
first, so that no sentence is cut off in the narrow column beside the card."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from helpdesk.ui.style import BAD, MUTED, WARN

TONES = {"refused": BAD, "warn": WARN, "": ""}


class DayList(QScrollArea):
    """A column of word-wrapped lines; :meth:`set_lines` replaces them all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dayList")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        inner = QWidget()
        self._column = QVBoxLayout(inner)
        self._column.setContentsMargins(0, 0, 4, 0)
        self._column.setSpacing(6)
        self._empty = QLabel("Nothing yet today.")
        self._empty.setStyleSheet(f"color:{MUTED};")
        self._column.addWidget(self._empty)
        self._column.addStretch(1)
        self.setWidget(inner)
        self.labels: list[QLabel] = []

    def set_lines(self, lines: list[tuple[str, str]]) -> None:
        """``(text, tone)`` pairs, newest first; tone is "", "refused" or "warn"."""
        for label in self.labels:
            self._column.removeWidget(label)
            label.deleteLater()
        self.labels = []
        for n, (text, tone) in enumerate(lines):
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            colour = TONES.get(tone, "")
            if colour:
                label.setStyleSheet(f"color:{colour};")
            self._column.insertWidget(n, label)
            self.labels.append(label)
        self._empty.setVisible(not lines)

    def count(self) -> int:
        return len(self.labels)

    def texts(self) -> list[str]:
        return [label.text() for label in self.labels]
