"""The bench's read service: ages in school days (weekends and closures left out), counts of the
whole bench, filters, and the ticket page's data; diagnosis notes and photos refused when wrong."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from photo_files import write_photo

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.services.repairs import bench_actions, ticket_queue, tickets


def _closed_on(factory, *days: date) -> None:  # noqa: ANN001
    from helpdesk.domain.models import Closure

    with factory() as session, session.begin():
        session.add_all(Closure(day=d, reason="INSET") for d in days)


def test_ages_leave_out_weekends_and_closures(session_factory, bench_school) -> None:
    factory = session_factory
    anna = tickets.get_ticket(factory, bench_school.anna_ticket)
    logged = anna.opened_at.date()
    today = logged + timedelta(days=14)  # two whole weeks later: ten school days
    rows = {r.id: r for r in ticket_queue.ticket_queue(factory, today=today).rows}
    assert rows[anna.id].age_school_days == 10
    assert rows[anna.id].is_old
    weekdays = [logged + timedelta(days=n) for n in range(1, 15)]
    weekdays = [d for d in weekdays if d.weekday() < 5][:3]
    _closed_on(factory, *weekdays)
    rows = {r.id: r for r in ticket_queue.ticket_queue(factory, today=today).rows}
    assert rows[anna.id].age_school_days == 7
    page = ticket_queue.ticket_page(factory, anna.id, today=today)
    assert page.age_school_days == 7


def test_counts_are_of_the_whole_bench_and_filters_narrow_the_rows(
    session_factory, bench_school
) -> None:
    queue = ticket_queue.ticket_queue(session_factory, technician="mwright")
    assert [r.id for r in queue.rows] == [bench_school.cara_ticket]
    counts = dict(queue.counts)
    assert counts["logged"] == 2 and counts["with_vendor"] == 1 and counts["repaired"] == 0
    assert "collected" not in counts
    assert queue.open_total == 3
    assert queue.technicians == ("mwright",)
    assert queue.vendors == ("Lenovo depot repair",)
    closed = ticket_queue.ticket_queue(session_factory, state="cancelled")
    assert [r.id for r in closed.rows] == [bench_school.cancelled_ticket]
    with pytest.raises(ValidationError, match="'fixed' is not a ticket state"):
        ticket_queue.ticket_queue(session_factory, state="fixed")


def test_ticket_page_data(session_factory, bench_school) -> None:
    page = ticket_queue.ticket_page(session_factory, bench_school.ben_ticket)
    assert page.allowed == ("diagnosing", "awaiting_payment", "written_off", "cancelled")
    assert page.ticket.charge_pence == 9000
    assert page.cover_label == "no cover on record"
    assert page.warranty_until is not None
    assert [e.text for e in page.events] == [
        "Charge £90.00: No cover on record on "
        f"{page.ticket.opened_at:%d/%m/%Y}. The uninsured price for a screen repair is £90.00.",
        "Booked in: screen, Screen cracked from the corner.",
    ]
    assert {e.who for e in page.events} == {"admin"}
    with pytest.raises(NotFound, match="There is no repair ticket TKT-000999"):
        ticket_queue.ticket_page(session_factory, 999)


def test_notes_and_photos_are_refused_when_wrong(session_factory, bench_school, tmp_path):
    factory = session_factory
    with pytest.raises(ValidationError, match="Write the diagnosis note first"):
        bench_actions.add_diagnosis_note(factory, "mwright", bench_school.anna_ticket, "  \n ")
    with pytest.raises(Refused, match="cancelled and closed"):
        bench_actions.add_diagnosis_note(factory, "mwright", bench_school.cancelled_ticket, "x")
    info = bench_actions.add_diagnosis_note(
        factory, "mwright", bench_school.anna_ticket, "Two\nlines", now=datetime(2026, 10, 1, 9)
    )
    assert info.diagnosis == "01/10/2026 09:00 mwright: Two lines"
    with pytest.raises(ValidationError, match="cannot be found"):
        bench_actions.add_photo(factory, "mwright", bench_school.anna_ticket, tmp_path / "x.jpg")
    fake = tmp_path / "fake.jpg"
    fake.write_text("a text file with a photo's name")
    with pytest.raises(ValidationError, match="fake.jpg is not a photo: the file is damaged"):
        bench_actions.add_photo(factory, "mwright", bench_school.anna_ticket, fake)
    photo = write_photo(tmp_path / "crack.jpg")
    first = bench_actions.add_photo(factory, "mwright", bench_school.anna_ticket, photo)
    second = bench_actions.add_photo(factory, "mwright", bench_school.anna_ticket, photo)
    assert second.photos == ("crack.jpg", "crack.jpg")  # the same photo twice: two rows
    assert len(first.photos) == 1
    spares = bench_actions.spare_devices(factory)
    assert [s.asset_tag for s in spares] == list(bench_school.spares)


@pytest.mark.postgres
def test_the_queue_and_the_page_on_postgresql(pg_session_factory) -> None:
    from bench_ui_school import build_bench_school

    ids = build_bench_school(pg_session_factory)
    queue = ticket_queue.ticket_queue(pg_session_factory, vendor="Lenovo depot repair")
    assert [r.id for r in queue.rows] == [ids["cara"]]
    assert dict(queue.counts)["logged"] == 2
    assert queue.technicians == ("mwright",) and queue.old == 1
    page = ticket_queue.ticket_page(pg_session_factory, ids["anna"])
    assert page.allowed == ("diagnosing", "awaiting_payment", "written_off", "cancelled")
    assert page.events[-1].text == "Booked in: screen, Screen cracked from the corner."


def test_a_photo_for_a_closed_ticket_is_refused(session_factory, bench_school, tmp_path) -> None:
    from helpdesk.services.repairs.photos import photo_thumbnails

    photo = write_photo(tmp_path / "crack.png")
    with pytest.raises(Refused, match="cancelled and closed"):
        bench_actions.add_photo(session_factory, "mwright", bench_school.cancelled_ticket, photo)
    assert photo_thumbnails(session_factory, bench_school.cancelled_ticket) == ()
