"""The insurance reports: claims per scheme period and charges due, paid and waived. No Qt."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import select

from helpdesk.domain.enums import ChargeStatus, CoverStatus, IncidentType, TicketState
from helpdesk.domain.models import Claim, CoverPeriod, Scheme, Student, Ticket
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.unit_of_work import read_session, require_reader
from helpdesk.services.reporting.report_tables import (
    Cell,
    Chart,
    ReportTable,
    Series,
    check_range,
    in_range,
    pounds,
)

NO_COVER = "no cover"


def claims(
    factory,  # noqa: ANN001
    actor: str,
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
    check_range(date_from, date_to)
    with read_session(factory) as session:
        require_reader(session, actor, "report.read")
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
                *in_range(Claim.created_at, date_from, date_to),
            )
        ).all()
    covered: Counter[tuple] = Counter()
    for name, starts, ends, status in periods:
        covered[name, starts, ends] += 1 if status is CoverStatus.INSURED else 0
    by_type: dict[tuple, Counter[IncidentType]] = defaultdict(Counter)
    outside: Counter[tuple] = Counter()
    charged: Counter[tuple] = Counter()
    for name, starts, ends, number, incident, pence, charge in raised:
        key = (name or NO_COVER, starts, ends)
        if number is None:
            outside[key] += 1
        else:
            by_type[key][incident] += 1
        if charge is not ChargeStatus.WAIVED:
            charged[key] += pence
    keys = sorted(
        set(covered) | set(by_type) | set(outside),
        key=lambda k: (k[0] == NO_COVER, k[1] or date.min, k[0], k[2] or date.min),
    )
    rows: list[tuple[Cell, ...]] = []
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
    actor: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> ReportTable:
    """Every charge raised in the period (claims with nothing to pay left out): due ones first,
    then paid, then waived (with the reason); oldest first within each."""
    check_range(date_from, date_to)
    with read_session(factory) as session:
        require_reader(session, actor, "report.read")
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
            .where(Claim.charge_pence > 0, *in_range(Claim.created_at, date_from, date_to))
        ).all()
    found = sorted(found, key=lambda r: (STATUS_ORDER[r.charge_status], r.created_at, r.id))
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
