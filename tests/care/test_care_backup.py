"""`helpdesk backup PATH` under faults: a backup is whole or not there at all. Killed half-way,
written onto a device, failing its check, or out of disk space, it leaves the old backup (or
nothing) under the final name and no temporary file or journal beside it."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from care_files import grow, leftovers

from helpdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]


def students_in(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM students").fetchone()[0]
    finally:
        conn.close()


def test_a_backup_is_checked_and_one_file(school, tmp_path, capsys):
    target = tmp_path / "usb" / "monday.sqlite3"
    assert main(["backup", str(target), "--db", f"sqlite:///{school}"]) == 0
    out = capsys.readouterr().out
    assert (
        out
        == f"backed up {school} to {target} (3 students, 2 devices, 1 loans, 0 tickets, 0 ticket_photos)\n"
    )
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        conn.close()
    assert sorted(p.name for p in target.parent.iterdir()) == ["monday.sqlite3"]


def test_a_device_file_is_never_replaced(school, tmp_path, capsys):
    before = os.stat("/dev/null")
    assert main(["backup", "/dev/null", "--overwrite", "--db", f"sqlite:///{school}"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "helpdesk: /dev/null is a device, not a backup file; only a regular file is ever "
        "replaced.\n"
    )
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not list(Path("/dev").glob(".null.*"))

    link = tmp_path / "backup.sqlite3"
    link.symlink_to("/dev/null")
    assert main(["backup", str(link), "--overwrite", "--db", f"sqlite:///{school}"]) == 1
    assert "is a symbolic link, not a backup file" in capsys.readouterr().err
    assert link.is_symlink() and os.readlink(link) == "/dev/null"

    folder = tmp_path / "usb"
    (folder / school.name).mkdir(parents=True)  # PATH names a folder whose entry is a folder
    assert main(["backup", str(folder), "--overwrite", "--db", f"sqlite:///{school}"]) == 1
    assert "is a folder, not a backup file" in capsys.readouterr().err
    assert (folder / school.name).is_dir() and leftovers(folder) == []


def test_overwrite_keeps_the_old_backup_when_the_new_one_fails_its_check(school, tmp_path, capsys):
    target = tmp_path / "nightly.sqlite3"
    assert main(["backup", str(target), "--db", f"sqlite:///{school}"]) == 0
    old = target.read_bytes()
    # a damaged database: the pages of a big table overwritten in the middle of the file
    grow(school, 4)
    with school.open("r+b") as file:
        file.seek(school.stat().st_size // 2)
        file.write(b"\xff" * 65536)
    capsys.readouterr()
    assert main(["backup", str(target), "--overwrite", "--db", f"sqlite:///{school}"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("helpdesk: ") and len(err.splitlines()) == 1
    assert "integrity" in err or "malformed" in err or "not a whole" in err
    assert target.read_bytes() == old
    assert leftovers(tmp_path) == []


LARGE_MB = 300


@pytest.mark.slow
def test_a_backup_killed_half_way_leaves_the_old_backup(school, tmp_path):
    target = tmp_path / "nightly.sqlite3"
    assert main(["backup", str(target), "--db", f"sqlite:///{school}"]) == 0
    old = target.read_bytes()
    grow(school, LARGE_MB)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; from helpdesk.cli import main; sys.exit(main())"
    args = ["backup", str(target), "--overwrite", "--db", f"sqlite:///{school}"]
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env)
    try:
        deadline = time.monotonic() + 60
        partial = None
        while time.monotonic() < deadline and proc.poll() is None:
            found = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
            if found and found[0].stat().st_size > 1024 * 1024:
                partial = found[0]
                break
            time.sleep(0.001)
        assert partial is not None and proc.poll() is None, "the backup ended before it was caught"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == old  # the old backup, never a partial one
    assert students_in(target) == 3
    # the next backup clears what the killed one left and writes the whole database
    assert main(["backup", str(target), "--overwrite", "--db", f"sqlite:///{school}"]) == 0
    assert leftovers(tmp_path) == []
    conn = sqlite3.connect(target)
    try:
        assert conn.execute("SELECT count(*) FROM filler").fetchone()[0] == LARGE_MB
    finally:
        conn.close()


def test_a_full_disk_is_one_sentence_and_keeps_the_old_backup(school, small_disk, capsys):
    target = small_disk / "nightly.sqlite3"
    assert main(["backup", str(target), "--db", f"sqlite:///{school}"]) == 0
    old = target.read_bytes()
    grow(school, 6)
    capsys.readouterr()
    assert main(["backup", str(target), "--overwrite", "--db", f"sqlite:///{school}"]) == 1
    assert capsys.readouterr().err == (
        f"helpdesk: the disk holding {small_disk} is full: no backup was written there and the "
        "old one is kept.\n"
    )
    assert target.read_bytes() == old
    assert sorted(p.name for p in small_disk.iterdir()) == ["nightly.sqlite3"]
    # without an old backup: nothing at all is left
    target.unlink()
    assert main(["backup", str(target), "--db", f"sqlite:///{school}"]) == 1
    assert "is full: no backup was written there.\n" in capsys.readouterr().err
    assert list(small_disk.iterdir()) == []
