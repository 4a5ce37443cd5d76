"""The window's database thread: one thread, jobs in order, the GUI thread free while a call is
slow, the quiet "working" state, a busy file retried, a server that goes away and comes back."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from helpdesk.ui.db_worker import BUSY, DOWN, OK, DatabaseAway, DbWorker


@pytest.fixture
def worker(qapp):  # noqa: ANN001
    made: list[DbWorker] = []

    def make(**kwargs) -> DbWorker:  # noqa: ANN003
        w = DbWorker(**kwargs)
        made.append(w)
        return w

    yield make
    for w in made:
        w.stop(2000)


def test_jobs_run_on_one_thread_in_the_order_they_came(qtbot, worker) -> None:  # noqa: ANN001
    w = worker()
    threads: set[str] = set()
    answers: list[int] = []

    def job(n: int) -> int:
        threads.add(threading.current_thread().name)
        time.sleep(0.005 * (5 - n))  # later jobs are quicker: order must still hold
        return n

    for n in range(5):
        w.submit(lambda n=n: job(n), answers.append)
    qtbot.waitUntil(lambda: len(answers) == 5, timeout=5000)
    assert answers == [0, 1, 2, 3, 4]
    assert threads == {"helpdesk-db"}


def test_a_slow_call_leaves_the_gui_thread_free_and_shows_working(qtbot, worker) -> None:  # noqa: ANN001
    w = worker()
    states: list[bool] = []
    w.working.connect(states.append)
    done: list[str] = []
    ticks: list[float] = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    w.submit(lambda: time.sleep(0.6) or "slow", done.append)
    qtbot.waitUntil(lambda: done == ["slow"], timeout=5000)
    timer.stop()
    assert states == [True, False]
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 20 and max(gaps) < 0.1  # the event loop kept turning


def test_a_quick_call_never_shows_working(qtbot, worker) -> None:  # noqa: ANN001
    w = worker()
    states: list[bool] = []
    w.working.connect(states.append)
    done: list[int] = []
    w.submit(lambda: 1, done.append)
    qtbot.waitUntil(lambda: done == [1], timeout=2000)
    qtbot.wait(WAIT_PAST_WORKING_MS)
    assert states == []


WAIT_PAST_WORKING_MS = 400


def test_a_busy_file_is_retried_with_a_sentence(qtbot, worker, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "busy.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")

    def write() -> str:
        conn = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES (1)")
            conn.execute("COMMIT")
        finally:
            conn.close()
        return "written"

    def classify(exc: BaseException) -> str:
        return "busy" if "locked" in str(exc) else "other"

    w = worker(classify=classify)
    states: list[tuple[str, str]] = []
    w.state_changed.connect(lambda state, sentence: states.append((state, sentence)))
    done: list[str] = []
    w.submit(write, done.append)
    qtbot.waitUntil(lambda: bool(states) and states[0][0] == BUSY, timeout=3000)
    assert "another counter is saving" in states[0][1].lower()
    holder.execute("COMMIT")
    holder.close()
    qtbot.waitUntil(lambda: done == ["written"], timeout=5000)
    qtbot.waitUntil(lambda: states[-1][0] == OK, timeout=2000)


def test_a_server_that_goes_away_is_reported_and_found_again(qtbot, worker) -> None:  # noqa: ANN001
    up = threading.Event()

    class Away(Exception):
        pass

    def probe() -> None:
        if not up.is_set():
            raise Away("connection refused")

    w = worker(
        classify=lambda exc: "unreachable" if isinstance(exc, Away) else "other", probe=probe
    )
    states: list[str] = []
    w.state_changed.connect(lambda state, _sentence: states.append(state))
    refreshes: list[object] = []
    w.changed.connect(refreshes.append)
    errors: list[BaseException] = []

    def lookup() -> None:
        raise Away("connection refused")

    w.submit(lookup, on_error=errors.append)
    qtbot.waitUntil(lambda: errors != [], timeout=3000)
    assert isinstance(errors[0], DatabaseAway)
    assert "cannot be reached" in str(errors[0])
    qtbot.waitUntil(lambda: states == [DOWN], timeout=2000)
    came_back = time.monotonic()
    up.set()
    qtbot.waitUntil(lambda: states == [DOWN, OK], timeout=5000)
    assert time.monotonic() - came_back < 5
    qtbot.waitUntil(lambda: refreshes == [None], timeout=2000)  # a full refresh


def test_inline_jobs_still_answer_through_the_event_loop(qtbot, worker) -> None:  # noqa: ANN001
    w = worker(inline=True)
    answers: list[int] = []
    w.submit(lambda: 7, answers.append)
    assert answers == []
    qtbot.waitUntil(lambda: answers == [7], timeout=1000)


def test_an_action_whose_commit_got_no_answer_is_never_said_to_be_unsaved(qtbot, worker) -> None:  # noqa: ANN001
    """The server went away during the commit: the services' own sentence (it may have been
    saved) reaches the person unchanged, it is not retried, and the state turns to down."""
    from helpdesk.services.core.failures import OUTCOME_UNKNOWN, OutcomeUnknown

    tries: list[int] = []

    def commit_lost() -> None:
        tries.append(1)
        raise OutcomeUnknown(OUTCOME_UNKNOWN) from ConnectionError("server closed the connection")

    from helpdesk.services.core.failures import failure_kind

    w = worker(classify=failure_kind)
    states: list[str] = []
    w.state_changed.connect(lambda state, _sentence: states.append(state))
    errors: list[BaseException] = []
    w.submit(commit_lost, on_error=errors.append)
    qtbot.waitUntil(lambda: errors != [], timeout=3000)
    assert isinstance(errors[0], OutcomeUnknown) and "may or may not" in str(errors[0])
    assert "nothing was saved" not in str(errors[0])
    assert tries == [1]
    qtbot.waitUntil(lambda: states == [DOWN], timeout=2000)
