"""The staff who act at the counter and the bench: list, add, the first admin, and what a
staff member's role lets them do (``staff_may``; the table is in ``permissions``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Staff
from helpdesk.services.core.permissions import may
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: str
    active: bool


def _member(staff: Staff) -> StaffMember:
    return StaffMember(staff.username, staff.display_name, staff.role.value, staff.active)


def ensure_admin(factory: SessionFactory, username: str = "admin") -> StaffMember | None:
    """On a database with no staff at all, create the first admin so that someone can act.

    Returns the member created, or None when staff exist already.
    """
    with unit_of_work(factory, None, action="staff.add") as session:
        if session.scalar(select(Staff.id).limit(1)) is not None:
            return None
        staff = Staff(username=username, display_name="Administrator", role=StaffRole.ADMIN)
        session.add(staff)
        session.flush()
        return _member(staff)


def list_staff(factory: SessionFactory) -> list[StaffMember]:
    with read_session(factory) as session:
        return [_member(s) for s in session.scalars(select(Staff).order_by(Staff.username))]


def role_of(factory: SessionFactory, username: str | None) -> StaffRole | None:
    """The role of an active staff member, or None (no such username, or disabled)."""
    if not username:
        return None
    with read_session(factory) as session:
        row = session.execute(
            select(Staff.role, Staff.active).where(Staff.username == username)
        ).first()
    return row.role if row is not None and row.active else None


def staff_may(factory: SessionFactory, username: str | None, action: str) -> bool:
    """Whether the staff member ``username`` may do ``action`` (for a screen to hide or show
    a control; the services refuse it all the same)."""
    role = role_of(factory, username)
    return role is not None and may(role, action)


def actions_allowed(
    factory: SessionFactory, username: str | None, actions: Iterable[str]
) -> frozenset[str]:
    """Those of ``actions`` the staff member ``username`` may do (one read, for a screen)."""
    role = role_of(factory, username)
    return frozenset(a for a in actions if role is not None and may(role, a))


def add_staff(
    factory: SessionFactory, actor: str, *, username: str, display_name: str, role: str
) -> StaffMember:
    """A new staff member; usernames are unique and roles are counter, technician, manager or admin."""
    username = username.strip()
    if not username or not display_name.strip():
        raise ValidationError("A staff member needs a username and a name.")
    try:
        staff_role = StaffRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in StaffRole)
        raise ValidationError(f"'{role}' is not a staff role (use {roles}).") from None
    with unit_of_work(factory, actor, action="staff.add") as session:
        if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
            raise Refused(f"There is already a staff member with the username '{username}'.")
        staff = Staff(username=username, display_name=display_name.strip(), role=staff_role)
        session.add(staff)
        session.flush()
        return _member(staff)
