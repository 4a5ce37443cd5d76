"""The counter while its database is slow, away, or across a network: three figures, each printed
with its target and "ok" or "OVER", measured on the counter's own code path (a real MainWindow
whose database calls run on its one database thread, keyboard-wedge bursts typed into the scan
box with Enter, and a QTimer heartbeat for the GUI thread's longest stall).

    .venv/bin/python bench/ui/run.py --only database [--scans 20 --kept 5 --pg-scans 100]

(``--only slow``, ``--only away`` or ``--only network`` measures one of the three.)

1. slow database: every statement on the window's engine waits 0.5 s (a `before_cursor_execute`
   hook on the bench's SQLite file) while bursts of scans and a loan are taken: the GUI thread's
   longest stall (target <= 50 ms), and how long the scans took to be acted on (they queue);
2. server away: a PostgreSQL cluster of the bench's own (tests/pg_server.py) is halted under an
   open counter, scans are taken meanwhile (kept), and it is started again: the stall while
   down and while recovering (<= 50 ms), amber after halting (<= 2 s), "ok" after starting
   (<= 5 s). Without the server binaries this figure says why and is skipped;
3. scan to card on PostgreSQL through bench/netdelay.py (1 ms each way): p50 and p95 over
   students and devices (p95 <= 100 ms).

A stall over its target is printed with the GUI thread's stack while it lasted, so the callback
that took the time is named, with what the database thread was doing meanwhile (``--why`` prints
them under the target too; bench/ui/stall_watch.py). The window: bench/ui/counter_window.py.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "tests", ROOT / "bench", ROOT / "bench" / "ui"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from counter_window import (  # noqa: E402 - after the paths above
    close_window,
    context,
    escape,
    lendable,
    mixed,
    open_window,
    some_codes,
    type_code,
)
from stall_watch import StallWatch, in_thread, spent, stack_of  # noqa: E402

STALL_MS = 50.0  # the GUI thread's longest stall, slow or away
AMBER_S = 2.0  # halted to the status bar in amber
BACK_S = 5.0  # started again to the database's state "ok"
SCAN_P95_MS = 100.0  # PostgreSQL through the delay: scan to card shown, 95th percentile
DELAY_S = 0.5  # slow database: every statement waits this long
BURST = 5  # codes typed back to back, Enter after each, then a pause
BURST_GAP_MS = 300
WHY = {"always": False}  # --why: name where each longest stall was spent, ok or not


def _verdict(value: float, target: float, unit: str, places: int = 0) -> str:
    word = "ok" if value <= target else "OVER"
    return f"{value:.{places}f} {unit}  (target <= {target:g} {unit})  {word}"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- 1. the database slow ------------------------------------------------------------------------


def bench_slow(db: Path, scans: int, folder: Path) -> dict[str, object]:
    from run import pump, wait_until
    from sqlalchemy import event

    from helpdesk.db import make_session_factory

    factory = make_session_factory(f"sqlite:///{db}")
    engine = factory.kw["bind"]
    ctx = context(factory, f"SQLite: {db.name} (slow)", folder)
    window, panel = open_window(ctx)
    codes = some_codes(factory, scans)
    student, loaner = lendable(factory)
    on_gui_thread: list[str] = []

    def slow(*_args) -> None:  # noqa: ANN002
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(stack_of(sys._getframe(1)))
        time.sleep(DELAY_S)

    shown: list[float] = []
    panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
    pressed: list[float] = []
    watch = StallWatch()
    load = _load()
    event.listen(engine, "before_cursor_execute", slow)
    try:
        watch.start()
        started = time.perf_counter()
        for k in range(0, len(codes), BURST):
            escape(panel)
            for code in codes[k : k + BURST]:
                pressed.append(type_code(panel, code))
            pump(BURST_GAP_MS)
        escape(panel)  # then a loan: the student, a loaner, Enter
        pressed.append(type_code(panel, student))
        pressed.append(type_code(panel, loaner))
        type_code(panel, "")
        typed = time.perf_counter()
        lent = wait_until(lambda: "lent to" in panel.last_message, 600_000)
        finished = time.perf_counter()
        wait_until(panel.idle, 60_000)
        pump(300)
        stall = watch.stop()
    finally:
        event.remove(engine, "before_cursor_execute", slow)
        close_window(ctx, window)
    waits = [(s - p) for p, s in zip(pressed, shown, strict=False)]
    name = "slow database"
    figures: dict[str, object] = {
        f"{name}: SQLite, every statement waits": f"{DELAY_S * 1000:.0f} ms (load average {load})",
        f"{name}: GUI thread's longest stall": _verdict(stall, STALL_MS, "ms"),
        f"{name}: scans typed": f"{len(codes) + 2} in {typed - started:.1f} s, and a loan",
        f"{name}: scan acted on after its Enter, first / median / last s": (
            " / ".join(f"{w:.1f}" for w in (waits[0], statistics.median(waits), waits[-1]))
            if waits
            else "no card shown"
        ),
        f"{name}: the loan done, s after the last key": (
            f"{finished - typed:.1f}" if lent else f"not done: {panel.last_message!r}"
        ),
        f"{name}: statements run on the GUI thread": len(on_gui_thread),
    }
    if len(shown) < len(pressed):
        figures[f"{name}: cards shown"] = f"{len(shown)} of {len(pressed)}"
    if stall > STALL_MS or WHY["always"]:
        figures[f"{name}: longest stall spent in"] = spent(watch)
    if on_gui_thread:
        figures[f"{name}: first statement on the GUI thread"] = on_gui_thread[0]
    return figures


# --- 2. the server away --------------------------------------------------------------------------


def bench_away(kept: int, folder: Path) -> dict[str, object]:
    from build_db import build_url
    from pg_server import PgServer, PgUnavailable
    from run import pump, wait_until

    from helpdesk.db import make_session_factory

    name = "server away"
    try:
        server = PgServer.private()
    except PgUnavailable as exc:
        return {f"{name}": f"not measured: {exc}"}
    ctx = window = None
    try:
        url = server.create_database("helpdesk_bench_away")
        build_url(url, devices=2_000, students=400)
        factory = make_session_factory(url)
        ctx = context(factory, "PostgreSQL: away", folder)
        window, panel = open_window(ctx)
        codes = some_codes(factory, kept)
        shown: list[float] = []
        panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
        type_code(panel, codes[0])  # the counter in use before the server goes
        wait_until(lambda: len(shown) == 1, 10_000)
        wait_until(panel.idle, 10_000)
        load = _load()

        watch = StallWatch()
        watch.start()
        halt_started = time.perf_counter()
        amber_at: list[float] = []
        window.ctx.db.state_changed.connect(
            lambda state, _s: amber_at.append(time.perf_counter()) if state == "down" else None
        )
        halted = in_thread(server.halt)
        wait_until(lambda: window.db_label.property("tone") == "warn", 10_000)
        amber = (amber_at[0] if amber_at else time.perf_counter()) - halted
        for code in codes:
            escape(panel)
            type_code(panel, code)
        wait_until(lambda: len(panel.away.codes()) == len(codes), 10_000)
        kept_count = len(panel.away.codes())
        pump(1000)
        stall_down = watch.stop()
        worst_down = watch.worst()

        watch.start()
        resume_started = time.perf_counter()
        resumed = in_thread(server.resume)
        wait_until(lambda: ctx.db.state == "ok", 30_000)
        back = time.perf_counter() - resumed
        asked = wait_until(lambda: panel.away.asking, 10_000)
        before = len(shown)
        type_code(panel, "")  # Enter: act on the kept scans
        acted = wait_until(lambda: len(shown) >= before + len(codes), 30_000)
        wait_until(panel.idle, 30_000)
        pump(500)
        stall_back = watch.stop()
        worst_back = watch.worst()
    except PgUnavailable as exc:
        return {f"{name}": f"not measured: {exc}"}
    finally:
        if ctx is not None and window is not None:
            close_window(ctx, window)
        server.stop()
    figures: dict[str, object] = {
        f"{name}: private PostgreSQL halted, then started": (
            f"pg_ctl stop took {halted - halt_started:.1f} s (load average {load})"
        ),
        f"{name}: halted to amber": (
            _verdict(max(0.0, amber), AMBER_S, "s", 1)
            + ("  (amber while it was stopping)" if amber < 0 else "")
        ),
        f"{name}: GUI thread's longest stall while down": _verdict(stall_down, STALL_MS, "ms"),
        f"{name}: scans kept while down": f"{kept_count} of {len(codes)}",
        f"{name}: started to state ok": _verdict(back, BACK_S, "s", 1)
        + f"  (pg_ctl start took {resumed - resume_started:.1f} s before)",
        f"{name}: GUI thread's longest stall while recovering": _verdict(
            stall_back, STALL_MS, "ms"
        ),
        f"{name}: kept scans acted on after Enter": (
            "all" if asked and acted else f"asked {asked}, acted {acted}"
        ),
    }
    if stall_down > STALL_MS or WHY["always"]:
        figures[f"{name}: longest stall while down spent in"] = spent(worst_down)
    if stall_back > STALL_MS or WHY["always"]:
        figures[f"{name}: longest stall while recovering spent in"] = spent(worst_back)
    return figures


# --- 3. scan to card across a network ------------------------------------------------------------


def bench_network(scans: int, devices: int, students: int, folder: Path) -> dict[str, object]:
    from build_db import build_url
    from netdelay import DelayProxy, proxied_url, target_of
    from pg_server import PgServer, PgUnavailable
    from run import pump, wait_until

    from helpdesk.db import make_session_factory

    name = "PostgreSQL +1 ms each way"
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        return {f"{name}": f"not measured: {exc}"}
    database = server.new_name("benchui")
    proxy = DelayProxy()
    ctx = window = None
    try:
        url = server.create_database(database)
        built = build_url(url, devices=devices, students=students)
        host, port = target_of(url)
        lan = proxied_url(url, proxy.start(target_host=host, target_port=port, delay_ms=1.0))
        factory = make_session_factory(lan)
        ctx = context(factory, "PostgreSQL: through the proxy", folder)
        window, panel = open_window(ctx)
        codes = mixed(some_codes(factory, scans + 2))
        shown: list[float] = []
        panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
        load = _load()
        times: list[float] = []
        watch = StallWatch()
        watch.start()
        for k, code in enumerate(codes):
            wait_until(panel.idle, 10_000)
            pump(20)  # a person between two scans
            escape(panel)
            before = len(shown)
            pressed = type_code(panel, code)
            if wait_until(lambda b=before: len(shown) > b, 10_000) and k >= 2:  # 2 to warm up
                times.append((shown[-1] - pressed) * 1000)
        stall = watch.stop()
    finally:
        if ctx is not None and window is not None:
            close_window(ctx, window)
        proxy.stop()
        server.drop_database(database)
        server.stop()
    if not times:
        return {f"{name}: scan to card shown": "no cards shown"}
    p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
    return {
        f"{name}: database": (
            f"{devices:,} devices, {students:,} students, built in {built:.0f} s "
            f"(load average {load})"
        ),
        f"{name}: scan to card shown, p50": f"{statistics.median(times):.1f} ms  "
        f"({len(times)} scans of students and devices)",
        f"{name}: scan to card shown, p95": _verdict(p95, SCAN_P95_MS, "ms", 1),
        f"{name}: GUI thread's longest stall": f"{stall:.0f} ms",
    } | ({f"{name}: longest stall spent in": spent(watch)} if WHY["always"] else {})


PARTS = ("slow", "away", "network")


def bench_database(
    db: Path,
    *,
    scans: int,
    kept: int,
    pg_scans: int,
    devices: int,
    students: int,
    parts: tuple[str, ...] = PARTS,
    why: bool = False,
) -> dict[str, object]:
    """The figures of ``parts`` (each with its target and ok / OVER, and the load it ran under);
    ``why``: where each longest stall was spent, under its target too."""
    WHY["always"] = why
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-bench-db-"))
    figures: dict[str, object] = {}
    if "slow" in parts:
        figures.update(bench_slow(db, scans, folder))
    if "away" in parts:
        figures.update(bench_away(kept, folder))
    if "network" in parts:
        figures.update(bench_network(pg_scans, devices, students, folder))
    return figures
