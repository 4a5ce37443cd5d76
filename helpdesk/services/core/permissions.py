"""Who may do what: one table of action -> the lowest role allowed to do it.

Every action that changes data names itself when it opens its transaction
(``unit_of_work(factory, actor, action=...)``); the unit of work looks the action up here and
refuses a staff member whose role is below it, in one sentence naming what is needed. The window,
the command line and any other client are held to the same table because the check is in the
services. An action missing from the table is a fault of the program, not of the person.
"""

from __future__ import annotations

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.errors import Refused

RANK: dict[StaffRole, int] = {
    StaffRole.COUNTER: 1,
    StaffRole.TECHNICIAN: 2,
    StaffRole.MANAGER: 3,
    StaffRole.ADMIN: 4,
}

ARTICLE = {
    StaffRole.COUNTER: "a counter member of staff",
    StaffRole.TECHNICIAN: "a technician",
    StaffRole.MANAGER: "a manager",
    StaffRole.ADMIN: "an admin",
}


class PermissionRefused(Refused):
    """The acting staff member's role is below what the action needs."""


# action -> (the lowest role allowed, what the action is called in a refusal: "Waiving a charge")
PERMISSIONS: dict[str, tuple[StaffRole, str]] = {
    "staff.add": (StaffRole.ADMIN, "Adding a staff member or a badge"),
    "staff.role": (StaffRole.ADMIN, "Changing a staff member's role"),
    "staff.disable": (StaffRole.ADMIN, "Disabling a staff member"),
    "staff.enable": (StaffRole.ADMIN, "Enabling a staff member"),
    "staff.password": (StaffRole.ADMIN, "Setting another staff member's password"),
    "staff.pin": (StaffRole.ADMIN, "Setting another staff member's PIN"),
    "audit.read": (StaffRole.MANAGER, "Reading the audit trail"),
    "db.grants": (StaffRole.ADMIN, "Setting the database's grants"),
}


def needed(action: str) -> StaffRole:
    try:
        return PERMISSIONS[action][0]
    except KeyError:
        raise KeyError(f"the action {action!r} has no entry in the permission table") from None


def allowed(role: StaffRole, action: str) -> bool:
    return RANK[role] >= RANK[needed(action)]


def require(role: StaffRole, action: str) -> None:
    """Refuse, in one sentence, a role below what ``action`` needs."""
    lowest = needed(action)
    if RANK[role] < RANK[lowest]:
        raise PermissionRefused(f"{PERMISSIONS[action][1]} needs {ARTICLE[lowest]}.")
