"""A pickup station's card and laptop scans run as a few plain statements (quick_pickup.py)
behind the one entry of a scan, ``scan_in_session``. Their answers, the rows they write, their
audit rows (station included) and what they tell the other stations must be exactly those of the
general path through the ORM, on SQLite and PostgreSQL; on PostgreSQL each scan is two
statements."""

from __future__ import annotations

import pytest
import session_school
from session_school import NOW, build_session_school, rows
from sqlalchemy import event, select
from sqlalchemy.orm import close_all_sessions
from test_quick_loans import _notices, _second_school

from helpdesk.domain.models import Student
from helpdesk.services.sessions import (
    quick_handin,
    quick_pickup,
    scan_in_session,
    scanning,
    start_session,
)


def _story(factory) -> list:  # noqa: ANN001
    """A pickup of 7A with every outcome of a card and of a laptop the quick path decides."""
    ses = start_session(factory, "admin", "pickup", form="7A", now=NOW)
    with factory() as session:
        ids = {s.card_code: s.id for s in session.scalars(select(Student))}
    out = []

    def scan(code: str, card: str | None = None, **kw) -> None:  # noqa: ANN003
        pending = ids[card] if card else None
        out.append(scan_in_session(factory, "admin", ses.code, code, pending_student_id=pending,
                                   station="Hall 1", now=NOW, **kw))  # fmt: skip

    scan("S2001")  # done: now the laptop
    scan("LAP-0101", "S2001")  # done, on paper
    scan("S1001")  # already has LAP-0001 (owned before): marked done
    scan("S2001")  # already has LAP-0101
    scan("S1003")  # problem: has left
    scan("S1004")  # unexpected: in 9D
    scan("S2002")
    scan("LAP-0105", "S2002")  # problem: set aside for Ivy
    scan("LNR-001", "S2002")  # problem: a loan-pool laptop
    scan("CHG-001", "S2002")  # problem: a charger
    scan("LAP-0102", "S2002", agreement="screen")  # problem: nobody's name typed
    scan("LAP-0102", "S2002", agreement="screen", agreement_name="Hal Hill")  # done
    scan("S2003")  # done: now the laptop LAP-0105
    scan("LAP-0103", "S2003")  # problem: is to get LAP-0105
    scan("LAP-0105", "S2003")  # done
    scan("LAP-0104", "S1004")  # unexpected: not on this list
    return out


def _records(factory) -> dict:  # noqa: ANN001
    """The rows the story wrote: the session's tables, the laptops and their allocations, and
    the audit rows of the story's moment (the set-up's are stamped with the clock)."""
    tables = ("scan_sessions", "session_items", "session_scans", "assignments", "devices")
    found = rows(factory, leave_out=())
    story = {name: found[name] for name in tables}
    story["audit_log"] = [row for row in found["audit_log"] if row[1] == repr(NOW)]
    return story


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_quick_pickup_scans_write_what_the_general_path_writes(backend, request, monkeypatch):
    name = "session_factory" if backend == "sqlite" else "pg_session_factory"
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    quick_factory = request.getfixturevalue(name)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Hall")
    build_session_school(quick_factory)
    taken = []
    real = quick_pickup.quick_scan

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = real(*args, **kwargs)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(scanning, "quick_scan", counting)
    told_quick = _notices(quick_factory)
    quick = _story(quick_factory)
    assert taken == [True] * len(quick)  # every scan took the quick path
    assert [r.outcome for r in quick] == [
        "done", "done", "already", "already", "problem", "unexpected", "done", "problem",
        "problem", "problem", "problem", "done", "done", "problem", "done", "unexpected",
    ]  # fmt: skip

    close_all_sessions()
    general_factory = _second_school(request, backend)  # service_school.py's school
    with monkeypatch.context() as patched:  # and the session school's students and laptops
        patched.setattr(session_school, "build_school", lambda _factory: None)
        build_session_school(general_factory)
    monkeypatch.setattr(scanning, "quick_scan", lambda *a, **k: None)
    told_general = _notices(general_factory)
    general = _story(general_factory)

    assert quick == general
    everything = _records(quick_factory)
    scanned = [row for row in everything["audit_log"] if row[4] == "'session_scans'"]
    assert len(scanned) == len(quick) and {row[-1] for row in scanned} == {"'Hall'"}
    # the session started, each scan, and each of the three allocations with its laptop
    assert len(everything["audit_log"]) == 1 + len(quick) + 2 * 3
    assert everything == _records(general_factory)
    assert told_quick == told_general
    assert (len(told_quick) > 0) is (backend == "postgres")


