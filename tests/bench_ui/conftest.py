"""Fixtures of the bench window tests: the small school of ``bench_ui_school`` on a real SQLite
file, the panels' shared context acting as the technician, and the bench panel."""

from __future__ import annotations

import pytest
from bench_ui_school import BenchSchool, build_bench_school


@pytest.fixture
def bench_school(session_factory, sqlite_url, tmp_path) -> BenchSchool:  # noqa: ANN001
    ids = build_bench_school(session_factory)
    return BenchSchool(
        url=sqlite_url,
        folder=str(tmp_path / "photos"),
        anna_ticket=ids["anna"],
        ben_ticket=ids["ben"],
        cara_ticket=ids["cara"],
        cancelled_ticket=ids["cancelled"],
    )


@pytest.fixture
def bench_ctx(session_factory, qapp, runner):  # noqa: ANN001
    """What the panels share, on the test's SQLite file, acting as the technician (jobs inline
    unless the test is ``@pytest.mark.threaded``)."""
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style

    apply_style(qapp)
    context = AppContext(
        factory=session_factory, actor="mwright", database="SQLite: test", runner=runner
    )
    yield context
    runner.wait(10000)
    qapp.processEvents()


@pytest.fixture
def manager_ctx(bench_ctx):  # noqa: ANN001
    """The same context acting as the manager 'boss' (money and write-offs are a manager's)."""
    import dataclasses

    return dataclasses.replace(bench_ctx, actor="boss")


@pytest.fixture
def bench_panel(bench_ctx, bench_school, qtbot):  # noqa: ANN001
    from helpdesk.ui.bench.panel import BenchPanel

    panel = BenchPanel(bench_ctx)
    qtbot.addWidget(panel)
    panel.resize(1300, 800)
    panel.show()
    panel.activated()
    qtbot.waitUntil(lambda: panel.queue is not None, timeout=10000)
    yield panel
    panel.timer.stop()
    for page in list(panel.pages):
        page.close()
