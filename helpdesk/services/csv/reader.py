"""Reading a school's CSV files: the text, the separator, the header and the values in a row.

Files come from Excel or the school's MIS. What is understood:

- UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
- Comma, semicolon (Excel in many European locales) or tab between the fields, told apart from
  the header line, or named by a first line such as ``sep=;`` as Excel writes it.
- Header names in any case, with spaces or underscores ("Card Code" = "card_code"); columns that
  are not understood are ignored.
- Dates as ISO 8601 (2025-09-01) or day/month/year (01/09/2025, 1.9.2025, 01-09-2025), as
  British schools write them.
- A cell the app wrote with a leading ``'`` against formula injection reads back without it
  (:mod:`helpdesk.services.csv.cells`).

Hostile or broken files get one sentence each, never a crash: a UTF-16 or binary file is named
as such; a cell over the csv module's field limit names its line; a control character (NUL, ESC,
BEL, C1) is refused in a code (``CODE_COLUMNS``: a scanner never types one) and taken out of a
name (a tab or line break becomes a space).

Text that is not UTF-8 (Excel's plain "CSV (Comma delimited)" writes Windows-1252, which puts a
single byte for "é") is not guessed at: the row is reported with the text as it would read in
Windows-1252 and the advice to save the file as "CSV UTF-8". Guessing an encoding can quietly turn
names into nonsense (a file from another system read as the wrong one); a school would rather fix
the file once than print a wrong name on a label.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, overload

from helpdesk.services.csv.cells import restore

Problem = tuple[int, str, str]  # (line number, column, why) as ImportFailed carries them

NOT_UTF8_ADVICE = 'is not UTF-8 text; in Excel use Save As > "CSV UTF-8 (Comma delimited)"'
DATE_HINT = "use 2025-09-01 or 01/09/2025"
_SEPARATORS = (",", ";", "\t")
_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_SURROGATES = re.compile("[\udc80-\udcff]")
# A NUL byte rides through the csv module (which refuses it) as this code point, then back.
_NUL_STAND_IN = "\udc00"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LINE_SPACE = re.compile("[\t\n\r]+")
CODE_COLUMNS = frozenset({"card_code", "asset_tag", "serial", "assigned_to"})
FIELD_LIMIT = csv.field_size_limit()
NOT_TEXT = (
    'the file is not UTF-8 text ({what}); in Excel use Save As > "CSV UTF-8 (Comma delimited)"'
)


class RowError(Exception):
    """One value in one row that cannot be used; ``column`` names it."""

    def __init__(self, column: str, why: str) -> None:
        super().__init__(why)
        self.column = column
        self.why = why


@dataclass(frozen=True)
class Row:
    """One record of the file: its first line number and its values by (normalised) column."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return restore(self.values.get(column, "").strip()).strip()


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    separator: str


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip().lower())


