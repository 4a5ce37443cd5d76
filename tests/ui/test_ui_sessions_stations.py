"""The Sessions area with real threads: two stations (two windows, each on its own engine, on
one SQLite file or one PostgreSQL database) on one pickup see each other's progress within 2 s;
and 50 students through the scan screen with keyboard-wedge bursts, the screen ready for the next
student within 300 ms of the laptop scan (p95, measured from the Enter to the result shown and
the scan box ready again), and the laptop's label and agreement handed to the print queue within
2 s (each student steps up once the one before has them, as at a desk).

Screenshots of the two stations go to docs/screens/ when HELPDESK_SCREENS is set.
"""

from __future__ import annotations

import statistics
import time

import pytest
from PySide6.QtCore import Qt
from test_ui_sessions import FORM, add_pickup_form, pdf_shot, shot, wedge, wedge_keys
from ui.conftest import build_small_school

pytestmark = pytest.mark.threaded
READY_MS = 300
PRINTED_MS = 2000  # a student is at the desk longer than this


def _station(qtbot, url: str, name: str):  # noqa: ANN001, ANN202
    """A window of its own (its own engine, database thread and watcher) showing Sessions."""
    from helpdesk.db import make_session_factory
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.workers import Runner

    ctx = AppContext(make_session_factory(url), "admin", name, Runner())
    ctx.machine.sounds = False
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1400, 820)
    window.show()
    window.show_area("sessions")
    panel = window.panel("sessions")
    panel.scan_screen.station = name
    return ctx, window, panel


def _close(stations) -> None:  # noqa: ANN001
    for ctx, window, _panel in stations:
        window.close()
        ctx.db.stop(5000)
        ctx.runner.wait(10_000)
        ctx.factory.kw["bind"].dispose()


