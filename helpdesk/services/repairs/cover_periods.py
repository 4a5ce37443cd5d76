"""A student's insurance cover periods: the list with the claims used of each, a new period, and
changes to one (one transaction each). Overlapping periods, dates the wrong way round, unknown
schemes and fewer claims than already made are refused in a sentence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from helpdesk.domain.enums import CoverStatus
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import CoverPeriod, Scheme, Student
from helpdesk.services.core.records import find_student
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work
from helpdesk.services.core.views import student_label
from helpdesk.services.repairs.insurance import claims_used


@dataclass(frozen=True)
class CoverPeriodRow:
    id: int
    scheme: str
    starts_on: date
    ends_on: date
    status: CoverStatus
    claims_allowed: int
    claims_used: int


@dataclass(frozen=True)
class StudentCover:
    student_id: int
    student: str  # "Anna Smith (7A)"
    card_code: str
    periods: tuple[CoverPeriodRow, ...]  # newest first
    schemes: tuple[str, ...]  # every scheme, for the add / edit form


def _cover_of(session, student: Student) -> StudentCover:  # noqa: ANN001
    periods = session.scalars(
        select(CoverPeriod)
        .where(CoverPeriod.student_id == student.id)
        .order_by(CoverPeriod.starts_on.desc(), CoverPeriod.id.desc())
    ).all()
    return StudentCover(
        student_id=student.id,
        student=student_label(student),
        card_code=student.card_code,
        periods=tuple(
            CoverPeriodRow(
                p.id,
                p.scheme.name,
                p.starts_on,
                p.ends_on,
                p.status,
                p.claims_allowed,
                claims_used(session, p.id),
            )
            for p in periods
        ),
        schemes=tuple(session.scalars(select(Scheme.name).order_by(Scheme.name))),
    )


def student_cover(
    factory: SessionFactory, *, student_code: str | None = None, student_id: int | None = None
) -> StudentCover:
    """A student's cover periods, newest first."""
    with read_session(factory) as session:
        student = find_student(session, student_code=student_code, student_id=student_id)
        return _cover_of(session, student)


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _checked_period(
    session,  # noqa: ANN001
    student: Student,
    scheme_name: str,
    starts_on: date,
    ends_on: date,
    status: str,
    claims_allowed: int | None,
    editing: int | None,
) -> tuple[Scheme, CoverStatus, int]:
    scheme = session.scalar(
        select(Scheme).where(func.lower(Scheme.name) == (scheme_name or "").strip().lower())
    )
    if scheme is None:
        names = ", ".join(session.scalars(select(Scheme.name).order_by(Scheme.name)))
        known = f"the schemes are: {names}" if names else "there are no schemes yet"
        raise ValidationError(f"'{scheme_name}' is not an insurance scheme ({known}).")
    try:
        kind = CoverStatus(status)
    except ValueError:
        names = ", ".join(s.value for s in CoverStatus)
        raise ValidationError(f"'{status}' is not a cover status; use one of: {names}.") from None
    if ends_on < starts_on:
        raise ValidationError(
            f"The cover ends ({_day(ends_on)}) before it starts ({_day(starts_on)})."
        )
    allowed = scheme.claims_allowed if claims_allowed is None else claims_allowed
    if allowed < 0:
        raise ValidationError("The number of claims allowed cannot be negative.")
    for other in session.scalars(select(CoverPeriod).where(CoverPeriod.student_id == student.id)):
        if other.id != editing and other.starts_on <= ends_on and starts_on <= other.ends_on:
            raise Refused(
                f"{student_label(student)} has cover from {_day(other.starts_on)} to "
                f"{_day(other.ends_on)} already, which overlaps this period."
            )
    return scheme, kind, allowed


def add_cover_period(
    factory: SessionFactory,
    actor: str,
    *,
    student_code: str | None = None,
    student_id: int | None = None,
    scheme: str,
    starts_on: date,
    ends_on: date,
    status: str = "insured",
    claims_allowed: int | None = None,
    now: datetime | None = None,
) -> StudentCover:
    """A new cover period for a student (claims allowed default to the scheme's)."""
    with unit_of_work(factory, actor, action="cover.add", now=now) as session:
        student = find_student(session, student_code=student_code, student_id=student_id)
        found, kind, allowed = _checked_period(
            session, student, scheme, starts_on, ends_on, status, claims_allowed, None
        )
        session.add(
            CoverPeriod(
                student_id=student.id,
                scheme_id=found.id,
                starts_on=starts_on,
                ends_on=ends_on,
                status=kind,
                claims_allowed=allowed,
            )
        )
        session.flush()
        return _cover_of(session, student)


def edit_cover_period(
    factory: SessionFactory,
    actor: str,
    period_id: int,
    *,
    scheme: str,
    starts_on: date,
    ends_on: date,
    status: str,
    claims_allowed: int,
    now: datetime | None = None,
) -> StudentCover:
    """Change a cover period; claims already made against it stay counted."""
    with unit_of_work(factory, actor, action="cover.edit", now=now) as session:
        # Only the period's row is locked (PostgreSQL refuses to lock its joined scheme).
        period = session.scalar(
            select(CoverPeriod).where(CoverPeriod.id == period_id).with_for_update(of=CoverPeriod)
        )
        if period is None:
            raise NotFound(f"There is no cover period {period_id}.")
        student = period.student
        found, kind, allowed = _checked_period(
            session, student, scheme, starts_on, ends_on, status, claims_allowed, period.id
        )
        used = claims_used(session, period.id)
        if allowed < used:
            raise Refused(f"{used} claims were already made in this period; it cannot allow fewer.")
        period.scheme_id = found.id
        period.starts_on, period.ends_on = starts_on, ends_on
        period.status, period.claims_allowed = kind, allowed
        session.flush()
        session.expire(period, ["scheme"])
        return _cover_of(session, student)
