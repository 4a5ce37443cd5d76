"""The staff who act at the counter and the bench: list, add, passwords and PINs, roles, disabling.

Managing staff is an admin's work (the permission table's ``staff.*`` actions); a person may change
their own password and PIN. The last active admin can be neither disabled nor demoted. On a
database where nobody can sign in yet (no staff, or staff from before sign-in without passwords),
the first admin can be added, or given a password, without signing in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Staff
from helpdesk.services.core.permissions import may, require
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work


@dataclass(frozen=True)
class StaffMember:
    username: str
    display_name: str
    role: str
    active: bool
    badge: str | None = None
    has_password: bool = False
    has_pin: bool = False
    locked_until: datetime | None = None


def member_of(staff: Staff) -> StaffMember:
    return StaffMember(
        staff.username,
        staff.display_name,
        staff.role.value,
        staff.active,
        staff.badge,
        staff.password_hash is not None,
        staff.pin_hash is not None,
        staff.locked_until,
    )


_member = member_of


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


def _role(role: str) -> StaffRole:
    try:
        return StaffRole(role)
    except ValueError:
        roles = ", ".join(r.value for r in StaffRole)
        raise ValidationError(f"'{role}' is not a staff role (use {roles}).") from None


def _nobody_signs_in(session: Session) -> bool:
    return (
        session.scalar(
            select(Staff.id)
            .where(Staff.active.is_(True), Staff.password_hash.is_not(None))
            .limit(1)
        )
        is None
    )


def _acting(session: Session, action: str) -> Staff | None:
    """The acting staff member, held to ``action``; None for the first admin's set-up."""
    staff = session.info.get("staff")
    if staff is not None:
        require(staff.role, action)
    return staff


def _must_act(session: Session, action: str) -> Staff:
    staff = _acting(session, action)
    if staff is None:
        raise Refused("Managing staff needs an admin signed in.")
    return staff


def _target(session: Session, username: str) -> Staff:
    staff = session.scalar(select(Staff).where(Staff.username == username).with_for_update())
    if staff is None:
        raise NotFound(f"There is no staff member with the username '{username}'.")
    return staff


def add_staff(
    factory: SessionFactory,
    actor: str | None,
    *,
    username: str,
    display_name: str,
    role: str,
    badge: str | None = None,
    password: str | None = None,
) -> StaffMember:
    """A new staff member; usernames and badges are unique and roles are counter, technician,
    manager or admin. ``actor`` None: the first staff member of a database, who is an admin."""
    from helpdesk.services.core.auth import check_password, hash_secret

    username = username.strip()
    badge = (badge or "").strip() or None
    if not username or not display_name.strip():
        raise ValidationError("A staff member needs a username and a name.")
    staff_role = _role(role)
    if password is not None:
        check_password(password)
    hashed = hash_secret(password) if password is not None else None
    with unit_of_work(factory, actor, action="staff.add") as session:
        if _acting(session, "staff.add") is None:
            if session.scalar(select(Staff.id).limit(1)) is not None:
                raise Refused("Adding a staff member needs an admin signed in.")
            if staff_role is not StaffRole.ADMIN:
                raise Refused("The first staff member of a database must be an admin.")
        if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
            raise Refused(f"There is already a staff member with the username '{username}'.")
        if badge and session.scalar(select(Staff.id).where(Staff.badge == badge)) is not None:
            raise Refused(f"The badge {badge} belongs to another staff member already.")
        staff = Staff(
            username=username,
            display_name=display_name.strip(),
            role=staff_role,
            badge=badge,
            password_hash=hashed,
            failed_attempts=0,
        )
        session.add(staff)
        session.flush()
        return _member(staff)


