"""Two counters (here: several processes) issue the same loaner at the same moment, on a SQLite
file and on PostgreSQL: exactly one succeeds, every other is told who has it."""

from __future__ import annotations

import multiprocessing
import queue

import pytest
from sqlalchemy import func, select

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus, StaffRole
from helpdesk.domain.models import AuditEntry, Device, Loan, Staff, Student

COUNTERS = 6
LOANER = "LOAN-RACE-01"


@pytest.fixture
def school(any_session_factory):
    """One loaner; one student and one staff member per counter."""
    with any_session_factory() as session, session.begin():
        session.add(
            Device(
                asset_tag=LOANER,
                serial="SN-RACE-01",
                make="Dell",
                model="Latitude 3190",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.LOAN,
                status=DeviceStatus.IN_STOCK,
            )
        )
        for n in range(COUNTERS):
            session.add(
                Student(
                    card_code=f"RACE{n:03}",
                    first_name=f"Pupil{n}",
                    last_name="Racer",
                    year_group=9,
                    form="9C",
                )
            )
            session.add(
                Staff(username=f"counter{n}", display_name=f"Counter {n}", role=StaffRole.COUNTER)
            )
    return any_session_factory


def run_race(url: str, counters: list[dict] | None = None) -> list[tuple[str, str, str]]:
    """Each counter (student, staff, device) in its own process, all starting at once."""
    from race_worker import issue_at_once

    if counters is None:
        counters = [
            {"student": f"RACE{n:03}", "staff": f"counter{n}", "device": LOANER}
            for n in range(COUNTERS)
        ]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(counters))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=issue_at_once, args=(url, barrier, results, who)) for who in counters
    ]
    for process in processes:
        process.start()
    outcomes = []
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {len(counters)} counters answered: {outcomes}")
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return outcomes


def test_one_loaner_issued_by_several_counters_at_once(school):
    url = school.kw["bind"].url.render_as_string(hide_password=False)
    outcomes = run_race(url)

    problems = [o for o in outcomes if o[0] in ("setup-error", "crashed")]
    assert problems == [], "\n".join(o[2] for o in problems)
    issued = [o for o in outcomes if o[0] == "issued"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(issued) == 1, outcomes
    assert len(refused) == COUNTERS - 1, outcomes

    winner = issued[0][1]
    winner_number = int(winner.removeprefix("RACE"))
    for _, _, message in refused:
        assert message.startswith("AlreadyOnLoan: "), message
        assert "already on loan to" in message, message
        assert f"Pupil{winner_number} Racer" in message, message

    with school() as session:
        loans = session.scalars(select(Loan).where(Loan.returned_at.is_(None))).all()
        assert [loan.student.card_code for loan in loans] == [winner]
        assert session.scalar(select(func.count()).select_from(Loan)) == 1
        device = session.scalar(select(Device).where(Device.asset_tag == LOANER))
        assert device.status is DeviceStatus.ON_LOAN
        loan_audits = session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "loans", AuditEntry.action == "insert")
        ).all()
        assert [entry.entity_id for entry in loan_audits] == [loans[0].id]


def test_one_student_at_several_counters_at_once(school):
    """The loan limit (one open loan) holds when one student is lent a different loaner at each
    counter at the same moment: one loan, the other counters are told the limit."""
    with school() as session, session.begin():
        for n in range(1, COUNTERS):
            session.add(
                Device(
                    asset_tag=f"LOAN-RACE-{n + 1:02}",
                    serial=f"SN-RACE-{n + 1:02}",
                    make="Dell",
                    model="Latitude 3190",
                    kind=DeviceKind.LAPTOP,
                    pool=DevicePool.LOAN,
                    status=DeviceStatus.IN_STOCK,
                )
            )
    url = school.kw["bind"].url.render_as_string(hide_password=False)
    counters = [
        {"student": "RACE000", "staff": f"counter{n}", "device": f"LOAN-RACE-{n + 1:02}"}
        for n in range(COUNTERS)
    ]
    outcomes = run_race(url, counters)

    problems = [o for o in outcomes if o[0] in ("setup-error", "crashed")]
    assert problems == [], "\n".join(o[2] for o in problems)
    assert [o[0] for o in outcomes].count("issued") == 1, outcomes
    for kind, _, message in outcomes:
        if kind == "refused":
            assert message.startswith("Refused: Pupil0 Racer (9C) already has 1 open loan ("), (
                message
            )
            assert message.endswith("); the limit is 1."), message
    with school() as session:
        assert session.scalar(select(func.count()).select_from(Loan)) == 1
        on_loan = session.scalars(
            select(Device.asset_tag).where(Device.status == DeviceStatus.ON_LOAN)
        ).all()
        assert len(on_loan) == 1
