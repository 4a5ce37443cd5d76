"""A real CUPS print queue for the tests: cups-pdf writes each job it gets as a PDF file.

As root the scheduler is started when it is not running and the queue is made with lpadmin; as
another user the tests use a running scheduler with a cups-pdf queue already there. Without a
queue the test is skipped, saying why, or fails under ``.ci/run`` (tests/needs.py).
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from needs import need

CONF = Path("/etc/cups/cups-pdf.conf")
PPDS = (
    "lsb/usr/cups-pdf/CUPS-PDF_opt.ppd",
    "lsb/usr/cups-pdf/CUPS-PDF_noopt.ppd",
)
PPD_FILES = (
    Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"),
    Path("/usr/share/cups/model/CUPS-PDF_opt.ppd"),
)


class CupsUnavailable(Exception):
    pass


def _run(*argv: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


def scheduler_running() -> bool:
    if shutil.which("lpstat") is None:
        return False
    return "scheduler is running" in _run("lpstat", "-r").stdout


def start_scheduler() -> None:
    cupsd = shutil.which("cupsd") or "/usr/sbin/cupsd"
    if not Path(cupsd).exists():
        raise CupsUnavailable("CUPS is not installed (scripts/setup.sh installs cups)")
    started = _run(cupsd)
    for _ in range(50):
        if scheduler_running():
            return
        time.sleep(0.2)
    raise CupsUnavailable(f"cupsd did not start: {started.stderr.strip()}")


def output_dirs(user: str) -> list[Path]:
    """Where cups-pdf writes a job of ``user`` (the Out and AnonDirName settings)."""
    home = Path(pwd.getpwnam(user).pw_dir)
    out, anon = "/var/spool/cups-pdf/${USER}", "/var/spool/cups-pdf/ANONYMOUS"
    if CONF.is_file():
        for line in CONF.read_text().splitlines():
            m = re.match(r"^\s*(Out|AnonDirName)\s+(\S+)", line)
            if m and m.group(1) == "Out":
                out = m.group(2)
            elif m:
                anon = m.group(2)
    out = out.replace("${HOME}", str(home)).replace("${USER}", user)
    return [Path(out), Path(anon)]


def _whole(path: Path) -> bool:
    """cups-pdf has finished writing ``path``: it ends with %%EOF and stopped growing."""
    size = path.stat().st_size
    if size == 0 or b"%%EOF" not in path.read_bytes()[-64:]:
        return False
    time.sleep(0.3)
    return path.stat().st_size == size


@dataclass
class CupsPdfQueue:
    name: str
    created: bool

    def wait_for_pdf(self, title_part: str, since: float, timeout: float = 60) -> Path:
        user = pwd.getpwuid(os.geteuid()).pw_name
        token = re.sub(r"[^A-Za-z0-9]", "", title_part)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for folder in output_dirs(user):
                if folder.is_dir():
                    for path in folder.glob("*.pdf"):
                        name = re.sub(r"[^A-Za-z0-9]", "", path.name)
                        if token in name and path.stat().st_mtime >= since - 1 and _whole(path):
                            return path
            time.sleep(0.3)
        jobs = _run("lpstat", "-W", "all", "-o", self.name).stdout
        raise AssertionError(
            f"cups-pdf wrote no PDF for '{title_part}' in {timeout} s; jobs: {jobs}"
        )

    def reject(self) -> None:
        _run("cupsreject", self.name)

    def accept(self) -> None:
        _run("cupsaccept", self.name)

    def remove(self) -> None:
        if self.created:
            _run("lpadmin", "-x", self.name)


def make_queue(name: str) -> CupsPdfQueue:
    root = os.geteuid() == 0
    if not scheduler_running():
        if not root:
            raise CupsUnavailable("not root and no CUPS scheduler running")
        start_scheduler()
    if _run("lpstat", "-v", name).returncode == 0:
        return CupsPdfQueue(name, created=False)
    if not root:
        raise CupsUnavailable(f"not root and there is no queue '{name}' (lpadmin needs root)")
    errors = []
    for model in PPDS:
        made = _run("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-m", model)
        if made.returncode == 0:
            return CupsPdfQueue(name, created=True)
        errors.append(made.stderr.strip())
    for ppd in PPD_FILES:
        if ppd.is_file():
            made = _run("lpadmin", "-p", name, "-E", "-v", "cups-pdf:/", "-P", str(ppd))
            if made.returncode == 0:
                return CupsPdfQueue(name, created=True)
            errors.append(made.stderr.strip())
    raise CupsUnavailable(
        "cannot make a cups-pdf queue (is printer-driver-cups-pdf installed?): " + "; ".join(errors)
    )


def queue_or_skip(name: str) -> CupsPdfQueue:
    """The cups-pdf queue ``name``; without one a skip saying why (a failure under .ci/run)."""
    try:
        return make_queue(name)
    except CupsUnavailable as exc:
        need("CUPS printer", str(exc))
