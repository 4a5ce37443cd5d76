"""The bench's reports: read-only queries on the records, each returned as a plain table.

Five reports, named as on the command line (``helpdesk report NAME``):

- ``open-tickets``: open tickets by state and age in school days (weekends and closure days do
  not count); tickets older than 5 school days stand out.
- ``turnaround``: days from logged to collected, per damage category (count, median, mean, p90).
- ``damage``: tickets by month, year group and damage category (cancelled tickets left out).
- ``claims``: claims per scheme period, by incident type, with the charges they raised.
- ``charges``: every charge raised, due first, then paid and waived.

Date filters (``date_from``/``date_to``, both inclusive) apply to the day each record happened:
the day a ticket was logged (open tickets, damage), collected (turnaround) or the day a claim was
raised (claims, charges). Every table carries a bar chart of its own figures. No Qt.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from helpdesk.domain.enums import CLOSED_TICKET_STATES, DamageCategory, TicketState
from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Student, Ticket
from helpdesk.services.core.unit_of_work import read_session, require_reader
from helpdesk.services.reporting.insurance_reports import charges, claims
from helpdesk.services.reporting.report_tables import (  # noqa: F401  (the reports' shapes, re-exported)
    Cell,
    Chart,
    ReportInfo,
    ReportTable,
    Series,
    cell_text,
    check_range,
    closures_between,
    in_range,
    one_decimal,
    p90,
    pounds,
    school_days_after,
    write_csv,
)

STANDS_OUT_AFTER = 5  # school days: an open ticket older than this stands out

# --- the reports ---------------------------------------------------------------------------------

OPEN_STATES = tuple(s for s in TicketState if s not in CLOSED_TICKET_STATES)
AGE_BANDS = ("0–2 school days", "3–5 school days", f"over {STANDS_OUT_AFTER} school days")


def open_tickets(
    factory,  # noqa: ANN001 - the services' session factory
    actor: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Open tickets per state (in lifecycle order) by age in school days on ``today``."""
    check_range(date_from, date_to)
    today = today or date.today()
    with read_session(factory) as session:
        require_reader(session, actor, "report.read")
        opened = session.execute(
            select(Ticket.state, Ticket.opened_at).where(
                Ticket.state.not_in(list(CLOSED_TICKET_STATES)),
                *in_range(Ticket.opened_at, date_from, date_to),
            )
        ).all()
        earliest = min((o.date() for _, o in opened), default=today)
        closed = closures_between(session, earliest, today)
    ages: dict[TicketState, list[int]] = defaultdict(list)
    for state, opened_at in opened:
        ages[state].append(school_days_after(opened_at.date(), today, closed))
    rows = []
    for state in OPEN_STATES:
        if state not in ages:
            continue
        found = ages[state]
        young = sum(1 for a in found if a <= 2)
        middle = sum(1 for a in found if 2 < a <= STANDS_OUT_AFTER)
        old = sum(1 for a in found if a > STANDS_OUT_AFTER)
        rows.append((state.label, len(found), young, middle, old, max(found)))
    total = sum(r[1] for r in rows)
    old_total = sum(r[4] for r in rows)
    chart = Chart(
        title="Open tickets by state and age",
        categories=tuple(r[0] for r in rows),
        series=tuple(
            Series(band, tuple(float(r[2 + i]) for r in rows)) for i, band in enumerate(AGE_BANDS)
        ),
        stacked=True,
        unit="tickets",
    )
    summary = (
        f"{total} open tickets on {today:%d/%m/%Y}; {old_total} older than "
        f"{STANDS_OUT_AFTER} school days"
        if total
        else "No open tickets."
    )
    return ReportTable(
        name="open-tickets",
        title="Open tickets by state and age",
        columns=(
            "state",
            "tickets",
            "age_0_to_2",
            "age_3_to_5",
            "over_5_school_days",
            "oldest_school_days",
        ),  # fmt: skip
        headings=("State", "Tickets", *AGE_BANDS, "Oldest (school days)"),
        rows=tuple(rows),
        chart=chart,
        summary=summary,
        date_from=date_from,
        date_to=date_to,
        alert_column=4,
    )


