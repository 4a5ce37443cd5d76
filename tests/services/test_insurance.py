"""The cover check at intake: insured or not, claims used of allowed, the charge and the sentence of
the rule that produced it; exclusions; the fee schedule by incident type and claim number."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from school_charges import CHARGES, INSURED, LAPSED, NO_COVER, expected_charge
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.domain.models import Claim
from helpdesk.services.repairs.insurance import cover_check
from helpdesk.services.repairs.tickets import DamageReport, move_ticket, open_ticket

TODAY = NOW.date()


def check(factory, student="S1001", **kwargs):
    kwargs.setdefault("category", "screen")
    return cover_check(factory, student_code=student, now=NOW, **kwargs)


def book(factory, device="LAP-0001", category="screen", student_code=None, **kwargs):
    return open_ticket(
        factory,
        "tech1",
        device_code=device,
        student_code=student_code,
        damage=DamageReport(category=category, description="Damage", **kwargs),
        now=NOW,
    )


def test_first_claim_free_then_the_fee_then_claims_used_up(any_school):
    first = check(any_school)
    assert (first.status, first.scheme, first.claims_used, first.claims_allowed) == (
        "insured",
        "Standard cover",
        0,
        2,
    )
    assert (first.claim_number, first.charge_pence, first.excluded) == (1, 0, None)
    assert first.rule == "Insured with Standard cover: claim 1 of 2, accidental damage: free."

    ticket = book(any_school)
    assert ticket.cover.claim_number == 1
    assert (ticket.charge_pence, ticket.charge_status) == (0, "paid")
    move_ticket(any_school, "admin", ticket.id, "written_off", now=NOW)

    second = check(any_school, category="liquid")
    assert (second.claims_used, second.claim_number, second.charge_pence) == (1, 2, 5000)
    assert second.rule == "Insured with Standard cover: claim 2 of 2, liquid: £50.00."
    book(any_school, device="LNR-001", student_code="S1001", category="liquid")

    third = check(any_school, category="keyboard")
    assert third.claims_used == 2
    assert third.claim_number is None
    assert third.excluded == "All 2 claims of the period with Standard cover are used."
    assert third.charge_pence == 6000
    assert third.rule == (
        "All 2 claims of the period with Standard cover are used. "
        "The uninsured price for a keyboard repair is £60.00."
    )


def test_theft_has_its_own_fee_and_needs_a_crime_reference(school):
    theft = check(school, category="stolen", crime_reference="CR/123/26")
    assert (theft.incident_type, theft.charge_pence) == ("theft", 15000)
    assert theft.rule == "Insured with Standard cover: claim 1 of 2, theft: £150.00."
    assert theft.refused is None
    assert check(school, category="stolen").refused == (
        "A theft can only be booked in with a police crime reference."
    )
    with pytest.raises(Refused) as err:
        book(school, category="stolen")
    assert str(err.value) == "A theft can only be booked in with a police crime reference."
    with school() as session:
        assert session.scalars(select(Claim)).all() == []
    ticket = book(school, category="stolen", crime_reference="CR/123/26")
    assert ticket.state == "logged"
    with school() as session:
        assert session.scalar(select(Claim.crime_reference)) == "CR/123/26"


@pytest.mark.parametrize(
    ("kwargs", "excluded", "charge"),
    [
        ({"deliberate": True}, "Deliberate damage is not covered by Standard cover.", 8500),
        (
            {"in_case": False},
            "Damage outside the school case is not covered by Standard cover.",
            8500,
        ),
        (
            {"occurred_on": TODAY - timedelta(days=31)},
            "Reported 31 days after it happened; Standard cover needs a report within 30 days.",
            8500,
        ),
    ],
)
def test_exclusions_charge_the_uninsured_price(school, kwargs, excluded, charge):
    result = check(school, **kwargs)
    assert result.excluded == excluded
    assert result.claim_number is None
    assert result.charge_pence == charge
    assert result.rule == f"{excluded} The uninsured price for a screen repair is £85.00."


def test_reported_within_the_limit_is_covered(school):
    result = check(school, occurred_on=TODAY - timedelta(days=30))
    assert (result.excluded, result.claim_number) == (None, 1)


def test_lapsed_cover_and_no_cover(school):
    ben = check(school, student="S1002")
    assert (ben.status, ben.charge_pence, ben.claim_number) == ("lapsed", 8500, None)
    assert ben.rule == (
        "Cover with Standard cover is lapsed, so this is not a claim. "
        "The uninsured price for a screen repair is £85.00."
    )
    dev = check(school, student="S1004", category="trackpad")
    assert (dev.status, dev.scheme, dev.charge_pence) == (None, None, 0)
    assert dev.rule == (
        "No cover on record on 05/10/2026. No uninsured price is set for a trackpad repair, "
        "so there is no charge."
    )
    before_cover = check(school, occurred_on=date(2026, 8, 20))
    assert before_cover.status is None  # no cover on record


def test_faults_are_not_claims(school):
    result = check(school, category="software")
    assert (result.charge_pence, result.claim_number) == (0, None)
    assert result.rule == "A software fault is put right free of charge; it is not a claim."
    ticket = book(school, category="battery")
    assert ticket.cover is None and ticket.charge_status is None
    assert ticket.warranty is True  # LAP-0001 is under warranty until 31/08/2027


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"category": "dented"},
            "'dented' is not a damage category; use one of: screen, keyboard, trackpad, liquid, chassis, hinge_ports, battery, charger, case, software, lost, stolen, other.",
        ),
        (
            {"occurred_on": TODAY + timedelta(days=1)},
            "The damage cannot have happened in the future (06/10/2026).",
        ),
        (
            {"occurred_on": date(2026, 10, 2), "reported_on": date(2026, 10, 1)},
            "The date it was reported (01/10/2026) is before the date it happened (02/10/2026).",
        ),
    ],
)
def test_bad_incident_facts(school, kwargs, message):
    with pytest.raises(ValidationError) as err:
        check(school, **kwargs)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("student", "cover", "used", "in_case"),
    [
        ("S1001", INSURED, 0, True),
        ("S1001", INSURED, 1, True),
        ("S1001", INSURED, 2, True),
        ("S1001", INSURED, 0, False),
        ("S1001", INSURED, 1, False),
        ("S1001", INSURED, 2, False),
        ("S1002", LAPSED, 0, True),
        ("S1004", NO_COVER, 0, True),
    ],
)
def test_every_charge_is_the_schools_charge(school, student, cover, used, in_case):
    """Each damage category against the hand-written table: cover x claims used x in the case."""
    for n in range(used):  # earlier claims of the period
        book(school, device=f"LNR-00{n + 1}", student_code=student, category="screen")
    for category in CHARGES:
        result = check(
            school, student, category=category.value, in_case=in_case, crime_reference="CR/1/26"
        )
        assert (result.status or NO_COVER, result.claims_used) == (cover, used), category
        assert result.charge_pence == expected_charge(category, cover, used, in_case), (
            category,
            result.rule,
        )
