"""The window's backup of the day and the status bar's "Backup: 3 h ago".

Once a day (checked soon after the window opens and then every hour) the window makes a dated
backup into the machine setting's folder on its database thread (``ctx.db``), never on the GUI
thread; the services prune the older ones (14 days, 8 weeks). It is on by default for a SQLite
file and off for a server, whose backups belong on the server (both can be changed in the
machine settings). The time of the last good backup is kept in the machine settings; the
status bar shows its age, in amber when there is none or it is over two days old.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from helpdesk.ui.context import AppContext
from helpdesk.ui.style import WARN, WARN_BG

log = logging.getLogger("helpdesk.backup")

FIRST_CHECK_MS = 120_000  # the window's start is busy enough; the day's backup comes after
CHECK_EVERY_MS = 3_600_000
STALE = timedelta(days=2)
AMBER_STYLE = f"color: {WARN}; background: {WARN_BG}; font-weight: 600; padding: 1px 6px;"  # as the database's


def age_text(last: datetime | None, now: datetime) -> str:
    """``Backup: 3 h ago`` (``min``, ``h``, ``days``), or ``Backup: none yet``."""
    if last is None:
        return "Backup: none yet"
    seconds = max(0, int((now - last).total_seconds()))
    if seconds < 3600:
        return f"Backup: {seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"Backup: {seconds // 3600} h ago"
    return f"Backup: {seconds // 86400} days ago"


class DailyBackup(QObject):
    """Makes the day's backup on ``ctx.db`` and keeps ``label`` saying how old the last is."""

    def __init__(
        self,
        ctx: AppContext,
        label: QLabel,
        parent: QObject | None = None,
        *,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.label, self.clock = ctx, label, clock
        self.running = False
        self.last_error = ""
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(CHECK_EVERY_MS)
        QTimer.singleShot(FIRST_CHECK_MS, self.check)
        self.refresh()

    def enabled(self) -> bool:
        from helpdesk.services.care.rotation import backup_kind

        return self.ctx.machine.daily_backup(backup_kind(self.ctx.factory) == "sqlite")

    def due(self) -> bool:
        last = self.ctx.machine.last_backup
        return last is None or last.date() < self.clock().date()

    def check(self) -> None:
        """Start the day's backup when it is on, due and not already running."""
        self.refresh()
        if self.running or not self.enabled() or not self.due():
            return
        from helpdesk.services.care.rotation import take_daily_backup

        self.running = True
        factory, folder, now = self.ctx.factory, self.ctx.machine.backup_folder, self.clock()
        self.ctx.db.submit(
            lambda: take_daily_backup(factory, folder, now=now.replace(microsecond=0)),
            self._done,
            self._failed,
        )

    def _done(self, rotated: object) -> None:
        self.running = False
        self.last_error = ""
        at = getattr(getattr(rotated, "done", None), "at", None)
        self.ctx.machine.last_backup = at if isinstance(at, datetime) else self.clock()
        log.info("Daily backup written: %s", getattr(getattr(rotated, "done", None), "target", ""))
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.last_error = str(exc)
        log.warning("The daily backup failed: %s", exc)
        self.refresh()

    def refresh(self) -> None:
        """The label: the age of the last good backup, amber when none or over two days old."""
        if not self.enabled():
            self.label.setText("Backup: off")
            self.label.setStyleSheet("")
            self.label.setToolTip("Daily backups are off on this computer (machine settings).")
            return
        last, now = self.ctx.machine.last_backup, self.clock()
        self.label.setText(age_text(last, now))
        stale = last is None or now - last > STALE
        self.label.setStyleSheet(AMBER_STYLE if stale else "")
        self.label.setProperty("tone", "warn" if stale else "")
        tip = f"Daily backups go to {self.ctx.machine.backup_folder}."
        if self.last_error:
            tip += f" The last try failed: {self.last_error}"
        self.label.setToolTip(tip)
