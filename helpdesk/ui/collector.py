"""Python's garbage collector, run on the GUI thread only.

Python collects cyclic garbage on whichever thread happens to allocate when a generation's count
passes its threshold: the database thread in the middle of a job, a print or decode thread. A
dead window part caught in a cycle (a dialog whose button's slot refers back to it) would then be
destroyed on that thread, and Qt objects must be destroyed on the thread they live on. So the
window turns automatic collection off and looks at the counts itself on a timer, collecting the
same generations Python would have, on the GUI thread, at most a few times a second.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

LOOK_EVERY_MS = 500


class GuiThreadCollector(QObject):
    """Automatic collection off; the generations due collected by a timer on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(LOOK_EVERY_MS)
        self._timer.timeout.connect(self.collect_due)
        self.collections = 0  # how many this one made (for the tests)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> int | None:
        """Collect the oldest generation whose count is over its threshold, as Python would;
        returns the generation collected, or None when none was due."""
        thresholds = gc.get_threshold()
        counts = gc.get_count()
        due = None
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                due = generation
                break
        if due is None:
            return None
        gc.collect(due)
        self.collections += 1
        return due
