"""The demo school's calendar: the academic year a day is in, and that year's holidays and INSET
days as an English secondary school has them."""

from __future__ import annotations

from datetime import date, timedelta


def academic_year(day: date) -> int:
    """The year the academic year containing ``day`` started (September)."""
    return day.year if day.month >= 9 else day.year - 1


def _weekdays(start: date, end: date) -> list[date]:
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _week_of(day: date) -> list[date]:
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(5)]


def _last_monday(year: int, month: int) -> date:
    day = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def closures_for(year: int) -> list[tuple[str, list[date]]]:
    """The holidays and INSET days of the academic year starting in September ``year``."""
    nxt = year + 1
    feb_third_monday = date(nxt, 2, 15) + timedelta(days=(7 - date(nxt, 2, 15).weekday()) % 7)
    may_first = date(nxt, 5, 1) + timedelta(days=(7 - date(nxt, 5, 1).weekday()) % 7)
    return [
        ("INSET days", _weekdays(date(year, 9, 1), date(year, 9, 2))),
        ("Autumn half term", _week_of(_last_monday(year, 10))),
        ("Christmas holidays", _weekdays(date(year, 12, 22), date(nxt, 1, 2))),
        ("Spring half term", _week_of(feb_third_monday)),
        ("Easter holidays", _weekdays(date(nxt, 3, 30), date(nxt, 4, 10))),
        ("Early May bank holiday", [may_first]),
        ("Summer half term", _week_of(_last_monday(nxt, 5))),
        ("Summer holidays", _weekdays(date(nxt, 7, 22), date(nxt, 8, 31))),
    ]
