"""The counter's due-date field: a small line to type the day a loan is due back (dd/mm/yyyy, or
dd/mm for this year), opened with ``U``; Enter accepts, Esc cancels. Keyboard only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


def read_day(text: str, today: date) -> date | None:
    """The day written as dd/mm/yyyy (or dd/mm: this year, next year once it has passed);
    None when the text is not a day."""
    parts = [p for p in text.replace("-", "/").replace(".", "/").split("/") if p.strip()]
    if len(parts) not in (2, 3) or not all(p.strip().isdigit() for p in parts):
        return None
    day, month = int(parts[0]), int(parts[1])
    year = int(parts[2]) if len(parts) == 3 else today.year
    if len(parts) == 3 and year < 100:
        year += 2000
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if len(parts) == 2 and found < today:
        try:
            found = date(year + 1, month, day)
        except ValueError:
            return None
    return found


class DueField(QLineEdit):
    """Type the due day, Enter to accept (``chosen``), Esc to leave it (``cancelled``)."""

    chosen = Signal(object)  # a date
    cancelled = Signal()
    unreadable = Signal(str)  # the sentence saying why the text is not a day

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dueField")
        self.setPlaceholderText("Due back on (dd/mm/yyyy), then Enter; Esc cancels")
        self.setMaxLength(10)
        # the school's rule for a chosen day (a weekend, a closure day, beyond the longest
        # loan): the services' own sentence, shown here before the loan is tried
        self.check: Callable[[date], str | None] | None = None
        self.hide()

    def open_at(self, current: date | None) -> None:
        self.setText(f"{current:%d/%m/%Y}" if current is not None else "")
        self.show()
        self.selectAll()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            day = read_day(self.text(), date.today())
            if day is None:
                self.unreadable.emit(f"'{self.text()}' is not a day: type it as dd/mm/yyyy.")
                return
            refusal = self.check(day) if self.check is not None else None
            if refusal is not None:
                self.unreadable.emit(refusal)
                return
            self.hide()
            self.chosen.emit(day)
            return
        if key == Qt.Key.Key_Escape:
            self.hide()
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
