"""The scan box: where a keyboard-wedge (USB or Bluetooth) scanner "types" its codes.

A handheld scanner types a whole code in a burst, keys a few milliseconds apart, and ends it with
Enter or Tab; a person types much slower. The box tells the two apart by the gaps between keys:
a trailing run of at least ``min_burst_length`` characters, each key at most ``burst_gap_ms``
after the one before, ended by Enter or Tab, is a scan (stray keys typed before it are dropped).
A code typed by hand and ended with Enter is accepted too, as a typed code; Tab after typing moves
the focus as usual. ``scanned(code, burst)`` is emitted either way and the box is cleared.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget

_EDITING_KEYS = {
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
}


class ScanBox(QLineEdit):
    """``scanned(code: str, burst: bool)``: a code from a scanner (burst) or typed with Enter."""

    scanned = Signal(str, bool)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        burst_gap_ms: float = 40.0,
        min_burst_length: int = 4,
        clock=time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.burst_gap_ms = burst_gap_ms
        self.min_burst_length = min_burst_length
        self._clock = clock
        self._keys: list[tuple[str, float]] = []  # characters typed at the end, with times
        self.setPlaceholderText("Scan or type a code, then Enter")
        self.setClearButtonEnabled(True)
        self.textEdited.connect(self._edited)
        self._typing = False

    # --- events ---------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        # Tab is taken by focus handling before keyPressEvent: a burst ending in Tab is a scan.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self._finish(tab=True):
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not event.isAutoRepeat():
                self._finish(tab=False)
            return
        if key in _EDITING_KEYS:
            self._keys.clear()  # hand editing: what is in the box is typed, not scanned
        text = event.text()
        self._typing = True
        super().keyPressEvent(event)
        self._typing = False
        if text and text.isprintable() and not event.isAutoRepeat():
            if self.text().endswith(text) and self.cursorPosition() == len(self.text()):
                self._keys.append((text, self._clock()))
            else:
                self._keys.clear()

    def _edited(self, _text: str) -> None:
        if not self._typing:
            self._keys.clear()  # pasted or cut: not a scan

    # --- deciding -------------------------------------------------------------------------------

    def burst_length(self, now: float | None = None) -> int:
        """How many characters at the end of the box came in one fast run ending now."""
        now = self._clock() if now is None else now
        gap = self.burst_gap_ms / 1000
        if not self._keys or now - self._keys[-1][1] > gap:
            return 0
        count = 1
        for (_, earlier), (_, later) in zip(
            reversed(self._keys[:-1]), reversed(self._keys[1:]), strict=True
        ):
            if later - earlier > gap:
                break
            count += 1
        return count

    def _finish(self, *, tab: bool) -> bool:
        """Emit what the box holds; returns whether anything was emitted."""
        text = self.text()
        run = self.burst_length()
        burst = run >= self.min_burst_length and text.endswith(
            "".join(ch for ch, _ in self._keys[-run:])
        )
        if tab and not burst:
            return False
        code = text[-run:] if burst else text
        code = code.strip()
        self._keys.clear()
        self.clear()
        if not code:
            return False
        self.scanned.emit(code, burst)
        return True
