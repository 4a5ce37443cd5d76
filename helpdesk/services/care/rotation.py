"""Backups kept by date: ``helpdesk backup --to FOLDER`` writes ``helpdesk-2026-12-07T031500``
(then ``.sqlite`` or ``.dump``) and prunes the older ones by two rules: the newest backup of each
of the last ``keep_daily`` days, and the newest of each of the last ``keep_weekly`` ISO weeks.
Only files whose whole name has that pattern are ever looked at; the one just written is never
pruned."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import URL

from helpdesk.db import SessionFactory, current_revision
from helpdesk.services.care.backups import (
    BackupDone,
    backup_postgres,
    backup_sqlite_file,
)
from helpdesk.services.care.files import BackupFailed

PREFIX = "helpdesk-"
STAMP = "%Y-%m-%dT%H%M%S"
NAME = re.compile(r"^helpdesk-(\d{4}-\d{2}-\d{2}T\d{6})\.(sqlite|dump)$")
KEEP_DAILY = 14
KEEP_WEEKLY = 8


def dated_name(at: datetime, suffix: str) -> str:
    """``helpdesk-2026-12-07T031500.sqlite``: sorts by name as by time."""
    return f"{PREFIX}{at.strftime(STAMP)}.{suffix}"


def taken_at(name: str) -> datetime | None:
    """When the backup named ``name`` was taken, or ``None`` for a name not of the pattern."""
    match = NAME.match(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), STAMP)
    except ValueError:
        return None


def to_keep(
    stamps: list[datetime], today: date, keep_daily: int, keep_weekly: int
) -> set[datetime]:
    """Which of ``stamps`` the rules keep: the newest of each of the ``keep_daily`` days up to
    ``today`` and the newest of each of the ``keep_weekly`` ISO weeks up to today's week."""
    first_day = today - timedelta(days=keep_daily - 1)
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=keep_weekly - 1)
    newest_of_day: dict[date, datetime] = {}
    newest_of_week: dict[date, datetime] = {}
    for stamp in stamps:
        day = stamp.date()
        monday = day - timedelta(days=day.weekday())
        if keep_daily > 0 and first_day <= day <= today:
            newest_of_day[day] = max(stamp, newest_of_day.get(day, stamp))
        if keep_weekly > 0 and first_monday <= monday <= this_monday:
            newest_of_week[monday] = max(stamp, newest_of_week.get(monday, stamp))
    return set(newest_of_day.values()) | set(newest_of_week.values())


@dataclass(frozen=True)
class Rotated:
    """A dated backup written, and the older ones pruned."""

    done: BackupDone
    pruned: tuple[Path, ...]


def prune(
    folder: Path, just_written: Path, today: date, keep_daily: int, keep_weekly: int
) -> list[Path]:
    """Remove the dated backups in ``folder`` the rules do not keep (never ``just_written``)."""
    found: dict[datetime, list[Path]] = {}
    for path in folder.iterdir():
        stamp = taken_at(path.name)
        if stamp is not None and path.is_file() and not path.is_symlink():
            found.setdefault(stamp, []).append(path)
    keep = to_keep(list(found), today, keep_daily, keep_weekly)
    removed = []
    for stamp, paths in sorted(found.items()):
        if stamp in keep:
            continue
        for path in paths:
            if path != just_written:
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed(f"cannot make the backup folder {folder}: {exc.strerror}.") from exc


def check_rules(keep_daily: int, keep_weekly: int) -> None:
    if keep_daily < 1 or keep_weekly < 0:
        raise BackupFailed(
            "keep at least one daily backup (--keep-daily 1 or more) and no negative weeks."
        )


def backup_into_sqlite(
    source: Path,
    folder: Path,
    *,
    now: datetime,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> Rotated:
    """A dated backup of the SQLite file ``source`` in ``folder``, then the older ones pruned."""
    check_rules(keep_daily, keep_weekly)
    make_folder(folder)
    done = backup_sqlite_file(source, folder / dated_name(now, "sqlite"), now=now)
    pruned = prune(folder, done.target, now.date(), keep_daily, keep_weekly)
    return Rotated(done, tuple(pruned))


def backup_into_postgres(
    url: URL,
    revision: str | None,
    folder: Path,
    *,
    now: datetime,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> Rotated:
    """A dated ``pg_dump`` of the database in ``folder``, then the older ones pruned."""
    check_rules(keep_daily, keep_weekly)
    make_folder(folder)
    target = folder / dated_name(now, "dump")
    done = backup_postgres(url, revision, target, overwrite=False, now=now)
    pruned = prune(folder, done.target, now.date(), keep_daily, keep_weekly)
    return Rotated(done, tuple(pruned))


def newest_backup(folder: Path) -> datetime | None:
    """When the newest dated backup in ``folder`` was taken, or ``None``."""
    if not folder.is_dir():
        return None
    stamps = [s for p in folder.iterdir() if (s := taken_at(p.name)) is not None]
    return max(stamps, default=None)


def backup_kind(factory: SessionFactory) -> str:
    """``sqlite`` or ``postgresql``: which kind of database the window's backups are of."""
    return str(factory.kw["bind"].dialect.name)


def take_daily_backup(factory: SessionFactory, folder: Path, *, now: datetime) -> Rotated:
    """The window's backup of the day: a dated backup in ``folder``, pruned by the default
    rules (14 days, 8 weeks)."""
    engine = factory.kw["bind"]
    if engine.dialect.name == "sqlite":
        source = Path(str(engine.url.database)).expanduser().absolute()
        return backup_into_sqlite(source, folder, now=now)
    return backup_into_postgres(engine.url, current_revision(engine), folder, now=now)
