"""The card that shows what was scanned: a title, coloured badges, fields and short lists.

A card is drawn from a :class:`CardView` (plain data), which :mod:`helpdesk.ui.counter.card_views` makes
from the services' records; the widget itself knows nothing about students or devices.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from helpdesk.ui.style import LINE, MUTED


@dataclass(frozen=True)
class Badge:
    text: str
    fg: str
    bg: str


@dataclass(frozen=True)
class CardView:
    kind: str  # student | device | loan | ticket
    title: str
    subtitle: str = ""
    badges: tuple[Badge, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)


KIND_NAMES = {"student": "Student", "device": "Device", "loan": "Loan", "ticket": "Repair ticket"}


class CardWidget(QFrame):
    """Shows one :class:`CardView`; empty until the first scan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.view: CardView | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 16, 20, 16)
        outer.setSpacing(8)
        self.kind_label = QLabel()
        self.kind_label.setObjectName("cardSub")
        self.title_label = QLabel()
        self.title_label.setObjectName("cardTitle")
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("cardSub")
        self.badges_row = QHBoxLayout()
        self.badges_row.setSpacing(6)
        self.fields_grid = QGridLayout()
        self.fields_grid.setHorizontalSpacing(18)
        self.fields_grid.setVerticalSpacing(4)
        self.sections_label = QLabel()
        self.sections_label.setWordWrap(True)
        self.sections_label.setTextFormat(Qt.TextFormat.RichText)
        self.sections_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.kind_label)
        outer.addWidget(self.title_label)
        outer.addWidget(self.subtitle_label)
        outer.addLayout(self.badges_row)
        outer.addLayout(self.fields_grid)
        outer.addWidget(self.sections_label, 1)
        self.clear()

    def clear(self) -> None:
        self.view = None
        self.kind_label.setText("")
        self.title_label.setText("Nothing scanned yet")
        self.subtitle_label.setText("The card of whatever you scan appears here.")
        self._set_badges(())
        self._set_fields(())
        self.sections_label.setText("")

    def show_view(self, view: CardView) -> None:
        self.view = view
        self.kind_label.setText(KIND_NAMES.get(view.kind, view.kind).upper())
        self.title_label.setText(view.title)
        self.subtitle_label.setText(view.subtitle)
        self.subtitle_label.setVisible(bool(view.subtitle))
        self._set_badges(view.badges)
        self._set_fields(view.fields)
        self.sections_label.setText(self._sections_html(view.sections))

    def _set_badges(self, badges: tuple[Badge, ...]) -> None:
        while self.badges_row.count():
            item = self.badges_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # hidden now: a dialog opened straight after the scan runs its own event loop,
                # which leaves the deletion for later, and the old field would show through
                widget.hide()
                widget.deleteLater()
        for badge in badges:
            label = QLabel(badge.text)
            label.setObjectName("badge")
            label.setStyleSheet(
                f"color:{badge.fg}; background:{badge.bg}; border-radius:9px;"
                "padding:3px 10px; font-weight:600;"
            )
            self.badges_row.addWidget(label)
        self.badges_row.addStretch(1)

    def _set_fields(self, fields: tuple[tuple[str, str], ...]) -> None:
        while self.fields_grid.count():
            item = self.fields_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                # hidden now: a dialog opened straight after the scan runs its own event loop,
                # which leaves the deletion for later, and the old field would show through
                widget.hide()
                widget.deleteLater()
        per_column = max(1, (len(fields) + 1) // 2)
        for n, (name, value) in enumerate(fields):
            row, col = n % per_column, (n // per_column) * 2
            key = QLabel(name)
            key.setStyleSheet(f"color:{MUTED};")
            val = QLabel(value or "—")
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields_grid.addWidget(key, row, col)
            self.fields_grid.addWidget(val, row, col + 1)
        self.fields_grid.setColumnStretch(1, 1)
        self.fields_grid.setColumnStretch(3, 1)

    @staticmethod
    def _sections_html(sections: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
        parts = []
        for heading, lines in sections:
            parts.append(
                f'<p style="margin-top:10px; margin-bottom:2px; font-weight:600;'
                f' border-bottom:1px solid {LINE};">{html.escape(heading)}</p>'
            )
            if not lines:
                parts.append(f'<p style="color:{MUTED}; margin:0;">none</p>')
            for line in lines:
                parts.append(f'<p style="margin:0;">{html.escape(line)}</p>')
        return "".join(parts)

    def text(self) -> str:
        """Everything the card says, as plain text (for tests and screen readers)."""
        if self.view is None:
            return ""
        v = self.view
        bits = [v.title, v.subtitle, *(b.text for b in v.badges)]
        bits += [f"{k}: {val}" for k, val in v.fields]
        for heading, lines in v.sections:
            bits.append(heading)
            bits.extend(lines)
        return "\n".join(bits)
