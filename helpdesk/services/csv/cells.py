"""The cells of every CSV file the app writes or reads, made safe for a spreadsheet (formula
injection, OWASP's "CSV injection") and for a scanner (control characters).

Writing: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
written with a leading ``'``, so Excel or LibreOffice shows it as text instead of running it as a
formula (``=HYPERLINK(...)`` in a student's name). A plain number (``-5.00``, ``+3``) is written
as it is: a number cannot be a formula, and a report's refunds stay numbers a spreadsheet can
add up. A cell that already begins with quotes before such a character gets one quote more, so
reading it back gives exactly what was written.

Reading: :func:`restore` takes that one quote off again, so export -> import gives back the
same values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralise(value: object) -> object:
    """A cell as written: text that a spreadsheet would run as a formula gets a leading ``'``;
    numbers, dates and everything else are left as they are."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] == "'" and value.lstrip("'")[:1] in TRIGGERS:
        return "'" + value
    if value[0] in TRIGGERS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """A cell as read: the one quote :func:`neutralise` added is taken off again."""
    if value[:1] == "'" and value.lstrip("'")[:1] in TRIGGERS:
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` whose every cell goes through :func:`neutralise`: the one way the app
    writes CSV (exports, reports, the overdue list, the audit trail)."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
