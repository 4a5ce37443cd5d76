"""The first run on an empty database: make the demo school to try Helpdesk out, or import the
school's own students, devices and cover from CSV files (as the MIS and the asset register export
them). Both run off the GUI thread with a progress bar; a broken CSV file is reported row by row
and nothing of it is written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.demo import build as demo
from helpdesk.domain.errors import ImportFailed
from helpdesk.services.csv import importer as csv_import
from helpdesk.services.csv.reader import format_problem
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure

IMPORTS = (
    ("students", "Students…", csv_import.import_students),
    ("devices", "Devices…", csv_import.import_devices),
    ("cover", "Insurance cover…", csv_import.import_cover),
)


def import_report(exc: ImportFailed, limit: int = 30) -> str:
    lines = [str(exc)]
    lines += [format_problem(problem) for problem in exc.problems[:limit]]
    if len(exc.problems) > limit:
        lines.append(f"… and {len(exc.problems) - limit} more.")
    return "\n".join(lines)


class FirstRunDialog(QDialog):
    """Shown when the database has neither students nor devices."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.busy = False
        self.setWindowTitle("Welcome to Helpdesk")
        self.setMinimumWidth(620)
        heading = QLabel("This database is empty")
        heading.setObjectName("cardTitle")
        intro = QLabel(
            "Make a demo school to try Helpdesk out (about 900 students, their laptops, a loan "
            "pool and a term of loans and repairs), or import your school's own records from CSV "
            "files: students first, then devices, then insurance cover."
        )
        intro.setWordWrap(True)
        self.demo_button = QPushButton("Create the demo school")
        self.demo_button.setObjectName("demoButton")
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(self.create_demo)
        imports = QHBoxLayout()
        imports.addWidget(QLabel("Import CSV:"))
        self.import_buttons: dict[str, QPushButton] = {}
        for kind, title, _fn in IMPORTS:
            button = QPushButton(title)
            button.clicked.connect(lambda _=False, k=kind: self.choose_file(k))
            self.import_buttons[kind] = button
            imports.addWidget(button)
        imports.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.report = QPlainTextEdit()
        self.report.setObjectName("importReport")
        self.report.setReadOnly(True)
        self.report.hide()
        self.done_button = QPushButton("Open Helpdesk")
        self.done_button.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(imports)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignRight)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        self.progress.setVisible(busy)
        for button in (self.demo_button, self.done_button, *self.import_buttons.values()):
            button.setEnabled(not busy)
        if text:
            self.status.setText(text)

    def reject(self) -> None:
        if not self.busy:  # never close half-way through
            super().reject()

    # --- the demo school -----------------------------------------------------------------------

    def create_demo(self) -> None:
        self._set_busy(True, "Making the demo school…")
        ctx = self.ctx

        def work(progress) -> demo.DemoSummary:  # noqa: ANN001
            return demo.build_demo(ctx.factory, progress=progress)

        ctx.db.submit(
            work,
            self._demo_made,
            self._failed,
            with_progress=True,
            on_progress=lambda text: self.status.setText(f"Making the demo school: {text}…"),
        )

    def _demo_made(self, summary: demo.DemoSummary) -> None:
        self._set_busy(False, "The demo school is ready.")
        self.report.setPlainText("\n".join(summary.lines()))
        self.report.show()
        self.demo_button.setEnabled(False)
        self.done_button.setFocus()

    # --- CSV imports ---------------------------------------------------------------------------

    def choose_file(self, kind: str) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, f"Import {kind} from CSV", "", "CSV files (*.csv *.txt);;All files (*)"
        )
        if name:
            self.import_file(kind, Path(name))

    def import_file(self, kind: str, path: Path) -> None:
        fn = next(f for k, _t, f in IMPORTS if k == kind)
        ctx = self.ctx
        self._set_busy(True, f"Importing {kind} from {path.name}…")
        ctx.db.submit(
            lambda: fn(ctx.factory, ctx.actor or None, path.read_bytes()),
            self._imported,
            self._failed,
        )

    def _imported(self, result: csv_import.ImportResult) -> None:
        self._set_busy(False, result.summary())
        self.demo_button.setEnabled(False)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ImportFailed):
            self.status.setText("Nothing was imported from that file:")
            self.report.setPlainText(import_report(exc))
            self.report.show()
            return
        self.status.setText(describe_failure("That", exc))
