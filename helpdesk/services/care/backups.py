"""``helpdesk backup``: a whole, checked copy of the database, or none.

SQLite: the online backup API copies the database inside one read transaction on the source,
in which the main records are counted too, into a temporary file beside the target; the copy
must pass ``PRAGMA integrity_check``, hold the source's schema revision and the same counts
before it is flushed and renamed over the target (:mod:`helpdesk.services.care.files`).
PostgreSQL: ``pg_dump --format=custom`` into the temporary file, checked by reading it back
with ``pg_restore --list``, then renamed the same way.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL

from helpdesk.services.care.files import BackupFailed, atomic_target, check_replaceable, disk_full

COUNTED_TABLES = ("students", "devices", "loans", "tickets", "ticket_photos")
STEP_PAGES = 4096  # pages copied per step of the online backup (16 MB at 4 KB pages)


@dataclass(frozen=True)
class BackupDone:
    """A backup written and checked: where, when, and how many of the main records it holds."""

    target: Path
    at: datetime
    revision: str | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        """``3 students, 1 devices, 1 loans, 0 tickets, 0 ticket_photos``"""
        return ", ".join(f"{n} {table}" for table, n in self.counts.items())


def _counts(conn: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    counts = {
        table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
        for table in COUNTED_TABLES
        if table in tables
    }
    return revision, counts


def check_sqlite_file(path: Path) -> tuple[str | None, dict[str, int]]:
    """The schema revision and counts of a SQLite file that passes ``integrity_check``;
    :class:`BackupFailed` otherwise. The file is opened read-only and left as it is."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupFailed(f"{path} cannot be opened as a database: {exc}.") from exc
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check(100)")]
        if problems != ["ok"]:
            first = " ".join(problems[0].split())
            more = f" and {len(problems) - 1} more problems" if len(problems) > 1 else ""
            raise BackupFailed(f"{path} failed its integrity check ({first}{more}).")
        return _counts(conn)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{path} is not a whole Helpdesk database: {exc}.") from exc
    finally:
        conn.close()


def copy_sqlite(source: Path, temp: Path) -> tuple[str | None, dict[str, int]]:
    """Copy ``source`` into ``temp`` (one snapshot) and check the copy against it."""
    src = sqlite3.connect(
        f"{source.absolute().as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=10
    )
    try:
        src.execute("BEGIN")
        try:
            revision, counts = _counts(src)
            dst = sqlite3.connect(temp, isolation_level=None)
            try:
                src.backup(dst, pages=STEP_PAGES)
                dst.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside the copy
            finally:
                dst.close()
        finally:
            src.execute("COMMIT")
    finally:
        src.close()
    try:
        got_revision, got_counts = check_sqlite_file(temp)
    except BackupFailed as exc:
        reason = str(exc).removeprefix(f"{temp} ").rstrip(".")
        raise BackupFailed(
            f"the copy of {source} {reason}: the database itself may be damaged; no backup "
            "was written."
        ) from exc
    if got_revision != revision or got_counts != counts:
        raise BackupFailed(
            f"the copy of {source} does not match it (revision {got_revision} for {revision}, "
            f"{got_counts} for {counts}); nothing was written."
        )
    return revision, counts


def backup_sqlite_file(
    source: Path, target: Path, *, overwrite: bool = False, now: datetime | None = None
) -> BackupDone:
    """Write a checked backup of the SQLite file ``source`` at ``target``."""
    if not source.is_file():
        raise BackupFailed(f"there is no database at {source}.")
    check_replaceable(target, overwrite=overwrite)
    if target.exists() and target.resolve() == source.resolve():
        raise BackupFailed("the backup cannot be written over the database itself.")
    try:
        with atomic_target(target) as temp:
            revision, counts = copy_sqlite(source, temp)
    except (OSError, sqlite3.Error) as exc:
        if disk_full(exc):
            raise  # atomic_target has already said so in one sentence
        raise BackupFailed(f"cannot write the backup to {target}: {exc}.") from exc
    return BackupDone(target, now or datetime.now().replace(microsecond=0), revision, counts)


# --- PostgreSQL ---------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore`` on $PATH, or one sentence saying it is missing."""
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(
            f"{name} is not installed (not found on PATH): install the PostgreSQL client "
            "tools of the server's version (Debian: postgresql-client) and try again."
        )
    return found


def pg_environment(url: URL) -> dict[str, str]:
    """libpq's environment for the database of ``url`` (the password never on a command line)."""
    env = dict(os.environ)
    values = {
        "PGHOST": url.host or url.query.get("host"),
        "PGPORT": url.port,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGCONNECT_TIMEOUT": url.query.get("connect_timeout") or "10",
    }
    for key, value in values.items():
        if value:
            env[key] = str(value if not isinstance(value, tuple) else value[0])
    return env


def run_pg(args: list[str], url: URL, what: str) -> str:
    done = subprocess.run(
        args, env=pg_environment(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise BackupFailed(f"{what} failed: {reason.removeprefix(Path(args[0]).name + ': ')}")
    return done.stdout


def dump_revision(dump: Path, url: URL) -> str | None:
    """The schema revision held by a ``pg_dump --format=custom`` file (read back with
    ``pg_restore``, which also proves the file can be read)."""
    listing = run_pg([pg_tool("pg_restore"), "--list", str(dump)], url, f"reading {dump}")
    if "alembic_version" not in listing:
        return None
    text = run_pg(
        [pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(dump)],
        url,
        f"reading {dump}",
    )
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and n + 1 < len(lines):
            value = lines[n + 1].strip()
            return None if value == "\\." else value
    return None


def backup_postgres(
    url: URL, revision: str | None, target: Path, *, overwrite: bool, now: datetime | None = None
) -> BackupDone:
    """``pg_dump --format=custom`` of the database at ``url`` into ``target``, checked."""
    check_replaceable(target, overwrite=overwrite)
    dump = pg_tool("pg_dump")
    where = url.render_as_string(hide_password=True)
    try:
        with atomic_target(target) as temp:
            run_pg([dump, "--format=custom", f"--file={temp}"], url, f"pg_dump of {where}")
            got = dump_revision(temp, url)
            if got != revision:
                raise BackupFailed(
                    f"the dump of {where} holds revision {got}, not the database's {revision}; "
                    "nothing was written."
                )
    except OSError as exc:
        if disk_full(exc):
            raise
        raise BackupFailed(f"cannot write the backup to {target}: {exc}.") from exc
    return BackupDone(target, now or datetime.now().replace(microsecond=0), revision, {})
