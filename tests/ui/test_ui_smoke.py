"""`helpdesk` starts its window on a database and closes cleanly (a separate process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HELPDESK = Path(sys.executable).with_name("helpdesk")


def test_window_opens_and_closes(school, tmp_path):  # noqa: ANN001
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HELPDESK_DATA_DIR=str(tmp_path / "d"))
    done = subprocess.run(
        [str(HELPDESK), "--db", school.url, "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "counter ready in" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_database_url_is_one_clear_line(tmp_path):  # noqa: ANN001
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HELPDESK_DATA_DIR=str(tmp_path / "d"))
    done = subprocess.run(
        [str(HELPDESK), "--db", "nosuchdb://x", "--smoke-test"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("helpdesk: cannot open the database nosuchdb://x")
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.threaded  # progress reported from a pool thread while the dialog stays live
def test_first_run_makes_the_demo_school(qtbot, ctx, monkeypatch):  # noqa: ANN001
    """An empty database: the first-run dialog makes the demo school off the GUI thread."""
    from helpdesk.services.records.browse import database_is_empty
    from helpdesk.ui.first_run import FirstRunDialog

    assert database_is_empty(ctx.factory)
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.demo_button.click()
    assert dialog.busy and not dialog.done_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=120_000)
    assert "students: " in dialog.report.toPlainText(), dialog.status.text()
    assert not database_is_empty(ctx.factory)


def test_first_run_broken_csv_is_reported_and_nothing_written(qtbot, ctx, tmp_path):  # noqa: ANN001
    from helpdesk.services.records.browse import database_is_empty
    from helpdesk.ui.first_run import FirstRunDialog

    bad = tmp_path / "students.csv"
    bad.write_text(
        "card_code,first_name,last_name,year,form\nS1,Ann,Lee,7,7A\nS2,Bob,Day,Y7,7B\n",
        encoding="utf-8",
    )
    dialog = FirstRunDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.import_file("students", bad)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert "Nothing was imported" in dialog.status.text()
    assert "line 3, column year" in dialog.report.toPlainText()
    assert database_is_empty(ctx.factory)
