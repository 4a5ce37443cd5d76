"""Stocktakes on SQLite and PostgreSQL: found here, belongs elsewhere (where and who has it),
unknown tags, repeats and the missing list; an empty place refused; found devices moved here."""

from __future__ import annotations

import pytest
from session_school import NOW, scans
from sqlalchemy import select

from helpdesk.domain.errors import Refused
from helpdesk.domain.models import Device
from helpdesk.services.sessions import (
    move_found_here,
    scan_in_session,
    session_status,
    start_session,
)


def _codes(lines):  # noqa: ANN001, ANN202
    return [line.code for line in lines]


def test_the_four_groups_of_a_stocktake(any_school):
    ses = start_session(any_school, "admin", "stocktake", location="Cart A", now=NOW)
    assert (ses.expected, ses.location, ses.name) == (3, "Cart A", "Stocktake Cart A")
    said = [
        (r.outcome, r.sentence)
        for r in (
            scan_in_session(any_school, "admin", ses.code, code, now=NOW, station="cart")
            for code in ("LAP-0101", "LAP-0101", "LAP-0001", "LAP-0104", "LAP-0001", "ZZ-1")
        )
    ]
    assert said == [
        ("done", "LAP-0101 found here."),
        ("already", "LAP-0101 was counted already."),
        (
            "unexpected",
            "LAP-0001 belongs elsewhere: recorded at no place, allocated to Anna Smith (7A).",
        ),
        ("unexpected", "LAP-0104 belongs elsewhere: recorded at Cupboard, in stock."),
        ("already", "LAP-0001 was counted already; it belongs elsewhere."),
        ("problem", "No device has the tag ZZ-1."),
    ]
    status = session_status(any_school, "admin", ses.code)
    assert _codes(status.found) == ["LAP-0101"]
    assert _codes(status.missing) == ["LAP-0102", "LAP-0103"]
    assert _codes(status.elsewhere) == ["LAP-0001", "LAP-0104"]
    assert _codes(status.unknown) == ["ZZ-1"]
    assert status.recent[0].station == "cart" and status.recent[0].code == "ZZ-1"
    assert len(scans(any_school, ses.id)) == 6


def test_found_devices_are_moved_here_in_one_step(any_school):
    ses = start_session(any_school, "admin", "stocktake", location="Cart A", now=NOW)
    for code in ("LAP-0101", "LAP-0104", "LAP-0003"):
        scan_in_session(any_school, "admin", ses.code, code, now=NOW)
    assert move_found_here(any_school, "admin", ses.code, now=NOW) == 2
    with any_school() as session:
        places = dict(session.execute(select(Device.asset_tag, Device.location)).all())
    assert (places["LAP-0104"], places["LAP-0003"], places["LAP-0102"]) == (
        "Cart A",
        "Cart A",
        "Cart A",
    )
    assert move_found_here(any_school, "admin", ses.code, now=NOW) == 0


def test_a_tag_list_and_a_status_make_lists_and_an_empty_place_is_refused(any_school):
    tags = start_session(
        any_school,
        "admin",
        "stocktake",
        tags=["LAP-0101", "LAP-0003", "NEW-1", "LAP-0101"],
        now=NOW,
    )
    status = session_status(any_school, "admin", tags.code)
    assert sorted((m.code, m.group) for m in status.missing) == [
        ("LAP-0003", "Cart B"),
        ("LAP-0101", "Cart A"),
        ("NEW-1", ""),
    ]
    in_stock = start_session(any_school, "admin", "stocktake", status="in stock", now=NOW)
    assert in_stock.expected == 11  # LAP-0003, LAP-0101..0105, LNR-001..004, CHG-001
    with pytest.raises(Refused, match=r"^No device is recorded at Gym; there is nothing to count"):
        start_session(any_school, "admin", "stocktake", location="Gym")
    with pytest.raises(Refused, match="no place to move devices to"):
        move_found_here(any_school, "admin", tags.code)
