"""Purging leavers (an admin's action): every student who left before a day is anonymised in
place, or, when they still have an open loan, an open ticket, a laptop assigned or unpaid
charges, skipped and listed with the reasons.

Anonymised means: the name becomes "Former student" / "#12" (12 being the record's id, so the
same person is the same number everywhere), the card code a placeholder no scan can produce,
the photos of their tickets are deleted, their name and card code are taken out of the free
text of their loans, tickets, parts, claims and payments and of the notes of the laptops they
used, and out of every audit row (see :mod:`helpdesk.services.care.scrub`). Their loans,
tickets, claims, charges, payments, cover periods and assignments stay, tied to the anonymous
record, so the school's counts do not change. The purge writes one audit row of its own, with
counts and the day only. On SQLite the file is then compacted (VACUUM) and its write-ahead log
emptied, so the old values are gone from the file's bytes too.

Without ``apply`` nothing is written: the same counts and the same skipped leavers, read only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.orm import Session

from helpdesk.db import compact_sqlite
from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import CLOSED_TICKET_STATES, ChargeStatus, StudentStatus
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Claim,
    CoverPeriod,
    Device,
    Loan,
    Payment,
    Student,
    Ticket,
    TicketPart,
    TicketPhoto,
    table_of,
)
from helpdesk.services.care.retention import not_purged
from helpdesk.services.care.scrub import (
    FORMER,
    Person,
    audit_writable,
    clean_audit,
    clean_rows,
    former_code,
)
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    now_of,
    read_session,
    require_reader,
    unit_of_work,
)
from helpdesk.services.core.views import paid_pence_expr

ACTION = "students.purge"
CHUNK = 500
students, loans, tickets = table_of(Student), table_of(Loan), table_of(Ticket)
claims, payments, parts = table_of(Claim), table_of(Payment), table_of(TicketPart)
photos, covers, assignments = table_of(TicketPhoto), table_of(CoverPeriod), table_of(Assignment)
devices = table_of(Device)


@dataclass(frozen=True)
class SkippedLeaver:
    """A leaver the purge leaves alone, and why."""

    name: str
    card_code: str
    form: str
    left_on: date | None
    reasons: tuple[str, ...]

    @property
    def line(self) -> str:
        """``Cara Brown (S1003, 11C, left 20/07/2026): an open loan; unpaid charges of £85.00``."""
        left = f", left {self.left_on:%d/%m/%Y}" if self.left_on else ""
        return f"{self.name} ({self.card_code}, {self.form}{left}): {'; '.join(self.reasons)}"


@dataclass(frozen=True)
class PurgeOutcome:
    """What a purge did (or, as a dry run, would do): counts only, and the leavers skipped."""

    left_before: date
    applied: bool
    students: int  # leavers anonymised (or to be)
    loans: int  # their loans, kept on the anonymous record
    tickets: int
    claims: int
    photos: int  # photos deleted (or to be)
    skipped: tuple[SkippedLeaver, ...]
    texts: int = 0  # rows whose free text named them, rewritten
    audit_rows: int = 0  # audit rows that named them, rewritten
    compacted: bool | None = None  # SQLite: the file compacted and its log emptied

    def counts(self) -> dict[str, Any]:
        """The counts the purge's own audit row keeps (no name, no code)."""
        return {
            "left_before": self.left_before.isoformat(),
            "students": self.students,
            "skipped": len(self.skipped),
            "loans": self.loans,
            "tickets": self.tickets,
            "claims": self.claims,
            "photos_deleted": self.photos,
            "texts_rewritten": self.texts,
            "audit_rows_rewritten": self.audit_rows,
        }


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _per_student(session: Session, table: Table, ids: Sequence[int], *where: Any) -> dict[int, int]:
    """How many rows of ``table`` each of the students ``ids`` has (matching ``where``)."""
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        rows = session.execute(
            select(table.c.student_id, func.count())
            .where(table.c.student_id.in_(chunk), *where)
            .group_by(table.c.student_id)
        ).all()
        found.update({int(sid): int(n) for sid, n in rows})
    return found


