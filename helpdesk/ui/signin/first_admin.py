"""A new database's first admin, asked for in the window: a username, a name and a password typed
twice; then they are signed in. Shown when nobody can sign in to the database yet."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from helpdesk.services.core import auth
from helpdesk.services.core.staff import StaffMember, add_staff
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure


def add_first_admin(factory, username: str, name: str, password: str) -> StaffMember:  # noqa: ANN001
    """The first admin added, then signed in (on the database thread)."""
    add_staff(factory, None, username=username, display_name=name, role="admin", password=password)
    return auth.sign_in(factory, username, password)


class FirstAdminPage(QWidget):
    """``signed_in(member)`` once the first admin is made and signed in."""

    signed_in = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        heading = QLabel("The first admin")
        heading.setObjectName("cardTitle")
        intro = QLabel(
            "Nobody can sign in to this database yet. Make its first admin: they can then add "
            f"the other staff. A password has at least {auth.MIN_PASSWORD} characters."
        )
        intro.setWordWrap(True)
        self.username = QLineEdit("admin")
        self.username.setObjectName("firstAdminUsername")
        self.name = QLineEdit()
        self.name.setObjectName("firstAdminName")
        self.name.setPlaceholderText("Their name, as the audit trail shows it")
        self.password = QLineEdit()
        self.password.setObjectName("firstAdminPassword")
        self.again = QLineEdit()
        self.again.setObjectName("firstAdminAgain")
        for field in (self.password, self.again):
            field.setEchoMode(QLineEdit.EchoMode.Password)
        for field in (self.username, self.name, self.password, self.again):
            field.returnPressed.connect(self.submit)
        self.button = QPushButton("Make the admin and sign in")
        self.button.clicked.connect(self.submit)
        self.message = QLabel()
        self.message.setObjectName("firstAdminMessage")
        self.message.setWordWrap(True)
        box = QWidget()
        box.setMaximumWidth(560)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Name", self.name)
        form.addRow("Password", self.password)
        form.addRow("Password again", self.again)
        inner = QVBoxLayout(box)
        inner.addWidget(heading)
        inner.addWidget(intro)
        inner.addLayout(form)
        inner.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        inner.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def start(self) -> None:
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        """Enter: the next empty field, or (all filled) make the admin."""
        if self.busy:
            return
        for field in (self.username, self.name, self.password, self.again):
            if not field.text().strip():
                field.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if self.password.text() != self.again.text():
            self.message.setText("The two passwords are not the same.")
            self.again.clear()
            self.again.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        factory = self.ctx.factory
        username, name = self.username.text().strip(), self.name.text().strip()
        password = self.password.text()
        self.busy = True
        self.button.setEnabled(False)
        self.message.setText("Making the admin…")
        self.ctx.db.submit(
            lambda: add_first_admin(factory, username, name, password), self._done, self._refused
        )

    def _done(self, member: object) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.message.clear()
        self.password.clear()
        self.again.clear()
        self.signed_in.emit(member)

    def _refused(self, exc: BaseException) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.message.setText(describe_failure("Making the admin", exc))
