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


_C, _T, _M, _A = StaffRole.COUNTER, StaffRole.TECHNICIAN, StaffRole.MANAGER, StaffRole.ADMIN

# action -> (the lowest role allowed, what the action is called in a refusal: "Waiving a charge")
PERMISSIONS: dict[str, tuple[StaffRole, str]] = {
    # The counter: loaners out and back, swaps and damage intake, collections, hand-outs, labels.
    "loan.issue": (_C, "Lending a loaner"),
    "loan.return": (_C, "Taking a loaner back"),
    "loan.accessories": (_C, "Taking back missing accessories"),
    "loan.swap": (_C, "Swapping a laptop for a loaner"),
    "ticket.open": (_C, "Booking a laptop in for repair"),
    "ticket.collect": (_C, "Handing back a repaired laptop"),
    "device.assign": (_C, "Handing out a laptop"),
    "labels.printed": (_C, "Marking labels printed"),
    "counter.refusal": (_C, "Keeping a refusal in the counter's log"),
    # Pickup, hand-in and stocktake sessions: starting one, scanning in it, closing it.
    "session.start": (_C, "Starting a scan session"),
    "session.scan": (_C, "Scanning in a session"),
    "session.close": (_C, "Closing a scan session"),
    # The bench.
    "ticket.move": (_T, "Moving a repair ticket"),
    "ticket.part": (_T, "Adding a part to a repair"),
    "ticket.vendor": (_T, "Setting a repair's vendor"),
    "ticket.time": (_T, "Recording time on a repair"),
    "ticket.photo": (_T, "Adding a photo to a repair"),
    "ticket.diagnosis": (_T, "Writing a diagnosis note"),
    "device.unassign": (_T, "Ending a laptop's assignment"),
    "devices.relocate": (_T, "Changing where devices are kept"),
    # Money, insurance and the school's records.
    "payment.record": (_M, "Taking a payment"),
    "payment.reverse": (_M, "Reversing a payment"),
    "charge.waive": (_M, "Waiving a charge"),
    "ticket.write_off": (_M, "Writing a laptop off"),
    "cover.add": (_M, "Adding a cover period"),
    "cover.edit": (_M, "Changing a cover period"),
    "csv.import": (_M, "Importing school records"),
    # Staff accounts and settings.
    "settings.save": (_A, "Changing the settings"),
    "db.photos": (_A, "Reading old photo folders into the database"),
    "settings.closures": (_A, "Adding closure days"),
    "staff.add": (_A, "Adding a staff member or a badge"),
    "staff.role": (_A, "Changing a staff member's role"),
    "staff.disable": (_A, "Disabling a staff member"),
    "staff.enable": (_A, "Enabling a staff member"),
    "staff.password": (_A, "Setting another staff member's password"),
    "staff.pin": (_A, "Setting another staff member's PIN"),
    "db.grants": (_A, "Setting the database's grants"),
    "database.restore": (_A, "Restoring the database from a backup"),
    "students.purge": (_A, "Purging leavers' records"),
    # Reading what staff did, and the school's records read out in bulk.
    "audit.read": (_M, "Reading the audit trail"),
    "report.read": (_M, "Running a report"),
    "notices.make": (_M, "Making notices and letters"),
    "csv.export": (_M, "Exporting school records"),
    "students.subject_access": (_M, "Answering a subject access request"),
    # Everyone's own: signing in (checked by the password itself, with no one acting yet), one's
    # own password and PIN, and a refused attempt kept in the audit trail.
    "staff.sign_in": (_C, "Signing in"),
    "staff.own_password": (_C, "Changing one's own password"),
    "staff.own_pin": (_C, "Changing one's own PIN"),
    "staff.refused": (_C, "Keeping a refused attempt"),
    # The demo school: built on an empty database only, before anyone can sign in.
    "demo.build": (_C, "Building the demo school"),
}


def needed(action: str) -> StaffRole:
    try:
        return PERMISSIONS[action][0]
    except KeyError:
        raise KeyError(f"the action {action!r} has no entry in the permission table") from None


def allowed(role: StaffRole, action: str) -> bool:
    return RANK[role] >= RANK[needed(action)]


def may(role: StaffRole | str, action: str) -> bool:
    """Whether ``role`` (a StaffRole or its value) may do ``action``: for a screen to hide what
    its user may not do (the services refuse it all the same)."""
    return allowed(StaffRole(role), action)


def require(role: StaffRole, action: str) -> None:
    """Refuse, in one sentence, a role below what ``action`` needs."""
    lowest = needed(action)
    if RANK[role] < RANK[lowest]:
        raise PermissionRefused(f"{PERMISSIONS[action][1]} needs {ARTICLE[lowest]}.")
