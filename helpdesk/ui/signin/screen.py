"""The sign-in screen: a username and password, or a staff badge scanned and its PIN.

Keyboard first: the username box is a scan box, so a scanner's burst of a badge code into it
chooses the badge path and asks for the PIN (a badge alone never signs in); a username typed and
ended with Enter moves to the password, and Enter there signs in. Every try goes through the
window's database thread; a refusal is shown as its one sentence and nothing else happens. On the
demo school (and only there) the screen shows the demo's accounts and passwords.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.core import auth
from helpdesk.services.core.demo_accounts import DemoAccount, demo_accounts
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.widgets.scan_box import ScanBox

PASSWORD_HINT = "Password"
PIN_HINT = "PIN"


def demo_line(accounts: tuple[DemoAccount, ...]) -> str:
    """'Demo: counter / demo-counter · technician / demo-technician · ...' (one line each when
    wrapped), with the badges' PINs after."""
    if not accounts:
        return ""
    logins = " · ".join(f"{a.username} / {a.password}" for a in accounts)
    badges = " · ".join(f"{a.badge} PIN {a.pin}" for a in accounts)
    return f"Demo: {logins}\nDemo badges: {badges}"


class SignInScreen(QWidget):
    """``signed_in(member)``: a StaffMember, after a right password or badge and PIN."""

    signed_in = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.badge: str | None = None  # the badge path: the badge scanned, waiting for its PIN
        self.busy = False
        self.setObjectName("signInScreen")
        heading = QLabel("Sign in")
        heading.setObjectName("cardTitle")
        self.note = QLabel()  # why the screen shows: locked, signed out
        self.note.setObjectName("signInNote")
        self.note.setWordWrap(True)
        self.username = ScanBox()
        self.username.setObjectName("signInUsername")
        self.username.setPlaceholderText("Username, or scan your staff badge")
        self.username.setClearButtonEnabled(False)
        self.username.scanned.connect(self._scanned)
        self.badge_label = QLabel()
        self.badge_label.setObjectName("signInBadge")
        self.badge_label.hide()
        self.password = QLineEdit()
        self.password.setObjectName("signInPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(PASSWORD_HINT)
        self.password.returnPressed.connect(self.submit)
        self.button = QPushButton("Sign in")
        self.button.setObjectName("signInButton")
        self.button.clicked.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.demo = QLabel()
        self.demo.setObjectName("demoAccounts")
        self.demo.setWordWrap(False)  # each line whole: what to type must never be cut
        self.demo.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo.hide()
        hint = QLabel("Scan your badge and type its PIN, or type your username and password.")
        hint.setObjectName("hint")
        hint.setWordWrap(True)

        box = QWidget()
        box.setMinimumWidth(560)
        box.setMaximumWidth(900)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("", self.badge_label)
        self.secret_label = QLabel(PASSWORD_HINT)
        form.addRow(self.secret_label, self.password)
        inner = QVBoxLayout(box)
        for widget in (heading, self.note, hint):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(self.message)
        inner.addWidget(self.demo)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    # --- showing --------------------------------------------------------------------------------

    def reset(self, note: str = "", username: str = "") -> None:
        """Empty fields (``username`` filled in, for a locked window), the username path, the
        focus where the next key or scan goes."""
        self._password_path()
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.message.clear()
        self.password.clear()
        self.username.setText(username)
        if username:
            self.username.selectAll()
        self.username.setFocus(Qt.FocusReason.OtherFocusReason)

    def load_demo(self) -> None:
        """The demo's accounts, read on the database thread (shown on a demo database only)."""
        factory = self.ctx.factory
        self.ctx.db.submit(lambda: demo_accounts(factory), self._show_demo, lambda exc: None)

    def _show_demo(self, accounts: tuple[DemoAccount, ...]) -> None:
        self.demo.setText(demo_line(accounts))
        self.demo.setVisible(bool(accounts))

    # --- the two paths --------------------------------------------------------------------------

    def _scanned(self, code: str, burst: bool) -> None:
        if burst:
            self.choose_badge(code)
            return
        self.username.setText(code)  # the scan box empties itself; a username stays
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose_badge(self, badge: str) -> None:
        """A badge scanned: ask for its PIN."""
        self.badge = badge.strip()
        self.username.clear()
        self.badge_label.setText(f"Badge {self.badge}: type its PIN, then Enter (Esc: back)")
        self.badge_label.show()
        self.secret_label.setText(PIN_HINT)
        self.password.setPlaceholderText(PIN_HINT)
        self.password.clear()
        self.message.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _password_path(self) -> None:
        self.badge = None
        self.badge_label.hide()
        self.secret_label.setText(PASSWORD_HINT)
        self.password.setPlaceholderText(PASSWORD_HINT)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.badge is not None:
            self.reset(self.note.text())
            return
        super().keyPressEvent(event)

    # --- signing in -----------------------------------------------------------------------------

    def submit(self) -> None:
        if self.busy:
            return
        factory, secret, badge = self.ctx.factory, self.password.text(), self.badge
        if badge is not None:
            work = lambda: auth.sign_in_badge(factory, badge, secret)  # noqa: E731
        else:
            username = self.username.text().strip()
            if not username:
                self.message.setText("Type your username, or scan your staff badge.")
                self.username.setFocus(Qt.FocusReason.OtherFocusReason)
                return
            work = lambda: auth.sign_in(factory, username, secret)  # noqa: E731
        self.busy = True
        self.button.setEnabled(False)
        self.message.setText("Signing in…")
        self.ctx.db.submit(work, self._done, self._refused)

    def _done(self, member: object) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.message.clear()
        self.password.clear()
        self._password_path()
        self.signed_in.emit(member)

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.message.setText(describe_failure("Signing in", exc))
        self.password.clear()
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)
