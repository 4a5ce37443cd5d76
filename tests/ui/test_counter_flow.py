"""The counter's state machine, without Qt or a database: what each scan and key means."""

from __future__ import annotations

from helpdesk.domain.enums import Condition, DevicePool, DeviceStatus, StudentStatus, TicketState
from helpdesk.ui.counter_flow import (
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
    assert flow.scan(other).refusal == "PER-000060 is not a loan laptop."
    assert flow.scan(LOANER).mode is Mode.LOAN_READY


def test_left_student_refused():
    step = CounterFlow().scan(LEFT)
    assert step.refusal == "Ben Left has left the school; no loans."
    assert step.mode is Mode.IDLE


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
