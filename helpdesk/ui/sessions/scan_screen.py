"""The scan screen of one session, keyboard first: the scan box, the last result large, what to
scan next, the pickup's agreement or the hand-in's condition and accessories, and the progress
beside it.

Scans are taken in order, one at a time: a code that arrives (a keyboard-wedge burst, or the
window's routed scan) while the last one is still with the database waits in ``_inputs`` and is
sent when the answer comes, as the counter does. Each scan is one call of ``scan_in_session`` on
the window's database thread. The progress is read again a moment after the scans stop, and when
another station scans (``changed_elsewhere``), without touching the scan box or the options.

Keys: Enter in the scan box sends the code; Esc forgets the student waiting for a laptop; at a
hand-in 1, 2 or 3 then Enter (or Alt+1/2/3) sets the condition; Alt+P toggles the paper
agreement, Alt+N goes to the typed name; Ctrl+P prints the missing list.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services import sessions
from helpdesk.ui.context import AppContext
from helpdesk.ui.db_worker import DatabaseAway
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.sessions.paper import SessionPaper
from helpdesk.ui.sessions.progress import ProgressView, while_alive
from helpdesk.ui.style import BAD, BAD_BG, CANVAS, GOOD, GOOD_BG, MUTED, WARN, WARN_BG
from helpdesk.ui.widgets.feedback import Feedback
from helpdesk.ui.widgets.scan_box import ScanBox

OUTCOME_LOOK = {  # outcome: (word shown, text colour, background)
    "done": ("Done", GOOD, GOOD_BG),
    "already": ("Already done", MUTED, CANVAS),
    "unexpected": ("Not on the list", WARN, WARN_BG),
    "problem": ("Problem", BAD, BAD_BG),
}
CONDITIONS = ("good", "fair", "damaged")
KIND_NAMES = {"pickup": "Pickup", "handin": "Hand-in", "stocktake": "Stocktake"}
STATUS_AFTER_MS = 250  # the progress is read again this long after the scans stop
READ_GAP_S = 1.0  # ... and at most this often while they come


def next_prompt(kind: str, waiting_student: str | None) -> str:
    """What the station expects next, in words."""
    if kind == "pickup":
        if waiting_student:
            return f"Now scan the laptop for {waiting_student}"
        return "Scan a student card"
    if kind == "handin":
        return "Scan a laptop handed in"
    return "Scan a device"


class ScanScreen(QWidget):
    """One session's scan screen. ``result_shown(outcome)`` after each answer is on screen."""

    result_shown = Signal(str)
    back_requested = Signal()

    def __init__(self, ctx: AppContext, station: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.station = station
        self.session: sessions.SessionInfo | None = None
        self.paper: SessionPaper | None = None  # set by the panel
        self.pending_student_id: int | None = None
        self.waiting_student: str | None = None
        self.last_result: sessions.ScanResult | None = None
        self.scan_started = 0.0
        self._inputs: deque[str] = deque()
        self._busy = False
        self._reading = False
        self._read_again = False
        self._last_read = 0.0  # when the progress was last asked for (monotonic seconds)
        self.feedback = Feedback(self, enabled=ctx.machine.sounds)

        self.title = QLabel()
        self.title.setObjectName("sessionTitle")
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.scan_box = ScanBox(self)
        self.scan_box.setObjectName("sessionScanBox")
        self.scan_box.setStyleSheet("font-size: 16pt; padding: 6px;")
        self.scan_box.scanned.connect(lambda code, _burst: self.handle_code(code))
        self.prompt = QLabel()
        self.prompt.setObjectName("sessionPrompt")
        self.prompt.setStyleSheet("font-size: 17pt; font-weight: 600;")
        self.outcome_word = QLabel(" ")
        self.outcome_word.setObjectName("sessionOutcome")
        self.sentence = QLabel("")
        self.sentence.setObjectName("sessionSentence")
        self.sentence.setWordWrap(True)
        self.result_box = QWidget()
        self.result_box.setObjectName("sessionResult")
        self.result_box.setMinimumHeight(150)
        result_layout = QVBoxLayout(self.result_box)
        result_layout.addWidget(self.outcome_word)
        result_layout.addWidget(self.sentence)
        result_layout.addStretch(1)
        self._paint_result("", "")

        # pickup: the agreement
        self.pickup_box = QWidget()
        pickup = QHBoxLayout(self.pickup_box)
        pickup.setContentsMargins(0, 0, 0, 0)
        self.on_paper = QCheckBox("Agreement signed on &paper")
        self.on_paper.setChecked(True)
        self.typed_name = QLineEdit()
        self.typed_name.setPlaceholderText("or the name the student typed (Alt+N)")
        self.typed_name.setEnabled(False)
        self.on_paper.toggled.connect(lambda paper: self.typed_name.setEnabled(not paper))
        name_label = QLabel("&Name:")
        name_label.setBuddy(self.typed_name)
        pickup.addWidget(self.on_paper)
        pickup.addWidget(name_label)
        pickup.addWidget(self.typed_name, 1)

        # hand-in: condition and accessories
        self.handin_box = QWidget()
        handin = QHBoxLayout(self.handin_box)
        handin.setContentsMargins(0, 0, 0, 0)
        self.condition_group = QButtonGroup(self)
        self.condition_buttons: dict[str, QRadioButton] = {}
        for number, condition in enumerate(CONDITIONS, start=1):
            button = QRadioButton(f"&{number} {condition.capitalize()}")
            self.condition_group.addButton(button, number)
            self.condition_buttons[condition] = button
            handin.addWidget(button)
        handin.addSpacing(24)
        self.charger_back = QCheckBox("&Charger back")
        self.case_back = QCheckBox("C&ase back")
        handin.addWidget(self.charger_back)
        handin.addWidget(self.case_back)
        handin.addStretch(1)
        self.reset_options()

        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.prompt)
        left.addWidget(self.scan_box)
        left.addWidget(self.pickup_box)
        left.addWidget(self.handin_box)
        left.addWidget(self.result_box, 1)
        self.progress = ProgressView(self)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(left, 3)
        outer.addWidget(self.progress, 2)

        QShortcut(QKeySequence("Esc"), self, self.forget_student)
        QShortcut(QKeySequence("Alt+Backspace"), self, self.back_requested.emit)
        for number in (1, 2, 3):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self, lambda n=number: self.set_condition(n))
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.timeout.connect(self.read_status)

    # --- the session shown -----------------------------------------------------------------------

    def show_session(self, session: sessions.SessionInfo) -> None:
        """Work on ``session`` here (started here or joined from the list)."""
        if self.session is None or self.session.id != session.id:
            self._inputs.clear()
            self.pending_student_id = None
            self.waiting_student = None
            self.last_result = None
            self._paint_result("", "")
        self.session = session
        what = session.name or session.code
        self.title.setText(f"{KIND_NAMES.get(session.kind, session.kind)}: {what} ({session.code})")
        self.pickup_box.setVisible(session.kind == "pickup")
        self.handin_box.setVisible(session.kind == "handin")
        self.progress.set_kind(session.kind)
        self.progress.set_counts(session)
        self._show_prompt()
        self.reset_options()
        self.read_status()
        self.focus_scan_box()

    def focus_scan_box(self) -> None:
        self.scan_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def reset_options(self) -> None:
        """Back to the usual case: signed on paper, good condition, charger and case back."""
        self.on_paper.setChecked(True)
        self.typed_name.clear()
        self.condition_buttons["good"].setChecked(True)
        self.charger_back.setChecked(True)
        self.case_back.setChecked(True)

    def set_condition(self, number: int) -> None:
        button = self.condition_group.button(number)
        if button is not None:
            button.setChecked(True)

    def condition(self) -> str:
        return CONDITIONS[max(1, self.condition_group.checkedId()) - 1]

    def missing(self) -> tuple[str, ...]:
        pairs = (("charger", self.charger_back), ("case", self.case_back))
        return tuple(name for name, box in pairs if not box.isChecked())

    def forget_student(self) -> None:
        """Esc: the student waiting for a laptop is forgotten; scan a student card again."""
        if self.pending_student_id is not None:
            self.pending_student_id = None
            self.waiting_student = None
            self._paint_result("already", "Cancelled: scan a student card to start again.")
        self._show_prompt()
        self.focus_scan_box()

    # --- scans -----------------------------------------------------------------------------------

    def handle_code(self, text: str) -> None:
        """A code from the scanner (or typed, or routed from another widget): taken in order."""
        code = text.strip()
        if not code:
            return
        self._inputs.append(code)
        self._pump()

    def idle(self) -> bool:
        return not self._busy and not self._inputs

    def _pump(self) -> None:
        while not self._busy and self._inputs and self.session is not None:
            code = self._inputs.popleft()
            if self.session.kind == "handin" and code in ("1", "2", "3"):
                self.set_condition(int(code))
                continue
            self._send(code)

    def _send(self, code: str) -> None:
        session = self.session
        assert session is not None
        self._busy = True
        self._status_timer.stop()
        self.scan_started = time.perf_counter()
        ctx, station = self.ctx, self.station
        pending = self.pending_student_id
        paper = self.on_paper.isChecked() or not self.typed_name.text().strip()
        name = None if paper else self.typed_name.text().strip()
        condition, missing = self.condition(), self.missing()
        self.ctx.db.submit(
            lambda: sessions.scan_in_session(
                ctx.factory,
                ctx.actor,
                session.code,
                code,
                pending_student_id=pending,
                agreement="paper" if paper else "screen",
                agreement_name=name,
                condition=condition,
                missing=missing,
                station=station,
            ),
            while_alive(self, lambda result: self._answered(result, condition, missing)),
            while_alive(self, lambda exc: self._failed(code, exc)),
        )

    def _answered(
        self, result: sessions.ScanResult, condition: str, missing: tuple[str, ...]
    ) -> None:
        self._busy = False
        self.last_result = result
        self.session = result.session
        self.pending_student_id = result.pending_student_id
        waiting = result.waiting_for == "laptop" and result.pending_student_id is not None
        if not waiting:
            self.waiting_student = None
        elif result.student is not None:
            self.waiting_student = result.student.label
        self._paint_result(result.outcome, result.sentence)
        self._show_prompt()
        self.progress.set_counts(result.session)
        if result.outcome == "done":
            self.feedback.good()
        elif result.outcome == "already":
            self.feedback.soft()
        else:
            self.feedback.refused()
        laptop_done = result.device is not None and result.outcome == "done"
        if laptop_done and result.session.kind in ("pickup", "handin"):
            self.reset_options()  # the next student starts from the usual case
        self.result_shown.emit(result.outcome)
        if self.paper is not None:
            self.paper.after_scan(result, condition, missing)
        self._after_answer()

    def _failed(self, code: str, exc: BaseException) -> None:
        self._busy = False
        from helpdesk.domain.errors import HelpdeskError

        if isinstance(exc, DatabaseAway):
            sentence = (
                f"The database cannot be reached, so {code} was not scanned; scan it again "
                "once the status bar says the database is back."
            )
        elif isinstance(exc, HelpdeskError):
            sentence = str(exc)
        else:
            sentence = describe_failure(f"Scanning {code}", exc)
        self._paint_result("problem", sentence)
        self.feedback.refused()
        self.result_shown.emit("problem")
        self._after_answer()

    def _after_answer(self) -> None:
        self._pump()
        if self.idle():
            self._read_soon()

    def _show_prompt(self) -> None:
        kind = self.session.kind if self.session else ""
        self.prompt.setText(next_prompt(kind, self.waiting_student))

    def _paint_result(self, outcome: str, sentence: str) -> None:
        word, ink, paper = OUTCOME_LOOK.get(outcome, (" ", MUTED, CANVAS))
        self.outcome = outcome
        self.outcome_word.setText(word)
        self.outcome_word.setStyleSheet(f"color: {ink}; font-size: 30pt; font-weight: 700;")
        self.sentence.setText(sentence)
        self.sentence.setStyleSheet(f"color: {ink}; font-size: 16pt;")
        self.result_box.setStyleSheet(
            f"QWidget#sessionResult {{ background: {paper}; border-radius: 8px; }}"
        )

    # --- progress --------------------------------------------------------------------------------

    def read_status(self) -> None:
        """Read the session's progress again (one job at a time; a request made while one is
        with the database reads once more after it)."""
        if self.session is None:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self._last_read = time.monotonic()
        ctx, code = self.ctx, self.session.code
        self.ctx.db.submit(
            lambda: sessions.session_status(ctx.factory, ctx.actor, code),
            while_alive(self, self._status_read),
            while_alive(self, self._status_failed),
        )

    def _status_read(self, status: sessions.SessionStatus) -> None:
        self._reading = False
        if self.session is not None and status.session.id == self.session.id:
            if self.idle():  # a scan's answer on its way carries newer counts
                self.session = status.session
            self.progress.show_status(status)
        self._again()

    def _status_failed(self, exc: BaseException) -> None:
        self._reading = False
        self.progress.overall_label.setText(describe_failure("Reading the progress", exc))
        self._again()

    def _again(self) -> None:
        if self._read_again:
            self._read_again = False
            self.read_status()

    def changed_elsewhere(self) -> None:
        """Another station (or this one) changed the session: read the progress again once the
        scans waiting here are done."""
        self._read_soon()

    def _read_soon(self) -> None:
        """Read the progress after the scans stop, and at most once a second while they come
        (a whole school's list is read and shown in a few tens of milliseconds, which would
        otherwise be taken from the scans at every station)."""
        wait = READ_GAP_S - (time.monotonic() - self._last_read)
        if self.idle() and wait <= 0:
            self.read_status()
        else:
            self._status_timer.start(max(STATUS_AFTER_MS, round(wait * 1000)))
