"""The shape every report takes: a frozen table (columns, headings, rows) with a bar chart and a
summary line; and the small helpers the report queries share (date ranges, school days, money,
CSV). No Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Closure
from helpdesk.services.csv.cells import SafeWriter

Cell = str | int | Decimal | date | None


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar (or stack segment) per category and series."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    stacked: bool = False
    unit: str = ""


@dataclass(frozen=True)
class ReportTable:
    name: str  # as on the command line: "open-tickets"
    title: str
    columns: tuple[str, ...]  # CSV header (snake_case)
    headings: tuple[str, ...]  # the same columns for people
    rows: tuple[tuple[Cell, ...], ...]
    chart: Chart
    summary: str  # one line: totals, or what an empty table means
    date_from: date | None = None
    date_to: date | None = None
    alert_column: int | None = None  # cells above zero in this column stand out

    @property
    def period(self) -> str:
        if self.date_from and self.date_to:
            return f"{self.date_from:%d/%m/%Y} to {self.date_to:%d/%m/%Y}"
        if self.date_from:
            return f"from {self.date_from:%d/%m/%Y}"
        if self.date_to:
            return f"up to {self.date_to:%d/%m/%Y}"
        return "all dates"


@dataclass(frozen=True)
class ReportInfo:
    name: str
    title: str
    description: str


def pounds(pence: int) -> Decimal:
    """Whole pence as pounds with two decimals: 5000 -> Decimal('50.00')."""
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def in_range(column, date_from: date | None, date_to: date | None) -> list:  # noqa: ANN001
    """Conditions keeping a datetime column within whole days ``date_from``..``date_to``."""
    where = []
    if date_from is not None:
        where.append(column >= datetime.combine(date_from, time.min))
    if date_to is not None:
        where.append(column < datetime.combine(date_to + timedelta(days=1), time.min))
    return where


def check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError(
            f"The start date {date_from:%d/%m/%Y} is after the end date {date_to:%d/%m/%Y}."
        )


def closures_between(session: Session, start: date, end: date) -> set[date]:
    return set(session.scalars(select(Closure.day).where(Closure.day > start, Closure.day <= end)))


def school_days_after(start: date, end: date, closures: Iterable[date] = ()) -> int:
    """School days after ``start`` up to and including ``end`` (Monday to Friday, closures out):
    a ticket logged on Friday is 1 school day old on Monday."""
    if end <= start:
        return 0
    whole_weeks, extra = divmod((end - start).days, 7)
    days = whole_weeks * 5
    for n in range(1, extra + 1):
        if (start + timedelta(days=n)).weekday() < 5:
            days += 1
    closed = sum(1 for d in set(closures) if start < d <= end and d.weekday() < 5)
    return days - closed


def p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: 9 in 10 took this long or less."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def one_decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def write_csv(table: ReportTable, out: TextIO) -> None:
    """The table as CSV: the header row (``table.columns``), then one line per row."""
    writer = SafeWriter(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([cell_text(value) for value in row])


def cell_text(value: Cell) -> str:
    """A cell as text for CSV and for people: dates as YYYY-MM-DD, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
