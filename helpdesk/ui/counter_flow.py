"""What the next scan means at the counter: a small state machine with no Qt and no database.

The counter panel looks a scan up, turns the answer into :class:`Scan` facts, and asks the flow.
The flow answers with a :class:`Step`: what to show (a prompt, or a refusal in one sentence) and,
when the person has said "go" (Enter, or the scan that completes a swap), the :class:`Intent` to
carry out. The panel runs the intent through the services and reports back with
:meth:`CounterFlow.done` or :meth:`CounterFlow.failed`.

Workflows:
- day loan: student -> pool laptop -> Enter issues it;
- return: a loaned device (or its slip) -> Enter = good condition, ``D`` = damaged;
- swap: student -> their own device -> damage details (dialog) -> a pool laptop: one transaction;
- collection: a repaired device (or its receipt) -> the loaner back first -> Enter hands it over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from helpdesk.domain.enums import Condition, DevicePool, DeviceStatus, StudentStatus, TicketState


class Mode(Enum):
    IDLE = "idle"
    STUDENT = "student"  # a student is at the counter
    LOAN_READY = "loan_ready"  # student + loaner chosen: Enter issues
    RETURN = "return"  # a loan is coming back: Enter = good, D = damaged
    SWAP_DAMAGE = "swap_damage"  # the damage dialog is open for the student's own device
    SWAP_LOANER = "swap_loaner"  # damage booked in the flow: scan the loaner
    COLLECT = "collect"  # a repaired device: the loaner must come back first
    COLLECT_READY = "collect_ready"  # Enter hands the repaired device over


# ---- what a scan is (built from the lookup service's answer) --------------------------------


@dataclass(frozen=True)
class StudentFacts:
    id: int
    name: str
    status: StudentStatus = StudentStatus.ACTIVE
    assigned_device_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class DeviceFacts:
    id: int
    tag: str
    pool: DevicePool
    status: DeviceStatus
    open_loan_id: int | None = None
    open_loan_student_id: int | None = None
    assigned_student_id: int | None = None
    open_ticket_id: int | None = None
    open_ticket_state: TicketState | None = None
    swap_loan_id: int | None = None  # the open swap loan tied to its open ticket
    swap_loan_tag: str | None = None


@dataclass(frozen=True)
class LoanFacts:
    id: int
    device: DeviceFacts
    student_id: int
    open: bool


@dataclass(frozen=True)
class TicketFacts:
    id: int
    device: DeviceFacts
    state: TicketState
    student_id: int | None = None


Scan = StudentFacts | DeviceFacts | LoanFacts | TicketFacts


# ---- what to do ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IssueLoan:
    student_id: int
    device_id: int
    accessories: tuple[str, ...]


@dataclass(frozen=True)
class ReturnLoan:
    loan_id: int
    condition: Condition


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


Intent = IssueLoan | ReturnLoan | OpenDamageDialog | Swap | Collect


@dataclass(frozen=True)
class Step:
    mode: Mode
    prompt: str
    refusal: str | None = None
    intent: Intent | None = None


@dataclass
class _State:
    mode: Mode = Mode.IDLE
    student: StudentFacts | None = None
    device: DeviceFacts | None = None  # the loaner, the returning device or the own device
    loan_id: int | None = None
    ticket_id: int | None = None
    collect_device: DeviceFacts | None = None  # the repaired device waiting for its loaner
    damage: object | None = None
    accessories: tuple[str, ...] = field(default_factory=tuple)


PROMPTS = {
    Mode.IDLE: "Scan a student card, a device, a loan slip or a repair receipt.",
    Mode.STUDENT: "Scan a loan laptop to lend it, or the student's own laptop to book in damage.",
    Mode.LOAN_READY: "Press Enter to issue the loan. Esc cancels.",
    Mode.RETURN: "Press Enter if it came back in good condition, or type D and Enter if damaged.",
    Mode.SWAP_DAMAGE: "Describe the damage.",
    Mode.SWAP_LOANER: "Scan the loan laptop to give in exchange.",
    Mode.COLLECT: "Scan the loan laptop back first.",
    Mode.COLLECT_READY: "Press Enter to hand the repaired laptop over.",
}


def _device_unavailable(device: DeviceFacts) -> str | None:
    if device.pool is not DevicePool.LOAN:
        return f"{device.tag} is not a loan laptop."
    if device.status is not DeviceStatus.IN_STOCK:
        return f"{device.tag} is not available: it is {device.status.label}."
    return None


class CounterFlow:
    """Decides what each scan and key means; holds the counter's state between scans."""

    def __init__(self, default_accessories: tuple[str, ...] = ("charger",)) -> None:
        self.default_accessories = default_accessories
        self._s = _State(accessories=default_accessories)

    # -- reading the state --
    @property
    def mode(self) -> Mode:
        return self._s.mode

    @property
    def student(self) -> StudentFacts | None:
        return self._s.student

    @property
    def device(self) -> DeviceFacts | None:
        return self._s.device

    @property
    def accessories(self) -> tuple[str, ...]:
        return self._s.accessories

    def set_accessories(self, accessories: tuple[str, ...]) -> None:
        self._s.accessories = tuple(accessories)

    def _step(self, mode: Mode, *, refusal: str | None = None, intent: Intent | None = None,
              prompt: str | None = None) -> Step:  # fmt: skip
        self._s.mode = mode
        return Step(mode, prompt or PROMPTS[mode], refusal, intent)

    def reset(self) -> Step:
        self._s = _State(accessories=self.default_accessories)
        return self._step(Mode.IDLE)

    def _refuse(self, sentence: str) -> Step:
        """Refuse and keep the current state (the person can scan again)."""
        return Step(self._s.mode, PROMPTS[self._s.mode], sentence, None)

    # -- scans --
    def scan(self, scan: Scan) -> Step:
        s = self._s
        if isinstance(scan, StudentFacts):
            if s.mode is Mode.SWAP_LOANER and s.student and scan.id != s.student.id:
                return self._refuse("Scan a loan laptop to finish the swap, or press Esc.")
            self.reset()
            self._s.student = scan
            if scan.status is StudentStatus.LEFT:
                return self._step(Mode.IDLE, refusal=f"{scan.name} has left the school; no loans.")
            return self._step(Mode.STUDENT)
        if isinstance(scan, LoanFacts):
            if scan.open:
                return self._begin_return(scan.device, scan.id)
            self.reset()
            return self._step(
                Mode.IDLE, prompt="That loan was returned already. " + PROMPTS[Mode.IDLE]
            )
        if isinstance(scan, TicketFacts):
            return self._begin_collect_or_show(scan.device, scan.id, scan.state)
        return self._scan_device(scan)

    def _scan_device(self, device: DeviceFacts) -> Step:
        s = self._s
        if s.mode is Mode.COLLECT:
            if device.open_loan_id is not None and device.open_loan_id == s.loan_id:
                return self._begin_return(device, device.open_loan_id, collecting=True)
            return self._refuse("Scan the loan laptop back first; the repaired laptop waits.")
        if s.mode is Mode.SWAP_LOANER and s.student is not None and s.device is not None:
            reason = _device_unavailable(device)
            if reason:
                return self._refuse(reason)
            intent = Swap(s.student.id, s.device.id, device.id, s.accessories, s.damage)
            return self._step(Mode.SWAP_LOANER, intent=intent, prompt="Swapping…")
        if device.open_loan_id is not None:
            return self._begin_return(device, device.open_loan_id)
        if device.open_ticket_state is TicketState.READY_FOR_COLLECTION:
            return self._begin_collect_or_show(
                device, device.open_ticket_id, device.open_ticket_state
            )
        if s.mode in (Mode.STUDENT, Mode.LOAN_READY) and s.student is not None:
            if device.assigned_student_id == s.student.id and device.pool is DevicePool.ALLOCATION:
                if device.open_ticket_id is not None:
                    return self._refuse(
                        f"{device.tag} is booked in for repair already (ticket {device.open_ticket_id})."
                    )
                s.device = device
                return self._step(
                    Mode.SWAP_DAMAGE,
                    intent=OpenDamageDialog(device.id, s.student.id),
                )
            reason = _device_unavailable(device)
            if reason:
                return self._refuse(reason)
            s.device = device
            return self._step(Mode.LOAN_READY)
        # nobody at the counter: the card shows the device, nothing else happens
        self.reset()
        return self._step(Mode.IDLE)

    def _begin_return(self, device: DeviceFacts, loan_id: int, *, collecting: bool = False) -> Step:
        old = self._s
        self.reset()
        s = self._s
        s.device, s.loan_id = device, loan_id
        if collecting:
            s.ticket_id, s.collect_device = old.ticket_id, old.device
        return self._step(Mode.RETURN)

    def _begin_collect_or_show(
        self, device: DeviceFacts, ticket_id: int | None, state: TicketState | None
    ) -> Step:
        self.reset()
        if state is not TicketState.READY_FOR_COLLECTION or ticket_id is None:
            return self._step(Mode.IDLE)
        s = self._s
        s.device, s.ticket_id = device, ticket_id
        if device.swap_loan_id is not None:
            s.loan_id = device.swap_loan_id
            tag = device.swap_loan_tag or "the loan laptop"
            return self._step(
                Mode.COLLECT, prompt=f"Scan {tag} back first; then hand over {device.tag}."
            )
        return self._step(Mode.COLLECT_READY)

    # -- keys --
    def enter(self) -> Step:
        """Enter on an empty scan box: carry out what is ready."""
        s = self._s
        if s.mode is Mode.LOAN_READY and s.student and s.device:
            return self._step(
                Mode.LOAN_READY, intent=IssueLoan(s.student.id, s.device.id, s.accessories)
            )
        if s.mode is Mode.RETURN and s.loan_id is not None:
            return self._step(Mode.RETURN, intent=ReturnLoan(s.loan_id, Condition.GOOD))
        if s.mode is Mode.COLLECT_READY and s.ticket_id is not None and s.device:
            return self._step(Mode.COLLECT_READY, intent=Collect(s.ticket_id, s.device.id))
        return Step(s.mode, PROMPTS[s.mode])

    def command(self, letter: str) -> Step:
        """A typed one-letter command: D = damaged (on a return)."""
        s = self._s
        if letter.upper() == "D" and s.mode is Mode.RETURN and s.device and s.loan_id:
            return self._step(
                Mode.RETURN,
                intent=OpenDamageDialog(s.device.id, s.device.open_loan_student_id, s.loan_id),
            )
        return self._refuse(f"'{letter}' means nothing here. {PROMPTS[s.mode]}")

    def damage_entered(self, damage: object) -> Step:
        """The damage dialog was filled in (swap: now scan the loaner)."""
        if self._s.mode is Mode.SWAP_DAMAGE:
            self._s.damage = damage
            return self._step(Mode.SWAP_LOANER)
        return Step(self._s.mode, PROMPTS[self._s.mode])

    def damage_cancelled(self) -> Step:
        s = self._s
        if s.mode is Mode.SWAP_DAMAGE:
            s.device = None
            return self._step(Mode.STUDENT)
        return Step(s.mode, PROMPTS[s.mode])

    # -- outcomes of an intent --
    def done(self, intent: Intent) -> Step:
        """The intent was carried out; move on."""
        s = self._s
        if isinstance(intent, ReturnLoan | OpenDamageDialog) and s.collect_device is not None:
            # the loaner came back during a collection: now hand the repaired device over
            ticket_id, device = s.ticket_id, s.collect_device
            self.reset()
            self._s.ticket_id, self._s.device = ticket_id, device
            return self._step(Mode.COLLECT_READY, prompt=f"Press Enter to hand {device.tag} over.")
        return self.reset()

    def failed(self, sentence: str) -> Step:
        """The service refused: say why and stay where we are."""
        return self._refuse(sentence)

    def cancel(self) -> Step:
        return self.reset()
