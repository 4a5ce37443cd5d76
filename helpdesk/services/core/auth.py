"""Signing in: a username and password, or a staff badge and its PIN.

Passwords and PINs are kept only as argon2id hashes (argon2-cffi's ``PasswordHasher``, at the
library's recommended parameters; a hash made with other parameters is made again at the next
right sign-in). Five wrong passwords or PINs in a row lock the account for ten minutes. The count
and the lock are in the database, so every counter sees them, and they are written with the staff
row locked (the write lock on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), so two counters
trying at once still lock after five wrong tries in total. Every sign-in, sign-out, refused try
and lock-out is a row of the audit log; no password, PIN or hash is ever written there, logged or
put in an error message.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, inspect, select
from sqlalchemy.orm import Session

from helpdesk.db import make_session_factory
from helpdesk.domain.audit import audit_row
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Staff, table_of
from helpdesk.services.core.staff import StaffMember, member_of
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work

MAX_TRIES = 5
LOCK_FOR = timedelta(minutes=10)
MIN_PASSWORD = 10
MIN_PIN = 4

# Only the tests set this (cheap hashes, so a test school signs in quickly); a school never does.
TEST_COST_ENV = "HELPDESK_TEST_ARGON2_CHEAP"


class SignInRefused(Refused):
    """A sign-in that did not succeed: unknown, disabled or locked, or a wrong secret."""


@cache
def hasher() -> PasswordHasher:
    """argon2id at the library's recommended parameters (RFC 9106's low-memory profile)."""
    if os.environ.get(TEST_COST_ENV) == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def hash_secret(secret: str) -> str:
    return hasher().hash(secret)


def verify_secret(hashed: str | None, secret: str) -> bool:
    """Whether ``secret`` matches ``hashed`` (never raises for a wrong or broken hash)."""
    if not hashed or not secret:
        return False
    try:
        return hasher().verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> None:
    """Refuse a password too short to use, in one sentence (that never repeats it)."""
    if not password:
        raise ValidationError("The password is empty.")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD} characters.")


def check_pin(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit()) or len(pin) < MIN_PIN:
        raise ValidationError(f"A PIN is at least {MIN_PIN} digits, and digits only.")


@dataclass(frozen=True)
class _Outcome:
    member: StaffMember | None = None
    refusal: str | None = None
    error: type[Exception] = SignInRefused


def _record(session: Session, action: str, staff: Staff | None, **after: Any) -> None:
    row = audit_row(
        session.info["now"],
        staff.id if staff is not None else None,
        action,
        "staff",
        staff.id if staff is not None else None,
        None,
        after,
    )
    session.connection().execute(insert(table_of(AuditEntry)), [row])


def _locked_text(staff: Staff) -> str:
    until = staff.locked_until
    assert until is not None
    return f"{staff.username} is locked after five wrong tries; try again at {until:%H:%M}."


def _attempt(
    factory: SessionFactory,
    staff_id: int | None,
    *,
    right: bool,
    how: str,
    tried: str,
    refusal: str,
    rehash: str | None,
    now: datetime | None,
) -> StaffMember:
    """Record one try with the staff row locked, then return the member or raise the refusal.

    The secret has been checked already (outside the lock, as argon2 takes a while); under the
    lock only the account's state is read and the count written, so the count is exact."""
    outcome: _Outcome
    with unit_of_work(factory, None, action="staff.sign_in", now=now) as session:
        session.info["audit_disabled"] = True  # the sign-in rows below say what happened
        moment = session.info["now"]
        staff = None
        if staff_id is not None:
            staff = session.scalar(select(Staff).where(Staff.id == staff_id).with_for_update())
        if staff is None:
            _record(session, "sign-in-refused", None, tried=tried, via=how, why="unknown")
            outcome = _Outcome(refusal=refusal, error=NotFound)
        elif not staff.active:
            _record(session, "sign-in-refused", staff, tried=tried, via=how, why="disabled")
            outcome = _Outcome(
                refusal=f"{staff.display_name} ({staff.username}) is no longer an active "
                "staff member."
            )
        elif staff.locked_until is not None and staff.locked_until > moment:
            _record(session, "sign-in-refused", staff, tried=tried, via=how, why="locked")
            outcome = _Outcome(refusal=_locked_text(staff))
        elif not right:
            if staff.locked_until is not None:  # an old lock that has run out: a fresh count
                staff.locked_until = None
                staff.failed_attempts = 0
            staff.failed_attempts = (staff.failed_attempts or 0) + 1
            _record(
                session, "sign-in-refused", staff, tried=tried, via=how, why="wrong",
                tries=staff.failed_attempts,
            )  # fmt: skip
            if staff.failed_attempts >= MAX_TRIES:
                staff.locked_until = moment + LOCK_FOR
                staff.failed_attempts = 0
                _record(session, "lock-out", staff, until=staff.locked_until.isoformat())
                outcome = _Outcome(refusal=_locked_text(staff))
            else:
                outcome = _Outcome(refusal=refusal)
        else:
            staff.failed_attempts = 0
            staff.locked_until = None
            if rehash is not None:
                if how == "password":
                    staff.password_hash = rehash
                else:
                    staff.pin_hash = rehash
            _record(session, "sign-in", staff, via=how)
            outcome = _Outcome(member=member_of(staff))
    if outcome.member is None:
        raise outcome.error(outcome.refusal)
    return outcome.member


