"""The audit trail for managers: who did what to which record, when, with the values before and
after, newest first; sign-ins, sign-outs, lock-outs and refused attempts among them.

The filters are those of ``helpdesk audit`` (staff, first and last day, record code), in tab
order; Enter in any of them applies them, Ctrl+E saves what is shown as the command's CSV. Every
read goes through ``ctx.db``; a staff member below a manager sees the services' refusal in one
sentence instead of the list. :class:`AuditDialog` is the same viewer for one record, opened from
its detail window.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.reporting.audit_trail import AuditRow, audit_trail, write_audit_csv
from helpdesk.ui.bench.widgets import say
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.models.audit_model import COLUMNS, AuditFilters, AuditModel

EXPORT_KEY = "Ctrl+E"


class NotADay(ValueError):
    """A day filter that is not a date; ``str()`` is one sentence for the person."""


def parse_day(text: str, name: str) -> date | None:
    """The day typed in a filter (YYYY-MM-DD), ``None`` when empty."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotADay(
            f"The {name} day '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01."
        ) from None


def save_csv(rows: list[AuditRow], path: str | Path) -> int:
    """The rows as ``helpdesk audit --csv`` prints them, in a UTF-8 file; how many rows."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        write_audit_csv(rows, out)
    return len(rows)


class AuditPanel(QWidget):
    """The Audit area. ``exported(path)`` once a CSV file is written."""

    exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.refused = False
        self.title = QLabel("Audit trail")
        self.title.setObjectName("pageTitle")
        self.staff = self._field("auditStaff", "any staff member (username)")
        self.date_from = self._field("auditFrom", "YYYY-MM-DD")
        self.date_to = self._field("auditTo", "YYYY-MM-DD")
        self.record = self._field(
            "auditRecord", "LOAN-000012, TKT-000045, asset tag, card code, username"
        )
        self.apply_button = QPushButton("Apply")
        self.apply_button.setObjectName("auditApply")
        self.apply_button.setToolTip("Read the trail with these filters (Enter)")
        self.apply_button.clicked.connect(self.apply)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("auditExport")
        self.export_button.setToolTip(f"The rows of these filters as CSV ({EXPORT_KEY})")
        self.export_button.clicked.connect(lambda: self.export_csv())
        self.filters_bar = QWidget()
        bar = QHBoxLayout(self.filters_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        for text, field, stretch in (
            ("&Staff", self.staff, 1),
            ("&From", self.date_from, 0),
            ("&To", self.date_to, 0),
            ("&Record", self.record, 2),
        ):
            label = QLabel(text)
            label.setBuddy(field)
            bar.addWidget(label)
            bar.addWidget(field, stretch)
        bar.addWidget(self.apply_button)
        bar.addWidget(self.export_button)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.count = QLabel("…")
        self.count.setObjectName("hint")
        self.model = AuditModel(ctx.factory, ctx.actor, ctx.db, parent=self)
        self.model.loaded.connect(self._loaded)
        self.model.failed.connect(self._failed)
        self.view = QTableView()
        self.view.setObjectName("auditTable")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setStretchLastSection(True)
        for column, spec in enumerate(COLUMNS):
            self.view.setColumnWidth(column, spec.width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.filters_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.count)
        layout.addWidget(self.view, 1)
        layout.addStretch(0)  # takes the room the table leaves when a refusal hides it
        self._layout = layout
        order = (self.staff, self.date_from, self.date_to, self.record, self.apply_button,
                 self.export_button, self.view)  # fmt: skip
        for first, then in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, then)
        for button in (self.apply_button, self.export_button):
            button.setAutoDefault(False)  # Enter in a filter applies, never exports
        export = QShortcut(QKeySequence(EXPORT_KEY), self, lambda: self.export_csv())
        export.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._shown = False

    def _field(self, name: str, hint: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setPlaceholderText(hint)
        field.setClearButtonEnabled(True)
        field.returnPressed.connect(self.apply)
        return field

    # --- reading -------------------------------------------------------------------------------

    def activated(self) -> None:
        """Shown in the window: read the trail (again) with the filters as they stand."""
        self.apply()
        if not self.refused:
            self.staff.setFocus()

    def filters(self) -> AuditFilters:
        """The filters as typed; a day that is not a date raises :class:`NotADay`."""
        return AuditFilters(
            staff=self.staff.text().strip(),
            date_from=parse_day(self.date_from.text(), "first"),
            date_to=parse_day(self.date_to.text(), "last"),
            record=self.record.text().strip(),
        )

    def apply(self) -> None:
        """Read the trail with the filters typed (Enter in any of them)."""
        try:
            filters = self.filters()
        except NotADay as exc:
            say(self.message, str(exc), "bad")
            return
        self.message.hide()
        self.count.setText("Reading the audit trail…")
        self.model.actor = self.ctx.actor  # whoever is signed in now
        self.model.show(filters)

    def show_record(self, code: str) -> None:
        """The whole trail of one record, by the code a person knows."""
        for field in (self.staff, self.date_from, self.date_to):
            field.clear()
        self.record.setText(code)
        self.apply()

    def _loaded(self, total: int) -> None:
        self.refused = False
        self._layout.setStretch(self._layout.count() - 1, 0)
        self.filters_bar.show()
        self.view.show()
        self.count.show()
        cap = self.model.cap
        if total > cap:
            self.count.setText(f"Showing the newest {cap:,} of {total:,}; narrow the filters.")
        elif total:
            self.count.setText(f"{total:,} row{'' if total == 1 else 's'}, newest first")
        else:
            self.count.setText("Nothing in the audit trail matches these filters.")

    def _failed(self, exc: BaseException) -> None:
        """A refusal in one sentence instead of a list (below a manager: no filters either)."""
        self.refused = isinstance(exc, PermissionRefused)
        self.filters_bar.setVisible(not self.refused)
        self.view.hide()
        self.count.hide()
        self._layout.setStretch(self._layout.count() - 1, 1)  # the sentence stays at the top
        say(self.message, describe_failure("Reading the audit trail", exc), "bad")

    def changed_elsewhere(self, _changes: object) -> None:
        """The trail only grows: the count is read again when asked (Enter), not while reading."""

    # --- CSV -----------------------------------------------------------------------------------

    def export_csv(self, path: str | None = None) -> None:
        """The rows of the filters last applied, as ``helpdesk audit --csv`` writes them (oldest
        first, the same columns); asks where unless told ``path``."""
        if self.refused:
            return
        if not path:
            start = str(Path.home() / "audit-trail.csv")
            path, _ = QFileDialog.getSaveFileName(
                self, "Export the audit trail", start, "CSV files (*.csv)"
            )
            if not path:
                return
        target = path
        factory, actor = self.ctx.factory, self.ctx.actor
        keywords = self.model.filters.keywords()
        say(self.message, "Exporting the audit trail…", "info")

        def written(count: int) -> None:
            say(self.message, f"Saved {count:,} rows to {target}.", "good")
            self.exported.emit(target)

        def failed(exc: BaseException) -> None:
            say(self.message, describe_failure("Exporting the audit trail", exc), "bad")

        def write(rows: list[AuditRow]) -> None:
            self.ctx.runner.submit(lambda: save_csv(rows, target), written, failed)

        self.ctx.db.submit(
            lambda: audit_trail(factory, actor, **keywords), write, failed, key="audit-export"
        )


class AuditDialog(QDialog):
    """The audit viewer for one record, opened from its detail window (Esc closes it)."""

    def __init__(self, ctx: AppContext, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Audit trail of {code}")
        self.setObjectName("auditDialog")
        self.resize(1100, 620)
        self.panel = AuditPanel(ctx, self)
        self.panel.title.setText(f"Audit trail of {code}")
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        self.panel.show_record(code)
