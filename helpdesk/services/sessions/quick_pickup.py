"""A pickup station's two scans, a student's card and then their laptop, as a few plain SQL
statements: everything the scan decides on in one query (quick_rows.py; on a laptop scan the
student's and the laptop's rows locked, in that order), then the scan row, the allocation with
its agreement, the laptop's status, the item done and the audit rows; on PostgreSQL the writes
and the word to the other stations are one statement, so a scan costs two round trips.

Only scanning.py calls this, from inside ``scan_in_session``, the one entry of a scan. It
decides only what the general path (pickup.py) would decide, in the same order and words, and
writes the same rows and audit rows (tests/sessions/test_quick_pickup.py). Anything else (a
code in the other letter case, a card while a student waits for a laptop, another kind of
session, a closed one, an item another station has just done...) answers ``None`` and the
general path decides, so the two never disagree. A lost race writes nothing: on PostgreSQL the
item is marked only if the laptop and the student are still free, and when it is not the whole
transaction rolls back before the general path runs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import (
    DeviceKind,
    DevicePool,
    DeviceStatus,
    StaffRole,
    StudentStatus,
)
from helpdesk.services.core.permissions import needed
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.counter.assignments import AGREEMENTS
from helpdesk.services.counter.quick_loans import audit_rows
from helpdesk.services.sessions.common import ScanOptions, info_of
from helpdesk.services.sessions.quick_handin import quick_device_scan
from helpdesk.services.sessions.quick_rows import (
    MARK,
    MARK_MUST,
    READ,
    SET_STATUS,
    assignments,
    device_of,
    scans,
    student_of,
    write_marked,
)
from helpdesk.services.sessions.shapes import ScanResult

_kinds: dict[tuple[str, int], str] = {}  # each session's kind (by database), once read


class _Lost(Exception):
    """Another station got there first: roll back and let the general path say so."""


def quick_scan(
    factory: SessionFactory,
    actor: str,
    number: int,
    text: str,
    options: ScanOptions,
    now: datetime | None,
) -> ScanResult | None:
    """The scan as ``scan_in_session`` makes it, or ``None`` when it is not the plain case."""
    where = (str(factory.kw["bind"].url), number)
    if not text or needed("session.scan") is not StaffRole.COUNTER:
        return None
    kind = _kinds.get(where, "pickup")
    if kind != "pickup":
        return quick_device_scan(factory, actor, number, kind, text, options, now)
    laptop = options.pending_student_id is not None
    moment = now or datetime.now().replace(microsecond=0)
    try:
        with unit_of_work(factory, None, action="session.scan", now=moment) as session:
            conn = session.connection()
            query = READ.get((conn.dialect.name, laptop))
            if query is None:
                return None
            keys = {"actor": actor, "session": number, "code": text}
            keys |= {"student": options.pending_student_id, "may_sign": _may_sign(options)}
            found = conn.execute(query, keys).first()
            if found is None or not found.staff_active or found.closed_at is not None:
                return None  # the general path names what is missing or closed
            _kinds[where] = found.kind
            if found.kind != "pickup":
                return None
            if found.student_id is None:
                return None  # not a card as typed: the general path looks further
            decided = _laptop(found, text, options) if laptop else _card(found)
            if decided is None:
                return None
            return _write(conn, found, text, options, moment, *decided)
    except (_Lost, IntegrityError):
        return None


def _may_sign(options: ScanOptions) -> bool:
    if options.agreement == "screen":
        return bool((options.agreement_name or "").strip())
    return options.agreement == "paper"


Decision = tuple[str, str, dict[str, Any]]  # outcome, sentence, what else it does


def _who(row: Any) -> str:
    return f"{row.first_name} {row.last_name} ({row.form})"


def _card(row: Any) -> Decision | None:
    """A card with no student waiting (pickup.py's ``_student``)."""
    who = _who(row)
    if row.student_status is StudentStatus.LEFT:
        return "problem", f"{who} has left the school; a laptop cannot be handed to them.", {}
    seen = {"student": True, "waiting_for": "student"}
    if row.item_id is None:
        return (
            "unexpected",
            f"{row.first_name} {row.last_name} is not on this list: they are in {row.form} "
            f"(year {row.year_group}).",
            seen,
        )
    if row.held is not None:
        return "already", f"{who} already has {row.held}.", seen | {"mark": MARK}
    if row.item_done_at is not None:
        return "already", f"{who} has been done already.", seen
    wanted = f"the laptop {row.planned_tag}" if row.planned_tag else "the laptop"
    return "done", f"{who}: now scan {wanted}.", seen | {"waiting_for": "laptop"}


def _laptop(row: Any, text: str, options: ScanOptions) -> Decision | None:
    """The laptop for the student waiting (pickup.py's ``_laptop`` and make_assignment)."""
    who, tag = _who(row), row.asset_tag
    if row.status is not DeviceStatus.IN_STOCK:
        # the laptop's row is as it is now, but what the query read beside it may be as it was
        # before another station's allocation that it waited for: the general path reads again
        return None
    seen = {"student": True, "device": True, "waiting_for": "student"}
    if row.item_id is None:
        return "unexpected", f"{who} is not on this list; scan a student card first.", seen
    if row.student_status is StudentStatus.LEFT:
        return "problem", f"{who} has left the school; a laptop cannot be handed to them.", {}
    if row.device_kind is not DeviceKind.LAPTOP:
        return (
            "problem",
            f"{tag} is a {row.device_kind.value}, not a laptop: scan {who}'s laptop.",
            {},
        )
    if row.held is not None:
        return "already", f"{who} already has {row.held}.", seen | {"mark": MARK}
    if row.pool is DevicePool.LOAN:
        return "problem", f"{tag} is a loan-pool laptop; scan an allocation laptop for {who}.", {}
    if row.holder is not None:
        return "problem", (
            f"{tag} is allocated to {row.holder} and stays with them; "
            f"scan another laptop for {who}."
        ), {}  # fmt: skip
    other_device = row.planned_id is not None and row.planned_id != row.device_id
    other_student = row.set_aside_id is not None and row.set_aside_id != row.student_id
    if other_device and other_student:
        return None  # the general path says whichever it meets first
    if other_device:
        return "problem", f"{who} is to get {row.planned_tag}, not {tag}.", {}
    if other_student:
        name = row.set_aside_for or "another student"
        return "problem", f"{tag} is set aside for {name}; scan another laptop for {who}.", {}
    if options.agreement not in AGREEMENTS:
        return "problem", f"'{options.agreement}' is not a way to sign (paper or screen).", {}
    if options.agreement == "screen" and not (options.agreement_name or "").strip():
        return "problem", "Type the name of the person signing the agreement.", {}
    if row.item_done_at is not None:
        return None  # done by another station: the general path undoes and says so
    return "done", f"{tag} handed to {who}.", seen | {"mark": MARK_MUST, "allocate": True}


def _write(
    conn: Connection,
    row: Any,
    text: str,
    options: ScanOptions,
    moment: datetime,
    outcome: str,
    sentence: str,
    does: dict[str, Any],
) -> ScanResult:
    postgres = conn.dialect.name == "postgresql"
    staff_id = row.staff_id
    mark = does.get("mark")
    station = options.station
    scan: dict[str, Any] = {
        "session_id": row.id,
        "at": moment,
        "staff_id": staff_id,
        "station": (station or None) and station[:64],
        "code": text[:64],
        "outcome": outcome,
        "sentence": sentence,
        "item_id": row.item_id if mark is not None else None,
        "student_id": row.student_id if does.get("student") else None,
        "device_id": row.device_id if does.get("device") else None,
    }
    assignment: dict[str, Any] | None = None
    if does.get("allocate"):
        name = (options.agreement_name or "").strip()
        assignment = {
            "device_id": row.device_id,
            "student_id": row.student_id,
            "started_at": moment,
            "ended_at": None,
            "agreement": options.agreement,
            "agreement_name": name[:100] or None,
            "agreement_at": moment,
            "agreement_printed_at": None,
            "returned_condition": None,
            "returned_missing": None,
        }
    params: dict[str, Any] = {"item": row.item_id, "to": DeviceStatus.ASSIGNED}
    marked = False
    if postgres:
        scan["id"] = row.next_scan
        if assignment is not None:
            if row.next_assignment is None:
                raise _Lost  # not expected: the read said the laptop may not be handed over
            assignment["id"] = row.next_assignment
    else:
        if assignment is not None:
            assignment["id"] = _insert(conn, assignments.insert(), assignment)
            conn.execute(SET_STATUS, {"a_device_id": row.device_id, "to": DeviceStatus.ASSIGNED})
        scan["id"] = _insert(conn, scans.insert(), scan)
        if mark is not None:
            keys = {"item": row.item_id, "s_at": moment, "s_id": scan["id"]}
            marked = bool(conn.execute(MARK, keys).all())
    # the rows the ORM's hook writes for the same scan: the allocation's flush, then the scan's
    audit = []
    if assignment is not None:
        audit.append(audit_row(moment, staff_id, "insert", "assignments", assignment["id"],
                               None, assignment))  # fmt: skip
        audit.append(audit_row(moment, staff_id, "update", "devices", row.device_id,
                               {"status": row.status}, {"status": DeviceStatus.ASSIGNED}))  # fmt: skip
    audit.append(audit_row(moment, staff_id, "insert", "session_scans", scan["id"], None, scan))
    if postgres:
        params |= {f"s_{k}": v for k, v in scan.items()}
        params |= {f"a_{k}": v for k, v in (assignment or {}).items()}
        params |= {f"{k}_{n}": v for n, entry in enumerate(audit) for k, v in entry.items()}
        marked = write_marked(
            conn, len(audit), allocate=assignment is not None, mark=mark, params=params
        )
    else:
        conn.execute(audit_rows(len(audit)), {f"{k}_{n}": v for n, entry in enumerate(audit)
                                               for k, v in entry.items()})  # fmt: skip
    if mark is MARK_MUST and not marked:
        raise _Lost
    return _result(row, text, outcome, sentence, does, options, assignment, marked)


def _insert(conn: Connection, statement: Any, values: dict[str, Any]) -> int:
    key = conn.execute(statement, values)
    primary = key.inserted_primary_key
    assert primary is not None  # an insert of one row
    return int(primary[0])


def _result(
    row: Any,
    text: str,
    outcome: str,
    sentence: str,
    does: dict[str, Any],
    options: ScanOptions,
    assignment: dict[str, Any] | None,
    marked: bool,
) -> ScanResult:
    """The answer as scanning.py's ``_result`` (and ``_keep`` for a problem) builds it."""
    student = student_of(row)
    device = None
    if does.get("device"):
        status = DeviceStatus.ASSIGNED if assignment is not None else row.status
        device = device_of(row, status)
    pending = options.pending_student_id
    waiting = does.get("waiting_for", "laptop" if pending is not None else "student")
    if outcome == "problem":
        shown = student if pending is not None else None
    else:
        shown = student if does.get("student") else None
        pending = row.student_id if waiting == "laptop" else None
    session = info_of(row, (int(row.expected), int(row.done) + int(marked)), row.started_by)
    return ScanResult(
        outcome=outcome,  # type: ignore[arg-type]
        sentence=sentence,
        code=text,
        waiting_for=waiting,
        pending_student_id=pending,
        student=shown,
        device=device,
        assignment_id=assignment["id"] if assignment is not None else None,
        ticket_id=None,
        print_label=assignment is not None and not row.labelled,
        print_agreement=assignment is not None,
        print_receipt=False,
        session=session,
    )
