"""The counter's flow runs without Qt: importing it (and its tests) loads no PySide6.

The check runs in a fresh interpreter, since pytest-qt has loaded PySide6 in this one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent.parent

PROBE = """
import importlib, json, pkgutil, runpy, sys
import helpdesk.flows
names = [m.name for m in pkgutil.walk_packages(helpdesk.flows.__path__, "helpdesk.flows.")]
for name in names:
    importlib.import_module(name)
for path in sys.argv[1:]:
    runpy.run_path(path)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(json.dumps([sorted(names), qt]))
"""


def _probe(*paths: str) -> tuple[list[str], list[str]]:
    env = dict(os.environ, PYTHONPATH=str(PROJECT_ROOT))
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *paths],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=True,
    )
    modules, qt = json.loads(run.stdout.strip().splitlines()[-1])
    return modules, qt


def test_flows_and_their_tests_load_no_qt() -> None:
    tests = sorted(str(p) for p in HERE.glob("test_counter_flow*.py"))
    assert len(tests) == 2
    modules, qt = _probe(*tests)
    assert {"helpdesk.flows.counter", "helpdesk.flows.facts", "helpdesk.flows.words"} <= set(
        modules
    )
    assert qt == []


def test_the_probe_sees_qt_when_it_is_loaded(tmp_path: Path) -> None:
    """The check can fail: a module that uses Qt is reported."""
    uses_qt = tmp_path / "uses_qt.py"
    uses_qt.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    _modules, qt = _probe(str(uses_qt))
    assert "PySide6.QtCore" in qt
