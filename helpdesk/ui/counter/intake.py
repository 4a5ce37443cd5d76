"""How scans reach the counter's flow: in order, one at a time, through the window's database
thread; kept while the database is away; and the card on screen read again when something
changes elsewhere.

A scan (or Enter, or Esc) that arrives while the last one is still with the database waits in
``_inputs`` and is taken when the answer comes: the scan box and the camera never wait, and
nothing is taken out of order. While the database cannot be reached the inputs are kept by
:class:`~helpdesk.ui.counter.away.KeptScans` and acted on only when the person says so.
:class:`ScanIntake` is one part of :class:`~helpdesk.ui.counter.panel.CounterPanel`.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from helpdesk.domain.errors import HelpdeskError
from helpdesk.flows.counter import CounterFlow, Mode, Step
from helpdesk.ui.context import AppContext
from helpdesk.ui.counter import actions as counter_actions
from helpdesk.ui.counter.away import KeptScans
from helpdesk.ui.db_worker import BUSY, DOWN, OK, DatabaseAway
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.widgets.cards import CardWidget
from helpdesk.ui.widgets.due_field import DueField

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from helpdesk.ui.widgets.feedback import Feedback
    from helpdesk.ui.widgets.scan_box import ScanBox


class ScanIntake:
    """The counter's scans in order, the database away and back, changes made elsewhere."""

    ctx: AppContext
    flow: CounterFlow
    scan_box: ScanBox
    prompt: QLabel
    message: QLabel
    card: CardWidget
    stale_note: QLabel
    due_field: DueField
    feedback: Feedback
    card_shown: SignalInstance
    station: str
    last_step: Step | None
    last_code: str
    scan_started: float

    def _init_intake(self) -> None:
        self._inputs: deque[tuple[str, str]] = deque()  # scans, Enter and Esc waiting their turn
        self._busy = False  # a lookup or an action is with the database (or a dialog is open)
        self.away = KeptScans()
        self.card_code: str | None = None  # the code of the card on screen, to reload it
        self.card_stale = False  # changed elsewhere while the person was in the middle of it

    # what the panel itself does with a step, a refusal, a message
    def _apply(self, step: Step) -> None:
        raise NotImplementedError

    def _refused(self, sentence: str) -> None:
        raise NotImplementedError

    def _say(self, sentence: str, tone: str) -> None:
        raise NotImplementedError

    def _clear_message(self) -> None:
        raise NotImplementedError

    def _enter(self) -> None:
        raise NotImplementedError

    def _cancel(self) -> None:
        raise NotImplementedError

    def refresh_day(self) -> None:
        raise NotImplementedError

    # --- scans -------------------------------------------------------------------------------

    def handle_code(self, text: str) -> None:
        """A code from the scanner, the camera or the keyboard: taken in order, one at a time
        (a scan that arrives while the last one is still with the database waits its turn)."""
        code = text.strip()
        self.scan_box.clear()
        self._take(("code", code))

    def press_enter(self) -> None:
        """Enter on an empty scan box (taken in order with the scans before it)."""
        if self.away.asking:
            self._take_kept()
            return
        self._take(("enter", ""))

    def cancel(self) -> None:
        """Esc: back to the start (in order with the scans before it)."""
        if self.away.asking:
            self._discard_kept()
            return
        self._take(("cancel", ""))

    def idle(self) -> bool:
        """Nothing waits: no scan queued, none with the database, no job of the panel's."""
        return not self._busy and not self._inputs and not self.ctx.db.busy()

    # --- changes made elsewhere --------------------------------------------------------------

    def changed_elsewhere(self, changes: object) -> None:
        """A change made anywhere (another counter, the bench, the command line): the card on
        screen is read again, unless the person is in the middle of something with it; then it
        says so and is read again when they finish."""
        if changes is None or getattr(changes, "full_refresh", False):
            self.refresh_day()  # the database was away: the day's list may have missed lines
        if self.card_code is None:
            return
        if self._editing():
            self.card_stale = True
            self.stale_note.show()
            return
        self._reload_card()

    def _editing(self) -> bool:
        mode = self.last_step.mode if self.last_step is not None else Mode.IDLE
        return (
            self._busy
            or bool(self._inputs)
            or self.away.asking
            or self.due_field.isVisible()
            or mode not in (Mode.IDLE, Mode.STUDENT)
        )

    def _reload_card(self) -> None:
        code = self.card_code
        if code is None:
            return
        self.card_stale = False
        self.stale_note.hide()

        def show(looked_up: counter_actions.LookedUp) -> None:
            if self.card_code == code and not self._editing():
                self.card.show_view(looked_up.card)

        self.ctx.db.submit(
            lambda: counter_actions.look_up(self.ctx, code),
            show,
            lambda _exc: None,  # gone or away: the card stays as it was
            key="counter-reload",
        )

    # --- the database away and back ----------------------------------------------------------

    def database_state(self, state: str, sentence: str) -> None:
        """The database thread says the database went away, is busy, or answers again."""
        if state == DOWN:
            self.prompt.setText(self.away.went_away())
            self.prompt.setProperty("tone", "warn")
        elif state == OK and self.away.keeping:
            question = self.away.came_back()
            self.prompt.setProperty("tone", "")
            if question is None:
                self.prompt.setText(self.flow.current().prompt)
            else:
                self._say(question, "warn")
                self.prompt.setText(question)
        elif state == BUSY:
            self._say(sentence, "info")
        self.prompt.style().unpolish(self.prompt)
        self.prompt.style().polish(self.prompt)

    def _keep(self, item: tuple[str, str]) -> None:
        if not self.away.keeping:  # a lookup failed before the state arrived
            self.prompt.setText(self.away.went_away())
        self._say(self.away.keep(item), "warn")
        self.feedback.refused(self.message)

    def _take_kept(self) -> None:
        self._clear_message()
        self._inputs.extend(self.away.take())
        self.prompt.setText(self.flow.current().prompt)
        self._pump()

    def _discard_kept(self) -> None:
        sentence, codes = self.away.discard()
        self.prompt.setText(self.flow.current().prompt)
        self._say(sentence, "info")
        station, ctx = self.station, self.ctx
        self.ctx.db.submit(
            lambda: counter_actions.keep_refusal(
                ctx, station, "Discarded (kept while the database was away)", ", ".join(codes)
            ),
            lambda _none: self.refresh_day(),
            lambda _exc: None,
        )

    def _take(self, item: tuple[str, str]) -> None:
        if self.away.keeping:
            self._keep(item)
            return
        self._inputs.append(item)
        self._pump()

    def _pump(self) -> None:
        while not self._busy and self._inputs:
            kind, code = self._inputs.popleft()
            if self.away.keeping:
                self._keep((kind, code))
            elif kind == "code":
                self._scan(code)
            elif kind == "enter":
                self._enter()
            else:
                self._cancel()

    def _scan(self, code: str) -> None:
        self.scan_started = time.perf_counter()
        self._clear_message()
        self.last_code = code
        if not code:
            self._enter()
            return
        if len(code) == 1 and code.isalpha():
            self._apply(self.flow.command(code))
            return
        self._busy = True
        self.ctx.db.submit(
            lambda: counter_actions.look_up(self.ctx, code),
            lambda looked_up: self._looked_up(code, looked_up),
            lambda exc: self._lookup_failed(code, exc),
        )

    def _looked_up(self, code: str, looked_up: counter_actions.LookedUp) -> None:
        self._busy = False
        self.card_code = code
        self.card.show_view(looked_up.card)
        self.card.repaint()
        self.card_shown.emit(looked_up.card.kind)
        step = self.flow.scan(looked_up.facts)
        if step.refusal is None and step.intent is None:
            self.feedback.good(self.card)
        self._apply(step)
        self._pump()

    def _lookup_failed(self, code: str, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, DatabaseAway):
            self._keep(("code", code))
        elif isinstance(exc, HelpdeskError):
            self._refused(str(exc))
        else:
            self._refused(describe_failure("Looking up that code", exc))
        self._pump()
