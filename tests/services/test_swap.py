"""The loaner swap as one transaction, and collecting the repaired laptop once the loaner is back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from service_school import NOW
from sqlalchemy import func, select

from helpdesk.domain.errors import (
    AlreadyOnLoan,
    InvalidTransition,
    NotFound,
    Refused,
    ValidationError,
)
from helpdesk.domain.models import Claim, Device, Loan, Student, Ticket
from helpdesk.services.core.settings import get_settings, save_settings
from helpdesk.services.counter.loans import DamageReport, collect, issue_loan, return_loan, swap
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs.tickets import move_ticket

CRACK = DamageReport(category="screen", description="Cracked screen")


def counts(factory):
    with factory() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Ticket, Loan, Claim)
        )


def ids_of(factory, model, column, *codes):
    with factory() as session:
        return dict(session.execute(select(column, model.id).where(column.in_(codes))).all())


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("student_id", "There is no student with the id 999."),
        ("own_device_id", "There is no device with the id 999."),
        ("loaner_id", "There is no device with the id 999."),
    ],
)
def test_a_swap_by_ids_names_what_is_missing(school, missing, message):
    found = {"student_id": ids_of(school, Student, Student.card_code, "S1001")["S1001"]}
    tags = ids_of(school, Device, Device.asset_tag, "LAP-0001", "LNR-003")
    found |= {"own_device_id": tags["LAP-0001"], "loaner_id": tags["LNR-003"], missing: 999}
    before = counts(school)
    with pytest.raises(NotFound) as err:
        swap(school, "counter1", **found, damage=CRACK, now=NOW)
    assert str(err.value) == message
    assert counts(school) == before


def statuses(factory, *tags):
    with factory() as session:
        rows = session.execute(
            select(Device.asset_tag, Device.status).where(Device.asset_tag.in_(tags))
        ).all()
        found = {tag: status for tag, status in rows}
    return tuple(found[t].value for t in tags)


def test_swap_then_collect(any_school):
    done = swap(
        any_school,
        "counter1",
        student_code="S1001",
        own_device_code="LAP-0001",
        loaner_code="LNR-003",
        damage=CRACK,
        now=NOW,
    )
    assert done.ticket.asset_tag == "LAP-0001"
    assert done.ticket.student_name == "Anna Smith"
    assert done.loan.loan_type == "swap"
    assert done.loan.ticket_id == done.ticket.id
    assert done.loan.due_at == datetime(2026, 10, 19, 15, 30)  # 10 school days
    assert done.cover.rule == "Insured with Standard cover: claim 1 of 2, accidental damage: free."
    assert done.ticket.swap_loan.code == done.loan.code
    assert statuses(any_school, "LAP-0001", "LNR-003") == ("in_repair", "on_loan")
    card = lookup(any_school, "LAP-0001", now=NOW)
    assert card.swap_loan.asset_tag == "LNR-003"

    for state in ["diagnosing", "repaired", "ready_for_collection"]:
        move_ticket(any_school, "tech1", done.ticket.id, state, now=NOW)
    with pytest.raises(Refused) as err:
        collect(any_school, "counter1", ticket_id=done.ticket.code, now=NOW)
    assert str(err.value) == (
        "Return the loan laptop LNR-003 first: Anna Smith (7A) still has it on a swap loan."
    )
    with pytest.raises(Refused):  # the same rule through move_ticket
        move_ticket(any_school, "tech1", done.ticket.id, "collected", now=NOW)
    return_loan(any_school, "counter1", device_code="LNR-003", now=NOW + timedelta(days=2))
    collected = collect(
        any_school, "counter1", ticket_id=done.ticket.id, now=NOW + timedelta(days=2)
    )
    assert collected.state == "collected"
    assert statuses(any_school, "LAP-0001", "LNR-003") == ("assigned", "in_stock")


def test_collect_before_the_repair_is_ready(school):
    done = swap(
        school,
        "counter1",
        student_code="S1001",
        own_device_code="LAP-0001",
        loaner_code="LNR-003",
        damage=CRACK,
        now=NOW,
    )
    with pytest.raises(InvalidTransition) as err:
        collect(school, "counter1", ticket_id=done.ticket.id, now=NOW)
    assert str(err.value) == (
        f"{done.ticket.code} cannot go from logged to collected; from logged it can go to "
        "diagnosing, awaiting payment, written off or cancelled."
    )


@pytest.mark.parametrize(
    ("student", "own", "loaner", "error", "message"),
    [
        (
            "S1001",
            "LAP-0002",
            "LNR-001",
            Refused,
            "LAP-0002 is not assigned to Anna Smith (7A); a swap is for the student's own laptop.",
        ),
        (
            "S1001",
            "LAP-0001",
            "LAP-0003",
            Refused,
            "LAP-0003 is not in the loan pool: it is allocated to a student one to one.",
        ),
        (
            "S1001",
            "LAP-0001",
            "LAP-0001",
            ValidationError,
            "LAP-0001 cannot be both the laptop in for repair and the loaner.",
        ),
        (
            "S1001",
            "LAP-0001",
            "LNR-002",
            AlreadyOnLoan,
            "LNR-002 is already on loan to Dev Patel (9D).",
        ),
    ],
)
@pytest.mark.parametrize("by_ids", [False, True])  # typed codes; the ids the counter scanned
def test_a_refused_swap_leaves_nothing_behind(school, student, own, loaner, error, message, by_ids):
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-002", now=NOW)
    before = counts(school)
    if by_ids:
        found = {"student_id": ids_of(school, Student, Student.card_code, student)[student]}
        tags = ids_of(school, Device, Device.asset_tag, own, loaner)
        found |= {"own_device_id": tags[own], "loaner_id": tags[loaner]}
    else:
        found = {"student_code": student, "own_device_code": own, "loaner_code": loaner}
    with pytest.raises(error) as err:
        swap(school, "counter1", **found, damage=CRACK, now=NOW)
    assert str(err.value) == message
    assert counts(school) == before
    assert statuses(school, "LAP-0001", "LAP-0002") == ("assigned", "assigned")


def test_a_swap_failing_after_the_ticket_rolls_the_ticket_back(school):
    """The loan limit is checked after the own laptop is found: the ticket must not stay."""
    issue_loan(school, "counter1", student_code="S1001", device_code="LNR-002", now=NOW)
    before = counts(school)
    with pytest.raises(Refused) as err:
        swap(
            school,
            "counter1",
            student_code="S1001",
            own_device_code="LAP-0001",
            loaner_code="LNR-003",
            damage=CRACK,
            now=NOW,
        )
    assert str(err.value) == "Anna Smith (7A) already has 1 open loan (LNR-002); the limit is 1."
    assert counts(school) == before
    return_loan(school, "counter1", device_code="LNR-002", now=NOW)
    with pytest.raises(Refused) as err:  # a theft without a crime reference: refused in the ticket
        swap(
            school,
            "counter1",
            student_code="S1001",
            own_device_code="LAP-0001",
            loaner_code="LNR-003",
            damage=DamageReport(category="stolen", description="Taken from a bag"),
            now=NOW,
        )
    assert str(err.value) == "A theft can only be booked in with a police crime reference."
    assert counts(school) == before
    assert statuses(school, "LAP-0001", "LNR-003") == ("assigned", "in_stock")


def test_a_loaner_for_a_laptop_already_booked_in(school):
    from helpdesk.services.repairs.tickets import open_ticket

    booked = open_ticket(
        school, "tech1", device_code="LAP-0002", damage=CRACK, now=NOW
    )  # Ben: lapsed cover, 85.00 due
    with pytest.raises(Refused) as err:
        swap(
            school,
            "counter1",
            student_code="S1002",
            own_device_code="LAP-0002",
            loaner_code="LNR-001",
            damage=CRACK,
            now=NOW,
        )
    assert str(err.value) == f"LAP-0002 already has an open repair ticket, {booked.code} (logged)."
    done = swap(
        school,
        "counter1",
        student_code="S1002",
        own_device_code="LAP-0002",
        loaner_code="LNR-001",
        now=NOW,
    )
    assert done.ticket.id == booked.id
    assert done.loan.ticket_id == booked.id
    assert done.cover.charge_pence == 8500
    assert counts(school) == (1, 1, 1)
    with pytest.raises(Refused) as err:
        swap(
            school,
            "counter1",
            student_code="S1002",
            own_device_code="LAP-0002",
            loaner_code="LNR-002",
            now=NOW,
        )
    # the loan limit speaks first: Ben already has the loaner
    assert str(err.value) == "Ben Jones (8B) already has 1 open loan (LNR-001); the limit is 1."
    save_settings(school, "admin", replace(get_settings(school), loan_limit=2))
    with pytest.raises(Refused) as err:
        swap(
            school,
            "counter1",
            student_code="S1002",
            own_device_code="LAP-0002",
            loaner_code="LNR-002",
            now=NOW,
        )
    assert (
        str(err.value)
        == f"{booked.code} already has the loan laptop LNR-001 out to Ben Jones (8B)."
    )
    with pytest.raises(ValidationError) as err:
        swap(
            school,
            "counter1",
            student_code="S1001",
            own_device_code="LAP-0001",
            loaner_code="LNR-002",
            now=NOW,
        )
    assert str(err.value) == "Describe what is wrong with LAP-0001: a swap books it in for repair."


def test_photos_of_a_swap_that_fails_are_not_kept(school, tmp_path):
    from photo_files import write_photo

    from helpdesk.domain.models import TicketPhoto
    from helpdesk.services.repairs.photos import photo_data, photo_thumbnails

    shot = write_photo(tmp_path / "screen.jpg")
    with pytest.raises(ValidationError) as err:
        swap(
            school,
            "counter1",
            student_code="S1001",
            own_device_code="LAP-0001",
            loaner_code="LNR-001",
            damage=replace(CRACK, photos=(shot,)),
            due_at=NOW - timedelta(hours=1),
            now=NOW,
        )
    assert str(err.value).startswith("The loan cannot be due at 05/10/2026 09:00")
    with school() as session:
        assert session.scalars(select(TicketPhoto)).all() == []
    assert counts(school) == (0, 0, 0)
    done = swap(
        school,
        "counter1",
        student_code="S1001",
        own_device_code="LAP-0001",
        loaner_code="LNR-001",
        damage=replace(CRACK, photos=(shot,)),
        now=NOW,
    )
    [thumb] = photo_thumbnails(school, done.ticket.id)
    assert photo_data(school, thumb.id).data == shot.read_bytes()
