"""The counter's state machine, without Qt or a database: what each scan and key means."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from helpdesk.domain.enums import (
    Condition,
    DevicePool,
    DeviceStatus,
    LoanType,
    StudentStatus,
    TicketState,
)
from helpdesk.flows.counter import (
    AskDueDate,
    Collect,
    CounterFlow,
    DeviceFacts,
    IssueLoan,
    LoanFacts,
    Mode,
    OpenDamageDialog,
    ReturnLoan,
    StudentFacts,
    Swap,
    TakeBackAndLend,
    TicketFacts,
)

ANNA = StudentFacts(1, "Anna Smith", assigned_device_ids=(10,))
LEFT = StudentFacts(2, "Ben Left", status=StudentStatus.LEFT)
OWN = DeviceFacts(
    10, "PER-000010", DevicePool.ALLOCATION, DeviceStatus.ASSIGNED, assigned_student_id=1
)
LOANER = DeviceFacts(50, "LOAN-A", DevicePool.LOAN, DeviceStatus.IN_STOCK)
LENT = DeviceFacts(
    51, "LOAN-B", DevicePool.LOAN, DeviceStatus.ON_LOAN, open_loan_id=7, open_loan_student_id=1
)


def test_day_loan_student_then_loaner_then_enter():
    flow = CounterFlow()
    assert flow.scan(ANNA).mode is Mode.STUDENT
    step = flow.scan(LOANER)
    assert step.mode is Mode.LOAN_READY and step.intent is None
    flow.set_accessories(("charger", "case"))
    step = flow.enter()
    assert step.intent == IssueLoan(1, 50, ("charger", "case"))
    assert flow.done(step.intent).mode is Mode.IDLE


def test_loaner_refused_with_one_sentence_and_state_kept():
    flow = CounterFlow()
    flow.scan(ANNA)
    busy = DeviceFacts(52, "LOAN-C", DevicePool.LOAN, DeviceStatus.IN_REPAIR)
    step = flow.scan(busy)
    assert step.refusal == "LOAN-C is not available: it is in repair."
    assert step.mode is Mode.STUDENT
    other = DeviceFacts(60, "PER-000060", DevicePool.ALLOCATION, DeviceStatus.IN_STOCK)
    assert (
        flow.scan(other).refusal == "PER-000060 is not a loan laptop: it is a 1:1 laptop, in stock."
    )
    assert flow.scan(LOANER).mode is Mode.LOAN_READY


def test_left_student_refused():
    step = CounterFlow().scan(LEFT)
    assert step.refusal == "Ben Left has left the school; no loans."
    assert step.mode is Mode.STUDENT and step.prompt.startswith("Ben Left has left the school")
    refused = CounterFlow()
    refused.scan(LEFT)
    step = refused.scan(LOANER)
    assert step.refusal == "Ben Left has left the school; no loans." and step.mode is Mode.STUDENT
    assert refused.enter().intent is None


def test_return_by_device_or_slip_good_or_damaged():
    flow = CounterFlow()
    assert flow.scan(LENT).mode is Mode.RETURN
    assert flow.enter().intent == ReturnLoan(7, Condition.GOOD)
    flow.reset()
    assert flow.scan(LoanFacts(7, LENT, 1, open=True)).mode is Mode.RETURN
    step = flow.command("d")
    assert step.intent == OpenDamageDialog(51, 1, 7)
    assert flow.command("z").refusal.startswith("'z' means nothing here.")


def test_swap_student_own_device_damage_then_loaner():
    flow = CounterFlow()
    flow.scan(ANNA)
    step = flow.scan(OWN)
    assert step.mode is Mode.SWAP_DAMAGE and step.intent == OpenDamageDialog(10, 1)
    assert flow.damage_entered("screen cracked").mode is Mode.SWAP_LOANER
    step = flow.scan(LOANER)
    assert step.intent == Swap(1, 10, 50, ("charger",), "screen cracked")


def test_swap_damage_cancelled_goes_back_to_the_student():
    flow = CounterFlow()
    flow.scan(ANNA)
    flow.scan(OWN)
    assert flow.damage_cancelled().mode is Mode.STUDENT
    assert flow.scan(LOANER).mode is Mode.LOAN_READY


def test_collection_needs_the_loaner_back_first():
    repaired = DeviceFacts(
        10,
        "PER-000010",
        DevicePool.ALLOCATION,
        DeviceStatus.IN_REPAIR,
        assigned_student_id=1,
        open_ticket_id=3,
        open_ticket_state=TicketState.READY_FOR_COLLECTION,
        swap_loan_id=7,
        swap_loan_tag="LOAN-B",
    )
    flow = CounterFlow()
    step = flow.scan(repaired)
    assert step.mode is Mode.COLLECT and "LOAN-B" in step.prompt
    assert flow.enter().intent is None
    assert flow.scan(LOANER).refusal  # not the loaner that is out
    assert flow.scan(LENT).mode is Mode.RETURN
    intent = flow.enter().intent
    assert intent == ReturnLoan(7, Condition.GOOD)
    assert flow.done(intent).mode is Mode.COLLECT_READY
    assert flow.enter().intent == Collect(3, 10)


def test_ticket_receipt_ready_without_loaner_goes_straight_to_hand_over():
    device = DeviceFacts(10, "PER-000010", DevicePool.ALLOCATION, DeviceStatus.IN_REPAIR)
    flow = CounterFlow()
    step = flow.scan(TicketFacts(3, device, TicketState.READY_FOR_COLLECTION, 1))
    assert step.mode is Mode.COLLECT_READY
    assert flow.enter().intent == Collect(3, 10)
    flow.reset()
    assert flow.scan(TicketFacts(4, device, TicketState.DIAGNOSING)).mode is Mode.IDLE


# --- a loaner that is out, a student who cannot borrow, what Enter is about to do ------------

NOW = datetime(2026, 12, 7, 9, 15)
LEO = StudentFacts(3, "Leo Allen", form="7C")
PRIYA_LOAN = DeviceFacts(
    54,
    "LN-004",
    DevicePool.LOAN,
    DeviceStatus.ON_LOAN,
    open_loan_id=9,
    open_loan_student_id=4,
    open_loan_holder="Priya Evans (7C)",
    open_loan_issued_at=datetime(2026, 12, 7, 9, 12),
)


def test_loaner_out_to_another_student_is_a_question_not_a_return():
    flow = CounterFlow(clock=lambda: NOW)
    flow.scan(LEO)
    step = flow.scan(PRIYA_LOAN)
    assert step.mode is Mode.TAKE_BACK and step.intent is None
    assert step.prompt == (
        "LN-004 is out to Priya Evans (7C) since 09:12; take it back and lend it to Leo Allen? "
        "R takes it back and lends it; Enter or Esc cancels."
    )
    step = flow.enter()  # by habit: nothing happens, Leo is still waiting
    assert step.intent is None and step.mode is Mode.STUDENT and flow.student == LEO
    assert step.prompt.startswith("Nothing done: LN-004 stays out to Priya Evans (7C).")
    flow.scan(PRIYA_LOAN)
    step = flow.command("r")
    assert step.intent == TakeBackAndLend(
        ReturnLoan(9, Condition.GOOD), IssueLoan(3, 54, ("charger",), LoanType.DAY, None)
    )
    assert flow.done(step.intent).mode is Mode.IDLE
    flow.scan(LEO)
    flow.scan(PRIYA_LOAN)
    assert flow.cancel().mode is Mode.IDLE and flow.student is None


def test_loaner_lent_minutes_ago_asks_before_taking_back():
    flow = CounterFlow(clock=lambda: NOW)
    step = flow.scan(PRIYA_LOAN)  # nobody waiting, lent three minutes ago
    assert step.mode is Mode.TAKE_BACK
    assert step.prompt.startswith(
        "LN-004 was lent to Priya Evans (7C) at 09:12, 3 minutes ago; take it back?"
    )
    assert flow.enter().intent is None and flow.mode is Mode.IDLE
    flow.scan(PRIYA_LOAN)
    assert flow.command("R").intent == ReturnLoan(9, Condition.GOOD)
    flow.reset()
    flow.scan(PRIYA_LOAN)
    assert flow.command("D").intent == OpenDamageDialog(54, 4, 9)
    later = CounterFlow(clock=lambda: NOW + timedelta(minutes=10))
    assert later.scan(PRIYA_LOAN).mode is Mode.RETURN  # an older loan: a plain return
    assert later.command("R").refusal.startswith("'R' means nothing here.")


def test_student_who_cannot_borrow_is_refused_at_the_loaner_scan():
    full = StudentFacts(3, "Leo Allen", form="7C", open_loans=1, loan_limit=1)
    sentence = (
        "Leo Allen is at the loan limit (1 of 1 loan out): no more loans until one comes back."
    )
    flow = CounterFlow()
    step = flow.scan(full)
    assert step.mode is Mode.STUDENT and step.refusal == sentence
    assert step.prompt.startswith(sentence)
    step = flow.scan(LOANER)
    assert step.refusal == sentence and step.mode is Mode.STUDENT
    assert flow.enter().intent is None
    assert flow.scan(PRIYA_LOAN).refusal == sentence  # no take-back for a loan it cannot make
    own = DeviceFacts(11, "PER-000011", DevicePool.ALLOCATION, DeviceStatus.ASSIGNED,
                      assigned_student_id=3)  # fmt: skip
    assert flow.scan(own).refusal == sentence  # a swap lends a loaner too

    owes = StudentFacts(3, "Leo Allen", form="7C", unpaid_pence=5000, blocks_on_unpaid=True)
    flow.scan(owes)
    assert flow.scan(LOANER).refusal == (
        "Leo Allen has unpaid charges of £50.00: no loans until they are paid or waived."
    )
    flow.scan(StudentFacts(3, "Leo Allen", form="7C", unpaid_pence=5000))
    assert flow.scan(LOANER).mode is Mode.LOAN_READY  # the school does not block on charges


def test_loan_ready_says_who_what_and_when_and_takes_long_loans_and_a_due_day():
    def due_rule(kind: LoanType, on: date | None) -> datetime:
        if on is not None:
            return datetime.combine(on, time(15, 30))
        return (
            datetime(2026, 12, 7, 15, 30) if kind is LoanType.DAY else datetime(2027, 1, 4, 15, 30)
        )

    flow = CounterFlow(due_rule=due_rule, clock=lambda: NOW)
    flow.scan(LEO)
    step = flow.scan(LOANER)
    assert step.prompt == (
        "Lend LOAN-A to Leo Allen (7C): day loan, with charger, due back Mon 07/12 at 15:30. "
        "Enter lends it; L switches to a long loan; U sets the due date; Esc cancels."
    )
    step = flow.command("L")
    assert "long loan, with charger, due back Mon 04/01 at 15:30" in step.prompt
    assert "L switches to a day loan" in step.prompt
    assert "with charger and case" in flow.set_accessories(("charger", "case")).prompt
    assert flow.command("U").intent == AskDueDate(None)
    assert flow.due_chosen(date(2026, 12, 1)).refusal  # a day gone by
    assert "due back Thu 10/12 at 15:30" in flow.due_chosen(date(2026, 12, 10)).prompt
    assert flow.enter().intent == IssueLoan(
        3, 50, ("charger", "case"), LoanType.LONG, date(2026, 12, 10)
    )


def test_refusals_name_whose_device_it_is():
    flow = CounterFlow()
    flow.scan(LEO)
    theirs = DeviceFacts(59, "LT-00059", DevicePool.ALLOCATION, DeviceStatus.ASSIGNED,
                         assigned_student_id=4, assigned_name="Priya Evans", assigned_form="7C")  # fmt: skip
    assert flow.scan(theirs).refusal == (
        "LT-00059 is not a loan laptop: it is Priya Evans's (7C) own laptop."
    )
    flow.scan(ANNA)
    flow.scan(OWN)
    flow.damage_entered("screen")
    assert (
        flow.scan(PRIYA_LOAN).refusal == "LN-004 is not available: it is out to Priya Evans (7C)."
    )


def test_another_loaner_scanned_at_the_take_back_question_keeps_the_student():
    flow = CounterFlow(clock=lambda: NOW)
    flow.scan(LEO)
    flow.scan(PRIYA_LOAN)
    step = flow.scan(LOANER)  # the person picks a loaner that is in stock instead
    assert step.mode is Mode.LOAN_READY and flow.student == LEO
    assert flow.enter().intent == IssueLoan(3, 50, ("charger",))
