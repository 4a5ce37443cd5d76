"""The cover check at intake: is the student insured, how many claims of the period are used, what
the family pays and the sentence of the rule that says so.

The charge comes from the scheme's fee schedule (incident type x claim number in the period), or
from the uninsured price list when there is no cover, the cover is not paid up, the claims are
used up, or an exclusion applies (deliberate damage, no case, reported too late). A theft is only
booked in with a police crime reference. Software and battery faults are not damage: no claim.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from helpdesk.domain.enums import CoverStatus, DamageCategory, IncidentType
from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Claim, CoverPeriod, Scheme, Student, UninsuredPrice
from helpdesk.services.core.records import find_student
from helpdesk.services.core.shapes import PeriodShape
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.core.views import CoverBadge, CoverCheck, money

FAULTS = frozenset({DamageCategory.SOFTWARE, DamageCategory.BATTERY})


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Intake:
    """What is known of an incident when it is booked in."""

    category: DamageCategory
    occurred_on: date
    reported_on: date
    crime_reference: str = ""
    deliberate: bool = False
    in_case: bool = True


def make_intake(
    category: str | DamageCategory,
    *,
    occurred_on: date | None,
    reported_on: date | None,
    crime_reference: str = "",
    deliberate: bool = False,
    in_case: bool = True,
    today: date,
) -> Intake:
    """Check the incident's facts (ValidationError with a sentence) and fill in the dates."""
    try:
        kind = DamageCategory(category)
    except ValueError:
        names = ", ".join(c.value for c in DamageCategory)
        raise ValidationError(
            f"'{category}' is not a damage category; use one of: {names}."
        ) from None
    reported = reported_on or today
    occurred = occurred_on or reported
    if occurred > today:
        raise ValidationError(f"The damage cannot have happened in the future ({_day(occurred)}).")
    if reported > today:
        raise ValidationError(f"The damage cannot be reported in the future ({_day(reported)}).")
    if reported < occurred:
        raise ValidationError(
            f"The date it was reported ({_day(reported)}) is before the date it happened "
            f"({_day(occurred)})."
        )
    return Intake(kind, occurred, reported, (crime_reference or "").strip(), deliberate, in_case)


def cover_period_on(session: Session, student_id: int, day: date) -> CoverPeriod | None:
    """The student's cover period that includes ``day`` (an insured one first)."""
    periods = (
        session.scalars(
            select(CoverPeriod)
            .where(
                CoverPeriod.student_id == student_id,
                CoverPeriod.starts_on <= day,
                CoverPeriod.ends_on >= day,
            )
            .order_by(CoverPeriod.starts_on.desc(), CoverPeriod.id.desc())
            # the scheme's fee rules with it: the cover check reads them next
            .options(joinedload(CoverPeriod.scheme).joinedload(Scheme.fee_rules))
        )
        .unique()
        .all()
    )
    for period in periods:
        if period.status is CoverStatus.INSURED:
            return period
    return periods[0] if periods else None


def claims_used(session: Session, period_id: int) -> int:
    """Claims counted against a cover period (cancelled tickets' claims are not counted)."""
    return int(
        session.scalar(
            select(func.count(Claim.id)).where(
                Claim.cover_period_id == period_id, Claim.claim_number.is_not(None)
            )
        )
        or 0
    )


class FeeShape(Protocol):
    """A row of a scheme's fee schedule: a FeeRule, or the same columns read as plain SQL."""

    @property
    def id(self) -> int: ...
    @property
    def incident_type(self) -> IncidentType | None: ...
    @property
    def claim_from(self) -> int: ...
    @property
    def claim_to(self) -> int | None: ...
    @property
    def charge_pence(self) -> int: ...


class SchemeTerms(Protocol):
    """What the cover check reads of a scheme."""

    @property
    def name(self) -> str: ...
    @property
    def report_within_days(self) -> int | None: ...
    @property
    def excludes_no_case(self) -> bool: ...
    @property
    def excludes_deliberate(self) -> bool: ...
    @property
    def fee_rules(self) -> Sequence[FeeShape]: ...


class PeriodTerms(Protocol):
    """What the cover check reads of a cover period."""

    @property
    def status(self) -> CoverStatus: ...
    @property
    def claims_allowed(self) -> int: ...
    @property
    def scheme(self) -> SchemeTerms: ...


def fee_rule_for(scheme: SchemeTerms, incident: IncidentType, claim_number: int) -> FeeShape | None:
    """The schedule's row for this incident and claim number: a row for the incident type wins
    over a row for any incident, then the row starting at the highest claim number."""
    matching = [
        rule
        for rule in scheme.fee_rules
        if rule.claim_from <= claim_number
        and (rule.claim_to is None or claim_number <= rule.claim_to)
        and (rule.incident_type is None or rule.incident_type is incident)
    ]
    if not matching:
        return None
    matching.sort(key=lambda r: (r.incident_type is None, -r.claim_from, r.id))
    return matching[0]


def _what(category: DamageCategory) -> str:
    if category is DamageCategory.LOST:
        return "a lost device"
    if category is DamageCategory.STOLEN:
        return "a stolen device"
    return f"a {category.label} repair"


def uninsured_price(session: Session, category: DamageCategory) -> int | None:
    """The uninsured price list's charge for ``category`` (``None``: no price is set)."""
    price = session.scalar(select(UninsuredPrice).where(UninsuredPrice.damage_category == category))
    return None if price is None else price.charge_pence


def _uninsured(price: int | None, category: DamageCategory, reason: str) -> tuple[int, str]:
    if price is None:
        return (
            0,
            f"{reason} No uninsured price is set for {_what(category)}, so there is no charge.",
        )
    return price, f"{reason} The uninsured price for {_what(category)} is {money(price)}."


