"""What every CSV import shares: the columns, the result, one transaction, per-row problems.

One import is one transaction. Every row is checked before anything is written; a file with any
bad row raises ImportFailed listing (line, column, why) for each, and nothing is written, unless
``skip_bad`` is set: then the good rows are imported and the bad ones are listed in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import ImportFailed
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.csv.reader import (
    Problem,
    Row,
    RowError,
    Table,
    check_text,
    choice_value,
    read_table,
)

YEAR_GROUPS = (7, 13)  # a secondary school: year 7 to year 13 (the sixth form)

STUDENT_COLUMNS = ("card_code", "first_name", "last_name", "year", "form")
STUDENT_OPTIONAL = ("status", "left_on")
DEVICE_COLUMNS = ("asset_tag", "serial", "make", "model", "kind", "pool")
DEVICE_OPTIONAL = ("status", "purchased_on", "warranty_until", "assigned_to", "location")
COVER_COLUMNS = ("card_code", "scheme", "start", "end", "status")
COVER_OPTIONAL = ("claims_allowed",)
ALIASES = {
    "year_group": "year",
    "tag": "asset_tag",
    "serial_number": "serial",
    "place": "location",
}


@dataclass(frozen=True)
class ImportResult:
    kind: str  # students, devices or cover periods
    added: int
    updated: int
    unchanged: int
    left_out: tuple[Problem, ...]  # the bad rows, when skip_bad was set

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{self.kind}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.left_out:
            rows = len({line for line, _c, _w in self.left_out})
            text += f"; {rows} {'row' if rows == 1 else 'rows'} left out"
        return text + "."


def choices_of(enum_values: Iterable[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {v: v for v in enum_values}
    found.update(extra or {})
    return found


def chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def by_key(session: Session, model, column, keys: Iterable[str]) -> dict:  # noqa: ANN001
    wanted = sorted({k for k in keys if k})
    found = {}
    for chunk in chunks(wanted):
        for obj in session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(obj, column.key)] = obj
    return found


def set_changed(obj: object, values: dict) -> bool:
    """Set the values that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def run_import(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    kind: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    make_importer: Callable[[Session, Table], Callable[[Row], str]],
    skip_bad: bool,
    now: datetime | None,
) -> ImportResult:
    table, problems = read_table(data, required=required, optional=optional, aliases=ALIASES)
    if problems:
        raise ImportFailed(f"The {kind} file cannot be imported; nothing was changed.", problems)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    bad: list[Problem] = []
    columns = (*required, *[c for c in optional if c in table.columns])
    with (
        unit_of_work(factory, actor, action="csv.import", now=now) as session,
        session.no_autoflush,
    ):
        apply = make_importer(session, table)
        for row in table.rows:
            try:
                check_text(row, columns)
                counts[apply(row)] += 1
            except RowError as exc:
                bad.append((row.line, exc.column, exc.why))
        if bad and not skip_bad:
            n = len({line for line, _c, _w in bad})
            raise ImportFailed(
                f"The {kind} file has {n} bad {'row' if n == 1 else 'rows'}; nothing was imported.",
                bad,
            )
        if not table.rows:
            raise ImportFailed(
                f"The {kind} file has a header but no rows; nothing was imported.",
                [(1, "", "there are no rows below the header.")],
            )
        session.flush()
    return ImportResult(kind, counts["added"], counts["updated"], counts["unchanged"], tuple(bad))


def required_choice(row: Row, column: str, choices: dict[str, str], what: str) -> str:
    value = choice_value(row, column, choices, what)
    if value is None:
        listed = ", ".join(dict.fromkeys(v.replace("_", " ") for v in choices.values()))
        raise RowError(column, f"this value is empty ({what}: {listed}).")
    return value
