"""Hand-in sessions and `unassign` with a condition, on SQLite and PostgreSQL: the allocation
ends with its condition and the accessories not back; a damaged laptop goes to the bench with a
normal ticket (and claim); repeats, laptops not on the list and unknown tags."""

from __future__ import annotations

import pytest
from session_school import NOW, open_allocations, rows, scans
from sqlalchemy import select

from helpdesk.domain.enums import Condition, DeviceStatus
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Assignment, Claim, Device, Ticket
from helpdesk.services.counter.assignments import assign_device, unassign_device
from helpdesk.services.sessions import scan_in_session, session_status, start_session


def _handin(factory, **scope):  # noqa: ANN001, ANN003, ANN202
    return start_session(factory, "admin", "handin", now=NOW, **scope)


def _ended(factory, tag):  # noqa: ANN001, ANN202
    with factory() as session:
        device = session.scalar(select(Device).where(Device.asset_tag == tag))
        last = session.scalar(
            select(Assignment)
            .where(Assignment.device_id == device.id)
            .order_by(Assignment.id.desc())
        )
        return device.status, last.ended_at, last.returned_condition, last.returned_missing


def test_a_laptop_handed_in_ends_its_allocation_with_condition_and_accessories(any_school):
    ses = _handin(any_school, everyone=True)
    assert (ses.expected, ses.name) == (2, "Hand-in, everyone")  # Anna's and Ben's laptops
    result = scan_in_session(
        any_school, "admin", ses.code, "LAP-0002", condition="fair", missing=["charger"], now=NOW
    )
    assert result.outcome == "done"
    assert result.sentence == "LAP-0002 back from Ben Jones (8B): fair, charger not back."
    assert result.print_receipt and result.ticket_id is None and result.session.done == 1
    assert _ended(any_school, "LAP-0002") == (DeviceStatus.IN_STOCK, NOW, Condition.FAIR, "charger")
    again = scan_in_session(any_school, "admin", ses.code, "LAP-0002", now=NOW)
    assert (again.outcome, again.sentence) == ("already", "LAP-0002 was handed in already.")
    status = session_status(any_school, "admin", ses.code)
    assert [(g.group, g.expected, g.done) for g in status.groups] == [("7A", 1, 0), ("8B", 1, 1)]
    assert [m.code for m in status.missing] == ["LAP-0001"]


def test_a_damaged_laptop_goes_to_the_bench_with_a_normal_ticket_and_claim(any_school):
    ses = _handin(any_school, form="7A")
    result = scan_in_session(
        any_school,
        "admin",
        ses.code,
        "LAP-0001",
        condition="damaged",
        missing=["charger", "case"],
        now=NOW,
    )
    assert result.outcome == "done" and result.ticket_id is not None
    assert result.sentence == (
        "LAP-0001 back from Anna Smith (7A): damaged, charger and case not back; to the bench "
        f"as TKT-{result.ticket_id:06d}."
    )
    status, ended, condition, missing = _ended(any_school, "LAP-0001")
    assert (status, ended, condition, missing) == (
        DeviceStatus.IN_REPAIR,
        NOW,
        Condition.DAMAGED,
        "charger,case",
    )
    with any_school() as session:
        ticket = session.get(Ticket, result.ticket_id)
        assert ticket.student.card_code == "S1001" and ticket.state.value == "logged"
        claim = session.scalar(select(Claim).where(Claim.ticket_id == ticket.id))
        assert claim is not None and claim.charge_pence == 0  # Anna's first claim is covered


def test_a_laptop_not_on_the_list_is_unexpected_and_unknown_tags_are_problems(any_school):
    ses = _handin(any_school, form="7A")
    before = rows(any_school)
    other = scan_in_session(any_school, "admin", ses.code, "LAP-0002", now=NOW)
    assert (other.outcome, other.sentence) == (
        "unexpected",
        "LAP-0002 is not on this list: it is allocated to Ben Jones (8B).",
    )
    unknown = scan_in_session(any_school, "admin", ses.code, "LAP-9999", now=NOW)
    assert (unknown.outcome, unknown.sentence) == ("problem", "No device has the tag LAP-9999.")
    bad = scan_in_session(any_school, "admin", ses.code, "LAP-0001", condition="broken", now=NOW)
    assert (bad.outcome, bad.sentence) == (
        "problem",
        "'broken' is not a condition (good, fair or damaged).",
    )
    assert rows(any_school) == before
    assert [s[1] for s in scans(any_school, ses.id)] == ["unexpected", "problem", "problem"]


def test_the_leavers_hand_in_and_an_empty_list_is_refused(any_school):
    with pytest.raises(Refused, match=r"^Nobody among the leavers has a laptop allocated"):
        _handin(any_school, leavers=True)
    with pytest.raises(ValidationError, match=r"^A hand-in's list is .* not a place\.$"):
        _handin(any_school, location="Cart A")


def test_unassign_records_condition_and_accessories_outside_a_session(any_school):
    info = unassign_device(
        any_school, "admin", device_code="LAP-0002", condition="good", missing=["case"], now=NOW
    )
    assert info.ticket_id is None and info.ended_at == NOW
    assert _ended(any_school, "LAP-0002") == (DeviceStatus.IN_STOCK, NOW, Condition.GOOD, "case")
    damaged = unassign_device(any_school, "admin", device_code="LAP-0001", condition="damaged")
    assert damaged.ticket_id is not None
    assert _ended(any_school, "LAP-0001")[0] is DeviceStatus.IN_REPAIR
    with pytest.raises(ValidationError, match=r"^'mouse' is not an accessory that comes back"):
        assign_device(any_school, "admin", device_code="LAP-0002", student_code="S1004", now=NOW)
        unassign_device(any_school, "admin", device_code="LAP-0002", missing=["mouse"])
    assert open_allocations(any_school, tag="LAP-0002") == [("LAP-0002", "S1004")]
