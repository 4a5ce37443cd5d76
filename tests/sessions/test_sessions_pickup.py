"""Pickup sessions on SQLite and PostgreSQL: each outcome of a card and of a laptop, planned
allocations, every refusal in one sentence with nothing else written, and a closed session."""

from __future__ import annotations

import pytest
from session_school import NOW, open_allocations, rows, scans
from sqlalchemy import select

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Assignment, Device
from helpdesk.services.sessions import (
    close_session,
    mark_printed,
    scan_in_session,
    session_status,
    start_session,
)


def _pickup(factory, **scope):  # noqa: ANN001, ANN003, ANN202
    return start_session(factory, "admin", "pickup", now=NOW, **(scope or {"form": "7A"}))


def _scan(factory, ses, code, pending=None, **kw):  # noqa: ANN001, ANN003, ANN202
    return scan_in_session(
        factory, "admin", ses.code, code, pending_student_id=pending, now=NOW, **kw
    )


def test_a_card_then_a_laptop_makes_the_allocation_with_the_agreement(any_school):
    ses = _pickup(any_school)
    assert (ses.kind, ses.expected, ses.done, ses.code) == ("pickup", 4, 0, "SES-000001")
    card = _scan(any_school, ses, "S2001")
    assert card.outcome == "done"
    assert card.sentence == "Gina Green (7A): now scan the laptop."
    assert card.waiting_for == "laptop" and card.pending_student_id == card.student.id
    assert card.session.done == 0  # the card alone marks nothing
    laptop = _scan(any_school, ses, "LAP-0101", card.pending_student_id, agreement="paper")
    assert (laptop.outcome, laptop.sentence) == ("done", "LAP-0101 handed to Gina Green (7A).")
    assert laptop.waiting_for == "student" and laptop.pending_student_id is None
    assert laptop.print_label and laptop.print_agreement and not laptop.print_receipt
    assert laptop.session.done == 1 and laptop.device.status == "assigned"
    assert open_allocations(any_school, tag="LAP-0101") == [("LAP-0101", "S2001")]
    with any_school() as session:
        made = session.get(Assignment, laptop.assignment_id)
        assert (made.agreement, made.agreement_at, made.agreement_printed_at) == (
            "paper",
            NOW,
            None,
        )
    mark_printed(
        any_school, "admin", laptop.assignment_id, label=True, agreement=True, template_id="l7651"
    )
    card = _scan(any_school, ses, "S2002")
    typed = _scan(
        any_school,
        ses,
        "LAP-0102",
        card.pending_student_id,
        agreement="screen",
        agreement_name="Hal Hill",
    )
    assert typed.outcome == "done"
    with any_school() as session:
        made = session.get(Assignment, typed.assignment_id)
        assert (made.agreement, made.agreement_name) == ("screen", "Hal Hill")
    status = session_status(any_school, "admin", ses.code)
    assert [(g.group, g.expected, g.done) for g in status.groups] == [("7A", 4, 2)]
    assert [m.code for m in status.missing] == ["S1001", "S2003"]
    assert [line.outcome for line in status.recent] == ["done"] * 4


def test_a_label_printed_once_is_not_asked_for_again(any_school):
    ses = _pickup(any_school)
    card = _scan(any_school, ses, "S2001")
    first = _scan(any_school, ses, "LAP-0101", card.pending_student_id)
    mark_printed(
        any_school, "admin", first.assignment_id, label=True, agreement=False, template_id="l7651"
    )
    with any_school() as session:
        assert session.get(Assignment, first.assignment_id).agreement_printed_at is None
    _back_to_stock(any_school, "LAP-0101")
    card = _scan(any_school, ses, "S2002")
    again = _scan(any_school, ses, "LAP-0101", card.pending_student_id)
    assert again.outcome == "done"
    assert not again.print_label and again.print_agreement


def _back_to_stock(factory, tag):  # noqa: ANN001, ANN202
    from helpdesk.services.counter.assignments import unassign_device

    unassign_device(factory, "admin", device_code=tag, now=NOW)


def test_repeats_and_students_with_a_laptop_are_already(any_school):
    ses = _pickup(any_school)
    anna = _scan(any_school, ses, "S1001")  # owns LAP-0001 from September
    assert (anna.outcome, anna.sentence) == ("already", "Anna Smith (7A) already has LAP-0001.")
    assert anna.session.done == 1 and anna.waiting_for == "student"
    card = _scan(any_school, ses, "S2001")
    _scan(any_school, ses, "LAP-0101", card.pending_student_id)
    again = _scan(any_school, ses, "S2001")
    assert (again.outcome, again.sentence) == ("already", "Gina Green (7A) already has LAP-0101.")
    assert again.session.done == 2
    assert len(open_allocations(any_school, card="S2001")) == 1


def test_a_student_not_on_the_list_is_unexpected_and_told_where_they_belong(any_school):
    ses = _pickup(any_school)
    dev = _scan(any_school, ses, "S1004")
    assert dev.outcome == "unexpected"
    assert dev.sentence == "Dev Patel is not on this list: they are in 9D (year 9)."
    assert dev.waiting_for == "student" and dev.pending_student_id is None
    assert [line.code for line in session_status(any_school, "admin", ses.code).unexpected] == [
        "S1004"
    ]


