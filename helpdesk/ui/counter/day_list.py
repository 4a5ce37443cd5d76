"""The counter's "At this counter today" list: one wrapped line per action or refusal, newest
first, so that no sentence is cut off in the narrow column beside the card."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from helpdesk.ui.style import BAD, MUTED, WARN

TONES = {"refused": BAD, "warn": WARN, "": ""}
_LONG_RUN = re.compile(r"\S{24,}")


def breakable(text: str) -> str:
    """Long runs without a space (a scanned code) may break anywhere: a zero-width space every
    few characters lets the label wrap them too."""
    return _LONG_RUN.sub(lambda m: "\u200b".join(re.findall(r".{1,12}", m.group())), text)


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
        self._texts: list[str] = []

    def set_lines(self, lines: list[tuple[str, str]]) -> None:
        """``(text, tone)`` pairs, newest first; tone is "", "refused" or "warn"."""
        for label in self.labels:
            self._column.removeWidget(label)
            label.deleteLater()
        self.labels = []
        self._texts = [text for text, _tone in lines]
        for n, (text, tone) in enumerate(lines):
            label = QLabel(breakable(text))
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
        return list(self._texts)
