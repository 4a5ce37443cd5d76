"""The wheel: it carries the resources folder as package data and the migrations, and a database
can be created and read from the wheel's contents alone."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpdesk.resource_files import resource_root

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(PROJECT), "--no-deps", "-q", "-w", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = out.glob("helpdesk-*.whl")
    return built


def test_the_wheel_holds_every_resource_and_migration(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_resources = {
        "helpdesk/resources/" + path.relative_to(PROJECT / "resources").as_posix()
        for path in (PROJECT / "resources").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    migrations = {
        "helpdesk/" + path.relative_to(PROJECT / "helpdesk").as_posix()
        for path in (PROJECT / "helpdesk" / "migrations").rglob("*")
        if path.is_file() and path.suffix in (".py", ".mako")
    }
    packages = {
        "helpdesk/" + path.relative_to(PROJECT / "helpdesk").as_posix()
        for path in (PROJECT / "helpdesk").rglob("*.py")
    }
    assert "helpdesk/resources/__init__.py" in names
    assert "helpdesk/migrations/script.py.mako" in names
    assert shipped_resources - names == set()
    assert migrations - names == set()
    assert packages - names == set()
    assert not any("__pycache__" in name for name in names)


def test_the_unpacked_wheel_works_on_its_own(wheel, tmp_path):
    """Imported from the wheel (not this checkout): resources found, a database created."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = tmp_path / "marker.txt"
    script = f"""
import helpdesk, helpdesk.resources
from helpdesk.resource_files import resource_root
from helpdesk.db import open_database, current_revision, head_revision
root = resource_root()
assert str(root).startswith({str(site)!r}), root
assert helpdesk.__file__.startswith({str(site)!r}), helpdesk.__file__
def files(node, prefix=""):
    for child in node.iterdir():
        if child.name == "__pycache__":
            continue
        if child.is_dir():
            yield from files(child, prefix + child.name + "/")
        else:
            yield prefix + child.name
names = sorted(files(root))
factory = open_database("sqlite:///{tmp_path / "w.sqlite3"}")
engine = factory.kw["bind"]
assert current_revision(engine) == head_revision(engine)
open({str(probe)!r}, "w").write(" ".join(names))
"""
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    here = sorted(
        path.relative_to(PROJECT / "resources").as_posix()
        for path in Path(str(resource_root())).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    assert probe.read_text().split() == here
