"""Writing a file so that it is whole or absent: a temporary name beside the target, flushed to
the disk with its folder, renamed over the target; only a regular file is ever replaced."""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpdesk.domain.errors import HelpdeskError

PARTIAL = ".partial"  # the temporary file's suffix: ".<target name>.<pid>.partial"


class BackupFailed(HelpdeskError):
    """A backup or restore that could not be made; nothing was left behind."""


def what_is(path: Path) -> str | None:
    """``None`` for a regular file or nothing; otherwise what ``path`` is, in words."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_replaceable(target: Path, *, overwrite: bool) -> None:
    """Refuse, in one sentence, a target that is not a regular file, or one that exists without
    ``overwrite``."""
    kind = what_is(target)
    if kind is not None:
        raise BackupFailed(
            f"{target} is {kind}, not a backup file; only a regular file is ever replaced."
        )
    if target.exists() and not overwrite:
        raise BackupFailed(f"{target} exists already; choose another name or add --overwrite.")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_stale(target: Path) -> list[Path]:
    """Remove what a killed earlier run left beside ``target`` (its temporary file and that
    file's journal), when the process that wrote it is gone."""
    removed = []
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*{PARTIAL}*"):
        pid_text = leftover.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def remove_with_journal(path: Path) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ENOSPC or "disk is full" in str(exc).lower()


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` for the caller to write and check; on success it is
    flushed, renamed over ``target`` and the folder flushed; on any failure it is removed (with
    its journal) and ``target`` is left as it was."""
    kind = what_is(target.parent) if target.parent.is_symlink() else None
    if not target.parent.is_dir() and kind is None:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BackupFailed(f"cannot make the folder {target.parent}: {exc.strerror}.") from exc
    clear_stale(target)
    temp = target.parent / f".{target.name}.{os.getpid()}{PARTIAL}"
    remove_with_journal(temp)
    try:
        yield temp
        fsync_path(temp)
        kind = what_is(target)  # checked again: it may have changed while the copy was made
        if kind is not None:
            raise BackupFailed(f"{target} is {kind}, not a backup file; it was left as it is.")
        os.replace(temp, target)
        fsync_path(target.parent)
    except BaseException as exc:
        remove_with_journal(temp)
        if isinstance(exc, OSError | Exception) and disk_full(exc):
            raise BackupFailed(
                f"the disk holding {target.parent} is full: no backup was written there"
                + (" and the old one is kept." if target.exists() else ".")
            ) from exc
        raise