def _rehashed(hashed: str | None, secret: str, right: bool) -> str | None:
    if right and hashed and hasher().check_needs_rehash(hashed):
        return hash_secret(secret)
    return None


def sign_in(
    factory: SessionFactory, username: str, password: str, *, now: datetime | None = None
) -> StaffMember:
    """The staff member ``username`` signed in, or a SignInRefused/NotFound in one sentence."""
    username = username.strip()
    with read_session(factory) as session:
        row = session.execute(
            select(Staff.id, Staff.password_hash).where(Staff.username == username)
        ).first()
    staff_id, hashed = (row[0], row[1]) if row is not None else (None, None)
    right = verify_secret(hashed, password)
    if row is None:
        refusal = f"There is no staff member with the username '{username}'."
    elif not hashed:
        refusal = f"{username} has no password yet: an admin must set one first."
    elif not password:
        refusal = f"No password was given for {username}."
    else:
        refusal = f"That password is wrong for {username}."
    return _attempt(
        factory,
        staff_id,
        right=right,
        how="password",
        tried=username,
        refusal=refusal,
        rehash=_rehashed(hashed, password, right),
        now=now,
    )


def sign_in_badge(
    factory: SessionFactory, badge: str, pin: str, *, now: datetime | None = None
) -> StaffMember:
    """The staff member whose badge this is, signed in with its PIN (a badge alone never is)."""
    badge = badge.strip()
    if not pin:
        raise SignInRefused("A badge alone never signs in: enter the PIN too.")
    with read_session(factory) as session:
        row = session.execute(
            select(Staff.id, Staff.pin_hash, Staff.username).where(Staff.badge == badge)
        ).first()
    staff_id, hashed = (row[0], row[1]) if row is not None else (None, None)
    right = verify_secret(hashed, pin)
    if row is None:
        refusal = f"{badge} is not a staff badge."
    elif not hashed:
        refusal = f"{row[2]} has no PIN yet: an admin must set one first."
    else:
        refusal = f"That PIN is wrong for the badge {badge}."
    return _attempt(
        factory,
        staff_id,
        right=right,
        how="badge",
        tried=badge,
        refusal=refusal,
        rehash=_rehashed(hashed, pin, right),
        now=now,
    )


def sign_out(factory: SessionFactory, username: str, *, now: datetime | None = None) -> None:
    """Record that ``username`` signed out (the window calls it when the counter is left)."""
    with unit_of_work(factory, None, action="staff.sign_in", now=now) as session:
        staff = session.scalar(select(Staff).where(Staff.username == username))
        if staff is None:
            raise NotFound(f"There is no staff member with the username '{username}'.")
        _record(session, "sign-out", staff)


def anyone_can_sign_in(factory: SessionFactory) -> bool:
    """Whether some active staff member has a password (else nobody can sign in yet: a new
    database, or one upgraded from before sign-in, whose first admin sets a password first)."""
    with read_session(factory) as session:
        found = session.scalar(
            select(Staff.id)
            .where(Staff.active.is_(True), Staff.password_hash.is_not(None))
            .limit(1)
        )
    return found is not None


def sign_in_needed(engine: Engine) -> bool:
    """Whether the database of ``engine``, at whatever revision it is, has staff who can sign in
    (before sign-in existed, or before any password was set, it has none): ``db upgrade`` and
    ``backup`` then ask for it."""
    found = inspect(engine)
    if not found.has_table("staff"):
        return False
    if "password_hash" not in {column["name"] for column in found.get_columns("staff")}:
        return False
    return anyone_can_sign_in(make_session_factory(engine))
