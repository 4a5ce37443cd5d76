"""The window's database bench (bench/ui/run.py --only ..., bench/ui/db_bench.py) runs with small
numbers and prints each of its figures with its target and a verdict. The values are the bench's
business (2 shared cores): only that each figure is there and was measured is checked here."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "ui" / "run.py"
VERDICT = re.compile(r"^\d+(\.\d+)? (ms|s)  \(target <= \d+ (ms|s)\)  (ok|OVER)(  \(.*\))?$")


def _bench(tmp_path: Path, only: str, env: dict[str, str] | None = None) -> dict[str, str]:
    """Run one part of the bench small; its printed figures by name."""
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--only",
            only,
            "--db",
            str(tmp_path / "bench.sqlite3"),
            "--devices",
            "1200",
            "--students",
            "300",
            "--scans",
            "4",
            "--kept",
            "2",
            "--pg-scans",
            "6",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("  ")
        if value.strip():
            figures[name.strip()] = value.strip()
    assert figures, done.stdout + done.stderr[-3000:]
    return figures


def _verdict(figures: dict[str, str], name: str) -> None:
    assert name in figures, "\n".join(figures)
    assert VERDICT.match(figures[name]), f"{name}: {figures[name]}"


@pytest.mark.slow
def test_the_slow_database_figures_are_printed(tmp_path):
    figures = _bench(tmp_path, "slow")
    assert figures["machine"].endswith(" cores")
    assert "load average" in figures["slow database: SQLite, every statement waits"]
    _verdict(figures, "slow database: GUI thread's longest stall")
    # four scans, then a student and a loaner for the loan
    assert figures["slow database: scans typed"].startswith("6 in "), figures
    waits = figures["slow database: scan acted on after its Enter, first / median / last s"]
    assert re.fullmatch(r"\d+\.\d / \d+\.\d / \d+\.\d", waits), waits
    assert float(figures["slow database: the loan done, s after the last key"]) > 0
    assert figures["slow database: statements run on the GUI thread"] == "0"
    assert not any(name.startswith(("server away", "PostgreSQL")) for name in figures)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_server_away_figures_are_printed(tmp_path):
    from needs import need
    from pg_server import find_bindir

    if find_bindir() is None:  # the bench halts a cluster of its own
        need("a private PostgreSQL cluster", "no PostgreSQL server binaries")
    figures = _bench(tmp_path, "away")
    assert "not measured" not in str(figures), figures
    assert "load average" in figures["server away: private PostgreSQL halted, then started"]
    _verdict(figures, "server away: halted to amber")
    _verdict(figures, "server away: GUI thread's longest stall while down")
    assert figures["server away: scans kept while down"] == "2 of 2"
    _verdict(figures, "server away: started to state ok")
    _verdict(figures, "server away: GUI thread's longest stall while recovering")
    assert figures["server away: kept scans acted on after Enter"] == "all"
    assert not (tmp_path / "bench.sqlite3").exists()  # no SQLite file wanted for this part


@pytest.mark.slow
@pytest.mark.postgres
def test_the_network_figures_are_printed(tmp_path, pg_server):
    base = pg_server.base.render_as_string(hide_password=False)
    figures = _bench(tmp_path, "network", env={"HELPDESK_TEST_PG_URL": base})
    name = "PostgreSQL +1 ms each way"
    assert figures[f"{name}: database"].startswith("1,200 devices, 300 students"), figures
    p50 = figures[f"{name}: scan to card shown, p50"]
    assert re.fullmatch(r"\d+\.\d ms  \(6 scans of students and devices\)", p50), p50
    _verdict(figures, f"{name}: scan to card shown, p95")
    from sqlalchemy import create_engine, text

    engine = create_engine(pg_server.base)
    with engine.connect() as conn:
        names = list(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    engine.dispose()
    assert not [n for n in names if "benchui" in n], "the bench left its database behind"


def test_the_stall_watch_names_the_callback_that_held_the_gui_thread(qapp):
    sys.path.insert(0, str(ROOT / "bench" / "ui"))
    from PySide6.QtCore import QTimer
    from run import pump
    from stall_watch import StallWatch

    def holds_the_window() -> None:
        time.sleep(0.12)

    watch = StallWatch()
    watch.start()
    QTimer.singleShot(30, holds_the_window)
    pump(300)
    stalled = watch.stop()
    assert 100 <= stalled < 1000, stalled
    worst = watch.worst()
    assert "holds_the_window" in worst[0], worst
    assert "test_infra_ui_db_bench.py" in worst[0], worst
