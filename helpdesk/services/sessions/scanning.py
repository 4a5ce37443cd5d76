"""One scan at one station: :func:`scan_in_session` reads the session, hands the code to its
kind (pickup, hand-in, stocktake), writes the scan row and marks the item done, all in one
transaction. A pickup scan in the plain case is made by quick_pickup.py in a few plain
statements first, with the same outcome, rows and audit rows.

A refusal (any HelpdeskError of the kind's rules) rolls that transaction back, so nothing is
half-written, and is then kept as a "problem" scan row with its sentence in a transaction of its
own, so it shows in the progress at every station. The same happens when the item turns out to
be done by another station at the same moment: the action is undone and an "already" row is
kept. An unknown or closed session is not a scan: it raises (the caller's one-line failure).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from helpdesk.domain.errors import HelpdeskError, ValidationError
from helpdesk.domain.models import ScanSession, Student
from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import device_summary, student_summary
from helpdesk.services.sessions.common import (
    Draft,
    ScanOptions,
    find_session,
    mark_done,
    session_id_of,
    session_info,
    write_scan,
)
from helpdesk.services.sessions.handin import scan_handin
from helpdesk.services.sessions.pickup import scan_pickup
from helpdesk.services.sessions.quick_pickup import quick_scan
from helpdesk.services.sessions.shapes import Outcome, ScanResult
from helpdesk.services.sessions.stocktake import scan_stocktake

Handler = Callable[[Session, ScanSession, str, ScanOptions], Draft]
HANDLERS: dict[str, Handler] = {
    "pickup": scan_pickup,
    "handin": scan_handin,
    "stocktake": scan_stocktake,
}


class _Undo(Exception):
    """Roll the scan's transaction back and keep only a scan row with this outcome."""

    def __init__(self, outcome: Outcome, sentence: str) -> None:
        super().__init__(sentence)
        self.outcome: Outcome = outcome
        self.sentence = sentence


def scan_in_session(
    factory: SessionFactory,
    actor: str,
    session_code: str,
    code: str,
    *,
    pending_student_id: int | None = None,
    agreement: str = "paper",
    agreement_name: str | None = None,
    condition: str = "good",
    missing: Iterable[str] = (),
    station: str | None = None,
    now: datetime | None = None,
) -> ScanResult:
    """Act on one scanned ``code`` in the session (see the module's docstring); the answer says
    what happened, what the station expects next and the session's counts after it."""
    number = session_id_of(session_code)
    text = (code or "").strip()
    options = ScanOptions(
        pending_student_id=pending_student_id,
        agreement=agreement,
        agreement_name=agreement_name,
        condition=condition,
        missing=tuple(missing),
        station=station,
    )
    quick = quick_scan(factory, actor, number, text, options, now)
    if quick is not None:  # a pickup scan in the plain case: a few plain statements
        return quick
    try:
        with unit_of_work(factory, actor, action="session.scan", now=now) as session:
            row = find_session(session, number, must_be_open=True)
            try:
                if not text:
                    raise ValidationError("Scan a code first.")
                draft = HANDLERS[row.kind](session, row, text, options)
            except PermissionRefused:
                raise
            except HelpdeskError as exc:
                raise _Undo("problem", str(exc)) from exc
            scan = write_scan(
                session,
                row,
                text,
                draft.outcome,
                draft.sentence,
                station=station,
                item_id=draft.item_id,
                student_id=draft.student.id if draft.student else None,
                device_id=draft.device.id if draft.device else None,
            )
            if draft.item_id is not None and draft.mark is not None:
                if not mark_done(session, draft.item_id, scan.id) and draft.mark == "must":
                    raise _Undo("already", draft.already or f"{text} was done already.")
            return _result(session, row, text, draft)
    except _Undo as undo:
        return _keep(factory, actor, number, text, undo, options, now)


def _keep(
    factory: SessionFactory,
    actor: str,
    number: int,
    text: str,
    undo: _Undo,
    options: ScanOptions,
    now: datetime | None,
) -> ScanResult:
    """The refused (or lost) scan kept as its own row, after the scan's transaction rolled back."""
    with unit_of_work(factory, actor, action="session.scan", now=now) as session:
        row = find_session(session, number, must_be_open=True)
        write_scan(session, row, text or "?", undo.outcome, undo.sentence, station=options.station)
        draft = Draft(undo.outcome, undo.sentence)
        if row.kind == "pickup" and undo.outcome == "problem":
            # a refused scan leaves the station where it was: still waiting for this student's
            # laptop, or for a card
            pending = options.pending_student_id
            draft.waiting_for = "laptop" if pending is not None else "student"
            draft.pending_student_id = pending
            draft.student = session.get(Student, pending) if pending is not None else None
        elif row.kind == "pickup":
            draft.waiting_for = "student"
        return _result(session, row, text, draft)


def _result(session: Session, row: ScanSession, text: str, draft: Draft) -> ScanResult:
    return ScanResult(
        outcome=draft.outcome,
        sentence=draft.sentence,
        code=text,
        waiting_for=draft.waiting_for,
        pending_student_id=draft.pending_student_id,
        student=student_summary(draft.student) if draft.student else None,
        device=device_summary(draft.device) if draft.device else None,
        assignment_id=draft.assignment_id,
        ticket_id=draft.ticket_id,
        print_label=draft.print_label,
        print_agreement=draft.print_agreement,
        print_receipt=draft.print_receipt,
        session=session_info(session, row),
    )
