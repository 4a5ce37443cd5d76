"""Scans made while an area other than the counter is showing.

A handheld scanner "types" a code in a burst, keys a few milliseconds apart, ended by Enter (or
Tab); a person types much slower. :class:`ScanRouter` watches the keys typed anywhere in the main
window (an application event filter): a trailing run of at least ``min_burst_length`` fast keys
ended by Enter is taken out of the widget it was typed into and handed to ``route(code)``; slow
typing, and anything typed into a scan box (which tells scans from typing itself), goes on as
usual.

A key typed into a text field lands there at once and a scan is cut out of the field's text when
its Enter comes. Any other widget (a list, a combo box, a button) would act on the first key of a
scan before anyone could know it is one (a combo box jumps to the item starting with that letter,
and the key is lost to the scan), so the keys typed there are held back a moment: a scan takes
them; keys that turn out to be a person's are handed to the widget as they were typed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from helpdesk.ui.widgets.scan_box import ScanBox

_ENDS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
_WATCHED = (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride)
_TYPING = Qt.KeyboardModifier.NoModifier | Qt.KeyboardModifier.ShiftModifier
# A scanner presses Shift for each capital letter, as a person does: the modifier keys on their
# own are part of typing, not a break in it.
_MODIFIER_KEYS = {
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
}


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
        self.clock = clock  # the time keys are stamped with (a test may move it by hand)
        self._keys: list[tuple[str, float]] = []
        self._target: QWidget | None = None
        self._held: list[QKeyEvent] = []  # keys held back from a widget that is not a text field
        self._replaying = False
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(max(1, round(burst_gap_ms * 2)))
        self._release.timeout.connect(self.release_held)

    def _receiver(self) -> QWidget | None:
        """The widget a key goes to first: the focus widget in the window, else the window."""
        focus = QApplication.focusWidget()
        if focus is not None and focus.window() is self.window:
            return focus
        return self.window if self.window.isActiveWindow() else None

    @staticmethod
    def _takes_text(widget: QWidget) -> bool:
        if isinstance(widget, QComboBox):
            return widget.isEditable()
        return isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit | QAbstractSpinBox)

    def release_held(self) -> None:
        """The keys held back were a person's: give them to the widget, in order."""
        held, self._held = self._held, []
        target = self._target
        if target is None or not held:
            return
        self._replaying = True
        try:
            for event in held:
                QApplication.sendEvent(target, event)
        finally:
            self._replaying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if self._replaying or kind not in _WATCHED or not isinstance(event, QKeyEvent):
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
            if ends and len(self.burst(self.clock())) >= self.min_burst_length:
                event.accept()
                return True
            return False
        if receiver is not self._target:
            self.release_held()
            self._keys.clear()
            self._target = receiver
        now = self.clock()
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False
        if key in _ENDS:
            return self._finish(receiver, now)
        text = event.text()
        if event.modifiers() & ~_TYPING or not text or not text.isprintable():
            self.release_held()
            self._keys.clear()
        elif not event.isAutoRepeat():
            self._keys.append((text, now))
            if not self._takes_text(receiver):
                self._held.append(
                    QKeyEvent(
                        QEvent.Type.KeyPress, key, event.modifiers(), text, False, event.count()
                    )
                )
                self._release.start()
                return True
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
        self._release.stop()
        if len(code) < self.min_burst_length or not code.strip():
            self.release_held()
            return False  # typed by a person: Enter or Tab does what it always does
        self._held = []  # the scan's own keys
        if isinstance(receiver, QLineEdit) and receiver.text().endswith(code):
            receiver.setText(receiver.text()[: -len(code)])  # the scan was never typing
        self.route(code.strip())
        return True


def hand_to_counter(window: QWidget, code: str) -> None:
    """A scan an area turned down only after asking the database (the labels area's
    ``scan_not_taken``) goes to the counter, brought to the front, as the window does with a scan
    an area refuses at once."""
    try:
        counter = window.panel("counter")  # type: ignore[attr-defined]
    except KeyError:  # no counter in this window
        return
    window.show_area("counter")  # type: ignore[attr-defined]
    handle = getattr(counter, "handle_code", None)
    if callable(handle):
        handle(code)