def check_cover(
    session: Session, student: Student, intake: Intake, *, period: CoverPeriod | None | bool = True
) -> CoverCheck:
    """The cover check for one incident (inside a unit of work). Nothing is written.

    ``period``: the student's cover period on the day of the incident when the caller has read
    it already (``None``: there is none); read here by default."""
    if period is True or period is False:
        period = cover_period_on(session, student.id, intake.occurred_on)
    used = claims_used(session, period.id) if period else 0
    return decide_cover(intake, period, used, lambda: uninsured_price(session, intake.category))


def decide_cover(
    intake: Intake, period: PeriodTerms | None, used: int, price: Callable[[], int | None]
) -> CoverCheck:
    """The cover check from what it reads: the cover period on the day of the incident (or
    ``None``), the claims of that period used, and ``price``, which gives the uninsured price
    of the incident's category when asked (check_cover reads it only then; the quick swap
    has read it with the rest)."""
    incident = IncidentType.for_damage(intake.category)
    status = period.status if period else None
    scheme = period.scheme if period else None
    allowed = period.claims_allowed if period else 0
    refused = None
    if incident is IncidentType.THEFT and not intake.crime_reference:
        refused = "A theft can only be booked in with a police crime reference."

    def result(
        charge: int, rule: str, *, number: int | None = None, excluded: str | None = None
    ) -> CoverCheck:
        return CoverCheck(
            status=status,
            scheme=scheme.name if scheme else None,
            claims_used=used,
            claims_allowed=allowed,
            claim_number=number,
            charge_pence=charge,
            rule=rule,
            excluded=excluded,
            incident_type=incident.value,
            refused=refused,
        )

    if intake.category in FAULTS:
        return result(
            0, f"A {intake.category.label} fault is put right free of charge; it is not a claim."
        )
    if period is None:
        charge, rule = _uninsured(
            price(), intake.category, f"No cover on record on {_day(intake.occurred_on)}."
        )
        return result(charge, rule)
    scheme = period.scheme
    if period.status is not CoverStatus.INSURED:
        charge, rule = _uninsured(
            price(),
            intake.category,
            f"Cover with {scheme.name} is {period.status.label}, so this is not a claim.",
        )
        return result(charge, rule)
    exclusion = None
    if intake.deliberate and scheme.excludes_deliberate:
        exclusion = f"Deliberate damage is not covered by {scheme.name}."
    elif not intake.in_case and scheme.excludes_no_case and incident is not IncidentType.THEFT:
        exclusion = f"Damage outside the school case is not covered by {scheme.name}."
    elif scheme.report_within_days is not None and (
        (intake.reported_on - intake.occurred_on).days > scheme.report_within_days
    ):
        late = (intake.reported_on - intake.occurred_on).days
        exclusion = (
            f"Reported {late} days after it happened; {scheme.name} needs a report within "
            f"{scheme.report_within_days} days."
        )
    elif used >= allowed:
        exclusion = f"All {allowed} claims of the period with {scheme.name} are used."
    if exclusion:
        charge, rule = _uninsured(price(), intake.category, exclusion)
        return result(charge, rule, excluded=exclusion)
    number = used + 1
    fee = fee_rule_for(scheme, incident, number)
    head = f"Insured with {scheme.name}: claim {number} of {allowed}, {incident.label}"
    if fee is None:
        return result(0, f"{head}: no fee in the schedule, so no charge.", number=number)
    charge_text = "free" if fee.charge_pence == 0 else money(fee.charge_pence)
    return result(fee.charge_pence, f"{head}: {charge_text}.", number=number)


def cover_check(
    factory: SessionFactory,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    category: str | DamageCategory,
    occurred_on: date | None = None,
    reported_on: date | None = None,
    crime_reference: str = "",
    deliberate: bool = False,
    in_case: bool = True,
    now: datetime | None = None,
) -> CoverCheck:
    """What booking in this damage would charge, and why (read-only; the counter shows it)."""
    today = (now or datetime.now()).date()
    intake = make_intake(
        category,
        occurred_on=occurred_on,
        reported_on=reported_on,
        crime_reference=crime_reference,
        deliberate=deliberate,
        in_case=in_case,
        today=today,
    )
    with read_session(factory) as session:
        student = find_student(session, student_code=student_code, student_id=student_id)
        return check_cover(session, student, intake)


def badge_of(periods: Sequence[tuple[PeriodShape, int]], today: date) -> CoverBadge:
    """The badge from a student's cover periods (each with its claims used): the period that
    includes today (an insured one first), else the one that ended last."""
    current = [
        (period, used) for period, used in periods if period.starts_on <= today <= period.ends_on
    ]
    current.sort(
        key=lambda p: (p[0].status is CoverStatus.INSURED, p[0].starts_on, p[0].id), reverse=True
    )
    if current:
        period, used = current[0]
    elif periods:
        period, used = max(periods, key=lambda p: (p[0].ends_on, p[0].id))
    else:
        return CoverBadge(None, "no cover on record", None, 0, 0, None)
    status = period.status
    label = status.label
    if period.ends_on < today:
        status, label = CoverStatus.LAPSED, f"ended {_day(period.ends_on)}"
    elif period.starts_on > today:
        label = f"{status.label} from {_day(period.starts_on)}"
    return CoverBadge(
        status=status,
        label=label,
        scheme=period.scheme.name,
        claims_used=used,
        claims_allowed=period.claims_allowed,
        ends_on=period.ends_on,
    )


def cover_badge(session: Session, student_id: int, today: date) -> CoverBadge:
    """The student's cover today, or the latest period when none includes today."""
    periods = session.scalars(select(CoverPeriod).where(CoverPeriod.student_id == student_id)).all()
    return badge_of([(p, claims_used(session, p.id)) for p in periods], today)
