"""Planned allocations imported on SQLite and PostgreSQL: a re-import of the same plan changes
nothing, a new laptop for a planned student replaces the old plan, a bad file writes nothing, and
a counter member of staff may not import (a manager's)."""

from __future__ import annotations

import pytest
from session_school import NOW, rows
from sqlalchemy import select

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.errors import ImportFailed
from helpdesk.domain.models import Device, PlannedAllocation, Staff, Student
from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.csv.importer import import_allocations


def _plans(factory) -> list[tuple[str, str]]:  # noqa: ANN001
    with factory() as session:
        return sorted(
            session.execute(
                select(Student.card_code, Device.asset_tag)
                .join(PlannedAllocation, PlannedAllocation.student_id == Student.id)
                .join(Device, Device.id == PlannedAllocation.device_id)
            ).all()
        )


def test_a_plan_is_added_kept_and_replaced(any_school):
    data = b"card_code,asset_tag\nS2001,LAP-0101\nS2003,LAP-0105\n"
    first = import_allocations(any_school, "admin", data, now=NOW)
    assert (first.added, first.updated, first.unchanged) == (1, 0, 1)
    again = import_allocations(any_school, "admin", data, now=NOW)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    moved = import_allocations(
        any_school, "admin", b"card_code,asset_tag\nS2003,LAP-0102\nS2002,LAP-0105\n", now=NOW
    )
    assert (moved.added, moved.updated) == (1, 1)
    assert _plans(any_school) == [
        ("S2001", "LAP-0101"),
        ("S2002", "LAP-0105"),
        ("S2003", "LAP-0102"),
    ]


def test_a_bad_file_writes_nothing_and_a_counter_may_not_import(any_school):
    before = rows(any_school, leave_out=())
    with pytest.raises(ImportFailed) as failed:
        import_allocations(
            any_school, "admin", b"card_code,asset_tag\nS2001,LAP-0101\nS2002,LNR-002\n", now=NOW
        )
    assert failed.value.problems == [
        (3, "asset_tag", "LNR-002 is in the loan pool, not the allocation pool.")
    ]
    assert rows(any_school, leave_out=()) == before
    with any_school() as session, session.begin():
        session.add(Staff(username="desk", display_name="Desk", role=StaffRole.COUNTER))
    before = rows(any_school, leave_out=())
    with pytest.raises(PermissionRefused, match=r"^Importing school records needs a manager\.$"):
        import_allocations(any_school, "desk", b"card_code,asset_tag\nS2001,LAP-0101\n")
    assert rows(any_school, leave_out=()) == before
