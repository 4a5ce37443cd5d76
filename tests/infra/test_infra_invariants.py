"""The school's rules that the database itself enforces, whoever writes to it: plain SQL here,
no ORM and no services, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import infra_rows as rows
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError


@pytest.fixture
def school(engine):
    """One staff member, two students, a loan laptop and an allocation laptop."""
    with engine.begin() as conn:
        ids = {
            "staff": rows.staff(conn, "counter1"),
            "amy": rows.student(conn, "C1001"),
            "ben": rows.student(conn, "C1002"),
            "loaner": rows.device(conn, "LOAN-01"),
            "laptop": rows.device(conn, "HD-0001", pool="allocation"),
        }
    return ids


def _refused(engine, statement, params=None, error=IntegrityError) -> str:
    with pytest.raises(error) as caught, engine.begin() as conn:
        conn.execute(text(statement), params or {})
    return str(caught.value.orig)


def test_two_open_loans_for_one_device_are_refused(engine, school):
    with engine.begin() as conn:
        rows.loan(conn, school["loaner"], school["amy"], school["staff"])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        rows.loan(conn, school["loaner"], school["ben"], school["staff"])
    # a returned loan does not count: the device's history keeps many closed loans
    with engine.begin() as conn:
        rows.loan(conn, school["loaner"], school["ben"], school["staff"], returned=True)
        rows.loan(conn, school["loaner"], school["ben"], school["staff"], returned=True)
        open_loans = conn.scalar(
            text("SELECT count(*) FROM loans WHERE device_id = :d AND returned_at IS NULL"),
            {"d": school["loaner"]},
        )
        all_loans = conn.scalar(text("SELECT count(*) FROM loans"))
    assert (open_loans, all_loans) == (1, 3)


def test_two_active_assignments_for_one_device_are_refused(engine, school):
    with engine.begin() as conn:
        rows.assignment(conn, school["laptop"], school["amy"], ended=True)
        rows.assignment(conn, school["laptop"], school["amy"])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        rows.assignment(conn, school["laptop"], school["ben"])


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("devices", "asset_tag", "LOAN-01"),
        ("devices", "serial", "SN-LOAN-01"),
        ("students", "card_code", "C1001"),
    ],
)
def test_duplicate_codes_are_refused(engine, school, table, column, value):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        if table == "devices":
            tag = value if column == "asset_tag" else "OTHER-TAG"
            extra = {"serial": value} if column == "serial" else {}
            rows.device(conn, tag, **extra)
        else:
            rows.student(conn, value)


@pytest.mark.parametrize(
    ("statement", "params"),
    [
        ("UPDATE devices SET status = :v WHERE asset_tag = 'LOAN-01'", {"v": "borrowed"}),
        ("UPDATE devices SET pool = :v WHERE asset_tag = 'LOAN-01'", {"v": "spare"}),
        ("UPDATE students SET status = :v WHERE card_code = 'C1001'", {"v": "gone"}),
        ("UPDATE students SET year_group = :v WHERE card_code = 'C1001'", {"v": 15}),
        ("UPDATE staff SET role = :v WHERE username = 'counter1'", {"v": "superuser"}),
    ],
    ids=["device-status", "device-pool", "student-status", "year-group", "staff-role"],
)
def test_values_outside_the_vocabulary_are_refused_by_check_constraints(
    engine, school, statement, params
):
    _refused(engine, statement, params)


def test_loan_rows_must_be_consistent(engine, school):
    """A returned loan needs its condition, and a loan cannot be due before it was issued."""
    with engine.begin() as conn:
        loan_id = rows.loan(conn, school["loaner"], school["amy"], school["staff"])
    _refused(engine, "UPDATE loans SET returned_at = issued_at WHERE id = :i", {"i": loan_id})
    _refused(
        engine,
        "UPDATE loans SET due_at = :d WHERE id = :i",
        {"d": rows.T0 - timedelta(days=1), "i": loan_id},
    )
    _refused(engine, "UPDATE loans SET loan_type = 'forever' WHERE id = :i", {"i": loan_id})


def test_foreign_keys_are_enforced(engine, school):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        rows.loan(conn, 9999, school["amy"], school["staff"])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        rows.loan(conn, school["loaner"], 9999, school["staff"])
    with engine.begin() as conn:
        rows.loan(conn, school["loaner"], school["amy"], school["staff"])
    # a student with a loan cannot simply be deleted
    _refused(engine, "DELETE FROM students WHERE id = :i", {"i": school["amy"]})


def test_the_audit_log_is_append_only(engine, school):
    with engine.begin() as conn:
        entry = rows.audit(conn, school["staff"], "devices", school["loaner"])
    for statement in (
        "UPDATE audit_log SET after = '{}' WHERE id = :i",
        "DELETE FROM audit_log WHERE id = :i",
    ):
        message = _refused(engine, statement, {"i": entry}, error=DBAPIError)
        assert "append-only" in message
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT after FROM audit_log WHERE id = :i"), {"i": entry})
        assert kept.scalar_one() == '{"note": "seeded"}'