def test_a_pickup_student_is_four_statements_on_postgresql(any_school):
    """The card and the laptop, each one read and one write with the word to the other stations
    (before: 10 for the card and 17 for the laptop)."""
    ses = start_session(any_school, "admin", "pickup", form="7A", now=NOW)
    sent: list[str] = []
    event.listen(any_school.kw["bind"], "before_cursor_execute",
                 lambda _c, _k, statement, *_r: sent.append(statement))  # fmt: skip
    card = scan_in_session(any_school, "admin", ses.code, "S2001", now=NOW)
    per_card = len([s for s in sent if not s.startswith(("BEGIN", "COMMIT"))])
    laptop = scan_in_session(any_school, "admin", ses.code, "LAP-0101",
                             pending_student_id=card.pending_student_id, now=NOW)  # fmt: skip
    assert (card.outcome, laptop.outcome, laptop.session.done) == ("done", "done", 1)
    statements = [s for s in sent if not s.startswith(("BEGIN", "COMMIT"))]
    if any_school.kw["bind"].dialect.name == "postgresql":
        assert (per_card, len(statements)) == (2, 4)
    else:  # SQLite's statements cost no round trip: the inserts one each
        assert (per_card, len(statements)) == (3, 9)


def test_a_hand_in_pays_for_the_pickup_read_once_per_station(any_school):
    """The quick read learns a session's kind: after the first scan of a hand-in, a station goes
    straight to the general path."""
    ses = start_session(any_school, "admin", "handin", everyone=True, now=NOW)
    sent: list[str] = []
    event.listen(any_school.kw["bind"], "before_cursor_execute",
                 lambda _c, _k, statement, *_r: sent.append(statement))  # fmt: skip
    done = [scan_in_session(any_school, "admin", ses.code, tag, now=NOW).outcome
            for tag in ("LAP-0001", "LAP-0002")]  # fmt: skip
    assert done == ["done", "done"]
    assert len([s for s in sent if "planned_tag" in s]) == 1


def _device_story(factory) -> list:  # noqa: ANN001
    """After the pickup's story: a hand-in of everyone's laptop and a stocktake of Cart A; a session's first scan at a
    station learns its kind (the general path), the plain ones after it are quick."""
    out = []
    handin = start_session(factory, "admin", "handin", everyone=True, now=NOW)
    for tag, kw in (("LAP-0001", {}), ("LAP-0002", {"condition": "fair", "missing": ["charger"]}),
                    ("LAP-0101", {"missing": ["case", "charger"]}), ("LAP-0101", {})):  # fmt: skip
        out.append(scan_in_session(factory, "admin", handin.code, tag, station="Hall 2", now=NOW,
                                   **kw))  # fmt: skip
    count = start_session(factory, "admin", "stocktake", location="Cart A", now=NOW)
    for tag in ("LAP-0102", "LAP-0103", "SNB00101", "LAP-0103", "LAP-0104"):
        out.append(scan_in_session(factory, "admin", count.code, tag, station="Hall 2", now=NOW))
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_quick_hand_in_and_stocktake_scans_write_what_the_general_path_writes(
    backend, request, monkeypatch
):
    name = "session_factory" if backend == "sqlite" else "pg_session_factory"
    if backend == "postgres":
        request.applymarker(pytest.mark.postgres)
    quick_factory = request.getfixturevalue(name)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Hall")
    build_session_school(quick_factory)
    taken = []
    real = quick_handin.quick_device_scan

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = real(*args, **kwargs)
        taken.append((args[3], found is not None))
        return found

    monkeypatch.setattr(quick_pickup, "quick_device_scan", counting)
    told_quick = _notices(quick_factory)
    quick = _story(quick_factory) and _device_story(quick_factory)
    assert taken == [("handin", True), ("handin", True), ("handin", False),
                     ("stocktake", True), ("stocktake", True), ("stocktake", False),
                     ("stocktake", False)]  # fmt: skip
    assert [r.outcome for r in quick] == ["done", "done", "done", "already", "done", "done",
                                          "done", "already", "unexpected"]  # fmt: skip

    close_all_sessions()
    general_factory = _second_school(request, backend)
    with monkeypatch.context() as patched:
        patched.setattr(session_school, "build_school", lambda _factory: None)
        build_session_school(general_factory)
    monkeypatch.setattr(scanning, "quick_scan", lambda *a, **k: None)
    told_general = _notices(general_factory)
    general = _story(general_factory) and _device_story(general_factory)

    assert quick == general
    everything = _records(quick_factory)
    assert len([r for r in everything["audit_log"] if r[4] == "'session_scans'"]) == 16 + 9
    assert everything == _records(general_factory)
    assert told_quick == told_general
