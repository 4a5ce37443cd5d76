"""Signing in: right and wrong passwords, the lock-out after five wrong tries (ten minutes by a
hand clock), badges with PINs, the audit rows of every try, and no secret anywhere in them."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from clocks import WallClock
from sqlalchemy import select
from staff_passwords import TEST_PASSWORD

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Staff
from helpdesk.services.core import auth
from helpdesk.services.core.staff import (
    add_staff,
    list_staff,
    set_active,
    set_password,
    set_pin,
    set_role,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def school(session_factory):  # noqa: ANN001
    add_staff(
        session_factory,
        "admin",
        username="jlewis",
        display_name="Jo Lewis",
        role="counter",
        badge="STAFF-0007",
        password=PASSWORD,
    )
    set_pin(session_factory, "admin", "jlewis", "4821")
    return session_factory


def audit(factory, *actions: str) -> list[AuditEntry]:  # noqa: ANN001
    with factory() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if actions:
            query = query.where(AuditEntry.action.in_(actions))
        return list(session.scalars(query))


def test_the_right_password_signs_in_and_is_audited(school):
    member = auth.sign_in(school, "jlewis", PASSWORD)
    assert (member.username, member.role, member.badge) == ("jlewis", "counter", "STAFF-0007")
    assert member.has_password and member.has_pin
    (row,) = audit(school, "sign-in")
    assert row.entity == "staff" and row.staff_id is not None


@pytest.mark.parametrize(
    ("username", "password", "error", "text"),
    [
        ("nobody", PASSWORD, NotFound, "There is no staff member with the username 'nobody'."),
        ("jlewis", "not the one!", Refused, "That password is wrong for jlewis."),
        ("jlewis", "", Refused, "No password was given for jlewis."),
    ],
)
def test_refusals_are_one_sentence_and_audited(school, username, password, error, text):
    with pytest.raises(error) as caught:
        auth.sign_in(school, username, password)
    assert str(caught.value) == text
    (row,) = audit(school, "sign-in-refused")
    assert username in (row.after or "")


def test_signing_out_is_audited(school):
    auth.sign_in(school, "jlewis", PASSWORD)
    auth.sign_out(school, "jlewis")
    assert [r.action for r in audit(school, "sign-in", "sign-out")] == ["sign-in", "sign-out"]
    with pytest.raises(NotFound):
        auth.sign_out(school, "nobody")


def test_a_disabled_member_cannot_sign_in(school):
    set_active(school, "admin", "jlewis", False)
    with pytest.raises(
        Refused, match=r"^Jo Lewis \(jlewis\) is no longer an active staff member\.$"
    ):
        auth.sign_in(school, "jlewis", PASSWORD)


def test_five_wrong_tries_lock_for_ten_minutes(school):
    clock = WallClock()
    for _try in range(4):
        with pytest.raises(Refused, match="wrong"):
            auth.sign_in(school, "jlewis", "wrong guess!", now=clock())
        clock.advance(seconds=20)
    with pytest.raises(Refused) as caught:
        auth.sign_in(school, "jlewis", "wrong guess!", now=clock())
    until = clock() + timedelta(minutes=10)
    assert str(caught.value) == (
        f"jlewis is locked after five wrong tries; try again at {until:%H:%M}."
    )
    # locked: even the right password is refused, and the try is not counted again
    clock.advance(minutes=9, seconds=59)
    with pytest.raises(Refused, match="locked after five wrong tries"):
        auth.sign_in(school, "jlewis", PASSWORD, now=clock())
    assert len(audit(school, "lock-out")) == 1
    clock.advance(seconds=1)
    assert auth.sign_in(school, "jlewis", PASSWORD, now=clock()).username == "jlewis"
    with school() as session:
        staff = session.scalar(select(Staff).where(Staff.username == "jlewis"))
        assert (staff.failed_attempts, staff.locked_until) == (0, None)


def test_a_right_password_starts_the_count_again(school):
    for _try in range(4):
        with pytest.raises(Refused):
            auth.sign_in(school, "jlewis", "wrong guess!")
    auth.sign_in(school, "jlewis", PASSWORD)
    for _try in range(4):
        with pytest.raises(Refused, match="wrong"):
            auth.sign_in(school, "jlewis", "wrong guess!")
    assert audit(school, "lock-out") == []


def test_badge_and_pin(school):
    assert auth.sign_in_badge(school, "STAFF-0007", "4821").username == "jlewis"
    with pytest.raises(Refused, match=r"^A badge alone never signs in: enter the PIN too\.$"):
        auth.sign_in_badge(school, "STAFF-0007", "")
    with pytest.raises(NotFound, match=r"^STAFF-9999 is not a staff badge\.$"):
        auth.sign_in_badge(school, "STAFF-9999", "4821")
    with pytest.raises(Refused, match=r"^That PIN is wrong for the badge STAFF-0007\.$"):
        auth.sign_in_badge(school, "STAFF-0007", "0000")
    for _try in range(4):  # wrong PINs and passwords count together
        with pytest.raises(Refused):
            auth.sign_in(school, "jlewis", "wrong guess!")
    with pytest.raises(Refused, match="locked"):
        auth.sign_in_badge(school, "STAFF-0007", "4821")


def test_short_passwords_and_pins_are_refused(school):
    with pytest.raises(ValidationError, match="at least 10 characters"):
        set_password(school, "admin", "jlewis", "short")
    for pin in ("123", "12a4", "١٢٣٤"):
        with pytest.raises(ValidationError, match="at least 4 digits"):
            set_pin(school, "admin", "jlewis", pin)


def test_own_password_or_an_admin(school):
    add_staff(school, "admin", username="pkaur", display_name="Priya", role="counter")
    set_password(school, "jlewis", "jlewis", "a new one for jo")
    assert auth.sign_in(school, "jlewis", "a new one for jo")
    with pytest.raises(Refused, match="needs an admin"):
        set_password(school, "jlewis", "pkaur", "taking over priya")
    with pytest.raises(Refused, match="needs an admin"):
        set_role(school, "jlewis", "jlewis", "admin")


def test_the_last_active_admin_stays(school):
    with pytest.raises(Refused, match=r"^admin is the last active admin and cannot be disabled\.$"):
        set_active(school, "admin", "admin", False)
    with pytest.raises(Refused, match=r"^admin is the last active admin and cannot be demoted\.$"):
        set_role(school, "admin", "admin", "manager")
    set_role(school, "admin", "jlewis", "admin")
    set_role(school, "admin", "admin", "manager")
    assert {m.username: m.role for m in list_staff(school)}["admin"] == "manager"


def test_no_secret_in_the_audit_log_or_the_log(school, caplog):
    caplog.set_level(logging.DEBUG)
    set_password(school, "admin", "jlewis", "another secret phrase")
    for guess in ("guess number one", "guess number two"):
        with pytest.raises(Refused):
            auth.sign_in(school, "jlewis", guess)
    with pytest.raises(NotFound):
        auth.sign_in(school, "ghost", "ghostly password")
    with school() as session:
        hashes = set(session.scalars(select(Staff.password_hash))) | set(
            session.scalars(select(Staff.pin_hash))
        )
    text = " ".join(f"{r.before} {r.after}" for r in audit(school)) + caplog.text
    for secret in (
        PASSWORD, "another secret phrase", "guess number one", "ghostly password", "4821",
        TEST_PASSWORD, "$argon2id$",
    ):  # fmt: skip
        assert secret not in text
    assert not any(h and h in text for h in hashes)
    assert "(changed)" in text  # the password change itself is on record


def test_a_hash_made_with_other_parameters_is_made_again(school, monkeypatch):
    from argon2 import PasswordHasher

    old = PasswordHasher(time_cost=1, memory_cost=16, parallelism=1).hash(PASSWORD)
    with school() as session, session.begin():
        session.scalar(select(Staff).where(Staff.username == "jlewis")).password_hash = old
    auth.sign_in(school, "jlewis", PASSWORD)
    with school() as session:
        now_hash = session.scalar(select(Staff.password_hash).where(Staff.username == "jlewis"))
    assert now_hash != old and auth.hasher().verify(now_hash, PASSWORD)
    assert not auth.hasher().check_needs_rehash(now_hash)


def test_the_default_parameters_are_the_library_recommendation(monkeypatch):
    from argon2 import PasswordHasher, Type

    monkeypatch.delenv(auth.TEST_COST_ENV)
    auth.hasher.cache_clear()
    try:
        chosen = auth.hasher()
        assert chosen.type is Type.ID
        recommended = PasswordHasher()
        assert (chosen.time_cost, chosen.memory_cost, chosen.parallelism) == (
            recommended.time_cost, recommended.memory_cost, recommended.parallelism,
        )  # fmt: skip
    finally:
        auth.hasher.cache_clear()
