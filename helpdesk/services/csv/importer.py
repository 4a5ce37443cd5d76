"""Importing students, devices and cover periods from CSV files (see csv_read for the format).

One import is one transaction. Every row is checked before anything is written; a file with any
bad row raises ImportFailed listing (line, column, why) for each, and nothing is written, unless
``skip_bad`` is set: then the good rows are imported and the bad ones are listed in the result.

A row whose key is in the database already updates that record (the key is the card code for
students, the asset tag for devices, and card code + scheme + start date for cover periods), so
the MIS export can be imported again every term; the summary counts what was added, updated and
left unchanged. Students who are not in the file are left as they are (marking them as left is a
decision for a person, not for an import). An empty optional value never clears what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import CoverStatus, StudentStatus
from helpdesk.domain.models import CoverPeriod, Scheme, Student
from helpdesk.services.core.unit_of_work import SessionFactory, now_of
from helpdesk.services.csv.allocations import import_allocations
from helpdesk.services.csv.apply import (
    COVER_COLUMNS,
    COVER_OPTIONAL,
    DEVICE_COLUMNS,
    DEVICE_OPTIONAL,
    STUDENT_COLUMNS,
    STUDENT_OPTIONAL,
    YEAR_GROUPS,
    ImportResult,
    by_key,
    choices_of,
    chunks,
    required_choice,
    run_import,
    set_changed,
)
from helpdesk.services.csv.clashes import CodeIndex
from helpdesk.services.csv.devices import import_devices
from helpdesk.services.csv.reader import (
    Row,
    RowError,
    Table,
    choice_value,
    date_value,
    format_date,
    int_value,
    text_value,
)

__all__ = [
    "COVER_COLUMNS",
    "COVER_OPTIONAL",
    "DEVICE_COLUMNS",
    "DEVICE_OPTIONAL",
    "IMPORTERS",
    "STUDENT_COLUMNS",
    "STUDENT_OPTIONAL",
    "ImportResult",
    "import_allocations",
    "import_cover",
    "import_devices",
    "import_students",
]

STUDENT_STATUSES = choices_of(s.value for s in StudentStatus)
COVER_STATUSES = choices_of((s.value for s in CoverStatus), {"pending": "pending_payment"})


# --- students -----------------------------------------------------------------------------------


def _student_importer(session: Session, table: Table) -> Callable[[Row], str]:
    existing = by_key(session, Student, Student.card_code, (r.get("card_code") for r in table.rows))
    seen: dict[str, int] = {}
    codes = CodeIndex(session)
    low, high = YEAR_GROUPS

    def apply(row: Row) -> str:
        code = text_value(row, "card_code", limit=64)
        if code in seen:
            raise RowError("card_code", f"the card code '{code}' is also on line {seen[code]}.")
        codes.check(code, ("student", code), "card code", "card_code")
        values: dict[str, Any] = {
            "first_name": text_value(row, "first_name"),
            "last_name": text_value(row, "last_name"),
        }
        year = int_value(row, "year", low=low, high=high, what="a year group")
        if year is None:
            raise RowError("year", f"this value is empty (a year group, {low}-{high}).")
        values["year_group"] = year
        values["form"] = text_value(row, "form", limit=16)
        status = choice_value(row, "status", STUDENT_STATUSES, "a student status")
        left_on = date_value(row, "left_on")
        if status == StudentStatus.ACTIVE and left_on:
            raise RowError(
                "left_on", "an active student has no leaving date; set status to left or clear it."
            )
        if left_on or status == StudentStatus.LEFT:
            values["status"] = StudentStatus.LEFT
            values["left_on"] = (
                left_on
                or (existing[code].left_on if code in existing else None)
                or now_of(session).date()
            )
        elif status == StudentStatus.ACTIVE:
            values["status"] = StudentStatus.ACTIVE
            values["left_on"] = None
        seen[code] = row.line
        codes.add(code, ("student", code), "card code", row.line)
        student = existing.get(code)
        if student is None:
            session.add(Student(card_code=code, **{"status": StudentStatus.ACTIVE, **values}))
            return "added"
        return "updated" if set_changed(student, values) else "unchanged"

    return apply


def import_students(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Students from a CSV file (card_code, first_name, last_name, year, form[, status, left_on])."""
    return run_import(
        factory,
        actor,
        data,
        kind="students",
        required=STUDENT_COLUMNS,
        optional=STUDENT_OPTIONAL,
        make_importer=_student_importer,
        skip_bad=skip_bad,
        now=now,
    )