@pytest.mark.parametrize(
    ("first", "code", "sentence"),
    [
        (None, "LAP-0101", "Scan the student's card first."),
        (
            "S2001",
            "LAP-0001",
            "LAP-0001 is allocated to Anna Smith (7A) and stays with them; "
            "scan another laptop for Gina Green (7A).",
        ),
        (
            "S2001",
            "LNR-001",
            "LNR-001 is a loan-pool laptop; scan an allocation laptop for Gina Green (7A).",
        ),
        ("S2001", "CHG-001", "CHG-001 is a charger, not a laptop: scan Gina Green (7A)'s laptop."),
        (
            "S2001",
            "LAP-0105",
            "LAP-0105 is set aside for Ivy Ives (7A); scan another laptop for Gina Green (7A).",
        ),
        ("S2003", "LAP-0101", "Ivy Ives (7A) is to get LAP-0105, not LAP-0101."),
        (None, "S1003", "Cara Brown (11C) has left the school; a laptop cannot be handed to them."),
        (None, "NOPE-9", "No student or laptop has the code 'NOPE-9'."),
        ("S2001", "NOPE-9", "No student or laptop has the code 'NOPE-9'."),
    ],
)
def test_each_refusal_is_one_sentence_kept_as_a_problem_and_nothing_else_written(
    any_school, first, code, sentence
):
    ses = _pickup(any_school)
    pending = _scan(any_school, ses, first).pending_student_id if first else None
    before = rows(any_school)
    result = _scan(any_school, ses, code, pending)
    assert (result.outcome, result.sentence) == ("problem", sentence)
    assert rows(any_school) == before  # no allocation, no item marked, nothing half-written
    assert scans(any_school, ses.id)[-1] == (code, "problem", sentence)
    # the station is where it was: still waiting for the same student's laptop, or for a card
    assert result.pending_student_id == pending
    assert result.waiting_for == ("laptop" if pending else "student")
    problems = session_status(any_school, "admin", ses.code).problems
    assert [(p.code, p.sentence) for p in problems] == [(code, sentence)]


def test_the_planned_laptop_is_the_one_given(any_school):
    ses = _pickup(any_school)
    ivy = _scan(any_school, ses, "S2003")
    assert ivy.sentence == "Ivy Ives (7A): now scan the laptop LAP-0105."
    given = _scan(any_school, ses, "LAP-0105", ivy.pending_student_id)
    assert given.outcome == "done"
    assert open_allocations(any_school, card="S2003") == [("LAP-0105", "S2003")]


def test_a_screen_agreement_needs_a_name_and_writes_nothing_without_one(any_school):
    ses = _pickup(any_school)
    card = _scan(any_school, ses, "S2001")
    before = rows(any_school)
    result = _scan(any_school, ses, "LAP-0101", card.pending_student_id, agreement="screen")
    assert (result.outcome, result.sentence) == (
        "problem",
        "Type the name of the person signing the agreement.",
    )
    assert rows(any_school) == before


def test_a_closed_session_refuses_scans_and_a_second_close(any_school):
    ses = _pickup(any_school)
    closed = close_session(any_school, "admin", ses.code, now=NOW)
    assert closed.closed_at == NOW
    before = rows(any_school, leave_out=())
    with pytest.raises(Refused, match=r"^SES-000001 was closed at 10:00 on 05/10/2026; start or "):
        _scan(any_school, ses, "S2001")
    with pytest.raises(Refused, match="was closed"):
        close_session(any_school, "admin", ses.code, now=NOW)
    assert rows(any_school, leave_out=()) == before
    with pytest.raises(NotFound, match=r"^There is no session SES-000042\.$"):
        scan_in_session(any_school, "admin", "SES-000042", "S2001")


def test_starting_needs_exactly_one_list_and_refuses_an_empty_one(any_school):
    with pytest.raises(
        ValidationError,
        match=r"^A pickup's list is a form, a year group or "
        r"everyone: choose one\.$",
    ):
        start_session(any_school, "admin", "pickup", form="7A", year=7)
    with pytest.raises(ValidationError, match="not a place"):
        start_session(any_school, "admin", "pickup", location="Cart A")
    with pytest.raises(Refused, match=r"^No active student is in 12Z; there is nobody to expect"):
        start_session(any_school, "admin", "pickup", form="12Z")
    year = start_session(any_school, "admin", "pickup", year=7, now=NOW)
    everyone = start_session(any_school, "admin", "pickup", everyone=True, now=NOW)
    assert (year.expected, year.name) == (4, "Pickup year 7")
    assert everyone.expected == 6  # Cara has left
    with any_school() as session:
        assert session.scalar(select(Device.id).where(Device.asset_tag == "LAP-0101"))


