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

A stall over its target is printed with the GUI thread's stack while it lasted (a thread samples
it whenever the heartbeat is late), so the callback that took the time is named, with what the
database thread was doing meanwhile (``--why`` prints them under the target too). A stack that
ends in the bench's own ``pump`` or ``wait_until`` means the time went inside Qt's event handling
(painting, layout: C++, out of Python's sight) or to waiting for a CPU.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for _path in (ROOT, ROOT / "tests", ROOT / "bench", ROOT / "bench" / "ui"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

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


class StallWatch:
    """A heartbeat on the GUI thread and a sampler thread: while the heartbeat is late by more
    than ``after_ms`` the GUI thread's stack is noted, so the longest stall can be named."""

    def __init__(self, after_ms: float = 20.0) -> None:
        from run import Heartbeat

        self.beat = Heartbeat()
        self.after = after_ms / 1000
        self.samples: list[tuple[float, str]] = []  # (the tick before the stall, the stack)
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.samples = []
        self.beat.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True, name="stall-watch")
        self._thread.start()

    def stop(self) -> float:
        """The longest stall in ms."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.beat.stop()

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            last = self.beat._last
            if last is None or time.perf_counter() - last < self.after:
                continue
            frames = sys._current_frames()
            frame = frames.get(self._main)
            if frame is None:
                continue
            stack = _stack(frame)
            for thread in threading.enumerate():  # what the database thread did meanwhile
                other = frames.get(thread.ident or 0)
                if thread.name == "helpdesk-db" and other is not None:
                    stack += f"\n      | database thread: {_stack(other, 2)}"
            self.samples.append((last, stack))

    def worst(self) -> list[str]:
        """Where the GUI thread was during its longest sampled stall, most seen first."""
        if not self.samples:
            return ["(no stack sampled: the stall was shorter than the sampling)"]
        stalls = Counter(start for start, _stack in self.samples)
        start, _n = stalls.most_common(1)[0]
        stacks = Counter(stack for at, stack in self.samples if at == start)
        return [f"{n} x {stack}" for stack, n in stacks.most_common(3)]


def _spent(watch: StallWatch | list[str]) -> str:
    lines = watch.worst() if isinstance(watch, StallWatch) else watch
    return "\n    " + "\n    ".join(lines)


def _stack(frame, depth: int = 6) -> str:  # noqa: ANN001
    """The project's frames of a stack, innermost first (the rest is Qt and the library); the
    innermost frame of all in brackets when it is not the project's."""
    frames = traceback.extract_stack(frame)
    mine = [f for f in frames if str(ROOT) in f.filename and ".venv" not in f.filename]
    inner = frames[-1]
    parts = [
        f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}" for f in mine[::-1][:depth]
    ]
    if inner not in mine:
        parts.insert(0, f"[{Path(inner.filename).name}:{inner.lineno} {inner.name}]")
    return " < ".join(parts)


def _in_thread(fn: Callable[[], object]) -> float:
    """Run ``fn`` on a thread while the GUI thread goes on; the time it finished."""
    from run import wait_until

    done: list[BaseException | None] = []

    def run() -> None:
        try:
            fn()
            done.append(None)
        except BaseException as exc:  # noqa: BLE001 - raised again on the GUI thread
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_until(lambda: bool(done), 120_000)
    finished = time.perf_counter()
    if done and done[0] is not None:
        raise done[0]
    return finished


# --- the window -----------------------------------------------------------------------------------


def _context(factory, name: str, folder: Path):  # noqa: ANN001, ANN202
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.machine_settings import MachineSettings
    from helpdesk.ui.workers import Runner

    machine = MachineSettings(str(folder / f"machine-{time.monotonic_ns()}.ini"))
    machine.sounds = False
    machine.print_slips = False
    return AppContext(
        factory=factory, actor="admin", database=name, runner=Runner(), machine=machine
    )


def _window(ctx):  # noqa: ANN001, ANN202
    from run import wait_until

    from helpdesk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    window.show()
    panel = window.panel("counter")
    wait_until(panel.idle, 30_000)
    return window, panel


def _close(ctx, window) -> None:  # noqa: ANN001
    window.close()
    ctx.db.stop(10_000)
    ctx.runner.wait(10_000)
    ctx.factory.kw["bind"].dispose()


