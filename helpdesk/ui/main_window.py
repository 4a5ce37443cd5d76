"""The main window: a sidebar of areas, one panel per area, and a status bar.

An area appears only when its panel is built (its module imports). Each panel is a QWidget class
taking ``(ctx: AppContext, parent)``; it may define ``activated()`` (called when shown) and
``shutdown()`` (called on close). Panels other than the counter are made on first use, so the
counter is ready as soon as the window shows.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import report_unexpected
from helpdesk.ui.printing import PrintQueue, kept_jobs, kept_watch
from helpdesk.ui.scan_routing import ScanRouter
from helpdesk.ui.style import WARN, WARN_BG

if TYPE_CHECKING:
    from helpdesk.ui.print_queue_view import PrintQueueDialog

PRINT_QUEUE_KEY = "Ctrl+Shift+P"  # the kept print jobs (Ctrl+P prints in the Labels area)
LAST_SLIP_KEY = "F8"  # the counter's last slip or receipt, printed again
PRINTER_STYLE = f"""
QPushButton#statusPrinter {{ border: none; padding: 1px 6px; background: transparent; }}
QPushButton#statusPrinter[tone="warn"] {{ color: {WARN}; background: {WARN_BG};
    font-weight: 600; }}
"""
AMBER_STYLE = f"color: {WARN}; background: {WARN_BG}; font-weight: 600; padding: 1px 6px;"


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    module: str
    cls: str
    shortcut: str = ""  # "" = F and its place in the sidebar


AREAS = (
    Area("counter", "Counter", "helpdesk.ui.counter.panel", "CounterPanel"),
    Area("bench", "Bench", "helpdesk.ui.bench.panel", "BenchPanel"),
    Area("labels", "Labels", "helpdesk.ui.labels.panel", "LabelsPanel"),
    Area("records", "Students && devices", "helpdesk.ui.records.panel", "RecordsPanel"),
    Area("overdue", "Overdue loans", "helpdesk.ui.records.overdue_panel", "OverduePanel"),
    Area("reports", "Reports", "helpdesk.ui.reports.panel", "ReportsPanel"),
    Area("audit", "Audit trail", "helpdesk.ui.audit.panel", "AuditPanel"),
    # F8 prints the last slip again, so the sessions area takes F9
    Area("sessions", "Sessions", "helpdesk.ui.sessions.panel", "SessionsPanel", "F9"),
)


def built_areas() -> list[Area]:
    """The areas whose panel modules exist. Only the counter is imported now; each other panel's
    module (and the libraries it needs: charts, PDF rendering) is imported on first use."""
    return [area for area in AREAS if importlib.util.find_spec(area.module) is not None]


def panel_class(area: Area) -> type:
    return getattr(importlib.import_module(area.module), area.cls)


class MainWindow(QMainWindow):
    """Sidebar + stacked panels + status bar (database, camera, printer, loans due today)."""

    ready = Signal()  # the counter is on screen and takes scans

    def __init__(self, ctx: AppContext, *, school_name: str = "") -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Helpdesk" + (f" — {school_name}" if school_name else ""))
        self.setMinimumSize(QSize(960, 600))
        room = self.screen().availableGeometry().size() if self.screen() else QSize(1280, 800)
        self.resize(min(1280, room.width()), min(800, room.height()))
        self.panels: dict[str, QWidget] = {}
        self.print_queue_dialog: PrintQueueDialog | None = None  # open while it is on screen
        self._areas: dict[str, Area] = {}
        self._area_keys: list[str] = []

        central = QWidget()
        outer = QHBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        side = QWidget()
        side.setFixedWidth(210)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        title = QLabel("Helpdesk")
        title.setObjectName("appTitle")
        self.school_label = QLabel(school_name or "ICT support")
        self.school_label.setObjectName("schoolName")
        self.school_label.setWordWrap(True)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side_layout.addWidget(title)
        side_layout.addWidget(self.school_label)
        side_layout.addWidget(self.sidebar, 1)

        self.stack = QStackedWidget()
        page_holder = QWidget()
        holder_layout = QVBoxLayout(page_holder)
        holder_layout.setContentsMargins(20, 16, 20, 12)
        holder_layout.addWidget(self.stack)
        outer.addWidget(side)
        outer.addWidget(page_holder, 1)
        self.setCentralWidget(central)

        for number, area in enumerate(built_areas(), start=1):
            item = QListWidgetItem(f"{area.title.replace('&&', '&')}")
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            shortcut = area.shortcut or f"F{number}"
            item.setToolTip(shortcut)
            self.sidebar.addItem(item)
            self._areas[area.key] = area
            self._area_keys.append(area.key)
            self.stack.addWidget(QWidget())  # replaced by the panel on first use
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.triggered.connect(lambda _=False, key=area.key: self.show_area(key))
            self.addAction(action)
        self.sidebar.currentRowChanged.connect(self._row_changed)

        settings_action = QAction("Settings…", self)
        settings_action.setShortcut(QKeySequence("Ctrl+,"))
        settings_action.triggered.connect(self.open_settings)
        self.addAction(settings_action)
        self.print_queue = PrintQueue(ctx.machine, self)
        for text, key, slot in (
            ("Print queue…", PRINT_QUEUE_KEY, self.open_print_queue),
            ("Print the last slip again", LAST_SLIP_KEY, self.print_last_slip),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            self.addAction(action)
        self.scan_router = ScanRouter(self, self.route_scan, self._routing)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_router)

        self._build_status_bar()
        if self._area_keys:
            self.sidebar.setCurrentRow(0)
        self._due_timer = QTimer(self)
        self._due_timer.setInterval(60_000)
        self._due_timer.timeout.connect(self.refresh_due_today)
        self._due_timer.start()
        QTimer.singleShot(0, self.refresh_due_today)
        QTimer.singleShot(0, self.refresh_leavers_due)
        QTimer.singleShot(0, self.warm_up_counter)

    # --- status bar ----------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.db_label = QLabel(self.ctx.database)
        self.db_label.setObjectName("statusDatabase")
        self.camera_label = QLabel("Camera: none")
        self.camera_label.setObjectName("statusCamera")
        self.printer_label = QPushButton()
        self.printer_label.setObjectName("statusPrinter")
        self.printer_label.setStyleSheet(PRINTER_STYLE)
        self.printer_label.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.printer_label.setCursor(Qt.CursorShape.PointingHandCursor)
        self.printer_label.clicked.connect(self.open_print_queue)
        kept_watch().changed.connect(self.refresh_printer)
        self.due_label = QLabel("Loans due today: …")
        self.due_label.setObjectName("statusDue")
        # an admin's reminder that leavers are past the retention period (hidden otherwise)
        self.purge_label = QLabel()
        self.purge_label.setObjectName("statusPurge")
        self.purge_label.hide()
        self.working_label = QLabel("Working…")
        self.working_label.setObjectName("statusWorking")
        self.working_label.hide()
        self.backup_label = QLabel()
        self.backup_label.setObjectName("statusBackup")
        for label in (self.db_label, self.camera_label, self.printer_label, self.backup_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.purge_label)
        bar.addPermanentWidget(self.working_label)
        bar.addPermanentWidget(self.due_label)
        self.refresh_printer()
        self.ctx.db.working.connect(self.working_label.setVisible)
        self.ctx.db.state_changed.connect(self.set_database_state)
        self.ctx.db.changed.connect(self.changed_elsewhere)
        from helpdesk.ui.daily_backup import DailyBackup

        self.daily_backup = DailyBackup(self.ctx, self.backup_label, self)

    def set_database_state(self, state: str, sentence: str) -> None:
        """The database's state in the status bar: its name, or in amber why it waits."""
        from helpdesk.ui.db_worker import OK

        text = self.ctx.database if state == OK else f"{self.ctx.database}: {sentence}"
        self.db_label.setText(text)
        self.db_label.setProperty("tone", "" if state == OK else "warn")
        self.db_label.setStyleSheet("" if state == OK else AMBER_STYLE)

    def changed_elsewhere(self, changes: object) -> None:
        """Something changed in the database (another counter, the bench, the command line, or
        ``None``: everything may have, after the database was away): every panel that shows
        records refreshes what it shows, and the status bar its counts."""
        self.refresh_due_today()
        for panel in self.panels.values():
            refresh = getattr(panel, "changed_elsewhere", None)
            if callable(refresh):
                try:
                    refresh(changes)
                except Exception as exc:  # noqa: BLE001 - one panel must not stop the others
                    report_unexpected(None, "Refreshing a panel", exc)

    def set_camera_state(self, text: str) -> None:
        self.camera_label.setText(f"Camera: {text}")

    def refresh_printer(self) -> None:
        """The slip printer, or in amber which printer refused and how many jobs are kept."""
        from helpdesk.ui.print_queue_view import kept_noun

        kept = kept_jobs()
        if kept:
            newest = max(kept, key=lambda job: (job.kept_when is not None, job.kept_when))
            what = f"{newest.tried} refused" if newest.tried else "none chosen"
            text, tone = f"Printer: {what}; {kept_noun(kept)} kept (click)", "warn"
        else:
            name = self.ctx.machine.printer("slip") or self.print_queue.printer_for("slip")
            text, tone = f"Printer: {name or 'not chosen'}", ""
        self.printer_label.setText(text)
        self.printer_label.setToolTip(
            f"The print queue: documents kept for a retry ({PRINT_QUEUE_KEY})"
        )
        self.printer_label.setProperty("tone", tone)
        self.printer_label.style().unpolish(self.printer_label)
        self.printer_label.style().polish(self.printer_label)

    def open_print_queue(self):  # noqa: ANN201 - a PrintQueueDialog
        """The kept print jobs: print again or discard (shown, not modal)."""
        from helpdesk.ui.print_queue_view import PrintQueueDialog

        dialog = self.print_queue_dialog
        if dialog is None or not dialog.isVisible():
            dialog = PrintQueueDialog(self.ctx, self.print_queue, self)
            dialog.finished.connect(lambda _result: self._queue_closed())
            self.print_queue_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _queue_closed(self) -> None:
        dialog = self.print_queue_dialog
        self.print_queue_dialog = None
        if dialog is not None:
            dialog.deleteLater()
        self.refresh_printer()

    def print_last_slip(self) -> None:
        """The counter's last slip or receipt again, made afresh from its record."""
        if "counter" not in self._areas:
            return
        self.show_area("counter")
        again = getattr(self.panel("counter"), "print_last_slip", None)
        if callable(again):
            again()

    def refresh_due_today(self) -> None:
        from helpdesk.services.records import browse

        self.ctx.db.submit(
            lambda: browse.loans_due_today(self.ctx.factory),
            self._show_due,
            lambda exc: self.due_label.setText("Loans due today: ?"),
            key="due-today",
        )

    def warm_up_counter(self) -> None:
        """Make the counter's statements ready on the database thread before the first scan
        (services/counter/warm.py). Not in inline mode, where jobs run on the GUI thread and a
        head start would be a stall."""
        if "counter" not in self._areas or self.ctx.db.inline:
            return
        from helpdesk.services.counter.warm import warm_up

        self.ctx.db.submit(lambda: warm_up(self.ctx.factory), key="warm-up")

    def refresh_leavers_due(self) -> None:
        """An admin's reminder of the leavers due for purging, counted on the database thread."""
        from helpdesk.services.care.retention import leavers_due

        self.ctx.db.submit(
            lambda: leavers_due(self.ctx.factory, self.ctx.actor),
            self._show_leavers_due,
            lambda exc: self.purge_label.hide(),
            key="leavers-due",
        )

    def _show_leavers_due(self, due: object) -> None:
        count = getattr(due, "count", 0)
        if not count:
            self.purge_label.hide()
            return
        self.purge_label.setText(f"Leavers to purge: {count}")
        self.purge_label.setToolTip(getattr(due, "sentence", ""))
        self.purge_label.show()

    def _show_due(self, counts: tuple[int, int]) -> None:
        due, overdue = counts
        text = f"Loans due today: {due}"
        if overdue:
            text += f"   Overdue: {overdue}"
        self.due_label.setText(text)

    # --- areas ---------------------------------------------------------------------------------

    def panel(self, key: str) -> QWidget:
        """The panel of an area, made on first use."""
        if key not in self.panels:
            cls = panel_class(self._areas[key])
            at = self._area_keys.index(key)
            panel = cls(self.ctx, self)
            old = self.stack.widget(at)
            self.stack.insertWidget(at, panel)
            if old is not None:
                self.stack.removeWidget(old)
                old.deleteLater()
            self.panels[key] = panel
            if hasattr(panel, "camera_state"):
                panel.camera_state.connect(self.set_camera_state)
            if hasattr(panel, "loans_changed"):
                panel.loans_changed.connect(self.refresh_due_today)
        return self.panels[key]

    def show_area(self, key: str) -> None:
        if key in self._area_keys:
            self.sidebar.setCurrentRow(self._area_keys.index(key))

    def current_area(self) -> str:
        return self._area_keys[self.stack.currentIndex()]

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = self._area_keys[row]
        try:
            panel = self.panel(key)
        except Exception as exc:  # noqa: BLE001 - a broken panel must not take the window down
            report_unexpected(self, f"Opening {key}", exc)
            return
        self.stack.setCurrentWidget(panel)
        activated: Callable[[], None] | None = getattr(panel, "activated", None)
        if activated is not None:
            activated()

    # --- scans made in other areas -------------------------------------------------------------

    def _routing(self) -> bool:
        return bool(self._area_keys) and self.current_area() != "counter"

    def route_scan(self, code: str) -> None:
        """A scan made while another area shows: that area's own scan handling when it has one
        and takes the code, otherwise the counter, brought to the front."""
        panel = self.panels.get(self.current_area())
        handle: Callable[[str], bool] | None = getattr(panel, "handle_scan", None)
        if callable(handle) and handle(code):
            return
        if "counter" not in self._areas:
            return
        self.show_area("counter")
        counter = self.panel("counter")
        handle_code: Callable[[str], None] | None = getattr(counter, "handle_code", None)
        if callable(handle_code):
            handle_code(code)

    # --- settings ------------------------------------------------------------------------------

    def open_settings(self) -> None:
        from helpdesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.ctx, self)
        if dialog.exec():
            self.refresh_printer()
            self.daily_backup.refresh()
            if dialog.school_name:
                self.school_label.setText(dialog.school_name)
                self.setWindowTitle(f"Helpdesk — {dialog.school_name}")
            for panel in self.panels.values():
                changed = getattr(panel, "settings_changed", None)
                if callable(changed):
                    changed()
        counter = self.panels.get("counter")
        if counter is not None and hasattr(counter, "focus_scan_box"):
            counter.focus_scan_box()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scan_router)
        for panel in self.panels.values():
            shutdown = getattr(panel, "shutdown", None)
            if callable(shutdown):
                try:
                    shutdown()
                except Exception as exc:  # noqa: BLE001
                    report_unexpected(None, "Closing a panel", exc)
        self.ctx.db.wait(5000)
        self.ctx.runner.wait(5000)
        super().closeEvent(event)
