"""`helpdesk backup` and `helpdesk restore`.

``backup PATH`` writes a checked copy of the database that is whole or not there at all (see
:mod:`helpdesk.services.care`); ``backup --to FOLDER`` writes a dated one and prunes the older
ones by the keep rules. ``restore BACKUP`` (an admin) checks the backup, asks, copies the
database aside, puts the backup back and says what it restored. SQLite files are copied with
SQLite's online backup while counters keep working; PostgreSQL with pg_dump and pg_restore.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, db_url, sign_in
from helpdesk.commands.database import (
    OLD_PHOTOS_FOLDER,
    _known,
    _open,
    _revision_or_fail,
    _sign_in_if_needed,
    _too_new,
    _where,
)
from helpdesk.db import head_revision, make_session_factory


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = subparsers.add_parser(
        "backup",
        parents=[common],
        help=summary("backup"),
        description="Copy the database to PATH while Helpdesk may be in use, the ticket photos "
        "with it. PATH may be a file name or an existing folder. The copy is written beside "
        "PATH under a temporary name, checked (integrity, schema revision, counts) and only "
        "then renamed to PATH, so PATH is never a partial backup. With --to FOLDER the backup "
        "gets a dated name and older dated backups there are pruned. PostgreSQL databases are "
        "backed up with pg_dump --format=custom.",
    )
    where = backup.add_mutually_exclusive_group(required=True)
    where.add_argument("path", metavar="PATH", nargs="?", help="file (or existing folder)")
    backup.add_argument(
        "--overwrite", action="store_true", help="replace PATH if it exists already"
    )
    where.add_argument(
        "--to", metavar="FOLDER", help="write a dated backup into FOLDER and prune older ones"
    )
    backup.add_argument(
        "--keep-daily",
        type=int,
        default=14,
        metavar="N",
        help="with --to: keep the newest backup of each of the last N days (default 14)",
    )
    backup.add_argument(
        "--keep-weekly",
        type=int,
        default=8,
        metavar="N",
        help="with --to: keep the newest backup of each of the last N weeks (default 8)",
    )
    backup.set_defaults(handler=_backup)

    restore = subparsers.add_parser(
        "restore",
        parents=[common],
        help=summary("restore"),
        description="Put a backup made by 'helpdesk backup' back (an admin). The backup is "
        "checked first, the database as it is now is copied aside (the command says where), "
        "then the backup replaces it and is upgraded when it is older. Close the windows "
        "first. PostgreSQL: pg_restore into the configured database.",
    )
    restore.add_argument("backup", metavar="BACKUP", help="the backup file to restore")
    restore.add_argument("--yes", action="store_true", help="restore without asking")
    restore.set_defaults(handler=_restore)


def _sqlite_source(args: argparse.Namespace) -> Path | None:
    url = make_url(db_url(args))
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise CommandError("an in-memory database cannot be backed up")
    source = Path(url.database).expanduser()
    if not source.is_file():
        raise CommandError(f"there is no database at {source}")
    return source.absolute()


def _backup(args: argparse.Namespace) -> int:
    from helpdesk.services.care import rotation
    from helpdesk.services.care.backups import backup_postgres, backup_sqlite_file

    if args.to is not None and not args.to.strip():
        raise CommandError("--to is empty: give the folder to keep the dated backups in")
    if args.path is not None and not args.path.strip():
        raise CommandError("PATH is empty: give the backup's file name or an existing folder")
    source = _sqlite_source(args)
    engine = _open(args)
    try:
        revision = _revision_or_fail(engine)
        if source is None and revision is not None and not _known(engine, revision):
            raise _too_new(engine, revision, head_revision(engine))
        _sign_in_if_needed(args, engine)
        now = datetime.now().replace(microsecond=0)
        pruned: tuple[Path, ...] = ()
        if args.to is not None:
            folder = Path(args.to).expanduser().absolute()
            if source is not None:
                rotated = rotation.backup_into_sqlite(
                    source, folder, now=now, keep_daily=args.keep_daily,
                    keep_weekly=args.keep_weekly,
                )  # fmt: skip
            else:
                rotated = rotation.backup_into_postgres(
                    engine.url, revision, folder, now=now, keep_daily=args.keep_daily,
                    keep_weekly=args.keep_weekly,
                )  # fmt: skip
            done, pruned = rotated.done, rotated.pruned
        else:
            target = _target(args.path, source, f"{engine.url.database}.dump")
            if source is not None:
                done = backup_sqlite_file(source, target, overwrite=args.overwrite)
            else:
                done = backup_postgres(engine.url, revision, target, overwrite=args.overwrite)
    finally:
        engine.dispose()
    if source is not None:
        print(f"backed up {source} to {done.target} ({done.summary})")
    else:
        print(f"backed up {_where(engine)} to {done.target} (pg_dump, revision {done.revision})")
    if pruned:
        print(f"pruned {len(pruned)} older backups: {', '.join(p.name for p in pruned)}")
    if source is not None and (source.parent / OLD_PHOTOS_FOLDER).is_dir():
        print(
            f"the photos folder beside {source} is not in the backup: run 'helpdesk db upgrade' "
            "to move the ticket photos into the database"
        )
    return 0


def _target(path: str, source: Path | None, dump_name: str) -> Path:
    """PATH itself, or inside the folder PATH names: the database file's name (SQLite) or
    ``DBNAME.dump`` (PostgreSQL)."""
    target = Path(path).expanduser()
    if target.is_dir() and not target.is_symlink() or path.endswith("/"):
        target = target / (source.name if source is not None else dump_name)
    return target.absolute()


def _restore(args: argparse.Namespace) -> int:
    from helpdesk.logs import data_dir
    from helpdesk.services.care.restore import check_allowed, check_backup, restore_database

    source = _sqlite_source(args)
    backup = Path(args.backup).expanduser().absolute()
    engine = _open(args)
    try:
        _revision_or_fail(engine)
        factory = make_session_factory(engine)
        actor = sign_in(args, factory)
        check_allowed(factory, actor)
        revision, taken = check_backup(factory, backup)
        _confirm(args, engine, backup, taken)
        aside_folder = source.parent if source is not None else data_dir() / "backups"
        done = restore_database(factory, actor, backup, aside_folder=aside_folder)
    finally:
        engine.dispose()
    print(f"the database as it was is kept at {done.aside}")
    print(
        f"restored {_where(engine)} from {backup} (taken {done.taken:%Y-%m-%d %H:%M}): {done.summary}"
    )
    if done.from_revision != done.revision:
        print(
            f"upgraded the restored database from revision {done.from_revision} to {done.revision}"
        )
    return 0


def _confirm(args: argparse.Namespace, engine: Engine, backup: Path, taken: datetime) -> None:
    if args.yes:
        return
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise CommandError(
            "a restore replaces the whole database: run it at a terminal to be asked, or add "
            "--yes; nothing was changed"
        )
    answer = input(
        f"Replace everything in {_where(engine)} with the backup taken {taken:%Y-%m-%d %H:%M}? "
        "[y/N] "
    )
    if answer.strip().lower() not in ("y", "yes"):
        raise CommandError("nothing was restored")