def test_two_stations_see_each_others_progress_within_two_seconds(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    _two_stations(qtbot, ctx.factory, school.url, tmp_path, pictures=True)


@pytest.mark.postgres
def test_two_stations_on_postgresql(qtbot, qapp, pg_session_factory, tmp_path):  # noqa: ANN001
    build_small_school(pg_session_factory)
    url = pg_session_factory.kw["bind"].url.render_as_string(hide_password=False)
    _two_stations(qtbot, pg_session_factory, url, tmp_path, pictures=False)


def _two_stations(qtbot, factory, url: str, tmp_path, *, pictures: bool) -> None:  # noqa: ANN001
    from helpdesk.services import sessions

    pupils = add_pickup_form(factory, 6)
    others = add_pickup_form(factory, 4, form="7Q")
    started = sessions.start_session(factory, "admin", "pickup", year=7, name="Year 7 pickup")
    first, of = started.done, started.expected  # Anna (7A) is in year 7 too

    def shows(screen, done: int) -> bool:  # noqa: ANN001
        return screen.progress.overall.format() == f"{first + done} / {of}"

    stations = [_station(qtbot, url, name) for name in ("Station 1", "Station 2")]
    try:
        (_c1, _w1, one), (_c2, w2, two) = stations
        for panel in (one, two):
            qtbot.waitUntil(lambda p=panel: p.table.rowCount() == 1, timeout=10_000)
            panel.table.selectRow(0)
            qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # join the open session
            assert panel.scan_screen.session is not None
            assert panel.scan_screen.session.code == started.code

        a, b = one.scan_screen, two.scan_screen
        for card, _name, tag in pupils[:2]:
            wedge(qtbot, a, card)
            wedge(qtbot, a, tag)
        since = time.monotonic()
        qtbot.waitUntil(lambda: shows(b, 2), timeout=2000)
        seen_after = time.monotonic() - since
        assert b.progress.group_text(FORM) == f"{FORM}  2/6"
        assert b.progress.group_text("7Q") == "7Q  0/4"

        # station 2 is in the middle of a student when station 1 scans: its place is kept
        card3, name3, tag3 = pupils[2]
        wedge(qtbot, b, card3)
        card4, _name4, tag4 = pupils[3]
        wedge(qtbot, a, card4)
        wedge(qtbot, a, tag4)
        qtbot.waitUntil(lambda: shows(b, 3), timeout=2000)
        assert b.prompt.text() == f"Now scan the laptop for {name3} ({FORM})"
        wedge(qtbot, b, tag3)
        assert b.outcome == "done"
        card5, _name5, tag5 = others[0]
        wedge(qtbot, b, card5)
        wedge(qtbot, b, tag5)
        qtbot.waitUntil(lambda: shows(a, 5), timeout=2000)
        assert a.progress.group_text("7Q") == "7Q  1/4"
        recent = [a.progress.recent_list.item(i).text()
                  for i in range(a.progress.recent_list.count())]  # fmt: skip
        assert "[Station 2]" in recent[0]
        print(f"\nthe other station saw the progress after {seen_after * 1000:.0f} ms")
        wedge(qtbot, a, others[1][0])  # station 1 is waiting for a laptop in the picture
        if not pictures:
            return
        shot(one, "sessions-pickup-station-1.png")
        shot(w2, "sessions-pickup-station-2.png")
        printed = tmp_path / "still-to-collect.pdf"
        one.save_missing(str(printed))
        qtbot.waitUntil(printed.exists, timeout=10_000)
        pdf_shot(printed, "sessions-missing-list")
    finally:
        _close(stations)


def test_fifty_students_the_screen_is_ready_for_the_next_within_300_ms(qtbot, ctx, school):  # noqa: ANN001
    from helpdesk.services import sessions

    pupils = add_pickup_form(ctx.factory, 50)
    sessions.start_session(ctx.factory, "admin", "pickup", form=FORM)
    stations = [_station(qtbot, school.url, "Station 1")]
    try:
        _ctx, _window, panel = stations[0]
        qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=10_000)
        panel.join_selected()
        screen = panel.scan_screen
        station = stations[0][0]
        ready: list[float] = []
        printed: list[float] = []
        for card, name, tag in pupils:
            wedge(qtbot, screen, card)
            assert screen.prompt.text() == f"Now scan the laptop for {name} ({FORM})", (
                screen.sentence.text()
            )
            wedge_keys(qtbot, screen, tag)
            marks: list[float] = []
            screen.result_shown.connect(lambda _o, m=marks: m.append(time.perf_counter()))
            start = time.perf_counter()
            with qtbot.waitSignal(screen.result_shown, timeout=10_000):
                qtbot.keyClick(screen.scan_box, Qt.Key.Key_Return)
            screen.result_shown.disconnect()
            assert screen.outcome == "done", screen.sentence.text()
            assert screen.idle() and screen.scan_box.hasFocus() and screen.scan_box.text() == ""
            assert screen.prompt.text() == "Scan a student card"
            ready.append((marks[0] - start) * 1000)
            # the student takes the laptop once its label and agreement are printed: the next
            # steps up when the station's work is handed to the print queue
            sent = panel.paper.jobs_sent
            qtbot.waitUntil(
                lambda s=sent: (
                    panel.paper.jobs_sent == s + 2
                    and not (station.db.busy() or station.runner.busy())
                ),
                timeout=10_000,
            )
            printed.append((time.perf_counter() - start) * 1000)
        print()
        for what, times, limit in (
            ("ready for the next student", ready, READY_MS),
            ("label and agreement queued", printed, PRINTED_MS),
        ):
            times.sort()
            p50, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
            print(
                f"50 students, {what} after the laptop scan: p50 {p50:.0f} ms, "
                f"p95 {p95:.0f} ms, worst {times[-1]:.0f} ms"
            )
            assert p95 <= limit, what  # fmt: skip
        status = sessions.session_status(ctx.factory, "admin", screen.session.code)
        assert (status.session.done, status.session.expected) == (50, 50)
    finally:
        _close(stations)