def _not_text(data: bytes) -> str | None:
    """What the file is when it is not text a CSV can be: UTF-16 or UTF-32 (Excel's "Unicode
    Text"), or binary (a spreadsheet, a picture); None for text."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is UTF-16 or UTF-32, Excel's 'Unicode Text'"
    head = data[:8192]
    if head.count(0) * 10 > len(head):
        return "it holds NUL bytes, as UTF-16 text or a binary file does"
    controls = sum(1 for byte in head if byte < 0x20 and byte not in (9, 10, 13))
    if controls * 10 > len(head):
        return "it holds more control bytes than text, as a binary file does"
    return None


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # Bytes that are not UTF-8 survive as lone surrogates, so each bad row can be named.
    return data.decode("utf-8", errors="surrogateescape")


def _as_windows_1252(text: str) -> str:
    raw = text.encode("utf-8", errors="surrogateescape")
    return raw.decode("cp1252", errors="replace")


def _sniff(first_line: str, wanted: Sequence[str]) -> str:
    """The separator under which the header names the most wanted columns (then most fields)."""

    def score(sep: str) -> tuple[int, int]:
        fields = next(csv.reader([first_line], delimiter=sep), [])
        names = {normalise_header(f) for f in fields}
        return (len(names & set(wanted)), len(fields))

    return max(_SEPARATORS, key=score)  # ties keep the first: the comma


class _TooLong(Exception):
    def __init__(self, line: int, why: str) -> None:
        super().__init__(why)
        self.line = line


def _records(text: str, separator: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(
        io.StringIO(text.replace("\x00", _NUL_STAND_IN), newline=""), delimiter=separator
    )
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = (
                f"a value is longer than the {FIELD_LIMIT:,} characters a CSV cell may hold "
                "(a quote that is never closed makes the rest of the file one value)"
                if "field limit" in str(exc)
                else f"the line cannot be read as CSV ({exc})"
            )
            raise _TooLong(start, why) from None
        yield start, [f.replace(_NUL_STAND_IN, "\x00") for f in fields]
        start = reader.line_num + 1


def read_table(
    data: bytes,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    aliases: dict[str, str] | None = None,
) -> tuple[Table, list[Problem]]:
    """The file's rows keyed by column name, and the problems that stop every row.

    A missing required column, an empty file or a repeated column name is a problem of the whole
    file (line 1); problems of single rows are found later, by the importer.
    """
    aliases = aliases or {}
    what = _not_text(data)
    if what is not None:
        return Table((), (), ","), [(1, "", NOT_TEXT.format(what=what) + ".")]
    try:
        return _read_table(_decode(data), required, optional, aliases)
    except _TooLong as exc:
        return Table((), (), ","), [(exc.line, "", f"{exc}; nothing was read.")]


def _read_table(
    text: str, required: Sequence[str], optional: Sequence[str], aliases: dict[str, str]
) -> tuple[Table, list[Problem]]:
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return Table((), (), ","), [
            (1, "", "the file is empty; the first line must name the columns")
        ]
    hint = lines[first].strip()
    if re.fullmatch(r"(?i)sep=.", hint):  # Excel's "sep=;" line names the separator
        separator, hint_line = hint[4], first + 1
    else:
        separator, hint_line = _sniff(lines[first], [*required, *optional]), 0
    records = _records(text, separator)
    found = next((r for r in records if any(f.strip() for f in r[1]) and r[0] != hint_line), None)
    if found is None:
        return Table((), (), separator), [
            (1, "", "the file is empty; the first line must name the columns")
        ]
    header_line, header = found
    names = [aliases.get(normalise_header(h), normalise_header(h)) for h in header]
    problems: list[Problem] = []
    if any(_SURROGATES.search(h) for h in header):
        shown = _as_windows_1252(separator.join(header))
        problems.append((header_line, "", f"the header '{shown}' {NOT_UTF8_ADVICE}."))
    seen: set[str] = set()
    for name in names:
        if name and name in seen and name in (*required, *optional):
            problems.append((header_line, name, f"the column '{name}' appears twice."))
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        has = ", ".join(h.strip() for h in header if h.strip()) or "nothing"
        for column in missing:
            problems.append(
                (header_line, column, f"the column '{column}' is missing (the header has: {has}).")
            )
    if problems:
        return Table(tuple(names), (), separator), problems
    index = {name: i for i, name in reversed(list(enumerate(names))) if name}
    rows = []
    for line, fields in records:
        if not any(f.strip() for f in fields):
            continue
        values = {name: fields[i] if i < len(fields) else "" for name, i in index.items()}
        rows.append(Row(line, values))
    return Table(tuple(names), tuple(rows), separator), []


def check_text(row: Row, columns: Sequence[str]) -> None:
    """Raise for the first value among ``columns`` that held bytes which are not UTF-8."""
    for column in columns:
        value = row.values.get(column, "")
        if _SURROGATES.search(value):
            shown = _as_windows_1252(value.strip())
            raise RowError(column, f"'{shown}' {NOT_UTF8_ADVICE}.")


def text_value(row: Row, column: str, *, required: bool = True, limit: int = 100) -> str:
    """The value of ``column``: a code (``CODE_COLUMNS``) holding a control character is
    refused, anything else has them taken out (a tab or line break becomes one space)."""
    value = row.get(column)
    found = _CONTROL.search(value)
    if found and column in CODE_COLUMNS:
        raise RowError(
            column,
            f"this code holds a control character (\\x{ord(found.group()):02x}), which no "
            "label or scanner has; retype it.",
        )
    if found:
        value = _CONTROL.sub("", _LINE_SPACE.sub(" ", value)).strip()
    if required and not value:
        raise RowError(column, "this value is empty.")
    if len(value) > limit:
        raise RowError(column, f"'{value[:20]}...' is longer than {limit} characters.")
    return value


def parse_date(value: str, column: str) -> date:
    value = value.strip()
    match = _DMY.match(value)
    try:
        if match:
            day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
            return date(year, month, day)
        if re.match(r"^\d{4}-\d{2}-\d{2}([T ].*)?$", value):
            return (
                datetime.fromisoformat(value).date()
                if len(value) > 10
                else date.fromisoformat(value)
            )
    except ValueError:
        pass
    raise RowError(column, f"'{value}' is not a date ({DATE_HINT}).")


@overload
def date_value(row: Row, column: str, *, required: Literal[True]) -> date: ...


@overload
def date_value(row: Row, column: str, *, required: bool = False) -> date | None: ...


def date_value(row: Row, column: str, *, required: bool = False) -> date | None:
    value = row.get(column)
    if not value:
        if required:
            raise RowError(column, f"this date is empty ({DATE_HINT}).")
        return None
    return parse_date(value, column)


def choice_value(
    row: Row, column: str, choices: dict[str, str], what: str, *, default: str | None = None
) -> str | None:
    """A value from a fixed list, matched without regard to case, spaces or underscores."""
    value = row.get(column)
    if not value:
        return default
    key = normalise_header(value)
    if key in choices:
        return choices[key]
    listed = ", ".join(dict.fromkeys(v.replace("_", " ") for v in choices.values()))
    raise RowError(column, f"'{value}' is not {what} ({listed}).")


def int_value(row: Row, column: str, *, low: int, high: int | None, what: str) -> int | None:
    value = row.get(column)
    if not value:
        return None
    span = f"{low}-{high}" if high is not None else f"{low} or more"
    try:
        number = int(value)
    except ValueError:
        raise RowError(column, f"'{value}' is not {what} ({span}).") from None
    if number < low or (high is not None and number > high):
        raise RowError(column, f"'{value}' is not {what} ({span}).")
    return number


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def format_problem(problem: Problem) -> str:
    """``line 7, column year: 'Y7' is not a year group (7-13).``"""
    line, column, why = problem
    return f"line {line}, column {column}: {why}" if column else f"line {line}: {why}"