def _type(panel, code: str) -> float:  # noqa: ANN001
    """A keyboard-wedge burst: the code's keys and Enter; the time Enter was pressed."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClicks(panel.scan_box, code)
    pressed = time.perf_counter()
    QTest.keyClick(panel.scan_box, Qt.Key.Key_Return)
    return pressed


def _escape(panel) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(panel.scan_box, Qt.Key.Key_Escape)


def _codes(factory, n: int) -> list[str]:  # noqa: ANN001
    """Devices not out on loan, then students (a device after a student would be a refusal,
    a student's own laptop after them a swap): ``n`` codes spread through the tables."""
    from sqlalchemy import text

    with factory() as session:
        count = session.execute(text("SELECT count(*) FROM students")).scalar_one()
        students = list(
            session.execute(
                text("SELECT card_code FROM students ORDER BY id LIMIT :n OFFSET :skip"),
                {"n": n - n // 2, "skip": count // 3},
            ).scalars()
        )
        devices = list(
            session.execute(
                text(
                    "SELECT asset_tag FROM devices WHERE status <> 'on_loan' "
                    "ORDER BY id DESC LIMIT :n OFFSET :skip"
                ),
                {"n": n // 2, "skip": count // 7},
            ).scalars()
        )
    return devices + students


def _mixed(codes: list[str]) -> list[str]:
    half = len(codes) // 2
    devices, students = codes[:half], codes[half:]
    out: list[str] = []
    for k in range(max(len(devices), len(students))):
        out += students[k : k + 1] + devices[k : k + 1]
    return out


def _lendable(factory) -> tuple[str, str]:  # noqa: ANN001
    """A student with no open loan and a loaner in stock, for a loan."""
    from sqlalchemy import text

    with factory() as session:
        student = session.execute(
            text(
                "SELECT card_code FROM students s WHERE status = 'active' AND NOT EXISTS "
                "(SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.returned_at IS NULL) "
                "ORDER BY id LIMIT 1 OFFSET 1"
            )
        ).scalar_one()
        loaner = session.execute(
            text(
                "SELECT asset_tag FROM devices WHERE pool = 'loan' AND status = 'in_stock' "
                "ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    return student, loaner


# --- 1. the database slow ------------------------------------------------------------------------


def bench_slow(db: Path, scans: int, folder: Path) -> dict[str, object]:
    from run import pump, wait_until
    from sqlalchemy import event

    from helpdesk.db import make_session_factory

    factory = make_session_factory(f"sqlite:///{db}")
    engine = factory.kw["bind"]
    ctx = _context(factory, f"SQLite: {db.name} (slow)", folder)
    window, panel = _window(ctx)
    codes = _codes(factory, scans)
    student, loaner = _lendable(factory)
    on_gui_thread: list[str] = []

    def slow(*_args) -> None:  # noqa: ANN002
        if threading.current_thread() is threading.main_thread():
            on_gui_thread.append(_stack(sys._getframe(1)))
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
            _escape(panel)
            for code in codes[k : k + BURST]:
                pressed.append(_type(panel, code))
            pump(BURST_GAP_MS)
        _escape(panel)  # then a loan: the student, a loaner, Enter
        pressed.append(_type(panel, student))
        pressed.append(_type(panel, loaner))
        _type(panel, "")
        typed = time.perf_counter()
        lent = wait_until(lambda: "lent to" in panel.last_message, 600_000)
        finished = time.perf_counter()
        wait_until(panel.idle, 60_000)
        pump(300)
        stall = watch.stop()
    finally:
        event.remove(engine, "before_cursor_execute", slow)
        _close(ctx, window)
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
        figures[f"{name}: longest stall spent in"] = _spent(watch)
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
        ctx = _context(factory, "PostgreSQL: away", folder)
        window, panel = _window(ctx)
        codes = _codes(factory, kept)
        shown: list[float] = []
        panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
        _type(panel, codes[0])  # the counter in use before the server goes
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
        halted = _in_thread(server.halt)
        wait_until(lambda: window.db_label.property("tone") == "warn", 10_000)
        amber = (amber_at[0] if amber_at else time.perf_counter()) - halted
        for code in codes:
            _escape(panel)
            _type(panel, code)
        wait_until(lambda: len(panel.away.codes()) == len(codes), 10_000)
        kept_count = len(panel.away.codes())
        pump(1000)
        stall_down = watch.stop()
        worst_down = watch.worst()

        watch.start()
        resume_started = time.perf_counter()
        resumed = _in_thread(server.resume)
        wait_until(lambda: ctx.db.state == "ok", 30_000)
        back = time.perf_counter() - resumed
        asked = wait_until(lambda: panel.away.asking, 10_000)
        before = len(shown)
        _type(panel, "")  # Enter: act on the kept scans
        acted = wait_until(lambda: len(shown) >= before + len(codes), 30_000)
        wait_until(panel.idle, 30_000)
        pump(500)
        stall_back = watch.stop()
        worst_back = watch.worst()
    except PgUnavailable as exc:
        return {f"{name}": f"not measured: {exc}"}
    finally:
        if ctx is not None and window is not None:
            _close(ctx, window)
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
        figures[f"{name}: longest stall while down spent in"] = _spent(worst_down)
    if stall_back > STALL_MS or WHY["always"]:
        figures[f"{name}: longest stall while recovering spent in"] = _spent(worst_back)
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
        ctx = _context(factory, "PostgreSQL: through the proxy", folder)
        window, panel = _window(ctx)
        codes = _mixed(_codes(factory, scans + 2))
        shown: list[float] = []
        panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
        load = _load()
        times: list[float] = []
        watch = StallWatch()
        watch.start()
        for k, code in enumerate(codes):
            wait_until(panel.idle, 10_000)
            pump(20)  # a person between two scans
            _escape(panel)
            before = len(shown)
            pressed = _type(panel, code)
            if wait_until(lambda b=before: len(shown) > b, 10_000) and k >= 2:  # 2 to warm up
                times.append((shown[-1] - pressed) * 1000)
        stall = watch.stop()
    finally:
        if ctx is not None and window is not None:
            _close(ctx, window)
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
    } | ({f"{name}: longest stall spent in": _spent(watch)} if WHY["always"] else {})


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
