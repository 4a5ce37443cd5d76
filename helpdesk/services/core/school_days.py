"""When a loan is due: school days skip weekends and the school's closure dates. Pure functions."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta

from helpdesk.domain.enums import LoanType


def is_school_day(day: date, closures: Collection[date] = ()) -> bool:
    """Monday to Friday, and not a closure date."""
    return day.weekday() < 5 and day not in closures


def next_school_day(day: date, closures: Collection[date] = ()) -> date:
    """The first school day after ``day``."""
    return add_school_days(day, 1, closures)


def add_school_days(day: date, count: int, closures: Collection[date] = ()) -> date:
    """The ``count``-th school day after ``day`` (``count`` >= 1)."""
    if count < 1:
        raise ValueError("count must be at least 1")
    closed = frozenset(closures)
    current = day
    for _ in range(count):
        current += timedelta(days=1)
        # A year of closures at most: the loop always ends.
        for _ in range(400):
            if is_school_day(current, closed):
                break
            current += timedelta(days=1)
    return current


def end_of_school_day(
    issued_at: datetime, end_of_day: time, closures: Collection[date] = ()
) -> datetime:
    """A day loan: due at the end of today's school day; issued after it (or on a day the school is
    closed), due at the end of the next school day."""
    today = issued_at.date()
    due = datetime.combine(today, end_of_day)
    if is_school_day(today, closures) and issued_at < due:
        return due
    return datetime.combine(next_school_day(today, closures), end_of_day)


def due_after_school_days(
    issued_at: datetime, count: int, end_of_day: time, closures: Collection[date] = ()
) -> datetime:
    """Due at the end of the ``count``-th school day after the day of issue (1 = next school day)."""
    return datetime.combine(add_school_days(issued_at.date(), count, closures), end_of_day)


def loan_due_at(
    loan_type: LoanType | str,
    issued_at: datetime,
    *,
    end_of_day: time,
    closures: Collection[date] = (),
    school_days: int | None = None,
    swap_loan_days: int = 5,
    long_loan_days: int = 20,
) -> datetime:
    """The due time of a new loan.

    ``school_days`` given: the end of that many school days ahead (1 = the next school day).
    Otherwise a day loan is due at the end of the school day, a swap loan after
    ``swap_loan_days`` and a long loan after ``long_loan_days`` school days.
    """
    kind = LoanType(loan_type)
    if school_days is not None:
        return due_after_school_days(issued_at, school_days, end_of_day, closures)
    if kind is LoanType.DAY:
        return end_of_school_day(issued_at, end_of_day, closures)
    days = swap_loan_days if kind is LoanType.SWAP else long_loan_days
    return due_after_school_days(issued_at, days, end_of_day, closures)


def due_refusal(
    due: datetime,
    issued_at: datetime,
    *,
    closures: Collection[date] = (),
    longest_days: int = 20,
    end_of_day: time = time(15, 30),
) -> str | None:
    """Why a due time chosen by hand cannot be used, in one sentence with the school day to use
    instead; None when it can. A loan is due back on a school day (not a weekend or a closure
    day) and no later than the school's longest loan (``longest_days`` school days)."""
    day = due.date()
    if not is_school_day(day, closures):
        why = "a weekend" if day.weekday() >= 5 else "a closure day"
        instead = next_school_day(day, closures)
        return (
            f"A loan cannot be due back on {day:%A %d/%m/%Y}: the school is closed ({why}); "
            f"the next school day is {instead:%A %d/%m/%Y}."
        )
    latest = due_after_school_days(issued_at, longest_days, end_of_day, closures)
    if due > latest:
        return (
            f"A loan cannot be due back on {day:%A %d/%m/%Y}: the longest loan is "
            f"{longest_days} school days, so the latest is {latest:%A %d/%m/%Y}."
        )
    return None
