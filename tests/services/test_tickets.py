"""Repair tickets: the lifecycle (only allowed moves, each refusal a sentence naming both states),
parts, vendor and RMA, time, payment and waiver, write-off and cancellation, photos."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.enums import ALLOWED_TRANSITIONS, TicketState
from helpdesk.domain.errors import InvalidTransition, NotFound, Refused, ValidationError
from helpdesk.domain.models import Assignment, Claim, Device
from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.counter.loans import device_history, issue_loan
from helpdesk.services.repairs.tickets import (
    DamageReport,
    add_part,
    add_time,
    get_ticket,
    move_ticket,
    open_ticket,
    record_payment,
    set_vendor,
    waive_charge,
)

LATER = NOW + timedelta(hours=1)


def book(factory, device="LAP-0002", category="screen", **kwargs):
    return open_ticket(
        factory,
        "tech1",
        device_code=device,
        damage=DamageReport(category=category, description="Cracked in the corner", **kwargs),
        now=NOW,
    )


def device_status(factory, tag):
    with factory() as session:
        return session.scalar(select(Device.status).where(Device.asset_tag == tag)).value


def test_a_repair_from_logged_to_collected(any_school):
    ticket = book(any_school)  # Ben's laptop; his cover lapsed: 85.00 due
    assert (ticket.state, ticket.student_name, ticket.charge_pence, ticket.charge_status) == (
        "logged",
        "Ben Jones",
        8500,
        "due",
    )
    assert device_status(any_school, "LAP-0002") == "in_repair"
    steps = ["diagnosing", "awaiting_payment"]
    for state in steps:
        ticket = move_ticket(any_school, "tech1", ticket.id, state, note=f"to {state}", now=LATER)
    assert ticket.technician == "tech1"
    assert ticket.diagnosis.splitlines() == [
        "05/10/2026 11:00 tech1: to diagnosing",
        "05/10/2026 11:00 tech1: to awaiting_payment",
    ]
    with pytest.raises(Refused) as err:
        move_ticket(any_school, "tech1", ticket.id, "awaiting_parts", now=LATER)
    assert str(err.value) == (
        f"The charge of £85.00 for {ticket.code} is not paid yet: record the payment or waive it "
        "first."
    )
    ticket = record_payment(any_school, "admin", ticket.code, now=LATER)
    assert ticket.charge_status == "paid"
    ticket = add_part(
        any_school, "tech1", ticket.id, "LCD panel 11.6in", part_number="5D10", unit_cost_pence=4250
    )
    ticket = add_part(any_school, "tech1", ticket.id, "Bezel clips", quantity=4, unit_cost_pence=50)
    assert ticket.parts_pence == 4450
    ticket = set_vendor(any_school, "tech1", ticket.id, "Dell", "RMA-7781", warranty=False)
    ticket = add_time(any_school, "tech1", ticket.id, 25)
    ticket = add_time(any_school, "tech1", ticket.id, 20)
    assert (ticket.vendor, ticket.rma_number, ticket.minutes_spent) == ("Dell", "RMA-7781", 45)
    for state in ["with_vendor", "repaired", "ready_for_collection", "collected"]:
        ticket = move_ticket(any_school, "tech1", ticket.id, state, now=LATER)
    assert ticket.closed_at == LATER
    assert device_status(any_school, "LAP-0002") == "assigned"
    rows = device_history(any_school, "LAP-0002")
    assert [r.text for r in rows if r.ref == ticket.code and r.kind in ("moved", "closed")] == [
        f"Repair ticket {ticket.code} collected",
        f"Repair ticket {ticket.code} ready for collection",
        f"Repair ticket {ticket.code} repaired",
        f"Repair ticket {ticket.code} with vendor",
        f"Repair ticket {ticket.code} awaiting payment",
        f"Repair ticket {ticket.code} diagnosing",
    ]
    with pytest.raises(Refused) as err:
        add_time(any_school, "tech1", ticket.id, 5)
    assert str(err.value) == f"{ticket.code} is collected and closed; it cannot be changed."


def test_every_move_outside_the_lifecycle_is_refused_with_both_states(school):
    ticket = book(school)
    with pytest.raises(InvalidTransition) as err:
        move_ticket(school, "tech1", ticket.id, "repaired", now=LATER)
    assert str(err.value) == (
        f"{ticket.code} cannot go from logged to repaired; from logged it can go to diagnosing, "
        "awaiting payment, written off or cancelled."
    )
    with pytest.raises(InvalidTransition) as err:
        move_ticket(school, "tech1", ticket.id, "logged", now=LATER)
    assert str(err.value) == f"{ticket.code} is already logged."
    move_ticket(school, "admin", ticket.id, "cancelled", now=LATER)  # waives the charge due
    with pytest.raises(InvalidTransition) as err:
        move_ticket(school, "tech1", ticket.id, "diagnosing", now=LATER)
    assert str(err.value) == (
        f"{ticket.code} cannot go from cancelled to diagnosing: a cancelled ticket is closed."
    )
    with pytest.raises(ValidationError) as err:
        move_ticket(school, "tech1", ticket.id, "fixed")
    assert str(err.value).startswith("'fixed' is not a ticket state; use one of: logged, ")


@pytest.mark.parametrize("start", [s for s in TicketState if s.is_open])
def test_the_allowed_moves_match_the_lifecycle_table(school, start):
    """From each open state, try every state: the allowed ones work, the rest are refused."""
    ticket = book(school, category="software")  # nothing to pay, so no payment gate
    path = {
        TicketState.LOGGED: [],
        TicketState.DIAGNOSING: ["diagnosing"],
        TicketState.AWAITING_PAYMENT: ["awaiting_payment"],
        TicketState.AWAITING_PARTS: ["diagnosing", "awaiting_parts"],
        TicketState.WITH_VENDOR: ["diagnosing", "with_vendor"],
        TicketState.REPAIRED: ["diagnosing", "repaired"],
        TicketState.READY_FOR_COLLECTION: ["diagnosing", "repaired", "ready_for_collection"],
    }[start]
    for state in path:
        move_ticket(school, "tech1", ticket.id, state, now=LATER)
    refused = [t for t in TicketState if t not in ALLOWED_TRANSITIONS[start]]
    for target in refused:
        with pytest.raises(InvalidTransition) as err:
            move_ticket(school, "admin", ticket.id, target, now=LATER)
        assert f"{ticket.code} " in str(err.value)
        assert start.label in str(err.value) and target.label in str(err.value)
    for target in sorted(ALLOWED_TRANSITIONS[start]):
        moved = move_ticket(school, "admin", ticket.id, target, now=LATER)
        assert moved.state == target.value
        break


def test_writing_off_retires_the_device_and_ends_its_assignment(school):
    ticket = book(school, device="LAP-0001", category="liquid")
    move_ticket(school, "tech1", ticket.id, "diagnosing", now=LATER)
    with pytest.raises(PermissionRefused) as err:
        move_ticket(school, "tech1", ticket.id, "written_off", now=LATER)
    assert str(err.value) == "Writing a laptop off needs a manager."
    ticket = move_ticket(school, "admin", ticket.id, "written_off", now=LATER)
    assert ticket.state == "written_off"
    assert device_status(school, "LAP-0001") == "retired"
    with school() as session:
        assert (
            session.scalar(
                select(Assignment.ended_at).where(Assignment.device_id == ticket.device_id)
            )
            == LATER
        )
    with pytest.raises(Refused) as err:
        book(school, device="LAP-0001")
    assert str(err.value) == "LAP-0001 is retired and cannot be booked in for repair."


def test_cancelling_gives_the_claim_back(school):
    ticket = book(school, device="LAP-0001", category="liquid")  # Anna: claim 1, free
    move_ticket(school, "tech1", ticket.id, "cancelled", note="Dried out, works", now=LATER)
    again = book(school, device="LAP-0001", category="liquid")
    assert again.cover.claim_number == 1
    lapsed = book(school, device="LAP-0002")  # Ben: 85.00 due
    with pytest.raises(PermissionRefused) as err:  # cancelling would waive the charge
        move_ticket(school, "tech1", lapsed.id, "cancelled", now=LATER)
    assert str(err.value) == "Waiving a charge needs a manager."
    lapsed = move_ticket(school, "admin", lapsed.id, "cancelled", now=LATER)
    assert (lapsed.charge_status, lapsed.waiver_reason) == (
        "waived",
        "The repair ticket was cancelled.",
    )


def test_lost_device_found_again(school):
    ticket = book(school, device="LAP-0001", category="lost")
    assert device_status(school, "LAP-0001") == "lost"
    move_ticket(school, "tech1", ticket.id, "cancelled", note="Found in the library", now=LATER)
    assert device_status(school, "LAP-0001") == "assigned"
    # lost again, found damaged, repaired and collected
    ticket = book(school, device="LAP-0001", category="lost")
    for state in ["diagnosing", "repaired", "ready_for_collection", "collected"]:
        move_ticket(school, "tech1", ticket.id, state, now=LATER)
    assert device_status(school, "LAP-0001") == "assigned"


def test_payment_and_waiver_refusals(school):
    free = book(school, device="LAP-0001")  # Anna's first claim: free
    with pytest.raises(Refused) as err:
        record_payment(school, "admin", free.id)
    assert str(err.value) == f"{free.code} has nothing to pay."
    due = book(school, device="LAP-0002")
    with pytest.raises(ValidationError) as err:
        waive_charge(school, "admin", due.id, "   ")
    assert str(err.value) == "Give a reason for waiving the charge."
    waived = waive_charge(school, "admin", due.id, "Hardship fund", now=LATER)
    assert (waived.charge_status, waived.waiver_reason) == ("waived", "Hardship fund")
    with pytest.raises(Refused) as err:
        record_payment(school, "admin", due.id)
    assert str(err.value) == (
        f"The charge for {due.code} was waived (Hardship fund); there is nothing to pay."
    )
    with school() as session:
        claim = session.scalar(select(Claim).where(Claim.ticket_id == due.id))
        assert claim.settled_at == LATER


def test_paid_twice_is_refused(school):
    due = book(school, device="LAP-0002")
    record_payment(school, "admin", due.id, now=LATER)
    with pytest.raises(Refused) as err:
        record_payment(school, "admin", due.id, now=LATER)
    assert str(err.value) == f"The charge of £85.00 for {due.code} was already paid on 05/10/2026."


def test_open_ticket_refusals(school):
    with pytest.raises(ValidationError) as err:
        open_ticket(school, "tech1", device_code="LAP-0001", damage=DamageReport("screen", " "))
    assert str(err.value) == "Describe the damage or fault before booking it in."
    first = book(school, device="LAP-0001")
    with pytest.raises(Refused) as err:
        book(school, device="LAP-0001")
    assert str(err.value) == f"LAP-0001 already has an open repair ticket, {first.code} (logged)."
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    with pytest.raises(Refused) as err:
        book(school, device="LNR-001")
    assert str(err.value) == (
        "LNR-001 is on loan to Dev Patel (9D): take it back first and book the damage in with "
        "the return."
    )
    with pytest.raises(NotFound) as err:
        get_ticket(school, 999)
    assert str(err.value) == "There is no repair ticket TKT-000999."
    assert get_ticket(school, str(first.id)).code == first.code
    assert get_ticket(school, first.code.lower()).id == first.id
    with pytest.raises(NotFound) as err:
        get_ticket(school, "screen")
    assert str(err.value) == "'screen' is not a repair ticket number (e.g. TKT-000045)."
    with pytest.raises(ValidationError) as err:
        add_part(school, "tech1", first.id, "Screen", quantity=0)
    assert str(err.value) == "The quantity of a part must be at least 1."
    with pytest.raises(ValidationError) as err:
        add_time(school, "tech1", first.id, 0)
    assert str(err.value) == "Time spent must be a whole number of minutes, at least 1."
    with pytest.raises(ValidationError) as err:
        set_vendor(school, "tech1", first.id, "")
    assert str(err.value) == "Give the vendor's name."


def test_photos_are_kept_in_the_database(school, tmp_path):
    from photo_files import write_photo

    from helpdesk.services.repairs.photos import photo_data, photo_thumbnails

    shot = write_photo(tmp_path / "crack.jpg")
    ticket = book(school, device="LAP-0001", photos=(shot,))
    assert ticket.photos == ("crack.jpg",)
    [thumb] = photo_thumbnails(school, ticket.id)
    assert photo_data(school, thumb.id).data == shot.read_bytes()
    assert not (Path(school.kw["bind"].url.database).parent / "photos").exists()
    with pytest.raises(ValidationError) as err:
        book(school, device="LAP-0002", photos=(tmp_path / "missing.jpg",))
    assert str(err.value) == f"The photo {tmp_path / 'missing.jpg'} cannot be found; take it again."
