"""What the next scan means at the counter: a small state machine with no Qt and no database.

The counter panel looks a scan up, turns the answer into :class:`Scan` facts, and asks the flow.
The flow answers with a :class:`Step`: what to show (a prompt, or a refusal in one sentence) and,
when the person has said "go" (Enter, or the scan that completes a swap), the :class:`Intent` to
carry out. The panel runs the intent through the services and reports back with
:meth:`CounterFlow.done` or :meth:`CounterFlow.failed`.

Workflows:
- day loan: student -> pool laptop -> Enter issues it (``L`` switches to a long loan, ``U`` sets
  the due date); a student who cannot borrow (left, at the loan limit, unpaid charges when the
  school blocks on them) is refused at the loaner's scan, before anything is asked;
- return: a loaned device (or its slip) -> Enter = all back in good order, ``M`` = an accessory
  is missing (a chooser of what came back), ``D`` = damaged;
- accessories brought back later: the slip of a returned loan with some missing -> ``A``;
- take back: a loaner out to someone else scanned while a student waits, or one lent a few
  minutes ago scanned again, is a question: ``R`` takes it back (and lends it to the student
  waiting), Enter or Esc cancels; nothing happens on Enter by habit;
- swap: student -> their own device -> damage details (dialog) -> a pool laptop: one transaction;
- collection: a repaired device (or its receipt) -> the loaner back first -> Enter hands it over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from helpdesk.domain.enums import Condition, DevicePool, LoanType, TicketState
from helpdesk.flows.facts import DeviceFacts, LoanFacts, Scan, StudentFacts, TicketFacts
from helpdesk.flows.intents import (
    AccessoriesBack,
    AskDueDate,
    ChooseMissing,
    Collect,
    Intent,
    IssueLoan,
    Mode,
    OpenDamageDialog,
    ReturnLoan,
    Step,
    Swap,
    TakeBackAndLend,
)
from helpdesk.flows.words import (
    lend_prompt,
    lent_recently_prompt,
    not_lendable,
    take_back_prompt,
    why_no_loans,
)

__all__ = [  # the flow's vocabulary, importable from here with the flow
    "AccessoriesBack",
    "AskDueDate",
    "ChooseMissing",
    "Collect",
    "CounterFlow",
    "DeviceFacts",
    "Intent",
    "IssueLoan",
    "LoanFacts",
    "Mode",
    "OpenDamageDialog",
    "ReturnLoan",
    "Scan",
    "Step",
    "StudentFacts",
    "Swap",
    "TakeBackAndLend",
    "TicketFacts",
]

RECENT_LOAN = timedelta(minutes=5)  # a loaner lent this recently and scanned again: ask first


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
    loan_type: LoanType = LoanType.DAY
    due: date | None = None  # a chosen due day
    loan_accessories: tuple[str, ...] = ()  # what went out with the loan coming back


PROMPTS = {
    Mode.IDLE: "Scan a student card, a device, a loan slip or a repair receipt.",
    Mode.STUDENT: "Scan a loan laptop to lend it, or the student's own laptop to book in damage.",
    Mode.LOAN_READY: "Enter lends it; Esc cancels.",
    Mode.RETURN: "Enter: back in good order; D: damaged.",
    Mode.MISSING: "A: the missing accessories are now returned; or scan the next code.",
    Mode.SWAP_DAMAGE: "Describe the damage.",
    Mode.SWAP_LOANER: "Scan the loan laptop to give in exchange.",
    Mode.COLLECT: "Scan the loan laptop back first.",
    Mode.COLLECT_READY: "Press Enter to hand the repaired laptop over.",
    Mode.TAKE_BACK: "R takes the loan laptop back; Enter or Esc cancels.",
}

DueRule = Callable[[LoanType, date | None], datetime | None]


class CounterFlow:
    """Decides what each scan and key means; holds the counter's state between scans."""

    def __init__(
        self,
        default_accessories: tuple[str, ...] = ("charger",),
        *,
        due_rule: DueRule | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        """``due_rule(loan_type, chosen_day)`` says when a loan lent now would be due (a read of
        the school's rules); ``clock`` is the time now."""
        self.default_accessories = default_accessories
        self.due_rule = due_rule
        self.clock = clock
        self._s = _State(accessories=default_accessories)
        self._prompt = PROMPTS[Mode.IDLE]

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

    def set_accessories(self, accessories: tuple[str, ...]) -> Step:
        """The accessories going with the loan changed: the prompt says so."""
        self._s.accessories = tuple(accessories)
        return self.current()

    def current(self) -> Step:
        """What the counter shows now, with nothing to carry out."""
        if self._s.mode is Mode.LOAN_READY:
            return self._step(Mode.LOAN_READY, prompt=self._lend_prompt())
        return Step(self._s.mode, self._prompt)

    def _step(self, mode: Mode, *, refusal: str | None = None, intent: Intent | None = None,
              prompt: str | None = None) -> Step:  # fmt: skip
        self._s.mode = mode
        self._prompt = prompt or PROMPTS[mode]
        return Step(mode, self._prompt, refusal, intent)

    def reset(self) -> Step:
        self._s = _State(accessories=self.default_accessories)
        return self._step(Mode.IDLE)

    def _refuse(self, sentence: str) -> Step:
        """Refuse and keep the current state (the person can scan again)."""
        return Step(self._s.mode, self._prompt, sentence, None)

    def _student_prompt(self, student: StudentFacts) -> str:
        why = why_no_loans(student)
        return PROMPTS[Mode.STUDENT] if why is None else f"{why} Esc clears the counter."

    def _lend_prompt(self) -> str:
        s = self._s
        assert s.student is not None and s.device is not None
        due = self.due_rule(s.loan_type, s.due) if self.due_rule is not None else None
        return lend_prompt(s.student, s.device, s.loan_type, s.accessories, due)

    # -- scans --
    def scan(self, scan: Scan) -> Step:
        s = self._s
        if isinstance(scan, StudentFacts):
            if s.mode is Mode.SWAP_LOANER and s.student and scan.id != s.student.id:
                return self._refuse("Scan a loan laptop to finish the swap, or press Esc.")
            self.reset()
            self._s.student = scan
            prompt = self._student_prompt(scan)
            return self._step(Mode.STUDENT, refusal=why_no_loans(scan), prompt=prompt)
        if s.mode is Mode.TAKE_BACK and s.student is not None:  # another scan answers "no"
            s.mode, s.device, s.loan_id = Mode.STUDENT, None, None
        if isinstance(scan, LoanFacts):
            if scan.open:
                return self._loaner_out(scan.device, scan.id)
            self.reset()
            if scan.accessories_missing:
                self._s.loan_id, self._s.device = scan.id, scan.device
                missing = ", ".join(scan.accessories_missing)
                return self._step(
                    Mode.MISSING,
                    prompt=f"{scan.code or 'That loan'} ({scan.device.tag}) came back without: "
                    f"{missing}. {PROMPTS[Mode.MISSING]}",
                )
            return self._step(
                Mode.IDLE, prompt=f"That loan was returned already. {PROMPTS[Mode.IDLE]}"
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
            reason = not_lendable(device)
            if reason:
                return self._refuse(reason)
            intent = Swap(s.student.id, s.device.id, device.id, s.accessories, s.damage)
            return self._step(Mode.SWAP_LOANER, intent=intent, prompt="Swapping…")
        if device.open_loan_id is not None:
            return self._loaner_out(device, device.open_loan_id)
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
                # the swap lends a loaner too: the services refuse it for the same reasons
                why = why_no_loans(s.student)
                if why is not None:
                    return self._refuse(why)
                s.device = device
                return self._step(
                    Mode.SWAP_DAMAGE,
                    intent=OpenDamageDialog(device.id, s.student.id),
                )
            reason = not_lendable(device) or why_no_loans(s.student)
            if reason:
                return self._refuse(reason)
            s.device = device
            return self._step(Mode.LOAN_READY, prompt=self._lend_prompt())
        # nobody at the counter: the card shows the device, nothing else happens
        self.reset()
        return self._step(Mode.IDLE)

    def _loaner_out(self, device: DeviceFacts, loan_id: int) -> Step:
        """A device out on loan was scanned (or its slip): a return, unless that would drop a
        student who is waiting or undo a loan made minutes ago; then ask first."""
        s = self._s
        waiting = s.student if s.mode in (Mode.STUDENT, Mode.LOAN_READY) else None
        if waiting is not None and device.open_loan_student_id != waiting.id:
            why = why_no_loans(waiting)
            if why is not None:
                return self._refuse(why)
            s.device, s.loan_id = device, loan_id
            return self._step(Mode.TAKE_BACK, prompt=take_back_prompt(device, waiting))
        issued = device.open_loan_issued_at
        now = self.clock()
        if issued is not None and now - issued < RECENT_LOAN:
            self.reset()
            self._s.device, self._s.loan_id = device, loan_id
            return self._step(Mode.TAKE_BACK, prompt=lent_recently_prompt(device, now))
        return self._begin_return(device, loan_id)

    def _begin_return(self, device: DeviceFacts, loan_id: int, *, collecting: bool = False) -> Step:
        old = self._s
        self.reset()
        s = self._s
        s.device, s.loan_id = device, loan_id
        if collecting:
            s.ticket_id, s.collect_device = old.ticket_id, old.device
        s.loan_accessories = device.open_loan_accessories
        who = f" from {device.open_loan_holder}" if device.open_loan_holder else ""
        if not s.loan_accessories:
            return self._step(Mode.RETURN, prompt=f"{device.tag} back{who}. {PROMPTS[Mode.RETURN]}")
        return self._step(
            Mode.RETURN,
            prompt=f"{device.tag} back{who}, went out with: {', '.join(s.loan_accessories)}. "
            "Enter: all back in good order; M: something is missing; D: damaged.",
        )

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
                Mode.LOAN_READY, intent=self._issue(s.device), prompt=self._lend_prompt()
            )
        if s.mode is Mode.TAKE_BACK:
            return self._keep_it_out()
        if s.mode is Mode.RETURN and s.loan_id is not None:
            return self._again(ReturnLoan(s.loan_id, Condition.GOOD))
        if s.mode is Mode.COLLECT_READY and s.ticket_id is not None and s.device:
            return self._step(Mode.COLLECT_READY, intent=Collect(s.ticket_id, s.device.id))
        return Step(s.mode, self._prompt)

    def _again(self, intent: Intent) -> Step:
        """Stay in this mode, with its prompt, and carry ``intent`` out."""
        return Step(self._s.mode, self._prompt, None, intent)

    def _issue(self, device: DeviceFacts) -> IssueLoan:
        s = self._s
        assert s.student is not None
        return IssueLoan(s.student.id, device.id, s.accessories, s.loan_type, s.due)

    def _keep_it_out(self) -> Step:
        """Enter on the take-back question: nothing happens; a waiting student stays."""
        s = self._s
        device, student = s.device, s.student
        holder = device.open_loan_holder if device is not None else None
        note = f"Nothing done: {device.tag} stays out to {holder}. " if device and holder else ""
        if student is None:
            self.reset()
            return self._step(Mode.IDLE, prompt=note + PROMPTS[Mode.IDLE])
        s.device, s.loan_id = None, None
        return self._step(Mode.STUDENT, prompt=note + self._student_prompt(student))

    def command(self, letter: str) -> Step:
        """A typed one-letter command: on a return D = damaged, M = something is missing; R =
        take a loaner back (and lend it to the student waiting); L = long or day loan, U = the
        due date; on a returned loan's slip A = the missing accessories are back."""
        s = self._s
        key = letter.upper()
        if key == "D" and s.mode in (Mode.RETURN, Mode.TAKE_BACK) and s.device and s.loan_id:
            if s.mode is Mode.RETURN or s.student is None:
                student_id = s.device.open_loan_student_id
                return self._step(
                    s.mode, intent=OpenDamageDialog(s.device.id, student_id, s.loan_id)
                )
        if key == "R" and s.mode is Mode.TAKE_BACK and s.device and s.loan_id:
            give_back = ReturnLoan(s.loan_id, Condition.GOOD)
            if s.student is None:
                return self._step(Mode.TAKE_BACK, intent=give_back, prompt=self._prompt)
            intent = TakeBackAndLend(give_back, self._issue(s.device))
            return self._step(Mode.TAKE_BACK, intent=intent, prompt=self._prompt)
        if key == "M" and s.mode is Mode.RETURN and s.loan_id and s.loan_accessories:
            return self._again(ChooseMissing(s.loan_id, s.loan_accessories))
        if key == "A" and s.mode is Mode.MISSING and s.loan_id:
            return self._again(AccessoriesBack(s.loan_id))
        if key == "L" and s.mode is Mode.LOAN_READY:
            s.loan_type = LoanType.DAY if s.loan_type is LoanType.LONG else LoanType.LONG
            return self.current()
        if key == "U" and s.mode is Mode.LOAN_READY:
            return self._step(Mode.LOAN_READY, intent=AskDueDate(s.due), prompt=self._prompt)
        return self._refuse(f"'{letter}' means nothing here. {self._prompt}")

    def due_chosen(self, day: date | None) -> Step:
        """The due-date field was filled in (None: back to the school's rules)."""
        if self._s.mode is Mode.LOAN_READY:
            if day is not None and day < self.clock().date():
                return self._refuse(f"The loan cannot be due on {day:%d/%m/%Y}: that is past.")
            self._s.due = day
        return self.current()

    def missing_chosen(self, missing: tuple[str, ...]) -> Step:
        """The chooser said which accessories did not come back (none: all are back)."""
        s = self._s
        if s.mode is Mode.RETURN and s.loan_id is not None:
            kept = tuple(item for item in s.loan_accessories if item in missing)
            return self._again(ReturnLoan(s.loan_id, Condition.GOOD, kept))
        return Step(s.mode, self._prompt)

    def missing_cancelled(self) -> Step:
        return Step(self._s.mode, self._prompt)

    def damage_entered(self, damage: object) -> Step:
        """The damage dialog was filled in (swap: now scan the loaner)."""
        if self._s.mode is Mode.SWAP_DAMAGE:
            self._s.damage = damage
            return self._step(Mode.SWAP_LOANER)
        return Step(self._s.mode, self._prompt)

    def damage_cancelled(self) -> Step:
        s = self._s
        if s.mode is Mode.SWAP_DAMAGE and s.student is not None:
            s.device = None
            return self._step(Mode.STUDENT, prompt=self._student_prompt(s.student))
        return Step(s.mode, self._prompt)

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
