"""Two stations at the same moment, on SQLite and PostgreSQL: threads scan the same student and
the same laptop, the same laptop for two students, and the same laptop at a hand-in, released
together by a barrier; exactly one allocation (or one hand-in) is made, one station is told
"done" and the other "already" or "problem"."""

from __future__ import annotations

import threading
import time

import pytest
from session_school import NOW, open_allocations
from sqlalchemy import event, func, select

from helpdesk.domain.models import Assignment, SessionScan
from helpdesk.services.sessions import scan_in_session, start_session


@pytest.fixture
def slow_writes(any_school):
    """Each allocation's and hand-in's write waits a moment, so that the other station's checks
    run while the first has not committed: without the row locks both would pass them."""

    def pause(conn, cursor, statement, params, context, executemany):  # noqa: ANN001, ARG001
        if statement.lstrip().upper().startswith(("INSERT INTO ASSIGNMENTS", "UPDATE ASSIGNMENTS")):
            time.sleep(0.3)

    engine = any_school.kw["bind"]
    event.listen(engine, "before_cursor_execute", pause)
    yield any_school
    event.remove(engine, "before_cursor_execute", pause)


def _together(factory, ses_code, jobs):  # noqa: ANN001, ANN202
    """Each job (card, laptop) at its own station: the card first, then every laptop at once."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def station(n: int, card: str, laptop: str) -> None:
        try:
            accepted = scan_in_session(factory, "admin", ses_code, card, station=f"s{n}", now=NOW)
            barrier.wait(timeout=30)
            results[n] = scan_in_session(
                factory,
                "admin",
                ses_code,
                laptop,
                pending_student_id=accepted.pending_student_id,
                station=f"s{n}",
                now=NOW,
            )
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=station, args=(n, *job)) for n, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


def test_two_stations_scanning_the_same_student_and_laptop_make_one_allocation(
    any_school, slow_writes
):
    ses = start_session(any_school, "admin", "pickup", form="7A", now=NOW)
    results = _together(any_school, ses.code, [("S2001", "LAP-0101"), ("S2001", "LAP-0101")])
    assert sorted(r.outcome for r in results) == ["already", "done"]
    late = next(r for r in results if r.outcome == "already")
    assert late.sentence == "Gina Green (7A) already has LAP-0101."
    assert open_allocations(any_school, card="S2001") == [("LAP-0101", "S2001")]
    assert results[0].session.done <= 1 and results[1].session.done <= 1


def test_the_same_laptop_for_two_students_goes_to_one_and_is_refused_naming_them(
    any_school, slow_writes
):
    ses = start_session(any_school, "admin", "pickup", form="7A", now=NOW)
    results = _together(any_school, ses.code, [("S2001", "LAP-0102"), ("S2002", "LAP-0102")])
    assert sorted(r.outcome for r in results) == ["done", "problem"]
    done = next(r for r in results if r.outcome == "done")
    refused = next(r for r in results if r.outcome == "problem")
    assert refused.sentence.startswith(f"LAP-0102 is allocated to {done.student.name} (7A)")
    assert open_allocations(any_school, tag="LAP-0102") == [("LAP-0102", done.student.card_code)]


def test_one_student_with_two_laptops_at_two_stations_gets_one(any_school, slow_writes):
    ses = start_session(any_school, "admin", "pickup", form="7A", now=NOW)
    results = _together(any_school, ses.code, [("S2002", "LAP-0101"), ("S2002", "LAP-0102")])
    assert sorted(r.outcome for r in results) == ["already", "done"]
    assert len(open_allocations(any_school, card="S2002")) == 1
    with any_school() as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 3  # 2 + this one
        outcomes = session.scalars(
            select(SessionScan.outcome).where(SessionScan.session_id == ses.id)
        ).all()
    assert sorted(outcomes) == ["already", "done", "done", "done"]


def test_the_same_laptop_handed_in_at_two_stations_is_handed_in_once(any_school, slow_writes):
    ses = start_session(any_school, "admin", "handin", everyone=True, now=NOW)
    barrier = threading.Barrier(2)
    results: list = []

    def station(n: int) -> None:
        barrier.wait(timeout=30)
        results.append(
            scan_in_session(
                any_school,
                "admin",
                ses.code,
                "LAP-0002",
                condition="fair",
                station=f"s{n}",
                now=NOW,
            )
        )

    threads = [threading.Thread(target=station, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.outcome for r in results) == ["already", "done"]
    with any_school() as session:
        ended = session.scalars(
            select(Assignment.ended_at).where(Assignment.ended_at.is_not(None))
        ).all()
    assert ended == [NOW]


def test_a_tag_scanned_at_two_stations_at_once_is_counted_once(any_school):
    ses = start_session(any_school, "admin", "stocktake", location="Cart A", now=NOW)
    barrier = threading.Barrier(2)
    results: list = []

    def station(n: int) -> None:
        barrier.wait(timeout=30)
        results.append(
            scan_in_session(any_school, "admin", ses.code, "LAP-0102", station=f"s{n}", now=NOW)
        )

    threads = [threading.Thread(target=station, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted((r.outcome, r.sentence) for r in results) == [
        ("already", "LAP-0102 was counted already."),
        ("done", "LAP-0102 found here."),
    ]
    assert max(r.session.done for r in results) == 1
