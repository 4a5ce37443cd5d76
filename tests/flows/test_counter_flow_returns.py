"""The counter's state machine on returns, without Qt or a database: what went out with the loan
in the prompt, M for what is missing, A on a returned loan's slip."""

from __future__ import annotations

from helpdesk.domain.enums import Condition, DevicePool, DeviceStatus
from helpdesk.flows.counter import (
    AccessoriesBack,
    ChooseMissing,
    CounterFlow,
    DeviceFacts,
    LoanFacts,
    Mode,
    ReturnLoan,
)

LENT = DeviceFacts(
    51, "LNR-004", DevicePool.LOAN, DeviceStatus.ON_LOAN, open_loan_id=7, open_loan_student_id=1,
    open_loan_holder="Priya Evans (7C)", open_loan_accessories=("charger", "case"),
)  # fmt: skip
BARE = DeviceFacts(
    52, "LNR-005", DevicePool.LOAN, DeviceStatus.ON_LOAN, open_loan_id=8, open_loan_student_id=1,
    open_loan_holder="Priya Evans (7C)",
)  # fmt: skip
BACK = DeviceFacts(51, "LNR-004", DevicePool.LOAN, DeviceStatus.IN_STOCK)


def test_the_prompt_lists_what_went_out_and_m_asks_what_came_back():
    flow = CounterFlow()
    step = flow.scan(LENT)
    assert step.mode is Mode.RETURN
    assert step.prompt == (
        "LNR-004 back from Priya Evans (7C), went out with: charger, case. "
        "Enter: all back in good order; M: something is missing; D: damaged."
    )
    step = flow.command("m")
    assert step.intent == ChooseMissing(7, ("charger", "case"))
    assert flow.missing_cancelled().prompt == step.prompt  # Esc in the chooser: still returning
    step = flow.missing_chosen(("case", "stylus"))  # only what went out can be missing
    assert step.intent == ReturnLoan(7, Condition.GOOD, ("case",))
    assert flow.done(step.intent).mode is Mode.IDLE


def test_a_refusal_during_a_return_keeps_its_prompt():
    flow = CounterFlow()
    prompt = flow.scan(LENT).prompt
    step = flow.command("Q")
    assert step.refusal is not None and step.refusal.endswith(prompt)
    assert step.prompt == prompt and flow.mode is Mode.RETURN
    assert flow.enter().intent == ReturnLoan(7, Condition.GOOD)


def test_nothing_went_out_so_nothing_can_be_missing():
    flow = CounterFlow()
    step = flow.scan(BARE)
    assert (
        step.prompt == "LNR-005 back from Priya Evans (7C). Enter: back in good order; D: damaged."
    )
    assert flow.command("M").refusal is not None


def test_a_returned_slip_with_accessories_missing_offers_a():
    flow = CounterFlow()
    step = flow.scan(LoanFacts(7, BACK, 1, False, "LOAN-000007", ("charger",)))
    assert step.mode is Mode.MISSING
    assert step.prompt.startswith("LOAN-000007 (LNR-004) came back without: charger. A:")
    assert flow.command("a").intent == AccessoriesBack(7)
    assert flow.done(AccessoriesBack(7)).mode is Mode.IDLE
    # a returned slip with nothing missing: just says so, and A means nothing
    step = flow.scan(LoanFacts(7, BACK, 1, False, "LOAN-000007"))
    assert step.mode is Mode.IDLE and "returned already" in step.prompt
    assert flow.command("A").refusal is not None
