"""Speed of the main window on a 100,000-device database. Prints the figures.

    .venv/bin/python bench/ui/run.py [--db PATH] [--reuse] [--only database]

- start to counter ready: `helpdesk --smoke-test` in a fresh process (wall clock, and the time the
  process itself reports from start of main to the window shown);
- a scan to its card shown: a keyboard-wedge burst (keys + Enter into the scan box) and a camera
  frame (an image of the barcode through the scanner's worker), each timed to the card painted;
- the GUI thread's longest stall while searching and scrolling the device list, measured with a
  QTimer heartbeat (the gap between two ticks, minus the tick interval);
- the counter while its database is slow, away, or across a network (bench/ui/db_bench.py: the
  longest stall and how soon it is back, scan to card on PostgreSQL), each with its target.
  ``--only database`` measures just these.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


class Heartbeat:
    """Measures how long the event loop is kept from running (the longest gap between ticks)."""

    def __init__(self, interval_ms: int = 2) -> None:
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last = None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = None
        self.gaps.clear()
        self.timer.start()

    def stop(self) -> float:
        """The longest stall in ms (gap beyond the tick interval)."""
        self.timer.stop()
        return max(0.0, (max(self.gaps, default=0.0) - self.interval) * 1000)


def pump(ms: float) -> None:
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.001)


def wait_until(condition, timeout_ms: float = 10_000) -> bool:  # noqa: ANN001
    from PySide6.QtCore import QCoreApplication, QEventLoop

    end = time.perf_counter() + timeout_ms / 1000
    while time.perf_counter() < end:
        if condition():
            return True
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        time.sleep(0.0005)
    return condition()


def bench_start(db: Path, runs: int = 3) -> tuple[list[float], list[float]]:
    exe = ROOT / ".venv" / "bin" / "helpdesk"
    walls, inner = [], []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(exe), "--db", f"sqlite:///{db}", "--smoke-test"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        walls.append((time.perf_counter() - t0) * 1000)
        if done.returncode != 0:
            raise SystemExit(f"smoke start failed: {done.stderr.strip()}")
        match = re.search(r"counter ready in (\d+) ms", done.stderr)
        if match:
            inner.append(float(match.group(1)))
    return walls, inner


def bench_device_list(ctx) -> dict[str, float]:  # noqa: ANN001
    from PySide6.QtTest import QTest

    from helpdesk.ui.records.panel import RecordsPanel

    panel = RecordsPanel(ctx)
    panel.resize(1200, 800)
    panel.show()
    panel.tabs.setCurrentIndex(1)
    devices = panel.devices
    beat = Heartbeat()
    beat.start()
    wait_until(lambda: devices.model.total > 0)
    first_load = beat.stop()

    # typing: one key every 60 ms, like a fast typist, then wait for the answer
    beat.start()
    answer_times = []
    for query in ("PER-0999", "LNR", "300e", "SN0005", "PER-05"):
        devices.search_box.clear()
        for ch in query:
            QTest.keyClick(devices.search_box, ch)
            pump(60)
        t0 = time.perf_counter()
        wait_until(lambda: not devices.model.searching and not devices._debounce.isActive())
        answer_times.append((time.perf_counter() - t0) * 1000)
    typing_stall = beat.stop()

    # scrolling the whole list: jump to 40 places, each waited for its rows
    devices.search_box.clear()
    wait_until(lambda: not devices.model.searching and not devices._debounce.isActive())
    wait_until(lambda: devices.model.total >= 100_000)
    bar = devices.view.verticalScrollBar()
    beat.start()
    for k in range(40):
        bar.setValue(int(bar.maximum() * ((k * 37) % 40) / 39))
        pump(15)
        top = devices.view.rowAt(0)
        wait_until(lambda top=top: devices.model.row_record(top) is not None, 5000)
    for _ in range(200):  # wheel-like steady scrolling
        bar.setValue(bar.value() + 3)
        pump(4)
    scroll_stall = beat.stop()
    panel.close()
    return {
        "rows": devices.model.total,
        "first load stall ms": first_load,
        "typing stall ms": typing_stall,
        "search answer median ms": statistics.median(answer_times),
        "scroll stall ms": scroll_stall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="/tmp/helpdesk-bench-ui.sqlite3")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it exists")
    parser.add_argument(
        "--only",
        choices=["database", "slow", "away", "network"],
        help="measure only the database figures (or one of them: slow, away, network)",
    )
    parser.add_argument("--devices", type=int, default=100_000, help="devices in the database")
    parser.add_argument("--students", type=int, default=20_000, help="students in the database")
    parser.add_argument("--scans", type=int, default=20, help="scans while the database is slow")
    parser.add_argument("--kept", type=int, default=5, help="scans while the server is away")
    parser.add_argument("--pg-scans", type=int, default=100, help="scans timed on PostgreSQL")
    parser.add_argument(
        "--why", action="store_true", help="name where each longest stall was spent, ok or not"
    )
    args = parser.parse_args()
    db = Path(args.db)
    sqlite_needed = args.only not in ("away", "network")
    if sqlite_needed and not (args.reuse and db.exists()):
        from build_db import build

        print(f"building {args.devices:,}-device database at {db} ... ", end="", flush=True)
        print(f"{build(db, args.devices, args.students):.1f} s")

    from PySide6.QtWidgets import QApplication

    from helpdesk.db import open_database
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    figures: dict[str, object] = {"machine": f"{os.cpu_count()} cores"}
    if args.only is not None:
        show(figures | database_figures(db, args))
        return
    try:
        walls, inner = bench_start(db)
        figures["start to counter ready, wall ms (median of 3)"] = round(statistics.median(walls))
        if inner:
            figures["start to counter ready, in-process ms"] = round(statistics.median(inner))
    except (SystemExit, FileNotFoundError) as exc:
        figures["start to counter ready"] = f"not measured: {exc}"

    app = QApplication.instance() or QApplication([])
    apply_style(app)
    factory = open_database(f"sqlite:///{db}")
    ctx = AppContext(factory=factory, actor="admin", database=str(db), runner=Runner(app))
    from helpdesk.commands.gui import calm_garbage_collector

    calm_garbage_collector()  # as the app does once its window is shown
    for key, value in bench_device_list(ctx).items():
        figures[f"device list: {key}"] = round(value, 1) if isinstance(value, float) else value
    try:
        from counter_bench import bench_counter

        figures.update(bench_counter(ctx, db))
    except ImportError:
        pass
    ctx.runner.wait(10000)
    ctx.db.stop(10000)
    factory.kw["bind"].dispose()
    show(figures | database_figures(db, args))


_APP = []  # the application, kept alive when made here


def database_figures(db: Path, args: argparse.Namespace) -> dict[str, object]:
    from PySide6.QtWidgets import QApplication

    from helpdesk.commands.gui import calm_garbage_collector
    from helpdesk.ui.style import apply_style

    if QApplication.instance() is None:
        _APP.append(QApplication([]))
        apply_style(_APP[0])
    calm_garbage_collector()
    from db_bench import PARTS, bench_database

    return bench_database(
        db,
        scans=args.scans,
        kept=args.kept,
        pg_scans=args.pg_scans,
        devices=args.devices,
        students=args.students,
        parts=PARTS if args.only in (None, "database") else (args.only,),
        why=args.why,
    )


def show(figures: dict[str, object]) -> None:
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
