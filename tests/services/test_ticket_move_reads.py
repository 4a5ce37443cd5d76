"""A ticket move reads the ticket with its parts and photos in one query (two round trips fewer
than reading them after the change). The cards it returns, its refusals and its audit rows must
be exactly those of the move that reads them one by one, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from photo_files import write_photo
from service_school import NOW, build_school
from sqlalchemy import event, select
from test_quick_loans import _second_school

from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.models import AuditEntry, Device, Ticket
from helpdesk.services.core import records
from helpdesk.services.counter.loans import swap
from helpdesk.services.repairs import tickets as ticket_service
from helpdesk.services.repairs.bench_actions import add_photo
from helpdesk.services.repairs.tickets import DamageReport, add_part, move_ticket, open_ticket

CRACK = DamageReport("screen", "Cracked in a bag.")
MOVES = (  # (ticket, to): the common moves, then moves the lifecycle refuses
    ("swap", "diagnosing"),
    ("swap", "diagnosing"),  # already there
    ("swap", "awaiting_parts"),
    ("swap", "repaired"),
    ("swap", "ready_for_collection"),
    ("swap", "collected"),  # the loaner is still out on the swap loan
    ("owing", "diagnosing"),
    ("owing", "awaiting_parts"),
    ("owing", "repaired"),
    ("owing", "logged"),  # not a way back
    ("plain", "awaiting_parts"),
    ("plain", "ready_for_collection"),
)


def _story(factory, photo, sent: list[int]):  # noqa: ANN001, ANN202
    """Tickets with a claim, a swap loan, parts and photos; then the moves, what each gave
    and how many statements each sent."""
    swapped = swap(factory, "counter1", student_code="S1001", own_device_code="LAP-0001",
                   loaner_code="LNR-002", damage=replace(CRACK, photos=(photo,)), now=NOW)  # fmt: skip
    add_part(factory, "tech1", swapped.ticket.id, "LCD panel", part_number="P1",
             unit_cost_pence=6450, now=NOW)  # fmt: skip
    add_part(factory, "tech1", swapped.ticket.id, "Clips", quantity=4, unit_cost_pence=75,
             now=NOW)  # fmt: skip
    add_photo(factory, "tech1", swapped.ticket.id, photo, now=NOW)
    owing = open_ticket(factory, "counter1", device_code="LAP-0002", damage=CRACK, now=NOW)
    plain = open_ticket(factory, "counter1", device_code="LAP-0003", damage=CRACK, now=NOW)
    ids = {"swap": swapped.ticket.id, "owing": owing.id, "plain": plain.id}
    engine = factory.kw["bind"]
    count = [0]

    def counting(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", counting)
    out: list = []
    for n, (which, to) in enumerate(MOVES):
        count[0] = 0
        try:
            out.append(move_ticket(factory, "tech1", ids[which], to, note=f"Step {n}",
                                   now=NOW + timedelta(minutes=n)))  # fmt: skip
        except HelpdeskError as exc:
            out.append((type(exc).__name__, str(exc)))
        sent.append(count[0])
    event.remove(engine, "before_cursor_execute", counting)
    return out


def _records(factory) -> tuple[list, list, list]:  # noqa: ANN001
    with factory() as session:
        # in order of time and record: one flush may write its rows in either order
        audit = sorted(
            (
                (a.at, a.entity, a.entity_id, a.staff_id, a.action, a.before, a.after)
                for a in session.scalars(select(AuditEntry))
                if a.staff_id is not None
            ),
            key=repr,
        )
        tickets = [
            {c.key: getattr(t, c.key) for c in Ticket.__table__.c}
            for t in session.scalars(select(Ticket).order_by(Ticket.id))
        ]
        devices = [(d.id, d.status) for d in session.scalars(select(Device).order_by(Device.id))]
    return audit, tickets, devices


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_move_gives_what_reading_one_by_one_gives(backend, request, monkeypatch, tmp_path):
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    factory = request.getfixturevalue("session_factory" if backend == "sqlite" else
                                      "pg_session_factory")  # fmt: skip
    build_school(factory)
    photo = write_photo(tmp_path / "crack.jpg")
    quick_sent: list[int] = []
    quick = _story(factory, photo, quick_sent)

    from sqlalchemy.orm import close_all_sessions

    close_all_sessions()
    one_by_one = _second_school(request, backend)
    real = records.find_ticket

    def without_lists(session, ticket_id, *, lock=True, with_lists=False):  # noqa: ANN001, ANN202
        return real(session, ticket_id, lock=lock)

    monkeypatch.setattr(ticket_service, "find_ticket", without_lists)
    slow_sent: list[int] = []
    general = _story(one_by_one, photo, slow_sent)

    assert quick == general
    moved = [n for n, done in enumerate(quick) if not isinstance(done, tuple)]
    assert len(moved) >= 6 and len(moved) < len(MOVES)  # moves made and moves refused
    assert quick[4].parts and quick[4].photos  # the card shows the parts and the photos
    assert _records(factory) == _records(one_by_one)
    for n in moved:  # every move made sent two statements fewer: parts and photos
        assert quick_sent[n] == slow_sent[n] - 2
