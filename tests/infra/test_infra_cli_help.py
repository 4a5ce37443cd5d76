"""The installed `helpdesk` command: its --help and every subcommand's --help run cleanly."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk.cli import build_parser

HELPDESK = Path(sys.executable).with_name("helpdesk")


def command_paths(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """Every subcommand path (``("db", "upgrade")``...), found in the parser itself."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from command_paths(sub, (*prefix, name))


def run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [str(HELPDESK), *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_the_command_is_installed_in_the_environment():
    assert HELPDESK.is_file(), f"{HELPDESK} is missing: run scripts/setup.sh"


def test_every_help_runs_without_error():
    paths = [(), *command_paths(build_parser())]
    assert ("db", "upgrade") in paths and ("backup",) in paths
    # start them all, then collect: the interpreter start-up overlaps on both cores
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    running = [
        (
            path,
            subprocess.Popen(
                [str(HELPDESK), *path, "--help"],
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            ),
        )
        for path in paths
    ]
    problems = []
    for path, proc in running:
        out, err = proc.communicate(timeout=120)
        name = " ".join(("helpdesk", *path))
        if proc.returncode != 0 or "Traceback" in err or not out.startswith("usage: helpdesk"):
            problems.append(f"{name} --help: exit {proc.returncode}: {err.strip()[-500:]}")
        if path and path[-1] not in out.splitlines()[0]:
            problems.append(f"{name} --help: usage line does not name the command")
    assert problems == []


@pytest.mark.parametrize(
    "args", [["no-such-command"], ["db"], ["backup"]], ids=["unknown", "db-no-action", "no-path"]
)
def test_usage_mistakes_are_one_line_and_exit_1(args):
    done = run(*args)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("helpdesk: ") and "--help" in lines[0], lines
    assert "Traceback" not in done.stderr


# --- starting light -----------------------------------------------------------------------------

HEAVY = ("PySide6", "sqlalchemy", "alembic")

# Runs the command in this interpreter and prints its exit status and the heavy packages loaded.
DRIVER = """
import contextlib, io, json, sys
from helpdesk.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"code": code, "heavy": heavy, "out": out.getvalue()}))
"""


def loaded(*args: str, cwd: Path) -> dict:
    import json

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HELPDESK_DATA_DIR": str(cwd / "data")}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, ",".join(HEAVY), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_commands_without_window_or_database_load_neither(tmp_path):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    pdf = tmp_path / "out.pdf"
    runs = {
        "--help": loaded("--help", cwd=tmp_path),
        "decode --help": loaded("decode", "--help", cwd=tmp_path),
        "decode": loaded("decode", "--json", str(blank), str(tmp_path / "gone.png"), cwd=tmp_path),
        "labels --tags": loaded(
            "labels",
            "--tags",
            "LAP-0001",
            "-o",
            str(pdf),
            "--template",
            "avery-l7160",
            cwd=tmp_path,
        ),  # fmt: skip
    }
    assert {name: run["code"] for name, run in runs.items()} == dict.fromkeys(runs, 0)
    assert {name: run["heavy"] for name, run in runs.items()} == dict.fromkeys(runs, [])
    assert "lookup" in runs["--help"]["out"] and '"codes": []' in runs["decode"]["out"]
    assert pdf.read_bytes().startswith(b"%PDF")
    # the check can fail: a command that opens the database does load it
    looked = loaded("lookup", "X", "--db", f"sqlite:///{tmp_path / 'h.sqlite3'}", cwd=tmp_path)
    assert looked["code"] == 1 and "sqlalchemy" in looked["heavy"]


def median_seconds(command: list[str], runs: int = 5) -> float:
    import statistics
    import time

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, timeout=120, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_help_starts_within_six_times_a_bare_interpreter():
    median_seconds([str(HELPDESK), "--help"], runs=1)  # warm the file cache
    bare = median_seconds([sys.executable, "-c", "import argparse"])
    helped = median_seconds([str(HELPDESK), "--help"])
    assert helped <= 6 * bare, f"helpdesk --help {helped:.3f}s, python {bare:.3f}s"


def test_the_list_of_commands_matches_the_commands_themselves():
    """``helpdesk --help`` is printed from helpdesk.commands.COMMANDS without loading a command;
    it is the same text as the parser with every command module registered."""
    from helpdesk.cli import OVERVIEW

    assert build_parser(OVERVIEW).format_help() == build_parser().format_help()


@pytest.mark.parametrize(
    "argv",
    [["--cam", "0", "lookup", "--help"], ["--db=x.sqlite3", "lookup", "--help"]],
    ids=["abbreviated", "equals"],
)
def test_a_command_after_top_options_gets_its_own_help(argv, capsys):
    from helpdesk.cli import main

    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: helpdesk lookup") and "CODE" in out
