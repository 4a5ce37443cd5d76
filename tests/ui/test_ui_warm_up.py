"""The window gives the counter its head start (services/counter/warm.py) as it opens, on its
database thread and never on the GUI thread; in inline mode, where jobs run on the GUI thread,
it gives none."""

from __future__ import annotations

import threading

import pytest

from helpdesk.services.counter import warm
from helpdesk.ui.main_window import MainWindow


def _noting(monkeypatch) -> list[str]:  # noqa: ANN001
    threads: list[str] = []
    real = warm.warm_up

    def noted(factory):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread().name)
        return real(factory)

    monkeypatch.setattr(warm, "warm_up", noted)
    return threads


def _window(qtbot, ctx) -> MainWindow:  # noqa: ANN001
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.threaded
def test_the_counter_is_warmed_up_on_the_database_thread(qtbot, ctx, monkeypatch) -> None:  # noqa: ANN001
    threads = _noting(monkeypatch)
    window = _window(qtbot, ctx)
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert window.ctx.db.wait(10_000)
    assert threads == ["helpdesk-db"]


def test_inline_there_is_no_warm_up_on_the_gui_thread(qtbot, ctx, monkeypatch) -> None:  # noqa: ANN001
    threads = _noting(monkeypatch)
    _window(qtbot, ctx)
    qtbot.wait(200)
    assert threads == []
