"""The counter's loaner swap (by the ids it scanned, damage described, no photos) runs as a few
plain statements (quick_swaps.py) behind the one entry of the action, ``swap``. Its result (the
ticket's card, the loan, the cover check), the rows it writes, its audit rows (station
included), what it tells the other counters and its refusals must be exactly those of the
general path through the ORM, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from service_school import NOW, build_school
from sqlalchemy import event, select
from test_quick_loans import _notices, _second_school

from helpdesk.domain.enums import Condition
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.models import AuditEntry, Claim, Device, Loan, Student, Ticket
from helpdesk.services.counter import quick_swaps
from helpdesk.services.counter import swaps as swap_service
from helpdesk.services.counter.loans import issue_loan, return_loan, swap
from helpdesk.services.repairs.tickets import DamageReport, move_ticket, open_ticket

CRACK = DamageReport("screen", "Screen cracked in a bag.")


def _ids(factory) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001
    with factory() as session:
        devices = {d.asset_tag: d.id for d in session.scalars(select(Device))}
        students = {s.card_code: s.id for s in session.scalars(select(Student))}
    return devices, students


def _collected(factory, swapped, when) -> None:  # noqa: ANN001
    """The loaner back, the laptop repaired and collected: the student may swap again."""
    from helpdesk.services.counter.swaps import collect

    return_loan(factory, "counter1", loan_id=swapped.loan.id, condition=Condition.GOOD, now=when)
    for state in ("diagnosing", "repaired", "ready_for_collection"):
        move_ticket(factory, "tech1", swapped.ticket.id, state, now=when)
    collect(factory, "counter1", ticket_id=swapped.ticket.id, now=when)


def _story(factory) -> list:  # noqa: ANN001
    """Swaps as the counter makes them: insured and free, insured and charged, a fault (no
    claim, under warranty), cover lapsed and deliberate, reported too late, outside the case;
    what each gave."""
    devices, students = _ids(factory)
    anna, ben = students["S1001"], students["S1002"]

    def swapped(student: int, own: str, loaner: str, damage: DamageReport, hours: int):  # noqa: ANN202
        return swap(factory, "counter1", student_id=student, own_device_id=devices[own],
                    loaner_id=devices[loaner], damage=damage, accessories=("charger",),
                    now=NOW + timedelta(hours=hours))  # fmt: skip

    out = [swapped(anna, "LAP-0001", "LNR-002", CRACK, 0)]  # claim 1: free
    out.append(swapped(ben, "LAP-0002", "LNR-003", replace(CRACK, category="keyboard",
                                                           deliberate=True), 0))  # fmt: skip
    _collected(factory, out[0], NOW + timedelta(hours=1))
    out.append(swapped(anna, "LAP-0001", "LNR-001", DamageReport("software", "Won't boot"), 2))
    _collected(factory, out[-1], NOW + timedelta(hours=3))
    out.append(swapped(anna, "LAP-0001", "LNR-004", CRACK, 4))  # claim 2: 50.00
    _collected(factory, out[-1], NOW + timedelta(hours=5))
    late = NOW.date() - timedelta(days=40)
    out.append(swapped(anna, "LAP-0001", "LNR-002", replace(CRACK, category="liquid",
                                                            occurred_on=late), 6))  # fmt: skip
    _collected(factory, out[-1], NOW + timedelta(hours=7))
    out.append(swapped(anna, "LAP-0001", "LNR-001", replace(CRACK, category="chassis",
                                                            in_case=False), 8))  # fmt: skip
    return out


def _records(factory) -> list:  # noqa: ANN001
    """Every row the story wrote, the audit log's in a fixed order (the ORM's hook writes the
    two laptops' status changes of one flush in either order)."""
    with factory() as session:
        audit = sorted(
            (
                (a.at, a.staff_id, a.action, a.entity, a.entity_id, a.before, a.after, a.station)
                for a in session.scalars(select(AuditEntry))
                if a.staff_id is not None  # the story's rows, not the school's set-up
            ),
            key=repr,
        )
        tables = [
            [{c.key: getattr(row, c.key) for c in model.__table__.c} for row in session.scalars(
                select(model).order_by(model.id))]
            for model in (Ticket, Claim, Loan, Device)
        ]  # fmt: skip
    return [audit, *tables]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_quick_swap_writes_what_the_general_path_writes(backend, request, monkeypatch):
    name = "session_factory" if backend == "sqlite" else "pg_session_factory"
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    quick_factory = request.getfixturevalue(name)
    build_school(quick_factory)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Front desk")
    taken = []
    real = quick_swaps.quick_swap

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = real(*args, **kwargs)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(swap_service, "quick_swap", counting)
    told_quick = _notices(quick_factory)
    quick = _story(quick_factory)
    assert taken == [True] * 6  # every swap took the quick path
    assert [s.cover.charge_pence for s in quick] == [0, 6000, 0, 5000, 12000, 7000]
    assert [s.ticket.cover is None for s in quick] == [False, False, True, False, False, False]

    from sqlalchemy.orm import close_all_sessions

    close_all_sessions()
    general_factory = _second_school(request, backend)
    monkeypatch.setattr(swap_service, "quick_swap", lambda *a, **k: None)
    told_general = _notices(general_factory)
    general = _story(general_factory)

    assert quick == general
    records = _records(quick_factory)
    assert {row[-1] for row in records[0]} == {"Front desk"}
    assert records == _records(general_factory)
    assert told_quick == told_general
    assert (len(told_quick) > 0) is (backend == "postgres")