def set_password(
    factory: SessionFactory, actor: str | None, username: str, password: str
) -> StaffMember:
    """A new password for ``username``: one's own, or anyone's by an admin. ``actor`` None: an
    admin's first password on a database where nobody can sign in yet."""
    from helpdesk.services.core.auth import check_password, hash_secret

    check_password(password)
    hashed = hash_secret(password)
    action = "staff.own_password" if actor is not None and actor == username else "staff.password"
    with unit_of_work(factory, actor, action=action) as session:
        acting = session.info.get("staff")
        staff = _target(session, username)
        if acting is None:
            if not _nobody_signs_in(session) or staff.role is not StaffRole.ADMIN:
                raise Refused("Setting a password needs the staff member or an admin signed in.")
        elif acting.id != staff.id:
            require(acting.role, "staff.password")
        staff.password_hash = hashed
        staff.failed_attempts = 0
        staff.locked_until = None
        session.flush()
        return _member(staff)


def set_pin(factory: SessionFactory, actor: str, username: str, pin: str) -> StaffMember:
    """A new PIN (for the badge) for ``username``: one's own, or anyone's by an admin."""
    from helpdesk.services.core.auth import check_pin, hash_secret

    check_pin(pin)
    hashed = hash_secret(pin)
    action = "staff.own_pin" if actor == username else "staff.pin"
    with unit_of_work(factory, actor, action=action) as session:
        acting = session.info.get("staff")
        if acting is None:
            raise Refused("Setting a PIN needs the staff member or an admin signed in.")
        staff = _target(session, username)
        if acting.id != staff.id:
            require(acting.role, "staff.pin")
        staff.pin_hash = hashed
        session.flush()
        return _member(staff)


def _other_active_admins(session: Session, staff: Staff) -> int:
    return (
        session.scalar(
            select(func.count(Staff.id)).where(
                Staff.role == StaffRole.ADMIN, Staff.active.is_(True), Staff.id != staff.id
            )
        )
        or 0
    )


def _keep_an_admin(session: Session, staff: Staff, doing: str) -> None:
    if staff.role is StaffRole.ADMIN and staff.active and not _other_active_admins(session, staff):
        raise Refused(f"{staff.username} is the last active admin and cannot be {doing}.")


def set_active(factory: SessionFactory, actor: str, username: str, active: bool) -> StaffMember:
    """Disable a staff member (they can no longer sign in or act) or enable them again."""
    action = "staff.enable" if active else "staff.disable"
    with unit_of_work(factory, actor, action=action) as session:
        _must_act(session, action)
        staff = _target(session, username)
        if not active:
            _keep_an_admin(session, staff, "disabled")
        staff.active = active
        session.flush()
        return _member(staff)


def set_role(factory: SessionFactory, actor: str, username: str, role: str) -> StaffMember:
    staff_role = _role(role)
    with unit_of_work(factory, actor, action="staff.role") as session:
        _must_act(session, "staff.role")
        staff = _target(session, username)
        if staff_role is not StaffRole.ADMIN:
            _keep_an_admin(session, staff, "demoted")
        staff.role = staff_role
        session.flush()
        return _member(staff)


def set_badge(factory: SessionFactory, actor: str, username: str, badge: str | None) -> StaffMember:
    """Give ``username`` a badge code (unique), or take it away with None."""
    badge = (badge or "").strip() or None
    with unit_of_work(factory, actor, action="staff.add") as session:
        _must_act(session, "staff.add")
        staff = _target(session, username)
        if badge and session.scalar(
            select(Staff.id).where(Staff.badge == badge, Staff.id != staff.id)
        ):
            raise Refused(f"The badge {badge} belongs to another staff member already.")
        staff.badge = badge
        session.flush()
        return _member(staff)


def record_refused(factory: SessionFactory, actor: str | None, action: str, sentence: str) -> None:
    """Keep a refused staff-management attempt in the audit log (action 'refuse', entity
    'staff'): who tried, which action, and the refusal's sentence (which never holds a secret)."""
    from helpdesk.domain.audit import audit_row
    from helpdesk.domain.models import AuditEntry, table_of

    with unit_of_work(factory, None, action="staff.refused") as session:
        staff_id = None
        if actor is not None:
            staff_id = session.scalar(select(Staff.id).where(Staff.username == actor))
        row = audit_row(
            session.info["now"],
            staff_id,
            "refuse",
            "staff",
            None,
            None,
            {"action": action, "refused": sentence},
        )
        session.connection().execute(insert(table_of(AuditEntry)), [row])
