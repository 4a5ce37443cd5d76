"""Time for tests that depend on time passing (a scanner's burst of keys against a person's
typing): a clock that moves only when the test moves it, handed to the code that takes one."""

from __future__ import annotations

from datetime import datetime, timedelta


class HandClock:
    """A stand-in for ``time.monotonic``: returns the same time until ``advance`` is called."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms / 1000


def type_keys(qtbot, widget, text: str, clock: HandClock, every_ms: float) -> None:  # noqa: ANN001
    """Type ``text`` into ``widget``, one key every ``every_ms`` milliseconds of the clock's time
    (0: all at one instant, as a scanner does)."""
    for char in text:
        clock.advance(every_ms)
        qtbot.keyClicks(widget, char)


class WallClock:
    """A stand-in for the wall clock (``datetime.now``) that moves only when the test moves it:
    hand ``clock()`` to a service's ``now``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 16, 10, 30)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