# --- cover periods ------------------------------------------------------------------------------


def _cover_importer(session: Session, table: Table) -> Callable[[Row], str]:
    students = by_key(session, Student, Student.card_code, (r.get("card_code") for r in table.rows))
    schemes = {s.name.strip().lower(): s for s in session.scalars(select(Scheme))}
    periods: dict[int, list[CoverPeriod]] = {}
    ids = [s.id for s in students.values()]
    for chunk in chunks(ids):
        for p in session.scalars(select(CoverPeriod).where(CoverPeriod.student_id.in_(chunk))):
            periods.setdefault(p.student_id, []).append(p)
    seen: dict[tuple[int, int, object], int] = {}

    def apply(row: Row) -> str:
        code = text_value(row, "card_code", limit=64)
        student = students.get(code)
        if student is None:
            raise RowError("card_code", f"no student has the card code '{code}'.")
        name = text_value(row, "scheme")
        scheme = schemes.get(name.lower())
        if scheme is None:
            names = ", ".join(sorted(s.name for s in schemes.values()))
            known = f"the schemes are: {names}" if names else "there are no schemes yet"
            raise RowError("scheme", f"'{name}' is not an insurance scheme ({known}).")
        start = date_value(row, "start", required=True)
        end = date_value(row, "end", required=True)
        if end < start:
            raise RowError(
                "end",
                f"the cover ends ({format_date(end)}) before it starts ({format_date(start)}).",
            )
        status = required_choice(row, "status", COVER_STATUSES, "a cover status")
        allowed = int_value(row, "claims_allowed", low=0, high=None, what="a number of claims")
        key = (student.id, scheme.id, start)
        if key in seen:
            raise RowError("start", f"the same cover period is also on line {seen[key]}.")
        match = None
        for period in periods.get(student.id, []):
            if (period.scheme_id, period.starts_on) == (scheme.id, start):
                match = period
            elif period.starts_on <= end and start <= period.ends_on:
                raise RowError(
                    "start",
                    f"{student.full_name} ({code}) has cover from {format_date(period.starts_on)} "
                    f"to {format_date(period.ends_on)} already, which overlaps this period.",
                )
        seen[key] = row.line
        values: dict[str, Any] = {"ends_on": end, "status": CoverStatus(status)}
        if allowed is not None:
            values["claims_allowed"] = allowed
        if match is None:
            period = CoverPeriod(
                student=student,
                scheme=scheme,
                starts_on=start,
                **{"claims_allowed": scheme.claims_allowed, **values},
            )
            session.add(period)
            periods.setdefault(student.id, []).append(period)
            return "added"
        return "updated" if set_changed(match, values) else "unchanged"

    return apply


def import_cover(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Cover periods (card_code, scheme, start, end, status[, claims_allowed]). The scheme must
    exist already (by name, any case); claims_allowed defaults to the scheme's."""
    return run_import(
        factory,
        actor,
        data,
        kind="cover periods",
        required=COVER_COLUMNS,
        optional=COVER_OPTIONAL,
        make_importer=_cover_importer,
        skip_bad=skip_bad,
        now=now,
    )


IMPORTERS = {
    "students": import_students,
    "devices": import_devices,
    "cover": import_cover,
    "allocations": import_allocations,
}
