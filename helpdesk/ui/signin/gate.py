"""The gate in front of the window: the sign-in screen over everything until someone signs in,
the person signed in in the status bar, signing out, and locking when the window is left unused.

The gate puts the window's own content in a stack with the sign-in screen and the first admin's
page, so locking and signing in again close nothing: the panels, the counter's card and its flow
stay as they were, and only the acting person (``ctx.actor``) changes. While the screen shows,
the window's shortcuts are off and scans are not sent on to the counter: they are the sign-in
screen's (a badge scan chooses the badge path).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QPushButton, QStackedWidget

from helpdesk.services.core import auth
from helpdesk.services.core.staff import StaffMember
from helpdesk.ui.signin.first_admin import FirstAdminPage
from helpdesk.ui.signin.screen import SignInScreen

SIGN_OUT_KEY = "Ctrl+Shift+L"  # sign out: the sign-in screen, with nobody signed in
LOCK_KEY = "Ctrl+L"  # lock now: the sign-in screen, to sign in again or switch person
_USE = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.Wheel,
}
WINDOW, SCREEN, FIRST_ADMIN = 0, 1, 2


class SignInGate(QObject):
    """``person_changed(member)``: someone signed in (another person, or the same again)."""

    person_changed = Signal(object)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = window.ctx  # type: ignore[attr-defined]
        self.member: StaffMember | None = None
        self.idle_ms_override: int | None = None  # a test's short idle time
        self.pages = QStackedWidget()
        body = window.takeCentralWidget()
        assert body is not None, "the window is built before its gate"
        self.screen = SignInScreen(self.ctx)
        self.first_admin = FirstAdminPage(self.ctx)
        self.pages.addWidget(body)
        self.pages.addWidget(self.screen)
        self.pages.addWidget(self.first_admin)
        window.setCentralWidget(self.pages)
        self.screen.signed_in.connect(self.signed_in_as)
        self.first_admin.signed_in.connect(self.signed_in_as)

        self.who = QLabel("Nobody signed in")
        self.who.setObjectName("statusSignedIn")
        self.sign_out_button = QPushButton("Sign out")
        self.sign_out_button.setObjectName("statusSignOut")
        self.sign_out_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sign_out_button.setToolTip(f"Sign out ({SIGN_OUT_KEY}); lock now: {LOCK_KEY}")
        self.sign_out_button.clicked.connect(self.sign_out)
        bar = window.statusBar()
        bar.addPermanentWidget(self.who)
        bar.addPermanentWidget(self.sign_out_button)
        self.shortcuts: list[QAction] = []
        for key, slot in ((SIGN_OUT_KEY, self.sign_out), (LOCK_KEY, self.lock)):
            action = QAction(window)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            window.addAction(action)
            self.shortcuts.append(action)

        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._idle_out)
        router = getattr(window, "scan_router", None)
        if router is not None:  # scans on the sign-in screen stay there
            routing: Callable[[], bool] = router.active
            router.active = lambda: not self.locked() and routing()
        app = QApplication.instance()
        if app is not None:  # every key and click restarts the idle time (Qt drops the
            app.installEventFilter(self)  # filter when the gate goes with its window)

    # --- state ----------------------------------------------------------------------------------

    def locked(self) -> bool:
        return self.pages.currentIndex() != WINDOW

    def idle_ms(self) -> int:
        if self.idle_ms_override is not None:
            return self.idle_ms_override
        return self.ctx.machine.lock_after_minutes * 60_000

    def _show(self, page: int) -> None:
        covered = page != WINDOW
        for action in self.window.actions():
            if action not in self.shortcuts:
                action.setEnabled(not covered)
        for action in self.shortcuts:
            action.setEnabled(not covered)
        printer = getattr(self.window, "printer_label", None)
        if printer is not None:
            printer.setEnabled(not covered)
        self.sign_out_button.setVisible(self.member is not None)
        self.pages.setCurrentIndex(page)
        if covered:
            self.idle.stop()

    # --- the screens ----------------------------------------------------------------------------

    def start(self) -> None:
        """The sign-in screen, or the first admin's page on a database nobody can sign in to
        (asked on the database thread)."""
        self._show(SCREEN)
        self.screen.reset()
        self.screen.load_demo()
        factory = self.ctx.factory
        self.ctx.db.submit(
            lambda: auth.anyone_can_sign_in(factory), self._can_sign_in, lambda exc: None
        )

    def _can_sign_in(self, anyone: bool) -> None:
        if not anyone and self.member is None:
            self._show(FIRST_ADMIN)
            self.first_admin.start()

    def signed_in_as(self, member: StaffMember) -> None:
        """``member`` acts from now on: the window as it was left, in their name."""
        before = self.ctx.actor
        self.member = member
        self.ctx.actor = member.username
        self.who.setText(f"Signed in: {member.display_name} ({member.role})")
        self._show(WINDOW)
        self._restart_idle()
        if before != member.username:
            refresh = getattr(self.window, "changed_elsewhere", None)
            if callable(refresh):  # what a panel shows may depend on the person's role
                refresh(None)
        counter = getattr(self.window, "panels", {}).get("counter")
        focus = getattr(counter, "focus_scan_box", None)
        if callable(focus) and getattr(self.window, "current_area", lambda: "")() == "counter":
            focus()
        self.person_changed.emit(member)

    def lock(self) -> None:
        """The sign-in screen over the window as it is; the next person signs in (a badge scan
        and PIN switches in a moment) and carries on where it was left."""
        if self.member is None or self.locked():
            return
        who = self.member
        self._show(SCREEN)
        self.screen.reset(
            f"Locked: {who.display_name} ({who.username}) was signed in. Scan a badge and type "
            "its PIN, or sign in with a username and password.",
            username=who.username,
        )

    def sign_out(self) -> None:
        """Sign the person out (recorded on the database thread) and show the sign-in screen."""
        who = self.member
        if who is None:
            return
        self.member = None
        self.ctx.actor = ""
        self.who.setText("Nobody signed in")
        factory = self.ctx.factory
        self.ctx.db.submit(lambda: auth.sign_out(factory, who.username), None, lambda exc: None)
        self._show(SCREEN)
        self.screen.reset(f"{who.display_name} signed out.")

    # --- idle -----------------------------------------------------------------------------------

    def _restart_idle(self) -> None:
        ms = self.idle_ms()
        if ms > 0 and self.member is not None and not self.locked():
            self.idle.start(ms)
        else:
            self.idle.stop()

    def _idle_out(self) -> None:
        self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _USE and self.member is not None and not self.locked():
            if self.idle.remainingTime() < self.idle_ms() - 500:  # at most twice a second
                self._restart_idle()
        return False