def test_a_quick_swap_sends_three_statements_on_postgresql(any_school):
    """The two reads, then the writes with the word to the other counters in one (BEGIN and
    COMMIT aside): on PostgreSQL each is a round trip across the school's network."""
    school = any_school
    devices, students = _ids(school)
    sent: list[str] = []
    event.listen(school.kw["bind"], "before_cursor_execute",
                 lambda _c, _k, statement, *_r: sent.append(statement))  # fmt: skip
    done = swap(school, "counter1", student_id=students["S1001"],
                own_device_id=devices["LAP-0001"], loaner_id=devices["LNR-002"], damage=CRACK,
                now=NOW)  # fmt: skip
    assert done.loan.ticket_id == done.ticket.id and done.ticket.swap_loan == done.loan
    statements = [s for s in sent if not s.startswith(("BEGIN", "COMMIT"))]
    if school.kw["bind"].dialect.name == "postgresql":
        assert len(statements) == 3
    else:  # SQLite's statements cost no round trip: one each
        assert len(statements) == 8


def _refusal(call) -> HelpdeskError:  # noqa: ANN001
    with pytest.raises(HelpdeskError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize("quick_answers", [True, False], ids=["refused-quick", "general-decides"])
def test_refused_swaps_read_as_the_general_path_s(any_school, monkeypatch, quick_answers):
    """Each refusal in the general path's exception and words, nothing written by either path;
    those the quick path's rows show are raised there, in one transaction."""
    school = any_school
    devices, students = _ids(school)
    issue_loan(school, "counter1", student_code="S1004", device_code="LNR-001", now=NOW)
    swap(school, "counter1", student_code="S1002", own_device_code="LAP-0002",
         loaner_code="LNR-004", damage=CRACK, now=NOW)  # fmt: skip
    later = NOW + timedelta(hours=1)

    def attempt(card: str, own: str, loaner: str) -> str:
        keys = {"student_id": students[card], "own_device_id": devices[own],
                "loaner_id": devices[loaner], "damage": CRACK, "now": later}  # fmt: skip
        before = _records(school)
        opened: list[str] = []
        real = swap_service.unit_of_work
        monkeypatch.setattr(swap_service, "unit_of_work",
                            lambda *a, **k: opened.append(k["action"]) or real(*a, **k))  # fmt: skip
        whole = _refusal(lambda: swap(school, "counter1", **keys))
        monkeypatch.setattr(swap_service, "unit_of_work", real)
        assert (opened == []) is quick_answers  # the general path never ran
        with monkeypatch.context() as patched:
            patched.setattr(swap_service, "quick_swap", lambda *a, **k: None)
            general = _refusal(lambda: swap(school, "counter1", **keys))
        assert (type(whole), str(whole)) == (type(general), str(general))
        assert _records(school) == before
        return f"{type(whole).__name__}: {whole}"

    if quick_answers:
        assert attempt("S1001", "LAP-0001", "LNR-001") == (
            "AlreadyOnLoan: LNR-001 is already on loan to Dev Patel (9D)."
        )
        assert attempt("S1004", "LAP-0003", "LNR-002") == (
            "Refused: LAP-0003 is not assigned to Dev Patel (9D); a swap is for the student's "
            "own laptop."
        )
        assert attempt("S1001", "LAP-0001", "LAP-0003") == (
            "Refused: LAP-0003 is not in the loan pool: it is allocated to a student one to one."
        )
        issue_loan(school, "counter1", student_code="S1001", device_code="LNR-003", now=NOW)
        assert attempt("S1001", "LAP-0001", "LNR-002") == (
            "Refused: Anna Smith (7A) already has 1 open loan (LNR-003); the limit is 1."
        )
    else:  # Anna's laptop is booked in already (no loaner with it): the general path says so
        open_ticket(school, "counter1", device_code="LAP-0001", damage=CRACK, now=NOW)
        assert attempt("S1001", "LAP-0001", "LNR-002").startswith(
            "Refused: LAP-0001 already has an open repair ticket, TKT-"
        )
