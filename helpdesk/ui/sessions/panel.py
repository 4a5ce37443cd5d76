"""The Sessions area: the open sessions (join one: any number of stations work on one session),
Start and Close, and the scan screen of the session joined.

Every call goes through the window's database thread (``ctx.db``). The list is read when the area
shows and whenever the database changes elsewhere; the scan screen's progress likewise, so a
scan made at another station shows here within a second or two.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services import sessions
from helpdesk.services.counter import counter_log
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.printing import PrintQueue
from helpdesk.ui.sessions.paper import SessionPaper, default_list_name
from helpdesk.ui.sessions.progress import while_alive
from helpdesk.ui.sessions.scan_screen import KIND_NAMES, ScanScreen
from helpdesk.ui.sessions.start_dialog import StartChoice, StartDialog
from helpdesk.ui.style import BAD, GOOD, MUTED, WARN

SESSION_TABLES = ("scan_sessions", "session_items", "session_scans", "assignments", "devices")
COLUMNS = ("Session", "Kind", "Name", "Expected list", "Done", "Started", "By")
MOVE_ACTION = "devices.relocate"  # a technician's: the button is hidden below that
TONES = {"good": GOOD, "bad": BAD, "warn": WARN, "info": MUTED}


def scope_text(info: sessions.SessionInfo) -> str:
    value = f" {info.scope_value}" if info.scope_value else ""
    return {"all": "everyone", "leavers": "the leavers"}.get(info.scope, info.scope + value)


class SessionsPanel(QWidget):
    """The list of open sessions and the scan screen (a stack of the two)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sessions: list[sessions.SessionInfo] = []
        self.last_message = ""
        station = ctx.machine.counter_name or counter_log.current_station()
        queue = getattr(parent, "print_queue", None)
        self.queue = queue if isinstance(queue, PrintQueue) else PrintQueue(ctx.machine, self)
        self.scan_screen = ScanScreen(ctx, station, self)
        self.paper = SessionPaper(ctx, self.queue, while_alive(self, self.say))
        self.scan_screen.paper = self.paper
        self.scan_screen.back_requested.connect(self.show_list)

        # the list of open sessions
        self.list_page = QWidget()
        page = QVBoxLayout(self.list_page)
        heading = QLabel("Open sessions")
        heading.setObjectName("panelTitle")
        page.addWidget(heading)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("sessionsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _index: self.join_selected())
        page.addWidget(self.table, 1)
        self.start_button = QPushButton("&Start a session…")
        self.join_button = QPushButton("&Join")
        self.close_button = QPushButton("&Close session…")
        for button, slot in (
            (self.start_button, self.start),
            (self.join_button, self.join_selected),
            (self.close_button, self.close_selected),
        ):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.join_button, self.close_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        page.addLayout(buttons)

        # the scan screen's own bar: back, print the missing list, close
        self.scan_page = QWidget()
        scan_layout = QVBoxLayout(self.scan_page)
        scan_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.back_button = QPushButton("← &Sessions")
        self.print_button = QPushButton("Print the missing &list")
        self.save_button = QPushButton("Sa&ve it as PDF…")
        self.report_button = QPushButton("&Report as CSV…")
        self.move_button = QPushButton("&Move found devices here")
        self.close_here_button = QPushButton("Cl&ose session…")
        for button, slot in (
            (self.back_button, self.show_list),
            (self.print_button, self.print_missing),
            (self.save_button, lambda: self.save_missing()),
            (self.report_button, lambda: self.save_report()),
            (self.move_button, self.move_found),
            (self.close_here_button, self.close_current),
        ):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addStretch(1)
        scan_layout.addLayout(bar)
        scan_layout.addWidget(self.scan_screen, 1)

        self.message = QLabel()
        self.message.setObjectName("sessionsMessage")
        self.message.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_page)
        self.stack.addWidget(self.scan_page)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack, 1)
        outer.addWidget(self.message)
        QShortcut(QKeySequence("Ctrl+P"), self.scan_page, self.print_missing)
        self.may_move = False
        self._check_roles()
        self.refresh()

    # --- the list --------------------------------------------------------------------------------

    def activated(self) -> None:
        if self.stack.currentWidget() is self.scan_page:
            self.scan_screen.focus_scan_box()
            self.scan_screen.read_status()
        else:
            self.refresh()
            self.table.setFocus()

    def refresh(self) -> None:
        ctx = self.ctx
        self.ctx.db.submit(
            lambda: sessions.list_sessions(ctx.factory, ctx.actor, open_only=True),
            while_alive(self, self._show_list),
            while_alive(
                self, lambda exc: self.say("bad", describe_failure("Reading the sessions", exc))
            ),
            key="sessions-list",
        )

    def _show_list(self, found: list[sessions.SessionInfo]) -> None:
        chosen = self.selected()
        self.sessions = list(found)
        self.table.setRowCount(len(found))
        for row, info in enumerate(found):
            cells = (info.code, KIND_NAMES.get(info.kind, info.kind), info.name,
                     scope_text(info), f"{info.done} / {info.expected}",
                     f"{info.started_at:%d/%m %H:%M}", info.started_by)  # fmt: skip
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
            if chosen is not None and info.id == chosen.id:
                self.table.selectRow(row)
        if chosen is None and found:
            self.table.selectRow(0)
        self.table.resizeColumnsToContents()
        self.join_button.setEnabled(bool(found))
        self.close_button.setEnabled(bool(found))

    def selected(self) -> sessions.SessionInfo | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.sessions):
            return None
        return self.sessions[rows[0].row()]

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            self.stack.currentWidget() is self.list_page
        ):
            self.join_selected()
            return
        super().keyPressEvent(event)

    def join_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self.join(info)

    def join(self, info: sessions.SessionInfo) -> None:
        """Work on ``info`` at this station: the scan screen."""
        self.stack.setCurrentWidget(self.scan_page)
        self.move_button.setVisible(info.kind == "stocktake" and self.may_move)
        self.scan_screen.show_session(info)
        self.say("info", "")

    def show_list(self) -> None:
        self.stack.setCurrentWidget(self.list_page)
        self.refresh()
        self.table.setFocus()

    # --- start and close -------------------------------------------------------------------------

    def start(self, choice: StartChoice | None = None) -> None:
        """Ask for the kind and the expected list (unless given), then start it and join it."""
        if choice is None:
            dialog = StartDialog(self)
            if dialog.exec() != StartDialog.DialogCode.Accepted:
                return
            choice = dialog.choice()
        ctx = self.ctx
        self.say("info", "Starting the session…")
        self.ctx.db.submit(
            lambda: sessions.start_session(ctx.factory, ctx.actor, choice.kind, **choice.options),  # type: ignore[arg-type]
            while_alive(self, self._started),
            while_alive(
                self, lambda exc: self.say("bad", describe_failure("Starting the session", exc))
            ),
        )

    def _started(self, info: sessions.SessionInfo) -> None:
        self.say("good", f"Started {info.code}: {info.expected} expected.")
        self.join(info)
        self.refresh()

    def close_selected(self) -> None:
        info = self.selected()
        if info is not None:
            self._close(info)

    def close_current(self) -> None:
        if self.scan_screen.session is not None:
            self._close(self.scan_screen.session)

    def _close(self, info: sessions.SessionInfo) -> None:
        left = info.expected - info.done
        answer = QMessageBox.question(
            self,
            "Close the session",
            f"Close {info.code} ({info.name or scope_text(info)})? {info.done} of "
            f"{info.expected} are done, {left} not. No station can scan into it afterwards.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        ctx = self.ctx
        self.ctx.db.submit(
            lambda: sessions.close_session(ctx.factory, ctx.actor, info.code),
            while_alive(self, self._closed),
            while_alive(
                self, lambda exc: self.say("bad", describe_failure("Closing the session", exc))
            ),
        )

    def _closed(self, info: sessions.SessionInfo) -> None:
        self.say("good", f"Closed {info.code}: {info.done} of {info.expected} done.")
        if self.scan_screen.session is not None and self.scan_screen.session.id == info.id:
            self.scan_screen.session = None
        self.show_list()

    # --- the scan screen's buttons ---------------------------------------------------------------

    def print_missing(self) -> None:
        if self.scan_screen.session is not None:
            self.paper.missing_list(self.scan_screen.session.code)

    def save_missing(self, path: str | None = None) -> None:
        session = self.scan_screen.session
        if session is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the missing list", default_list_name(session.code, session.kind),
                "PDF files (*.pdf)",
            )  # fmt: skip
        if path:
            self.paper.missing_list(session.code, path)

    def save_report(self, path: str | None = None) -> None:
        """Every expected item and every scan of the session as a CSV file."""
        session = self.scan_screen.session
        if session is None:
            return
        if not path:
            suggested = str(Path.home() / f"{session.code}-report.csv")
            path, _ = QFileDialog.getSaveFileName(
                self, "Save the session's report", suggested, "CSV files (*.csv)"
            )
        if path:
            self.paper.report_csv(session.code, path)

    def move_found(self) -> None:
        session = self.scan_screen.session
        if session is None or session.kind != "stocktake":
            return
        ctx = self.ctx

        def moved(count: int) -> None:
            where = session.location or "this place"
            self.say("good", f"Moved {count} device{'s' if count != 1 else ''} to {where}.")
            self.scan_screen.read_status()

        self.ctx.db.submit(
            lambda: sessions.move_found_here(ctx.factory, ctx.actor, session.code),
            while_alive(self, moved),
            while_alive(
                self, lambda exc: self.say("bad", describe_failure("Moving the found devices", exc))
            ),
        )

    def _check_roles(self) -> None:
        """Moving found devices is a technician's: hidden from the counter role."""
        from helpdesk.services.core import staff

        ctx = self.ctx

        def allowed(actions: object) -> None:
            self.may_move = MOVE_ACTION in actions  # type: ignore[operator]
            session = self.scan_screen.session
            self.move_button.setVisible(
                self.may_move and session is not None and session.kind == "stocktake"
            )

        self.ctx.db.submit(
            lambda: staff.actions_allowed(ctx.factory, ctx.actor, (MOVE_ACTION,)),
            while_alive(self, allowed),
            lambda _exc: None,
        )

    # --- the window's calls ----------------------------------------------------------------------

    def handle_scan(self, code: str) -> bool:
        """A scan typed into another widget of this area: the scan screen takes it."""
        if self.stack.currentWidget() is not self.scan_page or self.scan_screen.session is None:
            return False
        self.scan_screen.handle_code(code)
        self.scan_screen.focus_scan_box()
        return True

    def changed_elsewhere(self, changes: object) -> None:
        touches = getattr(changes, "touches", None)
        if changes is not None and touches is not None and not touches(*SESSION_TABLES):
            return
        if self.stack.currentWidget() is self.scan_page:
            self.scan_screen.changed_elsewhere()
        else:
            self.refresh()

    def say(self, tone: str, sentence: str) -> None:
        self.last_message = sentence
        self.message.setText(sentence)
        self.message.setStyleSheet(f"color: {TONES.get(tone, MUTED)};")
