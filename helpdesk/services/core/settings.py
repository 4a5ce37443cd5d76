"""The school's settings, shared by every counter: kept in the database (``settings`` as key and
JSON text, closure dates in ``closures``), read with defaults for anything never saved."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Connection, String, Text, cast, func, literal, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import LoanType
from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import Closure, Setting
from helpdesk.services.core.school_days import due_refusal, loan_due_at
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work

DEFAULT_LOAN_TERMS = (
    "This laptop is lent by the school. Bring it back by the time on this slip, with everything "
    "listed, in the condition it left in. Damage or loss may be charged to the family."
)


@dataclass(frozen=True)
class SchoolSettings:
    school_name: str = "Our School"
    end_of_day: time = time(15, 30)
    loan_limit: int = 1
    block_loans_with_unpaid_charges: bool = False
    asset_tag_pattern: str = ""  # a regular expression; empty accepts any tag
    card_pattern: str = ""  # a regular expression; empty accepts any card code
    closures: tuple[date, ...] = ()
    loan_terms: str = DEFAULT_LOAN_TERMS
    long_loan_days: int = 20
    swap_loan_days: int = 10
    # academic years a leaver's record is kept after the one they left in (then purged)
    retention_years: int = 1

    def looks_like_asset_tag(self, code: str) -> bool:
        return (
            bool(self.asset_tag_pattern) and re.fullmatch(self.asset_tag_pattern, code) is not None
        )

    def looks_like_card(self, code: str) -> bool:
        return bool(self.card_pattern) and re.fullmatch(self.card_pattern, code) is not None

    def due_at(self, loan_type: LoanType, issued_at: datetime, school_days: int | None) -> datetime:
        """When a loan issued now is due by the school's rules (end of day, closures, lengths)."""
        return loan_due_at(
            loan_type,
            issued_at,
            end_of_day=self.end_of_day,
            closures=self.closures,
            school_days=school_days,
            swap_loan_days=self.swap_loan_days,
            long_loan_days=self.long_loan_days,
        )

    def due_refusal(self, due: datetime, issued_at: datetime) -> str | None:
        """Why a due time chosen by hand cannot be used (a weekend, a closure day, beyond the
        longest loan), with the school day to use instead; None when it can."""
        return due_refusal(
            due,
            issued_at,
            closures=self.closures,
            longest_days=self.long_loan_days,
            end_of_day=self.end_of_day,
        )


_STORED = [f.name for f in fields(SchoolSettings) if f.name != "closures"]


def _encode(name: str, value: Any) -> str:
    if name == "end_of_day":
        return json.dumps(value.strftime("%H:%M"))
    return json.dumps(value)


def _decode(name: str, text: str) -> Any:
    value = json.loads(text)
    if name == "end_of_day":
        return time.fromisoformat(value)
    return value


CLOSURE_KEY = "closure day"  # not a settings key: marks the closure dates in load_settings


SETTINGS_AND_CLOSURES = select(Setting.__table__.c.key, Setting.__table__.c.value).union_all(
    select(literal(CLOSURE_KEY), cast(Closure.__table__.c.day, String))
)  # built once: the counter's quick actions read it on every loan


def load_settings(session: Session | Connection) -> SchoolSettings:
    """The settings as stored, with defaults for keys never saved (inside a unit of work or a
    connection's transaction). Settings and closure dates come back from one query."""
    rows = session.execute(SETTINGS_AND_CLOSURES).all()
    return settings_from(
        {key: value for key, value in rows if key != CLOSURE_KEY},
        [value for key, value in rows if key == CLOSURE_KEY],
    )


def settings_from(stored: dict[str, str], closure_days: Iterable[object]) -> SchoolSettings:
    """The settings from the stored values (JSON texts by key) and the closure days."""
    values: dict[str, Any] = {}
    for name in _STORED:
        if name in stored:
            try:
                values[name] = _decode(name, stored[name])
            except (ValueError, TypeError):
                continue  # a damaged value falls back to the default
    closures = tuple(sorted(date.fromisoformat(str(value)[:10]) for value in closure_days))
    return SchoolSettings(**values, closures=closures)


