"""What the counter's flow asks the panel to carry out (an intent) and what it shows (a step):
plain data, no Qt and no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from helpdesk.domain.enums import Condition, LoanType


class Mode(Enum):
    IDLE = "idle"
    STUDENT = "student"  # a student is at the counter
    LOAN_READY = "loan_ready"  # student + loaner chosen: Enter issues
    RETURN = "return"  # a loan is coming back: Enter = good, M = something missing, D = damaged
    MISSING = "missing"  # a returned loan's slip with accessories still out: A = now returned
    SWAP_DAMAGE = "swap_damage"  # the damage dialog is open for the student's own device
    SWAP_LOANER = "swap_loaner"  # damage booked in the flow: scan the loaner
    COLLECT = "collect"  # a repaired device: the loaner must come back first
    COLLECT_READY = "collect_ready"  # Enter hands the repaired device over
    TAKE_BACK = "take_back"  # a loaner that is out: R takes it back, Enter or Esc cancels


@dataclass(frozen=True)
class IssueLoan:
    student_id: int
    device_id: int
    accessories: tuple[str, ...]
    loan_type: LoanType = LoanType.DAY
    due: date | None = None  # a chosen day; None = by the school's rules


@dataclass(frozen=True)
class ReturnLoan:
    loan_id: int
    condition: Condition
    missing: tuple[str, ...] = ()  # accessories that did not come back


@dataclass(frozen=True)
class ChooseMissing:
    """Ask which of the loan's accessories came back (M on a return)."""

    loan_id: int
    accessories: tuple[str, ...]


@dataclass(frozen=True)
class AccessoriesBack:
    """The missing accessories of a returned loan are brought in (A on its slip)."""

    loan_id: int


@dataclass(frozen=True)
class OpenDamageDialog:
    """Ask for the damage details: for a swap (``student_id`` set) or a damaged return."""

    device_id: int
    student_id: int | None
    loan_id: int | None = None  # a damaged return


@dataclass(frozen=True)
class Swap:
    student_id: int
    own_device_id: int
    loaner_id: int
    accessories: tuple[str, ...]
    damage: object  # the damage details from the dialog (opaque to the flow)


@dataclass(frozen=True)
class Collect:
    ticket_id: int
    device_id: int


@dataclass(frozen=True)
class TakeBackAndLend:
    """Two transactions, in order: the other student's loan back, then the loan to the student
    waiting (if that one is refused, the return stands)."""

    give_back: ReturnLoan
    lend: IssueLoan


@dataclass(frozen=True)
class AskDueDate:
    """Open the due-date field (the day the loan is due back)."""

    current: date | None


Intent = (
    IssueLoan
    | ReturnLoan
    | ChooseMissing
    | AccessoriesBack
    | OpenDamageDialog
    | Swap
    | Collect
    | TakeBackAndLend
    | AskDueDate
)


@dataclass(frozen=True)
class Step:
    mode: Mode
    prompt: str
    refusal: str | None = None
    intent: Intent | None = None
