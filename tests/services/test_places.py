"""A device's place (room, cart, cupboard) set by a technician, on SQLite and PostgreSQL: kept
as typed, matched to a place already recorded in another letter case, cleared when empty,
refused with one sentence (a control character, too long, an unknown tag, a counter's role) with
nothing written, audited, found by the devices list's search and counted by a stocktake."""

from __future__ import annotations

import json

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import AuditEntry, Device, Staff
from helpdesk.services.records.browse import device_page
from helpdesk.services.records.places import place_sentence, set_location
from helpdesk.services.sessions import start_session


def _place(factory, tag: str) -> str | None:  # noqa: ANN001
    with factory() as session:
        return session.scalar(select(Device.location).where(Device.asset_tag == tag))


def test_a_technician_gives_a_device_its_place(any_school):
    device = set_location(any_school, "tech1", "LAP-0003", "  Cart A ", now=NOW)
    assert (device.asset_tag, device.location) == ("LAP-0003", "Cart A")
    assert place_sentence(device) == "LAP-0003 is now at Cart A"
    assert _place(any_school, "LAP-0003") == "Cart A"
    with any_school() as session:
        rows = session.execute(
            select(AuditEntry.after, Staff.username)
            .join(Staff, Staff.id == AuditEntry.staff_id)
            .where(AuditEntry.entity == "devices", AuditEntry.action == "update")
        ).all()
    assert [(json.loads(after)["location"], who) for after, who in rows] == [("Cart A", "tech1")]
    started = start_session(any_school, "admin", "stocktake", location="Cart A", now=NOW)
    assert started.expected == 1
    rows, total = device_page(any_school, "cart a", 0, 10)
    assert total == 1 and [(r.asset_tag, r.location) for r in rows] == [("LAP-0003", "Cart A")]


def test_a_place_in_another_case_takes_the_recorded_spelling(any_school):
    set_location(any_school, "tech1", "LAP-0003", "Cart A", now=NOW)
    device = set_location(any_school, "tech1", "LNR-001", "cart a", now=NOW)
    assert device.location == "Cart A"
    assert _place(any_school, "LNR-001") == "Cart A"


def test_an_empty_place_clears_it(any_school):
    set_location(any_school, "tech1", "LAP-0003", "Store room", now=NOW)
    device = set_location(any_school, "tech1", "LAP-0003", "  ", now=NOW)
    assert device.location is None and _place(any_school, "LAP-0003") is None
    assert place_sentence(device) == "LAP-0003 now has no place recorded"


@pytest.mark.parametrize(
    ("tag", "place", "error", "sentence"),
    [
        (
            "LAP-0003",
            "Cart\x1bA",
            ValidationError,
            "A place cannot hold a control character (\\x1b), which no one can type back at a "
            "stocktake; retype it.",
        ),
        (
            "LAP-0003",
            "R" * 65,
            ValidationError,
            f"'{'R' * 20}...' is longer than 64 characters, the most a place holds.",
        ),
        ("ZZ-404", "Cart A", NotFound, "No device has the tag ZZ-404."),
    ],
)
def test_a_bad_place_or_tag_is_one_sentence_and_nothing_is_written(
    any_school, tag, place, error, sentence
):
    set_location(any_school, "tech1", "LAP-0003", "Bench", now=NOW)
    with pytest.raises(error) as raised:
        set_location(any_school, "tech1", tag, place, now=NOW)
    assert str(raised.value) == sentence
    assert _place(any_school, "LAP-0003") == "Bench"


def test_the_counter_cannot_move_a_device(any_school):
    with pytest.raises(Refused) as raised:
        set_location(any_school, "counter1", "LAP-0003", "Cart A", now=NOW)
    assert str(raised.value) == "Changing where devices are kept needs a technician."
    assert _place(any_school, "LAP-0003") is None