def settings_columns(dialect: str) -> tuple[ColumnElement, ColumnElement]:
    """The stored settings (a JSON object) and the closure days (a JSON array) as two columns
    of a bigger query, so that an action reads them with the records it is about."""
    setting, closure = Setting.__table__, Closure.__table__
    if dialect == "postgresql":
        stored: ColumnElement[Any] = cast(
            func.json_object_agg(setting.c.key, setting.c.value), Text
        )
        days: ColumnElement[Any] = cast(func.json_agg(closure.c.day), Text)
    else:
        stored = func.json_group_object(setting.c.key, setting.c.value)
        days = func.json_group_array(closure.c.day)
    return (
        select(stored).scalar_subquery().label("settings_json"),
        select(days).scalar_subquery().label("closures_json"),
    )


def settings_of_row(row: Any) -> SchoolSettings:
    """The settings from a row with the two columns of :func:`settings_columns`."""
    return settings_from(
        json.loads(row.settings_json or "{}"), json.loads(row.closures_json or "[]")
    )


def get_settings(factory: SessionFactory) -> SchoolSettings:
    with read_session(factory) as session:
        return load_settings(session)


def loan_due(
    factory: SessionFactory,
    loan_type: LoanType,
    *,
    on: date | None = None,
    now: datetime | None = None,
) -> datetime:
    """When a loan lent now would be due: at the end of the school day ``on`` when a day is
    chosen (as the loan services read a chosen day), else by the school's rules."""
    settings = get_settings(factory)
    if on is not None:
        return datetime.combine(on, settings.end_of_day)
    return settings.due_at(loan_type, now or datetime.now().replace(microsecond=0), None)


def _validate(values: SchoolSettings) -> SchoolSettings:
    name = values.school_name.strip()
    if not name:
        raise ValidationError("The school needs a name.")
    if not isinstance(values.end_of_day, time):
        raise ValidationError("The end of the school day must be a time, such as 15:30.")
    for label, number, low, high in (
        ("The number of open loans per student", values.loan_limit, 1, 20),
        ("A long loan's number of school days", values.long_loan_days, 1, 200),
        ("A swap loan's number of school days", values.swap_loan_days, 1, 200),
        ("The academic years a leaver's record is kept", values.retention_years, 1, 20),
    ):
        if not isinstance(number, int) or not low <= number <= high:
            raise ValidationError(f"{label} must be a whole number from {low} to {high}.")
    for label, pattern in (
        ("asset tag pattern", values.asset_tag_pattern),
        ("student card pattern", values.card_pattern),
    ):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValidationError(
                f"The {label} '{pattern}' is not a valid regular expression ({exc})."
            ) from None
    closures = tuple(sorted(set(values.closures)))
    for day in closures:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValidationError(f"The closure date {day!r} is not a date.")
    from dataclasses import replace

    return replace(
        values,
        school_name=name,
        end_of_day=values.end_of_day.replace(second=0, microsecond=0),
        asset_tag_pattern=values.asset_tag_pattern.strip(),
        card_pattern=values.card_pattern.strip(),
        closures=closures,
        loan_terms=values.loan_terms.strip() or DEFAULT_LOAN_TERMS,
    )


def save_settings(
    factory: SessionFactory, actor: str, values: SchoolSettings, *, now: datetime | None = None
) -> SchoolSettings:
    """Save the settings (only what changed is written, so the audit log shows the changes)."""
    values = _validate(values)
    with unit_of_work(factory, actor, action="settings.save", now=now) as session:
        stored = {row.key: row for row in session.scalars(select(Setting))}
        for name in _STORED:
            text = _encode(name, getattr(values, name))
            row = stored.get(name)
            if row is None:
                session.add(Setting(key=name, value=text))
            elif row.value != text:
                row.value = text
        existing = {c.day: c for c in session.scalars(select(Closure))}
        wanted = set(values.closures)
        for day, closure in existing.items():
            if day not in wanted:
                session.delete(closure)
        for day in sorted(wanted - set(existing)):
            session.add(Closure(day=day, reason=""))
        session.flush()
        return load_settings(session)


def add_closures(
    factory: SessionFactory,
    actor: str,
    days: list[date],
    reason: str = "",
    *,
    now: datetime | None = None,
) -> SchoolSettings:
    """Add closure dates (a holiday, an INSET day) with a reason; days already closed are kept."""
    with unit_of_work(factory, actor, action="settings.closures", now=now) as session:
        existing = set(session.scalars(select(Closure.day)))
        for day in sorted(set(days) - existing):
            session.add(Closure(day=day, reason=reason.strip()))
        session.flush()
        return load_settings(session)
