"""Two counters (two processes) try wrong passwords for the same account at the same moment: the
account locks after exactly five wrong tries in total, once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
import queue

import pytest
from sqlalchemy import select

from helpdesk.domain.models import AuditEntry, Staff

PROCESSES = 2
TRIES = 6  # each: twelve tries in all, of which five are counted and seven find the lock


def test_the_lock_out_counts_every_counter_once(any_session_factory):
    from race_worker import wrong_passwords_at_once

    url = any_session_factory.kw["bind"].url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=wrong_passwords_at_once, args=(url, barrier, results, TRIES))
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = []
    try:
        for _ in processes:
            outcomes.append(results.get(timeout=180))
    except queue.Empty:
        pytest.fail(f"only {len(outcomes)} of {PROCESSES} processes answered: {outcomes}")
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(kind == "done" for kind, _ in outcomes), outcomes
    answers = [answer for _, got in outcomes for answer in got]
    wrong = [a for a in answers if a == "That password is wrong for admin."]
    locked = [a for a in answers if "is locked after five wrong tries" in a]
    assert len(wrong) == 4 and len(locked) == PROCESSES * TRIES - 4, answers
    with any_session_factory() as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        admin = session.scalar(select(Staff).where(Staff.username == "admin"))
    counted = [r for r in rows if r.action == "sign-in-refused" and '"wrong"' in (r.after or "")]
    assert [json.loads(r.after)["tries"] for r in counted] == [1, 2, 3, 4, 5]
    assert [r.action for r in rows].count("lock-out") == 1
    assert admin.locked_until is not None and admin.failed_attempts == 0
