"""The window's one database thread: every database call from the window goes through it.

Anki's model: one thread owns the work with the database; the GUI thread submits a plain function
(``submit(fn, on_done, on_error, key=...)``, the same as :class:`Runner`) and gets the answer back
by signal, in the order the work was submitted. The GUI thread never waits on the database: a
locked SQLite file or a server that stops answering holds this thread, not the window.

Besides the jobs, the thread looks after three things the window shows:

- **working**: a call still running after 300 ms emits ``working(True)`` (a quiet "working"
  state), and ``working(False)`` once the queue is empty again;
- **the database's state**: ``state_changed(state, sentence)`` with ``state`` one of ``ok``,
  ``busy`` (SQLite: another counter holds the write lock; the job is retried) or ``down`` (the
  server cannot be reached). When down, the thread tries the database again every second and says
  ``ok`` as soon as it answers, and ``changed`` with a full refresh follows;
- **changes made elsewhere**: between jobs the thread asks the change watcher (PostgreSQL
  LISTEN/NOTIFY, SQLite ``PRAGMA data_version``) and emits ``changed(changes)``.

The thread never calls Qt: its answers, progress, state and changes go into the runner's mailbox
(see :mod:`helpdesk.ui.workers`), which a timer on the GUI thread empties: every 10 ms while work
is out, every 100 ms while the thread only watches.

Inline (the tests that are not about threads), jobs run inside ``submit`` as :class:`Runner`'s do;
the state and the changes are then only what the jobs themselves meet.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from helpdesk.domain.errors import HelpdeskError
from helpdesk.ui.workers import PUMP_MS, Runner, _Job

log = logging.getLogger("helpdesk.ui.db")

WORKING_AFTER_MS = 300  # a call longer than this shows the quiet "working" state
RETRY_BUSY_S = 0.25  # SQLite: wait this long before trying a locked file again
BUSY_TRIES = 40  # ... and give up after this many tries (with the file's own wait, ~1 min)
PROBE_EVERY_S = 1.0  # when the server is away: try it again this often
WATCH_EVERY_S = 0.25  # between jobs: ask the change watcher this often
IDLE_PUMP_MS = 100  # with nothing out: how often the GUI thread looks for state and changes

OK, BUSY, DOWN = "ok", "busy", "down"
BUSY_SENTENCE = "Another counter is saving; retrying."
DOWN_SENTENCE = "The database cannot be reached; scans are kept until it is back."


class DatabaseAway(Exception):
    """The job could not reach the database (the server is down or does not answer); nothing
    was written by it. ``str()`` is one sentence for the person."""


class _Changes(QObject):
    state = Signal(str, str)
    changed = Signal(object)


class DbWorker(Runner):
    """One thread for every database call of one window (see the module's text)."""

    working = Signal(bool)
    state_changed = Signal(str, str)  # state, sentence
    changed = Signal(object)  # what the change watcher reported (tables, full refresh)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        inline: bool = False,
        classify: Callable[[BaseException], str] | None = None,
        probe: Callable[[], object] | None = None,
        watcher: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent, threads=1, inline=inline)
        self.classify = classify or (lambda exc: "other")
        self.probe = probe
        self.make_watcher = watcher
        self.state = OK
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._relay = _Changes()
        self._relay.state.connect(self._state_arrived)
        self._relay.changed.connect(self.changed)
        self._working_timer = QTimer(self)
        self._working_timer.setSingleShot(True)
        self._working_timer.setInterval(WORKING_AFTER_MS)
        self._working_timer.timeout.connect(self._still_working)
        self._working = False
        self._thread: threading.Thread | None = None
        if not inline:
            self._pump.setInterval(IDLE_PUMP_MS)
            self._pump.start()  # state and changes arrive with no job out
            self._thread = threading.Thread(target=self._loop, name="helpdesk-db", daemon=True)
            self._thread.start()

    # --- the GUI side --------------------------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        if not self.inline and not self._stopping.is_set():
            self._pump.setInterval(PUMP_MS)
        job_id = super().submit(self._guarded(fn), *args, **kwargs)
        if not self._working_timer.isActive() and not self._working:
            self._working_timer.start()
        return job_id

    def _start(self, job: _Job) -> None:
        self._idle.clear()
        self._queue.put(job)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait until every submitted job has run (answers still come by the event loop)."""
        if self._thread is None:
            return True
        deadline = time.monotonic() + msecs / 1000
        while time.monotonic() < deadline:
            if self._idle.wait(0.05) and self._queue.empty():
                return True
        return False

    def stop(self, msecs: int = 5000) -> None:
        """Finish what is queued, then end the thread (the window is closing)."""
        self.wait(msecs)
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(msecs / 1000)

    def _pump_idle(self) -> None:
        """Nothing out: keep listening for state and changes, slower (until the thread ends)."""
        if self._callbacks:
            return
        if self._stopping.is_set():
            self._pump.stop()
        else:
            self._pump.setInterval(IDLE_PUMP_MS)

    def _deliver(self, message: tuple[Any, ...]) -> None:
        if message[0] == "state":
            self._state_arrived(message[1], message[2])
        elif message[0] == "changed":
            self.changed.emit(message[1])
        else:
            super()._deliver(message)

    def _tell(self, *message: Any) -> None:
        """State or changes for the GUI thread: through the mailbox from the database thread;
        inline (on the GUI thread already) through the relay's queued signals."""
        if self.inline:
            if message[0] == "state":
                self._relay.state.emit(message[1], message[2])
            else:
                self._relay.changed.emit(message[1])
        else:
            self._mailbox.put(message)

    def _still_working(self) -> None:
        if self.busy():
            self._working = True
            self.working.emit(True)

    def _finished(self, job_id: int, result: object, exc: BaseException | None) -> None:
        super()._finished(job_id, result, exc)
        if not self.busy():
            self._working_timer.stop()
            if self._working:
                self._working = False
                self.working.emit(False)

    def _state_arrived(self, state: str, sentence: str) -> None:
        if state == self.state and state != BUSY:
            return
        self.state = state
        self.state_changed.emit(state, sentence)

    # --- the database thread --------------------------------------------------------------------

    def _guarded(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` with SQLite's busy file retried and an unreachable server turned into
        :class:`DatabaseAway` (and the state set to down)."""

        def run(**kwargs: Any) -> Any:
            tries = 0
            while True:
                try:
                    result = fn(**kwargs)
                except Exception as exc:
                    kind = self.classify(exc)
                    if isinstance(exc, HelpdeskError):
                        # The services' own sentence (a refusal; or OutcomeUnknown: the server
                        # went away while committing, so the action may have been saved): never
                        # retried and never reworded as "nothing was saved".
                        if kind == "unreachable":
                            self._tell("state", DOWN, DOWN_SENTENCE)
                        raise
                    if kind == "busy" and tries < BUSY_TRIES and not self._stopping.is_set():
                        tries += 1
                        self._tell("state", BUSY, BUSY_SENTENCE)
                        time.sleep(RETRY_BUSY_S)
                        continue
                    if kind == "unreachable":
                        log.warning("the database cannot be reached: %s", exc)
                        self._tell("state", DOWN, DOWN_SENTENCE)
                        raise DatabaseAway(
                            "The database cannot be reached, so nothing was saved; "
                            "the counter carries on once it is back."
                        ) from exc
                    if tries:
                        self._tell("state", OK, "")
                    raise
                if tries or self.state != OK:
                    self._tell("state", OK, "")
                return result

        return run

    def _loop(self) -> None:
        watcher = None
        if self.make_watcher is not None:
            # Listening starts before the first job: a change made while the window reads what
            # it shows first is heard, not missed.
            try:
                watcher = self.make_watcher()
            except Exception as exc:  # noqa: BLE001 - tried again between jobs
                log.warning("watching for changes could not start: %s", exc)
        next_watch = 0.0
        next_probe = 0.0
        down = False
        while not self._stopping.is_set():
            try:
                job = self._queue.get(timeout=WATCH_EVERY_S)
            except queue.Empty:
                job = None
                self._idle.set()
            if job is not None:
                job.run()
                if self._queue.empty():
                    self._idle.set()
                continue
            if self._stopping.is_set():
                break
            now = time.monotonic()
            down = self.state == DOWN
            if down and self.probe is not None and now >= next_probe:
                next_probe = now + PROBE_EVERY_S
                try:
                    self.probe()
                except Exception as exc:  # noqa: BLE001 - still away: try again later
                    log.debug("the database is still away: %s", exc)
                    continue
                log.info("the database answers again")
                self._tell("state", OK, "")
                self._tell("changed", None)  # a full refresh: changes were missed
                continue
            if down or self.make_watcher is None or now < next_watch:
                continue
            next_watch = now + WATCH_EVERY_S
            try:
                if watcher is None:
                    watcher = self.make_watcher()
                changes = watcher.poll(0)
            except Exception as exc:  # noqa: BLE001 - the watcher's server went away
                if self.classify(exc) == "unreachable":
                    self._tell("state", DOWN, DOWN_SENTENCE)
                else:
                    log.warning("watching for changes failed: %s", exc)
                    next_watch = now + 5 * PROBE_EVERY_S
                continue
            if changes is not None:
                self._tell("changed", changes)
        if watcher is not None:
            try:
                watcher.close()
            except Exception:  # noqa: BLE001, S110 - closing on the way out
                pass
