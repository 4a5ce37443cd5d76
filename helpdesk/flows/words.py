"""The sentences the counter's flow says: why a student cannot borrow, why a device cannot be
lent (naming whose it is), what Enter is about to lend, and the warning before a loaner that is
out is taken back. Plain functions of the flow's facts, with no Qt and no database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from helpdesk.domain.enums import DevicePool, DeviceStatus, LoanType, StudentStatus
from helpdesk.flows.facts import DeviceFacts, StudentFacts
from helpdesk.services.core.views import money

LOAN_WORDS = {LoanType.DAY: "day loan", LoanType.LONG: "long loan", LoanType.SWAP: "swap loan"}


def when(at: datetime) -> str:
    """``Mon 07/12 at 15:30``."""
    return f"{at:%a %d/%m at %H:%M}"


def why_no_loans(student: StudentFacts) -> str | None:
    """The one sentence that says why this student cannot borrow now, or None when they can."""
    if student.status is StudentStatus.LEFT:
        return f"{student.name} has left the school; no loans."
    if student.open_loans >= student.loan_limit:
        plural = "loan" if student.loan_limit == 1 else "loans"
        return (
            f"{student.name} is at the loan limit ({student.open_loans} of {student.loan_limit} "
            f"{plural} out): no more loans until one comes back."
        )
    if student.blocks_on_unpaid and student.unpaid_pence > 0:
        return (
            f"{student.name} has unpaid charges of {money(student.unpaid_pence)}: no loans until "
            "they are paid or waived."
        )
    return None


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("'") else f"{name}'s"


def not_lendable(device: DeviceFacts) -> str | None:
    """Why ``device`` cannot be lent, naming whose it is; None when it can."""
    tag = device.tag
    if device.pool is not DevicePool.LOAN:
        if device.assigned_name:
            form = f" ({device.assigned_form})" if device.assigned_form else ""
            owner = f"{_possessive(device.assigned_name)}{form}"
            return f"{tag} is not a loan laptop: it is {owner} own laptop."
        return f"{tag} is not a loan laptop: it is a 1:1 laptop, {device.status.label}."
    if device.open_loan_holder:
        return f"{tag} is not available: it is out to {device.open_loan_holder}."
    if device.status is not DeviceStatus.IN_STOCK:
        return f"{tag} is not available: it is {device.status.label}."
    return None


def accessories_words(accessories: Sequence[str]) -> str:
    """``with charger``, ``with charger and case``, or ``no accessories``."""
    names = list(accessories)
    if not names:
        return "no accessories"
    if len(names) == 1:
        return f"with {names[0]}"
    return f"with {', '.join(names[:-1])} and {names[-1]}"


def lend_prompt(
    student: StudentFacts,
    device: DeviceFacts,
    loan_type: LoanType,
    accessories: Sequence[str],
    due: datetime | None,
) -> str:
    """What Enter is about to do: who borrows what, the type, what goes with it, when it is due."""
    due_words = f", due back {when(due)}" if due is not None else ""
    other = LOAN_WORDS[LoanType.DAY if loan_type is LoanType.LONG else LoanType.LONG]
    return (
        f"Lend {device.tag} to {student.label}: {LOAN_WORDS[loan_type]}, "
        f"{accessories_words(accessories)}{due_words}. Enter lends it; L switches to a {other}; "
        "U sets the due date; Esc cancels."
    )


def take_back_prompt(device: DeviceFacts, student: StudentFacts) -> str:
    """A loaner out to someone else, scanned while ``student`` waits."""
    since = device.open_loan_issued_at
    since_words = f" since {since:%H:%M}" if since is not None else ""
    return (
        f"{device.tag} is out to {device.open_loan_holder}{since_words}; take it back and lend it "
        f"to {student.name}? R takes it back and lends it; Enter or Esc cancels."
    )


def lent_recently_prompt(device: DeviceFacts, now: datetime) -> str:
    """A loaner lent a few minutes ago, scanned again."""
    issued = device.open_loan_issued_at or now
    minutes = max(0, int((now - issued).total_seconds() // 60))
    ago = "just now" if minutes == 0 else f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    return (
        f"{device.tag} was lent to {device.open_loan_holder} at {issued:%H:%M}, {ago}; take it "
        "back? R takes it back in good condition, D if damaged; Enter or Esc cancels."
    )
