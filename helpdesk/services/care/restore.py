"""``helpdesk restore``: put a backup back, an admin's action.

The backup is checked first (a whole database, a schema revision this version knows), the
current database is copied aside (a checked backup like any other), the backup replaces it and
is upgraded when it is older, and an audit row says the database was restored and from what.
SQLite: the checked backup is copied (and upgraded) into a temporary file beside the database,
then copied into the database with SQLite's online backup, one transaction that counters still
open see as any other change. PostgreSQL: ``pg_restore --clean --if-exists --single-transaction``
into the configured database, so a failed restore changes nothing.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert, select, text

from helpdesk.db import SessionFactory, current_revision, head_revision, make_engine, upgrade
from helpdesk.domain.audit import audit_row
from helpdesk.domain.models import AuditEntry, Staff
from helpdesk.services.care.backups import (
    backup_postgres,
    backup_sqlite_file,
    check_sqlite_file,
    dump_revision,
    pg_tool,
    run_pg,
)
from helpdesk.services.care.files import BackupFailed, remove_with_journal, what_is
from helpdesk.services.care.rotation import taken_at
from helpdesk.services.core.unit_of_work import read_session, require_reader, unit_of_work

ACTION = "database.restore"
RESTORED_COUNTS = ("students", "devices", "loans", "tickets")


@dataclass(frozen=True)
class Restored:
    """What a restore put back: the backup, when it was taken, the copy of the database as it
    was, the backup's schema revision and the one it was upgraded to, and the main counts."""

    backup: Path
    taken: datetime
    aside: Path
    from_revision: str
    revision: str | None
    counts: dict[str, int]

    @property
    def summary(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.counts.items())


def _known(factory: SessionFactory, revision: str) -> bool:
    from alembic.script import ScriptDirectory

    from helpdesk.db import _alembic_config

    try:
        script = ScriptDirectory.from_config(_alembic_config(factory.kw["bind"]))
        return script.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        return False


def _checked_revision(factory: SessionFactory, backup: Path, revision: str | None) -> str:
    if revision is None:
        raise BackupFailed(f"{backup} is not a Helpdesk backup (it has no schema revision).")
    if not _known(factory, revision):
        head = head_revision(factory.kw["bind"])
        raise BackupFailed(
            f"{backup} is at schema revision {revision}, newer than this version of Helpdesk "
            f"knows (its newest is {head}); restore it with the newer version."
        )
    return revision


def taken(backup: Path) -> datetime:
    """When the backup was taken: from its dated name, else the file's time."""
    return taken_at(backup.name) or datetime.fromtimestamp(backup.stat().st_mtime).replace(
        microsecond=0
    )


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``... when it is taken."""
    n, free = 1, path
    while free.exists() or free.is_symlink():
        n += 1
        free = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return free


def check_backup(factory: SessionFactory, backup: Path) -> tuple[str, datetime]:
    """The schema revision and date of ``backup`` once it is checked: a whole database (SQLite)
    or a dump ``pg_restore`` can read (PostgreSQL), at a revision this version knows."""
    if what_is(backup) is not None or not backup.exists():
        raise BackupFailed(f"there is no backup file at {backup}.")
    engine = factory.kw["bind"]
    if engine.dialect.name == "sqlite":
        found = check_sqlite_file(backup)[0]
    else:
        found = dump_revision(backup, engine.url)
    return _checked_revision(factory, backup, found), taken(backup)


def check_allowed(factory: SessionFactory, actor: str) -> None:
    """Refuse, in one sentence, anyone below an admin (before anything is read or written)."""
    with read_session(factory) as session:
        require_reader(session, actor, ACTION)


def restore_database(
    factory: SessionFactory,
    actor: str,
    backup: Path,
    *,
    aside_folder: Path,
    now: datetime | None = None,
) -> Restored:
    """Restore ``backup`` over the database of ``factory``; the database as it was is copied
    into ``aside_folder`` first."""
    check_allowed(factory, actor)
    moment = now or datetime.now().replace(microsecond=0)
    check_backup(factory, backup)
    engine = factory.kw["bind"]
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    if engine.dialect.name == "sqlite":
        from_revision, aside = _restore_sqlite(factory, backup, aside_folder, stamp)
    else:
        from_revision, aside = _restore_postgres(factory, backup, aside_folder, stamp)
    engine.dispose()
    if current_revision(engine) != head_revision(engine):
        upgrade(engine, backup=False)
    revision = current_revision(engine)
    with unit_of_work(factory, None, action="database.restore", now=moment) as session:
        staff_id = session.scalar(select(Staff.id).where(Staff.username == actor))
        # an "update" of the entity "database" (the audit log's actions are fixed by its schema)
        after = {
            "restored_from": str(backup),
            "taken": taken(backup),
            "kept_aside_at": str(aside),
            "by": actor,
        }
        row = audit_row(moment, staff_id, "update", "database", None, None, after)
        session.execute(insert(AuditEntry), [row])
    with read_session(factory) as session:
        conn = session.connection()
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}")) for t in RESTORED_COUNTS}
    return Restored(backup, taken(backup), aside, from_revision, revision, counts)


def _restore_sqlite(
    factory: SessionFactory, backup: Path, aside_folder: Path, stamp: str
) -> tuple[str, Path]:
    engine = factory.kw["bind"]
    database = Path(str(engine.url.database)).expanduser().absolute()
    revision = _checked_revision(factory, backup, check_sqlite_file(backup)[0])
    work = database.parent / f".{database.name}.{os.getpid()}.restoring"
    remove_with_journal(work)
    try:
        src = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(work)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if revision != head_revision(engine):
            work_engine = make_engine(f"sqlite:///{work}")
            try:
                upgrade(work_engine, backup=False)
            finally:
                work_engine.dispose()
        check_sqlite_file(work)
        aside_folder.mkdir(parents=True, exist_ok=True)
        aside = _free(aside_folder / f"{database.stem}.before-restore-{stamp}.sqlite3")
        backup_sqlite_file(database, aside)
        engine.dispose()
        src = sqlite3.connect(work)
        try:
            dst = sqlite3.connect(database, timeout=10)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise BackupFailed(f"the restore from {backup} failed and changed nothing: {exc}.") from exc
    finally:
        remove_with_journal(work)
    return revision, aside


def _restore_postgres(
    factory: SessionFactory, backup: Path, aside_folder: Path, stamp: str
) -> tuple[str, Path]:
    engine = factory.kw["bind"]
    url = engine.url
    revision = _checked_revision(factory, backup, dump_revision(backup, url))
    aside_folder.mkdir(parents=True, exist_ok=True)
    aside = _free(aside_folder / f"{url.database}.before-restore-{stamp}.dump")
    backup_postgres(url, current_revision(engine), aside, overwrite=False)
    engine.dispose()
    restore = pg_tool("pg_restore")
    args = [restore, "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    run_pg([*args, f"--dbname={url.database}", str(backup)], url, f"pg_restore of {backup}")
    return revision, aside
