"""Due times: the end of the school day, the next school day, N school days, skipping weekends
and closure dates."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from helpdesk.services.core.school_days import (
    add_school_days,
    end_of_school_day,
    is_school_day,
    loan_due_at,
    next_school_day,
)

END = time(15, 30)
HALF_TERM = (
    date(2026, 10, 26),
    date(2026, 10, 27),
    date(2026, 10, 28),
    date(2026, 10, 29),
    date(2026, 10, 30),
)


def test_weekends_and_closures_are_not_school_days():
    assert is_school_day(date(2026, 10, 5))  # Monday
    assert not is_school_day(date(2026, 10, 10))  # Saturday
    assert not is_school_day(date(2026, 10, 11))  # Sunday
    assert not is_school_day(date(2026, 10, 26), HALF_TERM)


def test_next_school_day_skips_the_weekend_and_a_closure():
    assert next_school_day(date(2026, 10, 5)) == date(2026, 10, 6)
    assert next_school_day(date(2026, 10, 9)) == date(2026, 10, 12)  # Friday -> Monday
    assert next_school_day(date(2026, 10, 12), [date(2026, 10, 13)]) == date(2026, 10, 14)
    # Friday before half term -> Monday after it
    assert next_school_day(date(2026, 10, 23), HALF_TERM) == date(2026, 11, 2)


def test_n_school_days_count_only_school_days():
    assert add_school_days(date(2026, 10, 5), 5) == date(2026, 10, 12)
    assert add_school_days(date(2026, 10, 21), 3, HALF_TERM) == date(2026, 11, 2)
    with pytest.raises(ValueError):
        add_school_days(date(2026, 10, 5), 0)


def test_day_loan_due_at_the_end_of_today_or_of_the_next_school_day():
    assert end_of_school_day(datetime(2026, 10, 5, 9, 0), END) == datetime(2026, 10, 5, 15, 30)
    # issued after the end of the day: due at the end of the next school day
    assert end_of_school_day(datetime(2026, 10, 5, 16, 0), END) == datetime(2026, 10, 6, 15, 30)
    # issued on a Friday evening: Monday
    assert end_of_school_day(datetime(2026, 10, 9, 17, 0), END) == datetime(2026, 10, 12, 15, 30)
    # issued on a Saturday (a holiday club): Monday
    assert end_of_school_day(datetime(2026, 10, 10, 11, 0), END) == datetime(2026, 10, 12, 15, 30)
    # issued on a closure day: the next school day after it
    assert end_of_school_day(datetime(2026, 10, 26, 11, 0), END, HALF_TERM) == datetime(
        2026, 11, 2, 15, 30
    )


def test_end_of_day_is_configurable():
    assert end_of_school_day(datetime(2026, 10, 5, 9, 0), time(14, 50)) == datetime(
        2026, 10, 5, 14, 50
    )


def test_loan_types_follow_their_rules():
    issued = datetime(2026, 10, 21, 10, 0)  # Wednesday before half term
    assert loan_due_at("day", issued, end_of_day=END) == datetime(2026, 10, 21, 15, 30)
    assert loan_due_at("day", issued, end_of_day=END, school_days=1) == datetime(
        2026, 10, 22, 15, 30
    )
    assert loan_due_at(
        "swap", issued, end_of_day=END, closures=HALF_TERM, swap_loan_days=3
    ) == datetime(2026, 11, 2, 15, 30)
    assert loan_due_at(
        "long", issued, end_of_day=END, closures=HALF_TERM, long_loan_days=10
    ) == datetime(2026, 11, 11, 15, 30)
