"""A loan out the quick path's first query shows cannot be made is refused there, in one
transaction, with the general path's exception and sentence, in its order when two reasons
hold, and nothing written; whoever asks (the counter's ids, the command line's codes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from service_school import NOW
from sqlalchemy import select, update

from helpdesk.domain.enums import Condition, DeviceStatus, LoanType
from helpdesk.domain.errors import AlreadyOnLoan, HelpdeskError, Refused
from helpdesk.domain.models import AuditEntry, Device, Loan, Student
from helpdesk.services.core.settings import get_settings, save_settings
from helpdesk.services.counter import loans as loan_service
from helpdesk.services.counter import quick_loans
from helpdesk.services.counter.loans import issue_loan

LATER = NOW + timedelta(hours=1)


def _ids(factory) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001
    with factory() as session:
        devices = {d.asset_tag: d.id for d in session.scalars(select(Device))}
        students = {s.card_code: s.id for s in session.scalars(select(Student))}
    return devices, students


def _records(factory) -> tuple[list, list, list]:  # noqa: ANN001
    with factory() as session:
        audit = [
            (a.id, a.at, a.action, a.entity, a.entity_id, a.before, a.after)
            for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
        loans = [
            {c.key: getattr(loan, c.key) for c in Loan.__table__.c}
            for loan in session.scalars(select(Loan).order_by(Loan.id))
        ]
        devices = [(d.id, d.status) for d in session.scalars(select(Device).order_by(Device.id))]
    return audit, loans, devices


def _refusal(call) -> HelpdeskError:  # noqa: ANN001
    with pytest.raises(HelpdeskError) as caught:
        call()
    return caught.value


def _quick_and_general(factory, monkeypatch, card: str, tag: str, by_ids: bool) -> str:  # noqa: ANN001
    """The quick path's refusal and the general path's, the same; nothing written by either."""
    devices, students = _ids(factory)
    if by_ids:
        keys = {"student_code": None, "student_id": students[card],
                "device_code": None, "device_id": devices[tag]}  # fmt: skip
    else:
        keys = {"student_code": card, "student_id": None, "device_code": tag, "device_id": None}
    before = _records(factory)
    quick = _refusal(
        lambda: quick_loans.quick_issue(
            factory,
            "counter1",
            loan_type=LoanType.DAY,
            accessories="charger",
            condition_out=Condition.GOOD,
            notes="",
            school_days=None,
            now=LATER,
            **keys,
        )  # fmt: skip
    )
    assert _records(factory) == before
    with monkeypatch.context() as patched:
        patched.setattr(loan_service, "quick_issue", lambda *a, **k: None)
        general = _refusal(lambda: issue_loan(factory, "counter1", now=LATER, **keys))
    assert _records(factory) == before
    assert (type(quick), str(quick)) == (type(general), str(general))
    # and the one entry every caller uses gives it too
    whole = _refusal(lambda: issue_loan(factory, "counter1", now=LATER, **keys))
    assert (type(whole), str(whole)) == (type(general), str(general))
    assert _records(factory) == before
    return f"{type(quick).__name__}: {quick}"


@pytest.mark.parametrize("by_ids", [True, False], ids=["ids", "codes"])
def test_each_refusal_reads_as_the_general_path_s(any_school, monkeypatch, by_ids):
    school = any_school
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    with school() as session, session.begin():  # a loaner gone missing, with no loan open
        session.execute(
            update(Device).where(Device.asset_tag == "LNR-004").values(status=DeviceStatus.LOST)
        )

    def refused(card: str, tag: str) -> str:
        return _quick_and_general(school, monkeypatch, card, tag, by_ids)

    on_loan = "AlreadyOnLoan: LNR-001 is already on loan to Dev Patel (9D)."
    assert refused("S1002", "LNR-001") == on_loan
    assert refused("S1004", "LNR-002") == (
        "Refused: Dev Patel (9D) already has 1 open loan (LNR-001); the limit is 1."
    )
    left = "Refused: Cara Brown (11C) left the school on 20/07/2026 and cannot borrow a device."
    assert refused("S1003", "LNR-002") == left
    pool = "Refused: LAP-0003 is not in the loan pool: it is allocated to a student one to one."
    assert refused("S1001", "LAP-0003") == pool
    lost = "Refused: LNR-004 cannot be lent: it is lost."
    assert refused("S1001", "LNR-004") == lost
    # two reasons at once: the one the general path names first
    assert refused("S1003", "LNR-001") == on_loan  # a leaver asking for a loaner out
    assert refused("S1003", "LAP-0003") == pool  # a leaver asking for a 1:1 laptop
    assert refused("S1004", "LNR-001") == on_loan  # the holder again, at the limit
    assert refused("S1003", "LNR-004") == lost  # a leaver, a lost loaner
    assert refused("S1004", "LAP-0003") == pool  # at the limit, a 1:1 laptop


@pytest.mark.parametrize("by_ids", [True, False], ids=["ids", "codes"])
def test_the_limit_and_unpaid_charges_read_as_the_general_path_s(any_school, monkeypatch, by_ids):
    from helpdesk.services.repairs.tickets import DamageReport, open_ticket

    school = any_school
    settings = get_settings(school)
    save_settings(school, "admin", replace(settings, block_loans_with_unpaid_charges=True,
                                           loan_limit=2))  # fmt: skip
    # Dev holds two loaners, the later numbered first; Ben owes for a cracked screen
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-002", now=NOW)
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    open_ticket(school, "counter1", device_code="LAP-0002", damage=DamageReport("screen", "Crack"),
                now=NOW)  # fmt: skip

    def refused(card: str, tag: str) -> str:
        return _quick_and_general(school, monkeypatch, card, tag, by_ids)

    assert refused("S1004", "LNR-003") == (
        "Refused: Dev Patel (9D) already has 2 open loans (LNR-002, LNR-001); the limit is 2."
    )
    owing = refused("S1002", "LNR-003")
    assert owing.startswith("Refused: Ben Jones (8B) has unpaid charges of £")
    assert owing.endswith(": no loans until they are paid or waived.")
    assert refused("S1002", "LNR-001").startswith("AlreadyOnLoan: ")  # named before the charge
    # Anna owes nothing and is under the limit: she is lent one, by the quick path
    lent = quick_loans.quick_issue(
        school, "counter1", student_code="S1001", student_id=None, device_code="LNR-003",
        device_id=None, loan_type=LoanType.DAY, accessories="charger",
        condition_out=Condition.GOOD, notes="", school_days=None, now=LATER,
    )  # fmt: skip
    assert lent is not None and lent.asset_tag == "LNR-003"


def test_a_refusal_costs_one_transaction(any_school, monkeypatch):
    """The refused loan out runs one transaction: the quick one, never then the general one."""
    school = any_school
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    opened = []
    real = loan_service.unit_of_work
    monkeypatch.setattr(
        loan_service, "unit_of_work", lambda *a, **k: opened.append(k["action"]) or real(*a, **k)
    )
    with pytest.raises(AlreadyOnLoan):
        issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=LATER)
    with pytest.raises(Refused, match="left the school"):
        issue_loan(school, "counter1", student_code="S1003", device_code="LNR-002", now=LATER)
    assert opened == []  # the general path never ran


def test_a_loan_slip_scanned_again_is_refused_in_one_transaction(any_school, monkeypatch):
    """A loan another counter took back first: the quick return says so in the general path's
    words, without a second transaction; a slip of no loan still goes to the general path."""
    from helpdesk.domain.errors import NotFound

    school = any_school
    lent = issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    loan_service.return_loan(school, "tech1", loan_id=lent.id, now=LATER)
    before = _records(school)
    opened = []
    real = loan_service.unit_of_work
    monkeypatch.setattr(
        loan_service, "unit_of_work", lambda *a, **k: opened.append(k["action"]) or real(*a, **k)
    )
    quick = _refusal(lambda: loan_service.return_loan(school, "counter1", loan_id=lent.id,
                                                      now=LATER))  # fmt: skip
    assert opened == []  # the general path never ran
    with monkeypatch.context() as patched:
        patched.setattr(loan_service, "quick_return", lambda *a, **k: None)
        general = _refusal(lambda: loan_service.return_loan(school, "counter1", loan_id=lent.id,
                                                            now=LATER))  # fmt: skip
    assert (type(quick), str(quick)) == (type(general), str(general))
    assert str(quick) == (
        f"{lent.code} (LNR-001) was already returned on {LATER:%d/%m/%Y at %H:%M}."
    )
    assert _records(school) == before
    opened.clear()
    with pytest.raises(NotFound, match="There is no loan LOAN-000999"):
        loan_service.return_loan(school, "counter1", loan_id=999, now=LATER)
    assert opened == ["loan.return"]  # no such loan: the general path names it