def test_a_card_not_taken_while_a_student_waits_leaves_them_waiting(any_school):
    ses = _pickup(any_school)
    gina = _scan(any_school, ses, "S2001")
    for code, outcome in (("S1004", "unexpected"), ("S1001", "already"), ("S1003", "problem")):
        other = _scan(any_school, ses, code, gina.pending_student_id)
        assert other.outcome == outcome
        assert (other.waiting_for, other.pending_student_id) == ("laptop", gina.pending_student_id)
    hal = _scan(any_school, ses, "S2002", gina.pending_student_id)  # Hal is served first now
    assert hal.outcome == "done" and hal.pending_student_id != gina.pending_student_id
    given = _scan(any_school, ses, "LAP-0101", gina.pending_student_id)
    assert given.sentence == "LAP-0101 handed to Gina Green (7A)."


def test_the_handout_papers_are_what_the_label_and_form_reads_give(any_school):
    """A station reads its label and agreement for the one allocation it made, and gets what
    the labels area's read and the form's agreements would give for that laptop and student."""
    from helpdesk.services.reporting import documents, slip_data

    ses = _pickup(any_school)
    card = _scan(any_school, ses, "S2001")
    laptop = _scan(any_school, ses, "LAP-0101", card.pending_student_id)
    papers = slip_data.handout_papers(any_school, laptop.assignment_id, label=True, agreement=True)
    assert papers.label == documents.device_for_label(any_school, "LAP-0101")
    assert papers.label is not None and papers.label.student == "Gina Green"
    form = slip_data.handover_agreements(any_school, form="7A")
    assert papers.agreement in form and papers.agreement.card_code == "S2001"
    assert papers.agreement.asset_tag == "LAP-0101"
    only_label = slip_data.handout_papers(
        any_school, laptop.assignment_id, label=True, agreement=False
    )
    assert (only_label.label, only_label.agreement) == (papers.label, None)
    _back_to_stock(any_school, "LAP-0101")  # the allocation ended meanwhile: nothing to print
    gone = slip_data.handout_papers(any_school, laptop.assignment_id, label=True, agreement=True)
    assert (gone.label, gone.agreement) == (None, None)


@pytest.mark.parametrize("what", [(True, True), (True, False), (False, True)])
def test_printed_is_recorded_alike_by_the_two_statement_path_and_the_general_one(
    any_school, monkeypatch, what
):  # noqa: ANN001
    """On PostgreSQL mark_printed takes two statements; the label print, the allocation's time
    and the audit rows are those of the general path (which SQLite takes every time)."""
    from helpdesk.domain.models import AuditEntry, LabelPrint
    from helpdesk.services.sessions import starting

    label, agreement = what
    ses = _pickup(any_school)
    made = []
    for card, tag in (("S2001", "LAP-0101"), ("S2002", "LAP-0102")):
        first = _scan(any_school, ses, card)
        made.append(_scan(any_school, ses, tag, first.pending_student_id).assignment_id)
    quick = starting.quick_mark_printed
    taken: list[bool] = []

    def general(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        taken.append(False)
        return False

    def recorded(assignment_id: int) -> tuple:
        with any_school() as session:
            assignment = session.get(Assignment, assignment_id)
            prints = session.scalars(
                select(LabelPrint).where(LabelPrint.device_id == assignment.device_id)
            ).all()
            print_ids = [p.id for p in prints]
            audit = session.scalars(
                select(AuditEntry).where(AuditEntry.action != "refuse").order_by(AuditEntry.id)
            ).all()
            mine = [
                (a.action, a.entity, a.staff_id, a.at, a.station,
                 (a.before or "").replace(str(assignment_id), "A"),
                 (a.after or "").replace(str(assignment_id), "A"))
                for a in audit
                if (a.entity == "assignments" and a.entity_id == assignment_id and a.action == "update")
                or (a.entity == "label_prints" and a.entity_id in print_ids)
            ]  # fmt: skip
            shown = [(p.template_id, p.printed_at, p.printed_by_id) for p in prints]

            def plain(part: object) -> object:
                if not isinstance(part, str):
                    return part
                part = part.replace(f'"device_id": {assignment.device_id}', '"device_id": D')
                for i in print_ids:
                    part = part.replace(f'"id": {i}', '"id": N')
                return part

            normal = [tuple(plain(part) for part in row) for row in mine]
            return assignment.agreement_printed_at, shown, normal

    def spied(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        taken.append(quick(*args, **kwargs))
        return taken[-1]

    keys = dict(label=label, agreement=agreement, template_id="avery-l7160", now=NOW)
    monkeypatch.setattr(starting, "quick_mark_printed", spied)
    mark_printed(any_school, "admin", made[0], **keys)
    monkeypatch.setattr(starting, "quick_mark_printed", general)
    mark_printed(any_school, "admin", made[1], **keys)
    postgres = any_school.kw["bind"].dialect.name == "postgresql"
    assert taken == [postgres, False]  # PostgreSQL took the two statements, SQLite never
    assert recorded(made[0]) == recorded(made[1])
    at, shown, normal = recorded(made[0])
    assert (at == NOW) == agreement and len(shown) == int(label)
    assert len(normal) == int(label) + int(agreement)