def turnaround(
    factory,  # noqa: ANN001
    actor: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Days from logged to collected for tickets collected in the period, per damage category."""
    check_range(date_from, date_to)
    with read_session(factory) as session:
        require_reader(session, actor, "report.read")
        found = session.execute(
            select(Ticket.damage_category, Ticket.opened_at, Ticket.closed_at).where(
                Ticket.state == TicketState.COLLECTED,
                Ticket.closed_at.is_not(None),
                *in_range(Ticket.closed_at, date_from, date_to),
            )
        ).all()
    days: dict[DamageCategory, list[float]] = defaultdict(list)
    for category, opened_at, closed_at in found:
        assert closed_at is not None  # the query asks for closed tickets only
        days[category].append(max(0.0, (closed_at - opened_at).total_seconds() / 86400))
    rows = []
    for category in DamageCategory:
        values = days.get(category)
        if not values:
            continue
        rows.append(
            (
                category.label,
                len(values),
                one_decimal(statistics.median(values)),
                one_decimal(statistics.fmean(values)),
                one_decimal(p90(values)),
            )
        )
    everything = [v for values in days.values() for v in values]
    chart = Chart(
        title="Turnaround, logged to collected (days)",
        categories=tuple(r[0] for r in rows),
        series=(
            Series("median", tuple(float(r[2]) for r in rows)),
            Series("90th percentile", tuple(float(r[4]) for r in rows)),
        ),
        unit="days",
    )
    summary = (
        f"{len(everything)} tickets collected; median {one_decimal(statistics.median(everything))}"
        f" days, 9 in 10 within {one_decimal(p90(everything))} days"
        if everything
        else "No tickets were collected in this period."
    )
    return ReportTable(
        name="turnaround",
        title="Turnaround per damage category",
        columns=("category", "collected", "median_days", "mean_days", "p90_days"),
        headings=("Damage", "Collected", "Median (days)", "Mean (days)", "90% within (days)"),
        rows=tuple(rows),
        chart=chart,
        summary=summary,
        date_from=date_from,
        date_to=date_to,
    )


def damage(
    factory,  # noqa: ANN001
    actor: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Tickets logged per month, year group and damage category (cancelled ones left out)."""
    check_range(date_from, date_to)
    with read_session(factory) as session:
        require_reader(session, actor, "report.read")
        found = session.execute(
            select(Ticket.opened_at, Ticket.damage_category, Student.year_group)
            .outerjoin(Student, Student.id == Ticket.student_id)
            .where(
                Ticket.state != TicketState.CANCELLED,
                *in_range(Ticket.opened_at, date_from, date_to),
            )
        ).all()
    order = {c: i for i, c in enumerate(DamageCategory)}
    counts: Counter[tuple[str, int, DamageCategory]] = Counter(
        (opened_at.strftime("%Y-%m"), year or 0, category) for opened_at, category, year in found
    )
    rows = tuple(
        (month, year or None, category.label, n)
        for (month, year, category), n in sorted(
            counts.items(), key=lambda item: (item[0][0], item[0][1], order[item[0][2]])
        )
    )
    months = tuple(sorted({month for month, _, _ in counts}))
    categories = [c for c in DamageCategory if any(key[2] is c for key in counts)]
    by_month: Counter[tuple[str, DamageCategory]] = Counter()
    for (month, _year, category), n in counts.items():
        by_month[month, category] += n
    chart = Chart(
        title="Damage by month and category",
        categories=tuple(f"{date.fromisoformat(m + '-01'):%b %Y}" for m in months),
        series=tuple(
            Series(c.label, tuple(float(by_month[m, c]) for m in months)) for c in categories
        ),
        stacked=True,
        unit="tickets",
    )
    total = len(found)
    if total:
        top = Counter({c.label: sum(by_month[m, c] for m in months) for c in categories})
        name, n = top.most_common(1)[0]
        summary = f"{total} tickets logged; most often {name} ({n})"
    else:
        summary = "No damage was booked in this period."
    return ReportTable(
        name="damage",
        title="Damage by category, year group and month",
        columns=("month", "year_group", "category", "tickets"),
        headings=("Month", "Year group", "Damage", "Tickets"),
        rows=rows,
        chart=chart,
        summary=summary,
        date_from=date_from,
        date_to=date_to,
    )


# --- the list of reports -------------------------------------------------------------------------

Report = Callable[..., ReportTable]

REPORTS: dict[str, tuple[ReportInfo, Report]] = {
    "open-tickets": (
        ReportInfo(
            "open-tickets",
            "Open tickets by state and age",
            "open tickets per state, by age in school days",
        ),  # fmt: skip
        open_tickets,
    ),
    "turnaround": (
        ReportInfo(
            "turnaround",
            "Turnaround per damage category",
            "days from logged to collected: count, median, mean, 90th percentile",
        ),  # fmt: skip
        turnaround,
    ),
    "damage": (
        ReportInfo(
            "damage",
            "Damage by category, year group and month",
            "tickets logged per month, year group and damage category",
        ),  # fmt: skip
        damage,
    ),
    "claims": (
        ReportInfo(
            "claims",
            "Claims per scheme period",
            "claims per scheme period by incident type, with charges raised",
        ),  # fmt: skip
        claims,
    ),
    "charges": (
        ReportInfo(
            "charges", "Charges due, paid and waived", "every charge raised: due, paid or waived"
        ),  # fmt: skip
        charges,
    ),
}


def report_names() -> tuple[str, ...]:
    return tuple(REPORTS)


def report_infos() -> tuple[ReportInfo, ...]:
    return tuple(info for info, _ in REPORTS.values())


def run_report(
    factory,  # noqa: ANN001
    actor: str,
    name: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """The report called ``name`` (see :data:`REPORTS`) for the dates given."""
    entry = REPORTS.get(name)
    if entry is None:
        raise ValidationError(
            f"There is no report called '{name}'; choose one of {', '.join(REPORTS)}."
        )
    return entry[1](factory, actor, date_from=date_from, date_to=date_to, today=today)
