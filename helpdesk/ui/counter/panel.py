"""The counter: one scan box that does the right thing.

The scan box always has the focus (it takes it back after every action and dialog); a handheld
scanner, the webcam and typing all arrive as the same ``handle_code(text)``. Each scan is looked
up, shown as a card, and handed to the :class:`CounterFlow`, which says what it means now; the
panel carries out what the flow asks (issue, return, swap, collect) through the services, shows
the outcome in one sentence (green, or red with the refusal sound) and prints slips on a worker.

One message per transaction: every new scan or key clears the message before anything else, and
a slip that cannot be printed never hides the outcome (it goes to the day list). The day list is
read back from the audit log for this station, so it survives a restart and includes refusals.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.errors import HelpdeskError
from helpdesk.flows.counter import (
    AccessoriesBack,
    AskDueDate,
    ChooseMissing,
    Collect,
    CounterFlow,
    IssueLoan,
    Mode,
    OpenDamageDialog,
    ReturnLoan,
    Step,
    Swap,
    TakeBackAndLend,
)
from helpdesk.ui.context import AppContext
from helpdesk.ui.counter import actions as counter_actions
from helpdesk.ui.counter.camera import CounterCamera
from helpdesk.ui.counter.day_list import DayList
from helpdesk.ui.counter.intake import ScanIntake
from helpdesk.ui.db_worker import DatabaseAway
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.widgets.cards import CardWidget
from helpdesk.ui.widgets.due_field import DueField

if TYPE_CHECKING:
    from helpdesk.services.core.settings import SchoolSettings
    from helpdesk.ui.widgets.scan_preview import ScanPreview

REPEAT_REFUSAL_S = 60.0  # the same refusal within this long is logged once

ACCESSORIES = (("charger", "&Charger"), ("case", "C&ase"), ("stylus", "S&tylus"))


class _ScanKeys(QObject):
    """Enter on an empty scan box carries on; Esc cancels."""

    def __init__(self, panel: CounterPanel) -> None:
        super().__init__(panel)
        self.panel = panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and isinstance(watched, QLineEdit)  # the scan box
        ):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not watched.text().strip():
                self.panel.press_enter()
                return True
            if key == Qt.Key.Key_Escape:
                watched.clear()
                self.panel.cancel()
                return True
        return False


class CounterPanel(ScanIntake, CounterCamera, QWidget):
    """The counter area of the main window."""

    camera_state = Signal(str)
    loans_changed = Signal()
    card_shown = Signal(str)  # the card's kind, once painted for a scan

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.flow = CounterFlow(
            default_accessories=("charger",), due_rule=counter_actions.due_rule(self)
        )
        self.last_step: Step | None = None
        self.last_message = ""
        self.last_tone = ""
        self.last_code = ""
        self._last_refusal: tuple[str, float] = ("", 0.0)  # the last refusal kept in the log
        self.last_slip: counter_actions.SlipJob | None = None  # printed or kept last, for F8
        self.station = counter_actions.open_station(ctx)
        self.print_problems: list[tuple[datetime, str]] = []  # this session's, for the day list
        self.scan_started = 0.0
        self._init_intake()
        self.school: SchoolSettings | None = (
            None  # the school's settings (for due times), read on the database thread
        )
        self.preview: ScanPreview | None = None
        self.feedback = counter_actions.make_feedback(self, ctx)
        self.print_queue = counter_actions.make_print_queue(self, ctx)

        title = QLabel("Counter")
        title.setObjectName("pageTitle")
        self.scan_box = counter_actions.make_scan_box(self)
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText("Scan or type a code, then Enter")
        self.scan_box.installEventFilter(_ScanKeys(self))
        self.prompt = QLabel()
        self.prompt.setObjectName("prompt")
        self.prompt.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.due_field = DueField(self)
        self.due_field.chosen.connect(lambda day: self._apply(self.flow.due_chosen(day)))
        self.due_field.cancelled.connect(lambda: self._apply(self.flow.current()))
        self.due_field.unreadable.connect(self._refused)
        self.due_field.check = self._due_refusal

        self.accessory_boxes: dict[str, QCheckBox] = {}
        accessories = QHBoxLayout()
        accessories.addWidget(QLabel("Accessories:"))
        for key, text in ACCESSORIES:
            box = QCheckBox(text)
            box.setChecked(key in self.flow.default_accessories)
            box.toggled.connect(self._accessories_changed)
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.accessory_boxes[key] = box
            accessories.addWidget(box)
        accessories.addStretch(1)
        self.accessories_row = QWidget()
        self.accessories_row.setLayout(accessories)

        self.card = CardWidget()
        self.stale_note = QLabel(
            "Changed at another counter; the card is read again when you finish."
        )
        self.stale_note.setObjectName("hint")
        self.stale_note.hide()

        left = QVBoxLayout()
        left.setSpacing(10)
        left.addWidget(title)
        left.addWidget(self.scan_box)
        left.addWidget(self.prompt)
        left.addWidget(self.due_field)
        left.addWidget(self.message)
        left.addWidget(self.accessories_row)
        left.addWidget(self.stale_note)
        left.addWidget(self.card, 1)

        right = QVBoxLayout()
        right.setSpacing(10)
        self.camera_holder = QVBoxLayout()
        self.camera_message = QLabel()
        self.camera_message.setObjectName("hint")
        self.camera_message.setWordWrap(True)
        self.camera_holder.addWidget(self.camera_message)
        right.addLayout(self.camera_holder)
        recent_title = QLabel("At this counter today")
        recent_title.setStyleSheet("font-weight:600;")
        self.recent = DayList()
        right.addWidget(recent_title)
        right.addWidget(self.recent, 1)

        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(20)
        outer.addLayout(left, 3)
        right_widget = QWidget()
        right_widget.setLayout(right)
        right_widget.setFixedWidth(420)
        outer.addWidget(right_widget)

        self.scan_box.scanned.connect(lambda code, _burst: self.handle_code(code))
        ctx.db.state_changed.connect(self.database_state)
        self._apply(self.flow.reset())
        self.refresh_day()
        self.settings_changed(then=self._start_camera)

    # --- focus -------------------------------------------------------------------------------

    def focus_scan_box(self) -> None:
        if self.due_field.isVisible():  # the due day is being typed: it keeps the keys
            self.due_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.scan_box.setFocus(Qt.FocusReason.OtherFocusReason)

    def activated(self) -> None:
        self.focus_scan_box()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        QTimer.singleShot(0, self.focus_scan_box)

    def _enter(self) -> None:
        """Enter: carry out what is ready. An Enter that carries nothing out (pressed by habit
        after a refusal) leaves the refusal on screen to be read."""
        step = self.flow.enter()
        if step.intent is not None or step.refusal is not None:
            self._clear_message()
        self._apply(step)

    def _cancel(self) -> None:
        """Esc: back to the start, with nothing left on screen from what was cancelled."""
        self._clear_message()
        self.due_field.hide()
        self._apply(self.flow.cancel())

    def _accessories_changed(self) -> None:
        chosen = tuple(k for k, box in self.accessory_boxes.items() if box.isChecked())
        self._apply(self.flow.set_accessories(chosen))

    # --- carrying out the flow's steps --------------------------------------------------------

    def _apply(self, step: Step) -> None:
        self.last_step = step
        self.prompt.setText(step.prompt)
        self.accessories_row.setVisible(
            step.mode in (Mode.LOAN_READY, Mode.SWAP_LOANER, Mode.STUDENT, Mode.SWAP_DAMAGE)
        )
        if step.mode is Mode.IDLE and step.refusal is None:
            for key, box in self.accessory_boxes.items():
                box.blockSignals(True)
                box.setChecked(key in self.flow.default_accessories)
                box.blockSignals(False)
        if step.refusal:
            self._refused(step.refusal)
        if step.intent is not None:
            self._carry_out(step.intent)
        elif self.card_stale and not self._editing():
            self._reload_card()
        self.focus_scan_box()

    def _carry_out(self, intent) -> None:  # noqa: ANN001
        if isinstance(intent, AskDueDate):
            self.due_field.open_at(intent.current)
            return
        if isinstance(intent, OpenDamageDialog):
            self._busy = True  # scans made while the dialog is open wait for it
            try:
                damage = counter_actions.ask_damage(self, intent)
            finally:
                self._busy = False
            QTimer.singleShot(0, self._pump)
            self.focus_scan_box()
            if damage is None:
                self._apply(self.flow.damage_cancelled())
                return
            if intent.loan_id is not None:  # a damaged return
                self._run(intent, lambda: counter_actions.return_damaged(self.ctx, intent, damage))
                return
            self._apply(self.flow.damage_entered(damage))
            return
        if isinstance(intent, ChooseMissing):
            tag = self.flow.device.tag if self.flow.device else "the loan"
            self._busy = True
            try:
                missing = counter_actions.ask_missing(self, intent, tag)
            finally:
                self._busy = False
            QTimer.singleShot(0, self._pump)
            self.focus_scan_box()
            if missing is None:
                self._apply(self.flow.missing_cancelled())
            else:
                self._apply(self.flow.missing_chosen(missing))
            return
        runners: dict[type, Callable[[AppContext, Any], counter_actions.Outcome]] = {
            IssueLoan: counter_actions.issue,
            ReturnLoan: counter_actions.give_back,
            AccessoriesBack: counter_actions.accessories_back,
            Swap: counter_actions.swap,
            Collect: counter_actions.collect,
            TakeBackAndLend: counter_actions.take_back_and_lend,
        }
        self._run(intent, lambda: runners[type(intent)](self.ctx, intent))

    def _run(self, intent, action) -> None:  # noqa: ANN001
        """Carry out ``action`` on the database thread; the next scan waits for its answer."""
        self._busy = True
        self.ctx.db.submit(
            action,
            lambda outcome: self._done(intent, outcome),
            lambda exc: self._failed(exc),
        )

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, HelpdeskError | DatabaseAway):
            self._apply(self.flow.failed(str(exc)))
        else:
            self._apply(self.flow.failed(describe_failure("That action", exc)))
        self._pump()

    def _done(self, intent, outcome: counter_actions.Outcome) -> None:  # noqa: ANN001
        self._busy = False
        if outcome.tone == "good":
            self.feedback.good(self.message)
        else:
            self.feedback.refused(self.message)
        self._say(outcome.sentence, outcome.tone)
        if outcome.card is not None:
            self.card.show_view(outcome.card)
            self.card_code = outcome.code
        self.refresh_day()
        self.loans_changed.emit()
        for job in outcome.prints:
            counter_actions.print_in_background(self, job)
        self._apply(self.flow.done(intent))
        self._pump()

    # --- messages ----------------------------------------------------------------------------

    def _due_refusal(self, day: date) -> str | None:
        """The services' sentence for a due day the school's rules refuse, None when it may be
        used (or the settings are not read yet: the service says it then)."""
        if self.school is None:
            return None
        return self.school.due_refusal(
            datetime.combine(day, self.school.end_of_day), datetime.now()
        )

    def _refused(self, sentence: str) -> None:
        self._say(sentence, "bad")
        self.feedback.refused(self.message)
        # The same refusal again within a minute (a student flagged at the scan, then refused at
        # the loaner's; a code scanned twice) is one line in the day's log, not two.
        now = time.monotonic()
        last_sentence, last_at = self._last_refusal
        if sentence != last_sentence or now - last_at > REPEAT_REFUSAL_S:
            if not self.away.keeping:
                code = self.last_code
                self.ctx.db.submit(
                    lambda: counter_actions.keep_refusal(self.ctx, self.station, sentence, code),
                    lambda _none: self.refresh_day(),
                    lambda _exc: None,  # the log waits; the refusal is on screen
                )
        self._last_refusal = (sentence, now)

    def _clear_message(self) -> None:
        self.last_message, self.last_tone = "", ""
        self.message.clear()
        self.message.hide()

    def _say(self, sentence: str, tone: str) -> None:
        self.last_message, self.last_tone = sentence, tone
        self.message.setText(sentence)
        self.message.setProperty("tone", tone)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()

    def refresh_day(self) -> None:
        """Refill "At this counter today" from the audit log, with this session's print
        problems (which change no record) among them by time, newest first."""
        self.ctx.db.submit(
            lambda: counter_actions.day_lines(self.ctx, self.station),
            self._show_day,
            lambda _exc: None,  # the list waits for the next refresh
            key="counter-day",
        )

    def _show_day(self, logged: list) -> None:
        today = datetime.now().date()
        lines = [(x.at, x.line, "refused" if x.refused else "") for x in logged]
        lines += [(at, f"{at:%H:%M} {text}", "warn") for at, text in self.print_problems
                  if at.date() == today]  # fmt: skip
        lines.sort(key=lambda line: line[0], reverse=True)
        self.recent.set_lines([(text, tone) for _at, text, tone in lines])

    def print_failed(self, sentence: str) -> None:
        """A slip could not be printed (kept for a retry). The loan's own sentence stays: the
        printer's state is in the status bar (amber, with the kept jobs); the day list keeps a
        line."""
        self.print_problems.append((datetime.now(), f"Not printed: {sentence}"))
        self.refresh_day()

    # --- printing the last slip again -----------------------------------------------------------

    def print_last_slip(self) -> None:
        """The last slip or receipt printed (or kept) at this counter, made again from its
        record and sent to the slip printer."""
        job = self.last_slip
        if job is None:
            self._say("No slip has been printed at this counter yet.", "info")
            return
        self._say(f"Printing {job.title} again.", "info")
        counter_actions.print_in_background(self, job)
