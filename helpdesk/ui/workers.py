"""Slow work off the GUI thread: run a plain function in a thread pool, get the answer by signal.

``Runner.submit(fn, on_done, on_error, key=...)`` runs ``fn()`` on a pool thread and calls
``on_done(result)`` or ``on_error(exc)`` back on the GUI thread. Work submitted under a ``key``
supersedes earlier work under the same key: a stale answer (an old search) is dropped, and the
old job's :class:`Cancel` token is set so a long loop can stop early.

A pool thread never calls Qt: it puts its answer (or progress) in the runner's mailbox, a plain
thread-safe queue, and a timer on the GUI thread empties it while work is out. Emitting a signal
from a thread Qt did not start, with Python objects to copy, takes Qt's and Python's locks in the
opposite order to the GUI thread's, and once in a long while the two wait for each other for
ever: the window would freeze with no error. The mailbox takes no Qt lock at all (the scanner's
threads answer the same way, see helpdesk/scanner/live.py).

``Runner(inline=True)`` runs each job on the calling thread inside ``submit`` instead (for tests
that are not about threading: no pool, so nothing is still running when a test looks). The answer
still goes through a queued signal and the same delivery code, so it arrives on a later turn of
the event loop exactly as a pool thread's would: a caller that sets its own state after
``submit`` still has done so when its callback runs, and a newer job under the same key still
makes the older answer stale.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot


class Cancel:
    """A flag a job may look at between steps to stop early."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()


class _Signals(QObject):
    finished = Signal(int, object, object)  # job id, result, exception
    progress = Signal(int, object)  # job id, progress value


PUMP_MS = 10  # while work is out, the GUI thread empties the mailbox this often


class _Job(QRunnable):
    def __init__(
        self,
        job_id: int,
        fn: Callable[..., Any],
        answer: Callable[[int, object, BaseException | None], None],
        kwargs: dict,
    ) -> None:
        super().__init__()
        self.job_id = job_id
        self.fn = fn
        self.answer = answer  # the mailbox's put (a pool thread), or the queued signal (inline)
        self.kwargs = kwargs
        self.setAutoDelete(True)

    def run(self) -> None:  # runs on a pool thread
        try:
            result = self.fn(**self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.answer(self.job_id, None, exc)
        else:
            self.answer(self.job_id, result, None)


class Runner(QObject):
    """Runs jobs on its own thread pool (or, ``inline``, on the calling thread) and reports back
    on the GUI thread through the event loop."""

    def __init__(
        self, parent: QObject | None = None, *, threads: int = 2, inline: bool = False
    ) -> None:
        super().__init__(parent)
        self.inline = inline
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._signals = _Signals(self)
        # Queued even when emitted on the GUI thread (inline): answers and progress always arrive
        # on a later turn of the event loop, never in the middle of ``submit``.
        queued = Qt.ConnectionType.QueuedConnection
        self._signals.finished.connect(self._finished, queued)
        self._signals.progress.connect(self._progress, queued)
        self._next_id = 0
        self._callbacks: dict[int, tuple[Callable | None, Callable | None, Callable | None]] = {}
        self._latest: dict[str, int] = {}
        self._cancels: dict[int, Cancel] = {}
        self._key_of: dict[int, str] = {}
        # answers and progress from pool threads: ("finished", id, result, exc) or
        # ("progress", id, value), emptied on the GUI thread by the pump
        self._mailbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
        self._pump = QTimer(self)
        self._pump.setInterval(PUMP_MS)
        self._pump.timeout.connect(self._empty_mailbox)

    def submit(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], object] | None = None,
        on_error: Callable[[BaseException], object] | None = None,
        *,
        key: str | None = None,
        on_progress: Callable[[Any], None] | None = None,
        with_cancel: bool = False,
        with_progress: bool = False,
    ) -> int:
        """Run ``fn`` off the GUI thread (inline: right here); returns the job id.

        With ``with_cancel`` the function gets ``cancel=Cancel``; with ``with_progress`` it gets
        ``progress=callable(value)`` that is safe to call from the pool thread.
        """
        self._next_id += 1
        job_id = self._next_id
        kwargs: dict[str, Any] = {}
        cancel = Cancel()
        if with_cancel:
            kwargs["cancel"] = cancel
        if with_progress:
            if self.inline:
                signals = self._signals
                kwargs["progress"] = lambda value: signals.progress.emit(job_id, value)
            else:
                mailbox = self._mailbox
                kwargs["progress"] = lambda value: mailbox.put(("progress", job_id, value))
        if key is not None:
            old = self._latest.get(key)
            if old is not None and old in self._cancels:
                self._cancels[old].set()
            self._latest[key] = job_id
            self._key_of[job_id] = key
        self._cancels[job_id] = cancel
        self._callbacks[job_id] = (on_done, on_error, on_progress)
        if self.inline:
            job = _Job(job_id, fn, self._signals.finished.emit, kwargs)
            job.run()  # the answer is queued; it is delivered when the event loop next turns
        else:
            job = _Job(job_id, fn, self._post_answer, kwargs)
            if not self._pump.isActive():
                self._pump.start()
            self._start(job)
        return job_id

    def _post_answer(self, job_id: int, result: object, exc: BaseException | None) -> None:
        """A pool thread's answer: into the mailbox, never through Qt."""
        self._mailbox.put(("finished", job_id, result, exc))

    def _empty_mailbox(self) -> None:
        """The pump (GUI thread): deliver what the threads have put in the mailbox, in order."""
        while True:
            try:
                message = self._mailbox.get_nowait()
            except queue.Empty:
                break
            self._deliver(message)
        self._pump_idle()

    def _deliver(self, message: tuple[Any, ...]) -> None:
        if message[0] == "progress":
            self._progress(message[1], message[2])
        else:
            self._finished(message[1], message[2], message[3])

    def _pump_idle(self) -> None:
        """With nothing out, the pump stops (a subclass with more to hear keeps it going)."""
        if not self._callbacks:
            self._pump.stop()

    def _start(self, job: _Job) -> None:
        self.pool.start(job)

    def busy(self) -> bool:
        return bool(self._callbacks)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every running job (used when closing); answers still come by the event
        loop."""
        return self.pool.waitForDone(msecs)

    @Slot(int, object)
    def _progress(self, job_id: int, value: object) -> None:
        callbacks = self._callbacks.get(job_id)
        if callbacks and callbacks[2] is not None and not self._is_stale(job_id):
            callbacks[2](value)

    def _is_stale(self, job_id: int) -> bool:
        key = self._key_of.get(job_id)
        return key is not None and self._latest.get(key) != job_id

    @Slot(int, object, object)
    def _finished(self, job_id: int, result: object, exc: BaseException | None) -> None:
        on_done, on_error, _ = self._callbacks.pop(job_id, (None, None, None))
        self._cancels.pop(job_id, None)
        stale = self._is_stale(job_id)
        key = self._key_of.pop(job_id, None)
        if key is not None and self._latest.get(key) == job_id:
            del self._latest[key]
        if stale:
            return
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                from helpdesk.ui.errors import report_unexpected

                report_unexpected(None, "A background task", exc)
            return
        if on_done is not None:
            on_done(result)
