"""Scans made while an area other than the counter is showing.

A handheld scanner "types" a code in a burst, keys a few milliseconds apart, ended by Enter (or
Tab); a person types much slower. :class:`ScanRouter` watches the keys typed anywhere in the main
window (an application event filter): a trailing run of at least ``min_burst_length`` fast keys
ended by Enter is taken out of the widget it was typed into and handed to ``route(code)``; slow
typing, and anything typed into a scan box (which tells scans from typing itself), goes on as
usual.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from helpdesk.ui.scan_box import ScanBox

_ENDS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
_WATCHED = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
_TYPING = Qt.KeyboardModifier.NoModifier | Qt.KeyboardModifier.ShiftModifier


class ScanRouter(QObject):
    """Catches keyboard-wedge scans in ``window`` while ``active()`` says so."""

    def __init__(
        self,
        window: QWidget,
        route: Callable[[str], None],
        active: Callable[[], bool],
        *,
        burst_gap_ms: float = 40.0,
        min_burst_length: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.route = route
        self.active = active
        self.burst_gap = burst_gap_ms / 1000
        self.min_burst_length = min_burst_length
        self._clock = clock
        self._keys: list[tuple[str, float]] = []
        self._target: QWidget | None = None

    def _receiver(self) -> QWidget | None:
        """The widget a key goes to first: the focus widget in the window, else the window."""
        focus = QApplication.focusWidget()
        if focus is not None and focus.window() is self.window:
            return focus
        return self.window if self.window.isActiveWindow() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind not in _WATCHED or not isinstance(event, QKeyEvent):
            return False
        receiver = self._receiver()
        if watched is not receiver or receiver is None:
            return False  # another window, or the same key passed on to a parent
        if isinstance(receiver, ScanBox) or not self.active():
            self._keys.clear()
            return False
        if kind == QEvent.Type.ShortcutOverride:
            # Enter ending a scan must reach the key handling below, not a shortcut of the area
            # (the Students list opens its row on Enter anywhere in the window).
            ends = event.key() in _ENDS and receiver is self._target
            if ends and len(self.burst(self._clock())) >= self.min_burst_length:
                event.accept()
                return True
            return False
        if receiver is not self._target:
            self._keys.clear()
            self._target = receiver
        now = self._clock()
        key = event.key()
        if key in _ENDS:
            return self._finish(receiver, now)
        text = event.text()
        if event.modifiers() & ~_TYPING or not text or not text.isprintable():
            self._keys.clear()
        elif not event.isAutoRepeat():
            self._keys.append((text, now))
        return False

    def burst(self, now: float) -> str:
        """The characters at the end that came in one fast run ending now ("" if none)."""
        if not self._keys or now - self._keys[-1][1] > self.burst_gap:
            return ""
        run = [self._keys[-1][0]]
        for (earlier_text, earlier), (_, later) in zip(
            reversed(self._keys[:-1]), reversed(self._keys[1:]), strict=True
        ):
            if later - earlier > self.burst_gap:
                break
            run.append(earlier_text)
        return "".join(reversed(run))

    def _finish(self, receiver: QWidget, now: float) -> bool:
        code = self.burst(now)
        self._keys.clear()
        if len(code) < self.min_burst_length or not code.strip():
            return False  # typed by a person: Enter or Tab does what it always does
        if isinstance(receiver, QLineEdit) and receiver.text().endswith(code):
            receiver.setText(receiver.text()[: -len(code)])  # the scan was never typing
        self.route(code.strip())
        return True
