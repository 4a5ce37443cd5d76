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


def run_race(url: str) -> list[tuple[str, str, str]]:
    from race_worker import issue_at_once

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(COUNTERS)
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=issue_at_once,
            args=(
                url,
                barrier,
                results,
                {"student": f"RACE{n:03}", "staff": f"counter{n}", "device": LOANER},
            ),
        )
        for n in range(COUNTERS)
    ]
    for process in processes:
        process.start()
    outcomes = []
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {COUNTERS} counters answered: {outcomes}")
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
