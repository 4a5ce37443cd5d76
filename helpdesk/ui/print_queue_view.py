"""The print queue: the slips, labels and reports kept because the printer refused them.

Each kept job shows its title, what kind of document it is, when it was kept and why it failed.
"Print again" (Enter) sends the selected jobs, or all of them, through a worker to the printer
(the one named in the job when it is there, else the one chosen for its kind); a job that goes
through is forgotten. "Discard" (Del) drops the selected jobs after asking.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from helpdesk.services.reporting import documents
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.printing import (
    PrintJob,
    PrintQueue,
    forget_job,
    kept_jobs,
    kept_watch,
    printer_names,
)

KINDS = {"slip": "Slip", "label": "Labels", "report": "Report"}
HEADERS = ("Document", "Kind", "Kept", "Why it failed")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def kept_noun(jobs: list[PrintJob]) -> str:
    """'2 slips', '1 label batch', '3 print jobs': the kept jobs in a school's words."""
    kinds = {job.kind for job in jobs}
    if kinds == {"slip"}:
        return plural(len(jobs), "slip")
    if kinds == {"label"}:
        return f"{len(jobs)} label {'batch' if len(jobs) == 1 else 'batches'}"
    return plural(len(jobs), "print job")


def _print_all(queue: PrintQueue, jobs: list[PrintJob]) -> tuple[int, list[str], list[PrintJob]]:
    """On the print worker: each job to its own printer when it is there, else the one chosen
    for its kind. Returns (printed, why each job still kept failed, the label batches that went
    through: recorded as printed next, by :func:`_record_labels`)."""
    present = set(printer_names())
    done, reasons, labels = 0, list[str](), list[PrintJob]()
    for job in jobs:
        target = job if job.printer in present else replace(job, printer="")
        if queue.submit(target):
            done += 1
            if job.label_devices:
                labels.append(job)
        else:
            reasons.extend(j.reason for j in kept_jobs() if j.kept_at == job.kept_at)
    return done, reasons, labels


def _record_labels(ctx: AppContext, jobs: list[PrintJob]) -> list[str]:
    """On the database thread: record the label batches that went through as printed, as when
    they are printed from the Labels area. Returns the recordings that failed, in words."""
    unrecorded = []
    for job in jobs:
        try:
            documents.record_label_prints(
                ctx.factory, ctx.actor, job.label_devices, job.label_template
            )
        except Exception as exc:  # noqa: BLE001 - the labels exist: say it, lose nothing
            unrecorded.append(describe_failure(f"Recording {job.title} as printed", exc))
    return unrecorded


class _Keys(QObject):
    """Enter prints the selected jobs again; Del discards them."""

    def __init__(self, dialog: PrintQueueDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.dialog.print_selected()
                return True
            if event.key() == Qt.Key.Key_Delete:
                self.dialog.discard_selected()
                return True
        return False


class PrintQueueDialog(QDialog):
    """The kept print jobs: print again or discard."""

    def __init__(self, ctx: AppContext, queue: PrintQueue, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.queue = queue
        self.jobs: list[PrintJob] = []
        self.busy = False
        self.setWindowTitle("Print queue")
        self.setObjectName("printQueueDialog")
        self.resize(860, 420)
        heading = QLabel(
            "Documents the printer refused are kept here. Enter prints the selected ones again; "
            "Del discards them."
        )
        heading.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("keptJobs")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 220), (1, 70), (2, 120)):
            self.table.setColumnWidth(column, width)
        self.table.installEventFilter(_Keys(self))
        self.table.doubleClicked.connect(lambda _index: self.print_selected())
        self.status = QLabel()
        self.status.setObjectName("message")
        self.status.setWordWrap(True)
        self.status.hide()
        self.print_button = QPushButton("&Print again")
        self.print_button.clicked.connect(self.print_selected)
        self.print_all_button = QPushButton("Print &all again")
        self.print_all_button.clicked.connect(self.print_all)
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.clicked.connect(self.discard_selected)
        close = QPushButton("Close")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        for button in (self.print_button, self.print_all_button, self.discard_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.print_all_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        kept_watch().changed.connect(self.reload)
        self.reload()

    # --- the list ------------------------------------------------------------------------------

    def reload(self) -> None:
        chosen = {job.kept_at for job in self.selected()}
        self.jobs = kept_jobs()
        self.table.setRowCount(len(self.jobs))
        for row, job in enumerate(self.jobs):
            when = f"{job.kept_when:%a %d/%m %H:%M}" if job.kept_when else ""
            reason = job.reason or "Not printed yet."
            values = (job.title, KINDS.get(job.kind, job.kind), when, reason)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        for row, job in enumerate(self.jobs):
            if job.kept_at in chosen:
                self.table.selectRow(row)
        if self.jobs and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._enable()
        self.table.setFocus()

    def selected(self) -> list[PrintJob]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.jobs[row] for row in rows if row < len(self.jobs)]

    def _enable(self) -> None:
        some = bool(self.jobs) and not self.busy
        for button in (self.print_button, self.print_all_button, self.discard_button):
            button.setEnabled(some)
        if not self.jobs and not self.busy and not self.status.isVisible():
            self._say("Nothing is waiting: every document has been printed.", "good")

    def _say(self, sentence: str, tone: str) -> None:
        self.status.setText(sentence)
        self.status.setProperty("tone", tone)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.show()

    # --- actions -------------------------------------------------------------------------------

    def print_selected(self) -> None:
        self._print(self.selected())

    def print_all(self) -> None:
        self._print(list(self.jobs))

    def _print(self, jobs: list[PrintJob]) -> None:
        if self.busy or not jobs:
            return
        self.busy = True
        self._enable()
        self._say(f"Printing {plural(len(jobs), 'document')} again…", "info")
        queue = self.queue
        self.ctx.runner.submit(lambda: _print_all(queue, jobs), self._sent, self._failed)

    def _sent(self, outcome: tuple[int, list[str], list[PrintJob]]) -> None:
        done, reasons, labels = outcome
        if not labels:
            self._printed((done, reasons, []))
            return
        ctx = self.ctx
        ctx.db.submit(
            lambda: _record_labels(ctx, labels),
            lambda unrecorded: self._printed((done, reasons, unrecorded)),
            self._failed,
        )

    def _printed(self, outcome: tuple[int, list[str], list[str]]) -> None:
        if not isValid(self):
            return
        done, reasons, unrecorded = outcome
        self.busy = False
        if unrecorded:
            self._say(f"Printed {plural(done, 'document')}. {unrecorded[0]}", "bad")
        elif reasons:
            self._say(
                f"Printed {done}; {plural(len(reasons), 'document')} still kept. {reasons[0]}",
                "warn",
            )
        else:
            self._say(f"Printed {plural(done, 'document')}; nothing more is kept for them.", "good")
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        if not isValid(self):
            return
        self.busy = False
        self._say(describe_failure("Printing again", exc), "bad")
        self.reload()

    def discard_selected(self) -> None:
        jobs = self.selected()
        if self.busy or not jobs:
            return
        names = ", ".join(job.title for job in jobs[:3]) + ("…" if len(jobs) > 3 else "")
        answer = QMessageBox.question(
            self,
            "Discard kept documents",
            f"Discard {plural(len(jobs), 'document')} ({names})? They will not be printed.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        for job in jobs:
            forget_job(job)
        self._say(f"Discarded {plural(len(jobs), 'document')}.", "info")
        self.reload()
