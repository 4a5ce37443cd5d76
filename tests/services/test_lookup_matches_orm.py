"""The lookup reads a card in a few plain statements; the card must be exactly the one the ORM
builds one object at a time (orm_cards.py), for every kind of code and record in a school."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from datetime import datetime, timedelta

import pytest
from orm_cards import orm_card
from photo_files import write_photo
from service_school import NOW
from sqlalchemy import select

from helpdesk.db import open_database
from helpdesk.demo.build import build_demo
from helpdesk.domain.errors import NotFound
from helpdesk.domain.models import Device, Loan, Student, Ticket
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.counter.loans import issue_loan, return_loan, swap
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs.bench_actions import add_photo
from helpdesk.services.repairs.tickets import DamageReport, add_part, open_ticket

CRACK = DamageReport("screen", "Cracked in the corner")


def _codes(factory, *, loans_every: int = 1) -> list[str]:  # noqa: ANN001
    with factory() as session:
        codes = list(session.scalars(select(Student.card_code)))
        for tag, serial in session.execute(select(Device.asset_tag, Device.serial)):
            codes += [tag, serial]
        codes += [loan_code(n) for n in session.scalars(select(Loan.id)) if n % loans_every == 0]
        codes += [ticket_code(n) for n in session.scalars(select(Ticket.id))]
    # typed in the other case, and codes nothing has
    codes += [code.lower() for code in codes[::7]] + [code.upper() for code in codes[::11]]
    return codes + ["NO-SUCH-CODE", loan_code(999_999), ticket_code(999_999)]


def _types(value: object) -> object:
    """The type of every field, all the way down: an enum on one side and its text on the other
    compare equal, and a card must not differ even so."""
    if is_dataclass(value) and not isinstance(value, type):
        return (type(value), tuple((f.name, _types(getattr(value, f.name))) for f in fields(value)))
    if isinstance(value, tuple | list):
        return tuple(_types(item) for item in value)
    return type(value)


def _same_cards(factory, codes: list[str], today) -> int:  # noqa: ANN001
    compared = 0
    for code in codes:
        try:
            expected = orm_card(factory, code, today)
        except NotFound as refusal:
            with pytest.raises(NotFound, match=str(refusal)):
                lookup(factory, code, now=datetime.combine(today, NOW.time()))
            continue
        if expected is None:
            with pytest.raises(NotFound, match="Nothing has the code"):
                lookup(factory, code, now=datetime.combine(today, NOW.time()))
            continue
        found = lookup(factory, code, now=datetime.combine(today, NOW.time()))
        assert found == expected, code
        assert _types(found) == _types(expected), code
        compared += 1
    return compared


def test_every_card_of_the_small_school_matches(any_school, tmp_path):
    school = any_school
    photo = write_photo(tmp_path / "crack.jpg")
    issue_loan(school, "counter1", student_code="S1002", device_code="LNR-001", now=NOW)
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-003", now=NOW)
    return_loan(school, "counter1", device_code="LNR-003", now=NOW + timedelta(hours=2))
    swapped = swap(
        school,
        "counter1",
        student_code="S1001",
        own_device_code="LAP-0001",
        loaner_code="LNR-002",
        damage=replace(CRACK, photos=(photo,)),
        now=NOW,
    )
    add_part(
        school, "tech1", swapped.ticket.id, "LCD panel", part_number="P1", unit_cost_pence=6450
    )
    add_part(school, "tech1", swapped.ticket.id, "Clips", quantity=4, unit_cost_pence=75)
    add_photo(school, "tech1", swapped.ticket.id, photo)
    open_ticket(school, "counter1", device_code="LAP-0003", damage=CRACK, now=NOW)
    codes = _codes(school)
    assert _same_cards(school, codes, NOW.date()) >= 20


def test_every_card_of_the_demo_school_matches(tmp_path):
    now = datetime(2026, 11, 16, 11, 30)
    factory = open_database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    build_demo(factory, seed=5, now=now)
    codes = _codes(factory, loans_every=5)
    assert _same_cards(factory, codes, now.date()) > 3000
