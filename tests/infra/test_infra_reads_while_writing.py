"""On a SQLite file shared by several counters, a scan (a read) is answered while another
counter holds the write lock: reads never queue behind writes; writes take the lock at BEGIN."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import text

from helpdesk.domain.errors import NotFound
from helpdesk.services.core.staff import list_staff
from helpdesk.services.core.unit_of_work import unit_of_work
from helpdesk.services.counter.lookup import lookup


def test_reads_are_answered_while_another_counter_writes(session_factory, sqlite_url):  # noqa: ANN001
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    answered = []
    try:
        other.execute("BEGIN IMMEDIATE")  # another counter in the middle of a loan
        other.execute(
            "INSERT INTO staff (username, display_name, role, active) "
            "VALUES ('busy', 'Busy', 'counter', 1)"
        )
        started = time.monotonic()
        answered.append([m.username for m in list_staff(session_factory)])
        with pytest.raises(NotFound, match="Nothing has the code 'NOT-A-CODE'"):
            lookup(session_factory, "NOT-A-CODE")
        answered.append("not found")
        # A read that queued behind the writer would wait out busy_timeout (10 s) first.
        assert time.monotonic() - started < 5
        assert other.in_transaction  # the write lock was held all along
        other.execute("COMMIT")
    finally:
        other.close()
    assert answered == [["admin"], "not found"]  # both reads answered, without the busy row
    with unit_of_work(session_factory, "admin", action="settings.save") as session:
        assert session.execute(text("SELECT count(*) FROM staff")).scalar() == 2
