"""What still reached "unexpected error" (exit 70) is told in one sentence with exit status 1:
a full disk, a read-only place, text that is not UTF-8, a CSV the csv module cannot read, a
number too large for the database, a damaged database. A fault of the program stays exit 70."""

from __future__ import annotations

import argparse
import csv
import errno
import sqlite3

import pytest

from helpdesk import cli
from helpdesk.commands.failures import explain


class _Raising:
    """A parser whose one command raises ``exc``, as a command meeting it would."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def parse_args(self, _argv):  # noqa: ANN001, ANN202
        return argparse.Namespace(command="lookup", handler=self._handler)

    def _handler(self, _args):  # noqa: ANN001, ANN202
        raise self.exc


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/srv/out.pdf"), "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/ro/x.csv"), "read-only"),
        (PermissionError(errno.EACCES, "Permission denied", "/root/x"), "permission denied"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp"), "a folder, not a file"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8"),
        (csv.Error("field larger than field limit (131072)"), "CSV text cannot be read"),
        (OverflowError("Python int too large to convert to SQLite INTEGER"), "too large"),
        (sqlite3.DatabaseError("database disk image is malformed"), "damaged"),
        (sqlite3.OperationalError("database or disk is full"), "the disk is full"),
        (sqlite3.OperationalError("disk I/O error"), "it may be full or failing"),
        (ValueError("embedded null byte"), "NUL character"),
    ],
)
def test_failures_of_input_and_surroundings_are_one_sentence(monkeypatch, capsys, exc, words):
    assert words in (explain(exc) or "")
    monkeypatch.setattr(cli, "build_parser", lambda only=None: _Raising(exc))
    code = cli.main(["lookup", "X"])
    err = capsys.readouterr().err
    assert code == 1
    assert words in err and err.count("\n") == 1 and "unexpected" not in err


def test_a_wrapped_database_error_is_explained_by_its_driver_error():
    from sqlalchemy.exc import DatabaseError

    wrapped = DatabaseError("SELECT 1", {}, sqlite3.DatabaseError("file is not a database"))
    assert explain(wrapped) == (
        "the database file is damaged or is not a database (file is not a database); nothing "
        "was changed: restore it from a backup or give another with --db"
    )


def test_a_fault_of_the_program_stays_unexpected(monkeypatch, capsys):
    assert explain(KeyError("oops")) is None
    monkeypatch.setattr(cli, "build_parser", lambda only=None: _Raising(KeyError("\x1b[2Joops")))
    assert cli.main(["lookup", "X"]) == 70
    err = capsys.readouterr().err
    assert "unexpected error (KeyError" in err and "\\x1b[2J" in err and "\x1b" not in err
