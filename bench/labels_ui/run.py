"""Speed of the labels area on the demo school (900 students, about 2,000 devices with chargers).
Prints the figures.

    .venv/bin/python bench/labels_ui/run.py [--db PATH]

The demo school is built first (about half a minute) unless --db names a file that holds it; the
bench works on a copy, since it records the labels it saves.
For a form, a year group and every device not yet labelled: the time from choosing the batch to
its first sheet previewed (devices found, every label laid out and checked, the first page drawn
and rendered); then Save as PDF of the year group and of every device not yet labelled (the whole PDF made,
written and recorded).
Alongside each, the GUI thread's longest stall, measured with a QTimer heartbeat.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Heartbeat:
    """The longest time the event loop was kept from running (gap between ticks)."""

    def __init__(self, interval_ms: int = 2) -> None:
        from PySide6.QtCore import QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last: float | None = None

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
        self.timer.stop()
        return max(0.0, (max(self.gaps, default=0.0) - self.interval) * 1000)


def wait(app, condition, timeout: float = 120) -> None:  # noqa: ANN001
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the panel did not finish in time")
        app.processEvents()
        time.sleep(0.001)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", help="an SQLite file holding the demo school (made there when missing)"
    )
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once the panel is up: shows how much of the stall is Python's full "
        "garbage collection walking the objects made at start-up",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="helpdesk-labels-bench-")
    os.environ["HELPDESK_DATA_DIR"] = folder
    path = Path(folder) / "demo.sqlite3"
    if args.db and Path(args.db).exists():
        shutil.copyfile(args.db, path)  # the bench records prints: it works on a copy

    from PySide6.QtWidgets import QApplication

    from helpdesk.db import open_database
    from helpdesk.demo.build import build_demo
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.labels.panel import LabelsPanel
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    factory = open_database(f"sqlite:///{path}")
    if not path.exists() or path.stat().st_size < 100_000:
        started = time.perf_counter()
        build_demo(factory, seed=1)
        print(f"demo school built in {time.perf_counter() - started:.1f} s")
        if args.db:
            shutil.copyfile(path, args.db)
    app = QApplication([])
    apply_style(app)
    ctx = AppContext(factory=factory, actor="admin", database="bench", runner=Runner())
    panel = LabelsPanel(ctx)
    panel.resize(1040, 740)
    panel.show()
    panel.activated()
    wait(app, lambda: panel.choices.form_choice.count() > 0 and panel.is_settled())
    if args.gc_freeze:
        import gc

        gc.collect()
        gc.freeze()
    form = panel.choices.form_choice.itemData(0)
    year = panel.choices.year_choice.itemData(0)
    beat = Heartbeat()
    print("batch                         labels  sheets  to preview  GUI stall")
    for key, value in (("form", form), ("year", year), ("unlabelled", None)):
        panel.set_source(key, value)
        panel.schedule_preview(0)  # time the work, not the pause that waits for typing
        beat.start()
        started = time.perf_counter()
        wait(app, panel.is_settled)
        took = (time.perf_counter() - started) * 1000
        stall = beat.stop()
        p = panel.preview
        what = panel.choices.request().describe()
        counts = f"{p.count:6d}  {p.pages:6d}" if p else "     -       -"
        print(f"{what:<28}  {counts}  {took:7.0f} ms  {stall:6.1f} ms")
    for key, value in (("year", year), ("unlabelled", None)):
        panel.set_source(key, value)
        panel.schedule_preview(0)
        wait(app, panel.is_ready)
        out = Path(folder) / f"{key}.pdf"
        count = panel.preview.count
        panel.message.setProperty("tone", "")
        beat.start()
        started = time.perf_counter()
        panel.save_pdf(str(out))
        wait(app, lambda: panel.message.property("tone") in ("good", "bad"))
        took = time.perf_counter() - started
        stall = beat.stop()
        print(
            f"save as PDF, {panel.choices.request().describe()}: "
            f"{count} labels in {took:.2f} s, "
            f"GUI stall {stall:.1f} ms ({out.stat().st_size // 1024} KiB)"
        )
    ctx.runner.wait(10000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
