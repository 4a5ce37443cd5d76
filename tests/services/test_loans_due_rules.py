"""A due day chosen by hand follows the school's calendar: never a weekend or a closure day, and
no later than the longest loan; the refusal names the school day to use instead. NOW is Monday
5 October 2026, 10:00."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from service_school import NOW

from helpdesk.domain.errors import ValidationError
from helpdesk.services.core.school_days import due_refusal
from helpdesk.services.core.settings import get_settings, save_settings
from helpdesk.services.counter.loans import issue_loan


def lend(school, **due):  # noqa: ANN001, ANN003, ANN201
    return issue_loan(
        school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW, **due
    )


@pytest.mark.parametrize(
    ("due", "sentence"),
    [
        (
            {"due_at": date(2026, 10, 10)},
            "A loan cannot be due back on Saturday 10/10/2026: the school is closed (a weekend); "
            "the next school day is Monday 12/10/2026.",
        ),
        (
            {"due_at": datetime(2026, 10, 7, 12, 0)},
            "A loan cannot be due back on Wednesday 07/10/2026: the school is closed (a closure "
            "day); the next school day is Friday 09/10/2026.",
        ),
        (
            {"due_at": date(2026, 10, 13)},
            "A loan cannot be due back on Tuesday 13/10/2026: the longest loan is 3 school days, "
            "so the latest is Monday 12/10/2026.",
        ),
        (
            {"school_days": 4},
            "A loan cannot be due back on Tuesday 13/10/2026: the longest loan is 3 school days, "
            "so the latest is Monday 12/10/2026.",
        ),
        (
            {"school_days": 0},
            "A loan must last at least 1 school day.",
        ),
    ],
)
def test_a_chosen_due_day_the_calendar_refuses(school, due, sentence):
    closures = (date(2026, 10, 7), date(2026, 10, 8))
    save_settings(
        school, "admin", replace(get_settings(school), closures=closures, long_loan_days=3)
    )
    with pytest.raises(ValidationError) as err:
        lend(school, **due)
    assert str(err.value) == sentence
    loan = lend(school, due_at=date(2026, 10, 12))  # the latest school day allowed
    assert loan.due_at == datetime(2026, 10, 12, 15, 30)


def test_the_school_rule_itself_is_never_refused(school):
    save_settings(school, "admin", replace(get_settings(school), long_loan_days=1))
    loan = issue_loan(
        school, "counter1", student_code="S1001", device_code="LNR-001", now=NOW,
        loan_type="long",
    )  # fmt: skip
    assert loan.due_at == datetime(2026, 10, 6, 15, 30)


def test_due_refusal_is_none_for_a_school_day_within_the_longest_loan():
    assert due_refusal(datetime(2026, 10, 9, 15, 30), NOW, longest_days=20) is None
