"""A ticket moved one step along its open states without a note (the bench's common move) runs
as a few plain statements (quick_moves.py) behind the one entry of the action, ``move_ticket``.
Its card (claim and cover, swap loan, parts, photos, payments), its refusals, the rows and audit
rows it writes and what it tells the other counters must be exactly those of the general path
through the ORM, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from photo_files import write_photo
from service_school import NOW, build_school
from sqlalchemy import event
from test_quick_loans import _notices, _second_school
from test_ticket_move_reads import CRACK, _records

from helpdesk.domain.errors import HelpdeskError
from helpdesk.services.counter.loans import swap
from helpdesk.services.repairs import quick_moves
from helpdesk.services.repairs import tickets as ticket_service
from helpdesk.services.repairs.bench_actions import add_photo
from helpdesk.services.repairs.charges import record_payment
from helpdesk.services.repairs.tickets import add_part, move_ticket, open_ticket

MOVES = (  # (ticket, to, who): plain moves, then moves the lifecycle or the charge refuses
    ("swap", "diagnosing", "tech1"),  # the technician is set
    ("swap", "diagnosing", "tech1"),  # already there
    ("swap", "awaiting_parts", "tech1"),
    ("swap", "repaired", "admin"),  # the technician stays tech1
    ("swap", "ready_for_collection", "tech1"),
    ("owing", "awaiting_payment", "tech1"),
    ("owing", "repaired", "tech1"),  # part paid: the charge is still due
    ("owing", "logged", "tech1"),  # not a way back
    ("plain", "ready_for_collection", "tech1"),  # not from logged
    ("plain", "diagnosing", "counter1"),  # a counter member of staff may not move tickets
    ("plain", "with_vendor", "tech1"),  # not from logged either
)


def _story(factory, photo, sent: list[int]) -> list:  # noqa: ANN001
    """Tickets with a claim, payments, a swap loan, parts and photos; then the moves, what each
    gave and how many statements each sent."""
    swapped = swap(factory, "counter1", student_code="S1001", own_device_code="LAP-0001",
                   loaner_code="LNR-002", damage=replace(CRACK, photos=(photo,)), now=NOW)  # fmt: skip
    add_part(factory, "tech1", swapped.ticket.id, "LCD panel", part_number="P1",
             unit_cost_pence=6450, now=NOW)  # fmt: skip
    add_photo(factory, "tech1", swapped.ticket.id, photo, now=NOW)
    owing = open_ticket(factory, "counter1", device_code="LAP-0002", damage=CRACK, now=NOW)
    record_payment(factory, "admin", owing.id, 2000, receipt_number="R1", now=NOW)
    plain = open_ticket(factory, "counter1", device_code="LAP-0003", damage=CRACK, now=NOW)
    ids = {"swap": swapped.ticket.id, "owing": owing.id, "plain": plain.id}
    engine = factory.kw["bind"]
    count = [0]

    def counting(*_args: object) -> None:
        count[0] += 1

    event.listen(engine, "before_cursor_execute", counting)
    out: list = []
    for n, (which, to, who) in enumerate(MOVES):
        count[0] = 0
        try:
            out.append(move_ticket(factory, who, ids[which], to, now=NOW + timedelta(minutes=n)))
        except HelpdeskError as exc:
            out.append((type(exc).__name__, str(exc)))
        sent.append(count[0])
    event.remove(engine, "before_cursor_execute", counting)
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_quick_move_gives_what_the_general_path_gives(backend, request, monkeypatch, tmp_path):
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    factory = request.getfixturevalue("session_factory" if backend == "sqlite" else
                                      "pg_session_factory")  # fmt: skip
    build_school(factory)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Bench")
    photo = write_photo(tmp_path / "crack.jpg")
    taken: list[bool] = []
    real = quick_moves.quick_move

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        try:
            found = real(*args, **kwargs)
        except HelpdeskError:
            taken.append(True)
            raise
        taken.append(found is not None)
        return found

    monkeypatch.setattr(ticket_service, "quick_move", counting)
    told_quick = _notices(factory)
    quick_sent: list[int] = []
    quick = _story(factory, photo, quick_sent)
    assert taken == [True] * len(MOVES)  # each move made or refused by the quick path

    from sqlalchemy.orm import close_all_sessions

    close_all_sessions()
    general_factory = _second_school(request, backend)
    monkeypatch.setattr(ticket_service, "quick_move", lambda *a, **k: None)
    told_general = _notices(general_factory)
    general_sent: list[int] = []
    general = _story(general_factory, photo, general_sent)

    assert quick == general
    moved = [n for n, done in enumerate(quick) if not isinstance(done, tuple)]
    assert moved == [0, 2, 3, 4, 5]
    assert quick[4].parts and quick[4].photos and quick[4].swap_loan and quick[4].cover
    assert quick[0].technician == quick[3].technician == "tech1"
    assert quick[5].payments and quick[5].paid_pence == 2000
    assert _records(factory) == _records(general_factory)
    assert told_quick == told_general
    if backend == "postgres":  # the ticket read; the writes with the word to the other counters
        assert [quick_sent[n] for n in moved] == [2] * len(moved)
        assert all(quick_sent[n] < general_sent[n] for n in moved)
