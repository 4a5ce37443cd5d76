"""The sessions bench runs pickup, hand-in and stocktake stations on one database and checks the
final state from it (bench/sessions/run.py, small numbers here, on SQLite). Speed is read from
the bench's own table: its verdict may also fail on a p95 over 150 ms (two shared cores), which
this test allows, and only that."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "sessions" / "run.py"
FINAL_STATE = (
    "session items done: 60",
    "open allocations of the students expected: 60",
    "devices allocated twice (anywhere): 0",
    "students holding two laptops (anywhere): 0",
    "allocations ended (reassignments): 0",
    "the allocations in the database are exactly those the stations reported",
    "agreements recorded as printed: 60",
    "stations met on the same students:",
    "allocations ended: 60",
    "bench tickets opened: 3",
    "laptops handed in twice: 0",
    "stocktake group 'found here': 147",
    "stocktake group 'belongs elsewhere': 1",
    "stocktake group 'missing': 3",
    "stocktake group 'unknown tags': 2",
    "stations counted the same tags:",
    "found here moved to Main store in one step: 1",
    "scan rows by outcome match the stations' answers",
)


@pytest.mark.slow
def test_two_stations_on_one_sqlite_file_double_nothing():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--stations", "2", "--students", "60", "--stocktake",
         "150", "--scale", "0.002", "--backend", "sqlite"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False,
    )  # fmt: skip
    lines = [line.strip() for line in done.stdout.strip().splitlines()]
    assert lines, done.stderr
    text = "\n".join(lines)
    for expected in FINAL_STATE:
        found = [line for line in lines if expected in line]
        assert found, f"no line with {expected!r}:\n{text}"
        assert all(line.startswith("ok ") for line in found), found
    assert not any(line.startswith("FAIL") for line in lines), text
    assert not any(line.startswith("ERROR in a station") for line in lines), text
    for phase in ("pickup", "handin", "stocktake"):
        assert any(line.startswith(f"-- {phase}: 2 of 2 stations reported") for line in lines)
    assert any(line.startswith("student (both scans, allocation, label and agreement)")
               for line in lines)  # fmt: skip
    assert lines[-1].startswith("verdict: "), lines[-1]
    if lines[-1] != "verdict: ok":  # only speed may fail it here
        reasons = [line for line in lines if line.startswith("failed: ")]
        assert reasons and all(" p95 " in line for line in reasons), text
