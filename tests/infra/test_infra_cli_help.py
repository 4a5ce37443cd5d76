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
def test_usage_mistakes_are_reported_without_a_traceback(args):
    done = run(*args)
    assert done.returncode == 2
    assert "usage:" in done.stderr and "Traceback" not in done.stderr