def _unpaid(session: Session, ids: Sequence[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(ids):
        owed = func.sum(claims.c.charge_pence - paid_pence_expr(claims.c.id))
        rows = session.execute(
            select(claims.c.student_id, owed)
            .where(claims.c.student_id.in_(chunk), claims.c.charge_status == ChargeStatus.DUE)
            .group_by(claims.c.student_id)
        ).all()
        found.update({int(sid): int(n) for sid, n in rows if n and n > 0})
    return found


def _reasons(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    open_loans = _per_student(session, loans, ids, loans.c.returned_at.is_(None))
    open_tickets = _per_student(session, tickets, ids, tickets.c.state.not_in(CLOSED_TICKET_STATES))
    laptops = _per_student(session, assignments, ids, assignments.c.ended_at.is_(None))
    unpaid = _unpaid(session, ids)
    reasons: dict[int, list[str]] = {}
    for sid in ids:
        found = []
        if n := open_loans.get(sid):
            found.append("an open loan" if n == 1 else f"{n} open loans")
        if n := open_tickets.get(sid):
            found.append("an open repair ticket" if n == 1 else f"{n} open repair tickets")
        if laptops.get(sid):
            found.append("a laptop still assigned")
        if pence := unpaid.get(sid):
            found.append(f"unpaid charges of £{pence / 100:,.2f}")
        if found:
            reasons[sid] = found
    return reasons


def _plan(session: Session, left_before: date) -> tuple[list[Any], list[SkippedLeaver]]:
    """The leavers to purge (rows of ``students``) and those skipped, with why."""
    leavers = session.execute(
        select(students)
        .where(
            students.c.status == StudentStatus.LEFT,
            students.c.left_on < left_before,
            not_purged(),
        )
        .order_by(students.c.id)
    ).all()
    reasons = _reasons(session, [row.id for row in leavers])
    skipped = [
        SkippedLeaver(
            f"{row.first_name} {row.last_name}",
            row.card_code,
            row.form,
            row.left_on,
            tuple(reasons[row.id]),
        )  # fmt: skip
        for row in leavers
        if row.id in reasons
    ]
    return [row for row in leavers if row.id not in reasons], skipped


def _ticket_ids(session: Session, ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(ids):
        found += session.scalars(select(tickets.c.id).where(tickets.c.student_id.in_(chunk)))
    return found


def _count(session: Session, table: Table, column: str, ids: Sequence[int]) -> int:
    return sum(
        int(session.scalar(select(func.count()).where(table.c[column].in_(chunk))) or 0)
        for chunk in _chunks(ids)
    )


def _outcome(
    session: Session, left_before: date, chosen: list[Any], skipped: list[SkippedLeaver]
) -> PurgeOutcome:
    ids = [row.id for row in chosen]
    return PurgeOutcome(
        left_before=left_before,
        applied=False,
        students=len(ids),
        loans=_count(session, loans, "student_id", ids),
        tickets=_count(session, tickets, "student_id", ids),
        claims=_count(session, claims, "student_id", ids),
        photos=_count(session, photos, "ticket_id", _ticket_ids(session, ids)),
        skipped=tuple(skipped),
    )


def _ids(session: Session, table: Table, column: str, values: Sequence[int]) -> list[int]:
    if not values:
        return []
    return list(session.scalars(select(table.c.id).where(table.c[column].in_(values))))


def _anonymise(session: Session, row: Any, own_rows: dict[tuple[str, int], int]) -> int:
    """Take one student out of their records; the number of free-text rows rewritten."""
    person = Person(row.id, row.first_name, row.last_name, row.card_code)
    sid = row.id
    ticket_ids = _ids(session, tickets, "student_id", [sid])
    claim_ids = _ids(session, claims, "student_id", [sid])
    tied = {
        "students": [sid],
        "loans": _ids(session, loans, "student_id", [sid]),
        "tickets": ticket_ids,
        "claims": claim_ids,
        "payments": _ids(session, payments, "claim_id", claim_ids),
        "ticket_parts": _ids(session, parts, "ticket_id", ticket_ids),
        "ticket_photos": _ids(session, photos, "ticket_id", ticket_ids),
        "cover_periods": _ids(session, covers, "student_id", [sid]),
        "assignments": _ids(session, assignments, "student_id", [sid]),
    }
    for entity, ids in tied.items():
        own_rows.update({(entity, i): sid for i in ids})
    texts = 0
    for table, key in ((loans, "loans"), (tickets, "tickets"), (claims, "claims"),
                       (payments, "payments"), (parts, "ticket_parts")):  # fmt: skip
        if tied[key]:
            texts += clean_rows(session, table, table.c.id.in_(tied[key]), person)
    used: set[int] = set()
    for table in (loans, tickets, assignments):
        used.update(session.scalars(select(table.c.device_id).where(table.c.student_id == sid)))
    if used:
        texts += clean_rows(session, devices, devices.c.id.in_(sorted(used)), person, own=False)
    if tied["ticket_photos"]:
        session.execute(delete(photos).where(photos.c.id.in_(tied["ticket_photos"])))
    session.execute(
        update(students)
        .where(students.c.id == sid)
        .values(first_name=FORMER, last_name=f"#{sid}", card_code=former_code(sid))
    )
    return texts


def purge_leavers(
    factory: SessionFactory,
    actor: str,
    left_before: date,
    *,
    apply: bool = False,
    now: datetime | None = None,
) -> PurgeOutcome:
    """Purge the leavers who left before ``left_before`` (``apply``), or say what a purge would
    do (the default: nothing is written)."""
    if not apply:
        with read_session(factory) as session:
            require_reader(session, actor, ACTION)
            chosen, skipped = _plan(session, left_before)
            return _outcome(session, left_before, chosen, skipped)
    with unit_of_work(factory, actor, action="students.purge", now=now) as session:
        session.info["audit_disabled"] = True  # the ORM's log would copy the names it removes
        chosen, skipped = _plan(session, left_before)
        planned = _outcome(session, left_before, chosen, skipped)
        own_rows: dict[tuple[str, int], int] = {}
        texts = sum(_anonymise(session, row, own_rows) for row in chosen)
        people = [Person(r.id, r.first_name, r.last_name, r.card_code) for r in chosen]
        rewritten = 0
        if people:
            with audit_writable(session):
                rewritten = clean_audit(session, people, own_rows)
        done = replace(planned, applied=True, texts=texts, audit_rows=rewritten)
        staff = session.info.get("staff")
        row = audit_row(
            now_of(session), staff.id if staff else None, "update", "purge", None, None,
            done.counts(),
        )  # fmt: skip
        session.execute(insert(AuditEntry), [row])
    compacted = compact_sqlite(factory.kw["bind"])
    return replace(done, compacted=compacted)
