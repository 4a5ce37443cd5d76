"""The job runner, inline and on its thread pool: where a job runs, and that its answer always
comes through the event loop, after ``submit`` has returned, with stale answers dropped."""

from __future__ import annotations

import threading

import pytest

from helpdesk.ui.workers import Runner


def test_inline_jobs_run_at_once_and_answer_through_the_event_loop(qtbot, qapp) -> None:  # noqa: ANN001
    runner = Runner(inline=True)
    ran_on: list[threading.Thread] = []
    answers: list[object] = []

    def job() -> int:
        ran_on.append(threading.current_thread())
        return 42

    runner.submit(job, answers.append)
    assert ran_on == [threading.current_thread()]  # already done, on this thread
    assert answers == [] and runner.busy()  # but the answer waits for the event loop
    assert runner.wait(0)  # nothing is left running
    qtbot.waitUntil(lambda: answers == [42], timeout=1000)
    assert not runner.busy()


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "threaded"])
def test_an_answer_comes_after_the_caller_has_finished_submitting(qtbot, inline) -> None:  # noqa: ANN001
    """A caller may set its own state after ``submit``: its callback still sees that state."""
    runner = Runner(inline=inline)
    state = {"busy": False}
    seen: list[bool] = []
    progress: list[tuple[str, bool]] = []

    def job(progress) -> str:  # noqa: ANN001
        progress("half")
        return "done"

    runner.submit(
        job,
        lambda result: seen.append(state["busy"]),
        on_progress=lambda value: progress.append((value, state["busy"])),
        with_progress=True,
    )
    state["busy"] = True
    qtbot.waitUntil(lambda: seen != [], timeout=5000)
    assert seen == [True] and progress == [("half", True)]


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "threaded"])
def test_a_newer_job_under_the_same_key_drops_the_older_answer(qtbot, inline) -> None:  # noqa: ANN001
    runner = Runner(inline=inline)
    answers: list[str] = []
    for text in ("P", "PE", "PER"):
        runner.submit(lambda text=text: text, answers.append, key="search")
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert answers == ["PER"]


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "threaded"])
def test_a_failing_job_hands_its_error_to_on_error(qtbot, inline) -> None:  # noqa: ANN001
    runner = Runner(inline=inline)
    errors: list[BaseException] = []
    done: list[object] = []

    def job() -> None:
        raise ValueError("The file is not a CSV file.")

    runner.submit(job, done.append, errors.append)
    qtbot.waitUntil(lambda: errors != [], timeout=5000)
    assert done == [] and str(errors[0]) == "The file is not a CSV file."


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "threaded"])
def test_a_failure_nobody_asked_about_is_reported(qtbot, monkeypatch, inline) -> None:  # noqa: ANN001
    import helpdesk.ui.errors

    reported: list[tuple[str, BaseException]] = []
    monkeypatch.setattr(
        helpdesk.ui.errors,
        "report_unexpected",
        lambda parent, what, exc: reported.append((what, exc)),
    )
    runner = Runner(inline=inline)
    runner.submit(lambda: 1 / 0)
    qtbot.waitUntil(lambda: reported != [], timeout=5000)
    assert reported[0][0] == "A background task"
    assert isinstance(reported[0][1], ZeroDivisionError)


@pytest.mark.threaded
def test_the_threaded_runner_works_off_the_gui_thread(qtbot, runner) -> None:  # noqa: ANN001
    """``@pytest.mark.threaded`` gives a test the real pool: a job that blocks leaves the GUI
    thread free, and its answer still arrives on the GUI thread."""
    assert not runner.inline
    release = threading.Event()
    ran_on: list[threading.Thread] = []
    answered_on: list[threading.Thread] = []

    def job() -> str:
        ran_on.append(threading.current_thread())
        release.wait(5)
        return "done"

    runner.submit(job, lambda result: answered_on.append(threading.current_thread()))
    assert runner.busy() and not answered_on  # submit came back while the job still waits
    release.set()
    qtbot.waitUntil(lambda: answered_on != [], timeout=5000)
    assert ran_on[0] is not threading.main_thread()
    assert answered_on == [threading.main_thread()]


def test_tests_get_the_inline_runner_unless_they_ask(runner) -> None:  # noqa: ANN001
    assert runner.inline


@pytest.mark.threaded
def test_pool_and_database_threads_answer_through_the_mailbox_not_qt(
    qtbot, session_factory
) -> None:  # noqa: ANN001
    """A thread Qt did not start never emits a signal: answers, progress, state and changes are
    put in the mailbox and handed over on the GUI thread (helpdesk/ui/workers.py)."""
    from PySide6.QtCore import Qt

    from helpdesk.ui.context import database_thread

    emitted_on: list[threading.Thread] = []

    def spy(*_args: object) -> None:
        emitted_on.append(threading.current_thread())

    runner = Runner(inline=False)
    db = database_thread(session_factory)
    for worker in (runner, db):
        for signal in (worker._signals.finished, worker._signals.progress):
            signal.connect(spy, Qt.ConnectionType.DirectConnection)
    db._relay.state.connect(spy, Qt.ConnectionType.DirectConnection)
    db._relay.changed.connect(spy, Qt.ConnectionType.DirectConnection)
    answers: list[object] = []
    progressed: list[object] = []
    delivered_on: list[threading.Thread] = []

    def answer(value: object) -> None:
        delivered_on.append(threading.current_thread())
        answers.append(value)

    def job(progress) -> str:  # noqa: ANN001
        progress("half")
        return threading.current_thread().name

    for worker in (runner, db):
        worker.submit(job, answer, with_progress=True, on_progress=progressed.append)
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=10_000)
    assert "helpdesk-db" in answers and progressed == ["half", "half"]
    assert all(thread is threading.main_thread() for thread in delivered_on)
    assert emitted_on == []  # nothing went through Qt from the threads
    db.stop(5000)
    assert runner.wait(5000)


def test_the_window_collects_garbage_on_the_gui_thread_only(qtbot) -> None:  # noqa: ANN001
    import gc
    import weakref

    from helpdesk.ui.collector import GuiThreadCollector

    class Cycle:
        pass

    collector = GuiThreadCollector()
    collector.start()
    try:
        assert not gc.isenabled()
        first = Cycle()
        first.me = first  # type: ignore[attr-defined]
        dead = weakref.ref(first)
        del first
        for _ in range(gc.get_threshold()[0] + 10):  # enough new objects for a collection
            loop = Cycle()
            loop.me = loop  # type: ignore[attr-defined]
        del loop
        assert dead() is not None  # nothing collects it by itself now
        qtbot.waitUntil(lambda: collector.collections > 0 and dead() is None, timeout=5000)
    finally:
        collector.stop()
    assert gc.isenabled()
