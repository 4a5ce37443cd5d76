"""School settings: defaults, saving (only changes written, audited), closures, bad values refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time

import pytest
from sqlalchemy import select

from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import AuditEntry, Closure
from helpdesk.services.core.settings import (
    SchoolSettings,
    add_closures,
    get_settings,
    save_settings,
)


def test_defaults_before_anything_is_saved(session_factory):
    settings = get_settings(session_factory)
    assert settings == SchoolSettings()
    assert settings.end_of_day == time(15, 30)
    assert settings.loan_limit == 1
    assert settings.block_loans_with_unpaid_charges is False


def test_saved_settings_are_read_back_and_audited(any_school):
    session_factory = any_school
    wanted = replace(
        SchoolSettings(),
        school_name="  Hillside Academy ",
        end_of_day=time(15, 10),
        loan_limit=2,
        block_loans_with_unpaid_charges=True,
        asset_tag_pattern=r"HSA-\d{5}",
        closures=(date(2026, 12, 21), date(2026, 10, 26)),
        swap_loan_days=7,
    )
    saved = save_settings(session_factory, "admin", wanted)
    assert saved.school_name == "Hillside Academy"
    assert saved.closures == (date(2026, 10, 26), date(2026, 12, 21))
    assert get_settings(session_factory) == saved
    assert saved.looks_like_asset_tag("HSA-00042")
    assert not saved.looks_like_asset_tag("S1001")

    # a second save with one change writes one audited update
    with session_factory() as session:
        before = len(session.scalars(select(AuditEntry)).all())
    save_settings(
        session_factory, "admin", replace(saved, loan_limit=3, closures=(date(2026, 10, 26),))
    )
    with session_factory() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
        assert sorted((e.action, e.entity) for e in entries) == [
            ("delete", "closures"),
            ("update", "settings"),
        ]
        assert [c.day for c in session.scalars(select(Closure))] == [date(2026, 10, 26)]
    assert get_settings(session_factory).loan_limit == 3


@pytest.mark.parametrize("saved", [False, True])
def test_settings_read_as_two_columns_equal_the_rows(any_school, saved):
    """The quick loan reads the settings as two JSON columns of its first query; they must be
    the settings the rows give, with nothing saved and with every kind of value saved."""
    from sqlalchemy import select as plain_select

    from helpdesk.services.core.settings import settings_columns, settings_of_row

    factory = any_school
    if saved:
        save_settings(factory, "admin", replace(
            SchoolSettings(), school_name='Hillside "Academy"', end_of_day=time(15, 10),
            loan_limit=2, block_loans_with_unpaid_charges=True, loan_terms="Line one\nLine two",
            closures=(date(2026, 12, 21), date(2026, 10, 26)),
        ))  # fmt: skip
    engine = factory.kw["bind"]
    with engine.connect() as conn:
        row = conn.execute(plain_select(*settings_columns(conn.dialect.name))).one()
    assert settings_of_row(row) == get_settings(factory)
    assert (settings_of_row(row) == SchoolSettings()) is not saved


def test_add_closures_keeps_days_already_closed(session_factory):
    add_closures(session_factory, "admin", [date(2026, 10, 26)], "Half term")
    settings = add_closures(
        session_factory, "admin", [date(2026, 10, 26), date(2026, 10, 27)], "Half term"
    )
    assert settings.closures == (date(2026, 10, 26), date(2026, 10, 27))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"school_name": "  "}, "The school needs a name."),
        (
            {"loan_limit": 0},
            "The number of open loans per student must be a whole number from 1 to 20.",
        ),
        (
            {"swap_loan_days": 0},
            "A swap loan's number of school days must be a whole number from 1 to 200.",
        ),
        (
            {"asset_tag_pattern": "HSA-(\\d"},
            "The asset tag pattern 'HSA-(\\d' is not a valid regular expression "
            "(missing ), unterminated subpattern at position 4).",
        ),
    ],
)
def test_bad_settings_are_refused_with_a_sentence(session_factory, change, message):
    with pytest.raises(ValidationError) as err:
        save_settings(session_factory, "admin", replace(SchoolSettings(), **change))
    assert str(err.value) == message
    assert get_settings(session_factory) == SchoolSettings()


def test_unknown_staff_cannot_save(session_factory):
    with pytest.raises(NotFound) as err:
        save_settings(session_factory, "nobody", SchoolSettings())
    assert str(err.value) == "There is no staff member with the username 'nobody'."
