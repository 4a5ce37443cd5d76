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

import csv
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import (
    CLOSED_TICKET_STATES,
    ChargeStatus,
    CoverStatus,
    DamageCategory,
    IncidentType,
    TicketState,
)
from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Claim, Closure, CoverPeriod, Scheme, Student, Ticket
from helpdesk.services.codes import ticket_code

STANDS_OUT_AFTER = 5  # school days: an open ticket older than this stands out

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


# --- helpers -------------------------------------------------------------------------------------


def pounds(pence: int) -> Decimal:
    """Whole pence as pounds with two decimals: 5000 -> Decimal('50.00')."""
    return (Decimal(pence) / 100).quantize(Decimal("0.01"))


def _in_range(column, date_from: date | None, date_to: date | None) -> list:  # noqa: ANN001
    """Conditions keeping a datetime column within whole days ``date_from``..``date_to``."""
    where = []
    if date_from is not None:
        where.append(column >= datetime.combine(date_from, time.min))
    if date_to is not None:
        where.append(column < datetime.combine(date_to + timedelta(days=1), time.min))
    return where


def _check_range(date_from: date | None, date_to: date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValidationError(
            f"The start date {date_from:%d/%m/%Y} is after the end date {date_to:%d/%m/%Y}."
        )


def _closures(session: Session, start: date, end: date) -> set[date]:
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


def _p90(values: list[float]) -> float:
    """Nearest-rank 90th percentile: 9 in 10 took this long or less."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def _one_decimal(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- the reports ---------------------------------------------------------------------------------

OPEN_STATES = tuple(s for s in TicketState if s not in CLOSED_TICKET_STATES)
AGE_BANDS = ("0–2 school days", "3–5 school days", f"over {STANDS_OUT_AFTER} school days")


def open_tickets(
    factory,  # noqa: ANN001 - the services' session factory
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Open tickets per state (in lifecycle order) by age in school days on ``today``."""
    _check_range(date_from, date_to)
    today = today or date.today()
    with factory() as session:
        opened = session.execute(
            select(Ticket.state, Ticket.opened_at).where(
                Ticket.state.not_in(list(CLOSED_TICKET_STATES)),
                *_in_range(Ticket.opened_at, date_from, date_to),
            )
        ).all()
        earliest = min((o.date() for _, o in opened), default=today)
        closed = _closures(session, earliest, today)
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
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Days from logged to collected for tickets collected in the period, per damage category."""
    _check_range(date_from, date_to)
    with factory() as session:
        found = session.execute(
            select(Ticket.damage_category, Ticket.opened_at, Ticket.closed_at).where(
                Ticket.state == TicketState.COLLECTED,
                Ticket.closed_at.is_not(None),
                *_in_range(Ticket.closed_at, date_from, date_to),
            )
        ).all()
    days: dict[DamageCategory, list[float]] = defaultdict(list)
    for category, opened_at, closed_at in found:
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
                _one_decimal(statistics.median(values)),
                _one_decimal(statistics.fmean(values)),
                _one_decimal(_p90(values)),
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
        f"{len(everything)} tickets collected; median {_one_decimal(statistics.median(everything))}"
        f" days, 9 in 10 within {_one_decimal(_p90(everything))} days"
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
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Tickets logged per month, year group and damage category (cancelled ones left out)."""
    _check_range(date_from, date_to)
    with factory() as session:
        found = session.execute(
            select(Ticket.opened_at, Ticket.damage_category, Student.year_group)
            .outerjoin(Student, Student.id == Ticket.student_id)
            .where(
                Ticket.state != TicketState.CANCELLED,
                *_in_range(Ticket.opened_at, date_from, date_to),
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


NO_COVER = "no cover"


def claims(
    factory,  # noqa: ANN001
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Claims raised in the period per scheme period (scheme, start, end), by incident type.

    Students covered counts the insured cover periods of that scheme period overlapping the
    dates. A claim counts when the scheme numbered it (one of the period's allowed claims);
    charges the scheme did not cover (an exclusion, all claims used, cover not in force) are
    counted as "outside cover", and charges of students without any cover are the "no cover"
    row. Claims of cancelled tickets do not count; waived charges are not in the charged total.
    """
    _check_range(date_from, date_to)
    with factory() as session:
        periods = session.execute(
            select(Scheme.name, CoverPeriod.starts_on, CoverPeriod.ends_on, CoverPeriod.status)
            .join(Scheme, Scheme.id == CoverPeriod.scheme_id)
            .where(
                *([CoverPeriod.ends_on >= date_from] if date_from else []),
                *([CoverPeriod.starts_on <= date_to] if date_to else []),
            )
        ).all()
        raised = session.execute(
            select(
                Scheme.name,
                CoverPeriod.starts_on,
                CoverPeriod.ends_on,
                Claim.claim_number,
                Claim.incident_type,
                Claim.charge_pence,
                Claim.charge_status,
            )
            .select_from(Claim)
            .join(Ticket, Ticket.id == Claim.ticket_id)
            .outerjoin(CoverPeriod, CoverPeriod.id == Claim.cover_period_id)
            .outerjoin(Scheme, Scheme.id == CoverPeriod.scheme_id)
            .where(
                Ticket.state != TicketState.CANCELLED,
                *_in_range(Claim.created_at, date_from, date_to),
            )
        ).all()
    covered: Counter[tuple] = Counter()
    for name, starts, ends, status in periods:
        covered[name, starts, ends] += 1 if status is CoverStatus.INSURED else 0
    by_type: dict[tuple, Counter[IncidentType]] = defaultdict(Counter)
    outside: Counter[tuple] = Counter()
    charged: Counter[tuple] = Counter()
    for name, starts, ends, number, incident, pence, status in raised:
        key = (name or NO_COVER, starts, ends)
        if number is None:
            outside[key] += 1
        else:
            by_type[key][incident] += 1
        if status is not ChargeStatus.WAIVED:
            charged[key] += pence
    keys = sorted(
        set(covered) | set(by_type) | set(outside),
        key=lambda k: (k[0] == NO_COVER, k[1] or date.min, k[0], k[2] or date.min),
    )
    rows = []
    for key in keys:
        counts = by_type.get(key, Counter())
        rows.append(
            (
                key[0],
                key[1],
                key[2],
                covered.get(key, 0),
                sum(counts.values()),
                *(counts[t] for t in IncidentType),
                outside.get(key, 0),
                pounds(charged[key]),
            )
        )
    labels = tuple(
        k[0] if k[1] is None else f"{k[0]} {k[1]:%d/%m/%y}–{k[2]:%d/%m/%y}" for k in keys
    )
    chart = Chart(
        title="Claims per scheme period",
        categories=labels if raised else (),
        series=tuple(
            Series(t.label, tuple(float(by_type.get(k, Counter())[t]) for k in keys))
            for t in IncidentType
        )
        + (Series("outside cover", tuple(float(outside.get(k, 0)) for k in keys)),)
        if raised
        else (),
        stacked=True,
        unit="claims",
    )
    n_claims = sum(sum(c.values()) for c in by_type.values())
    n_outside = sum(outside.values())
    summary = (
        f"{n_claims} claims and {n_outside} charges outside cover; "
        f"£{sum(charged.values()) / 100:,.2f} charged (waived charges left out)"
        if raised
        else "No claims were raised in this period."
    )
    return ReportTable(
        name="claims",
        title="Claims per scheme period",
        columns=(
            "scheme",
            "starts_on",
            "ends_on",
            "students_covered",
            "claims",
            *(t.value for t in IncidentType),
            "outside_cover",
            "charged_gbp",
        ),  # fmt: skip
        headings=(
            "Scheme",
            "From",
            "To",
            "Students covered",
            "Claims",
            *(t.label.capitalize() for t in IncidentType),
            "Outside cover",
            "Charged (£)",
        ),  # fmt: skip
        rows=tuple(rows),
        chart=chart,
        summary=summary,
        date_from=date_from,
        date_to=date_to,
    )


STATUS_ORDER = {ChargeStatus.DUE: 0, ChargeStatus.PAID: 1, ChargeStatus.WAIVED: 2}


def charges(
    factory,  # noqa: ANN001
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Every charge raised in the period (claims with nothing to pay left out): due ones first,
    then paid, then waived (with the reason); oldest first within each."""
    _check_range(date_from, date_to)
    with factory() as session:
        found = session.execute(
            select(
                Claim.id,
                Claim.ticket_id,
                Student.first_name,
                Student.last_name,
                Student.form,
                Ticket.damage_category,
                Claim.incident_type,
                Claim.rule,
                Claim.charge_pence,
                Claim.charge_status,
                Claim.created_at,
                Claim.settled_at,
                Claim.waiver_reason,
            )
            .join(Student, Student.id == Claim.student_id)
            .join(Ticket, Ticket.id == Claim.ticket_id)
            .where(Claim.charge_pence > 0, *_in_range(Claim.created_at, date_from, date_to))
        ).all()
    found.sort(key=lambda r: (STATUS_ORDER[r.charge_status], r.created_at, r.id))
    rows = tuple(
        (
            ticket_code(r.ticket_id),
            f"{r.first_name} {r.last_name}",
            r.form,
            r.damage_category.label,
            r.incident_type.label,
            r.rule,
            pounds(r.charge_pence),
            r.charge_status.value,
            r.created_at.date(),
            r.settled_at.date() if r.settled_at else None,
            r.waiver_reason,
        )
        for r in found
    )
    totals = {status: 0 for status in ChargeStatus}
    counts = {status: 0 for status in ChargeStatus}
    for r in found:
        totals[r.charge_status] += r.charge_pence
        counts[r.charge_status] += 1
    chart = Chart(
        title="Charges due, paid and waived (£)",
        categories=tuple(s.value for s in ChargeStatus) if found else (),
        series=(Series("£", tuple(totals[s] / 100 for s in ChargeStatus)),) if found else (),
        unit="£",
    )
    summary = (
        "; ".join(
            f"{counts[s]} {s.value} £{totals[s] / 100:,.2f}"
            for s in (ChargeStatus.DUE, ChargeStatus.PAID, ChargeStatus.WAIVED)
        )
        if found
        else "No charges were raised in this period."
    )
    return ReportTable(
        name="charges",
        title="Charges due, paid and waived",
        columns=(
            "ticket",
            "student",
            "form",
            "category",
            "incident",
            "rule",
            "amount_gbp",
            "status",
            "raised_on",
            "settled_on",
            "waiver_reason",
        ),  # fmt: skip
        headings=(
            "Ticket",
            "Student",
            "Form",
            "Damage",
            "Incident",
            "Rule",
            "Amount (£)",
            "Status",
            "Raised",
            "Settled",
            "Waiver reason",
        ),  # fmt: skip
        rows=rows,
        chart=chart,
        summary=summary,
        date_from=date_from,
        date_to=date_to,
        alert_column=None,
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
    return entry[1](factory, date_from=date_from, date_to=date_to, today=today)


def write_csv(table: ReportTable, out: TextIO) -> None:
    """The table as CSV: the header row (``table.columns``), then one line per row."""
    writer = csv.writer(out, lineterminator="\n")
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
