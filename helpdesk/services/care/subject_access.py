"""Everything held about one student, for a subject access request (a manager's read): their
record, cover periods, allocations, loans, tickets with parts and photos, claims, charges and
payments, and every audit row that concerns them (rows of their own record and of the rows tied
to it, and the counter's refusals that name their card code or name).

Every query is by an indexed column (the student's id, a ticket's or claim's id, the audit log's
entity and id), so one student is read in well under a second on a 100,000-student database.
The answer is plain tables (every column the database holds, by its own name) and the photos'
bytes; :mod:`helpdesk.labels.subject_access` writes them out as CSV files, images and a PDF.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, false, func, or_, select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Claim,
    CoverPeriod,
    Device,
    Loan,
    Payment,
    Scheme,
    Staff,
    Student,
    Ticket,
    TicketPart,
    TicketPhoto,
    table_of,
)
from helpdesk.services.core.codes import loan_code, ticket_code
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, require_reader
from helpdesk.services.core.views import paid_pence_expr

ACTION = "students.subject_access"
students, loans, tickets = table_of(Student), table_of(Loan), table_of(Ticket)
claims, payments, parts = table_of(Claim), table_of(Payment), table_of(TicketPart)
photos, covers, assignments = table_of(TicketPhoto), table_of(CoverPeriod), table_of(Assignment)
devices, audit, staff, schemes = (
    table_of(Device), table_of(AuditEntry), table_of(Staff), table_of(Scheme),
)  # fmt: skip
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
              "image/gif": ".gif", "image/bmp": ".bmp", "image/tiff": ".tif"}  # fmt: skip


@dataclass(frozen=True)
class Section:
    """One kind of record: its file name (``loans`` for loans.csv), its title and its rows."""

    name: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PhotoFile:
    name: str  # e.g. ``TKT-000012-3.jpg``, the file's name under photos/
    data: bytes


@dataclass(frozen=True)
class SubjectAccess:
    student_name: str
    card_code: str
    form: str
    made_at: datetime
    made_by: str
    sections: tuple[Section, ...]
    photos: tuple[PhotoFile, ...]

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "value"):  # an enum
        return str(value.value)
    return str(value)


def _section(
    session: Session, name: str, title: str, query: Any, extra: Sequence[tuple[str, Any]] = ()
) -> tuple[Section, list[Any]]:
    rows: list[Any] = list(session.execute(query))
    columns = tuple(rows[0]._fields) if rows else tuple(c.name for c in query.selected_columns)
    made = tuple(
        tuple(_text(getattr(row, c)) for c in columns) + tuple(_text(fn(row)) for _, fn in extra)
        for row in rows
    )
    return Section(name, title, columns + tuple(h for h, _ in extra), made), rows


def _ids(rows: list[Any]) -> list[int]:
    return [row.id for row in rows]


def _tied(table: Table, column: str, ids: list[int]) -> Any:
    return table.c[column].in_(ids) if ids else false()


def _audit_query(student: Any, tied: dict[str, list[int]]) -> Any:
    """Every audit row about the student: their own record's, their tied rows', and the
    counter's refusals naming their card code or their name."""
    own = [and_(audit.c.entity == "students", audit.c.entity_id == student.id)]
    own += [
        and_(audit.c.entity == entity, audit.c.entity_id.in_(ids))
        for entity, ids in tied.items()
        if ids
    ]
    code = f'"code": {json.dumps(student.card_code)}'
    full = json.dumps(f"{student.first_name} {student.last_name}")[1:-1]
    refusals = and_(
        audit.c.entity == "counter",
        or_(audit.c.after.contains(code, autoescape=True),
            audit.c.after.contains(full, autoescape=True)),
    )  # fmt: skip
    who = staff.alias("who")
    return (
        select(
            audit.c.id,
            audit.c.at,
            who.c.username.label("staff"),
            audit.c.action,
            audit.c.entity,
            audit.c.entity_id,
            audit.c.before,
            audit.c.after,
            audit.c.station,
        )  # fmt: skip
        .outerjoin(who, who.c.id == audit.c.staff_id)
        .where(or_(*own, refusals))
        .order_by(audit.c.at, audit.c.id)
    )


def _gather(session: Session, student: Any) -> tuple[list[Section], list[PhotoFile]]:
    sid = student.id
    sections: list[Section] = []
    record, _ = _section(session, "student", "The student's record",
                         select(students).where(students.c.id == sid))  # fmt: skip
    sections.append(record)
    cover, cover_rows = _section(
        session, "cover_periods", "Insurance cover periods",
        select(covers, schemes.c.name.label("scheme"))
        .join(schemes, schemes.c.id == covers.c.scheme_id)
        .where(covers.c.student_id == sid).order_by(covers.c.starts_on),
    )  # fmt: skip
    allocations, allocation_rows = _section(
        session, "allocations", "Laptops allocated (1:1)",
        select(assignments, devices.c.asset_tag, devices.c.serial)
        .join(devices, devices.c.id == assignments.c.device_id)
        .where(assignments.c.student_id == sid).order_by(assignments.c.started_at),
    )  # fmt: skip
    loan_section, loan_rows = _section(
        session, "loans", "Loans",
        select(loans, devices.c.asset_tag).join(devices, devices.c.id == loans.c.device_id)
        .where(loans.c.student_id == sid).order_by(loans.c.issued_at),
        [("slip", lambda r: loan_code(r.id))],
    )  # fmt: skip
    ticket_section, ticket_rows = _section(
        session, "tickets", "Repair tickets",
        select(tickets, devices.c.asset_tag).join(devices, devices.c.id == tickets.c.device_id)
        .where(tickets.c.student_id == sid).order_by(tickets.c.opened_at),
        [("receipt", lambda r: ticket_code(r.id))],
    )  # fmt: skip
    ticket_ids = _ids(ticket_rows)
    part_section, part_rows = _section(
        session, "ticket_parts", "Parts fitted in their repairs",
        select(parts).where(_tied(parts, "ticket_id", ticket_ids)).order_by(parts.c.id),
    )  # fmt: skip
    photo_columns = [c for c in photos.c if c.name not in ("data", "thumbnail")]
    photo_section, photo_rows = _section(
        session, "photos", "Photos of their repairs (the image files are in photos/)",
        select(*photo_columns).where(_tied(photos, "ticket_id", ticket_ids))
        .order_by(photos.c.id),
        [("file", lambda r: _photo_name(r))],
    )  # fmt: skip
    claim_section, claim_rows = _section(
        session, "claims", "Insurance claims",
        select(*(c for c in claims.c if c.name not in ("charge_pence", "charge_status",
                                                        "waiver_reason", "settled_at")))
        .where(claims.c.student_id == sid).order_by(claims.c.created_at),
    )  # fmt: skip
    paid = paid_pence_expr(claims.c.id)
    charge_section, _ = _section(
        session, "charges", "Charges",
        select(claims.c.id.label("claim_id"), claims.c.ticket_id, claims.c.charge_pence,
               claims.c.charge_status, claims.c.waiver_reason, claims.c.settled_at,
               paid.label("paid_pence"))
        .where(claims.c.student_id == sid).order_by(claims.c.created_at),
    )  # fmt: skip
    claim_ids = _ids(claim_rows)
    payment_section, payment_rows = _section(
        session, "payments", "Payments",
        select(payments).where(_tied(payments, "claim_id", claim_ids)).order_by(payments.c.id),
    )  # fmt: skip
    tied = {
        "loans": _ids(loan_rows), "tickets": ticket_ids, "claims": claim_ids,
        "payments": _ids(payment_rows), "ticket_parts": _ids(part_rows),
        "ticket_photos": _ids(photo_rows), "cover_periods": _ids(cover_rows),
        "assignments": _ids(allocation_rows),
    }  # fmt: skip
    audit_section, _ = _section(
        session, "audit", "The audit trail: every change and refusal about them",
        _audit_query(student, tied),
    )  # fmt: skip
    sections += [cover, allocations, loan_section, ticket_section, part_section, photo_section,
                 claim_section, charge_section, payment_section, audit_section]  # fmt: skip
    files = [
        PhotoFile(_photo_name(row), bytes(row.data))
        for row in session.execute(
            select(
                photos.c.id, photos.c.ticket_id, photos.c.media_type, photos.c.path, photos.c.data
            )
            .where(_tied(photos, "ticket_id", ticket_ids), photos.c.data.is_not(None))
            .order_by(photos.c.id)
        )  # fmt: skip
    ]
    return sections, files


def _photo_name(row: Any) -> str:
    suffix = EXTENSIONS.get(row.media_type or "", "")
    if not suffix and "." in (row.path or ""):
        suffix = "." + row.path.rsplit(".", 1)[1].lower()[:5]
    return f"{ticket_code(row.ticket_id)}-{row.id}{suffix or '.img'}"


def subject_access(
    factory: SessionFactory, actor: str, card_code: str, *, now: datetime | None = None
) -> SubjectAccess:
    """Everything held about the student with ``card_code`` (a manager's read)."""
    code = card_code.strip()
    with read_session(factory) as session:
        reader = require_reader(session, actor, ACTION)
        student = session.execute(select(students).where(students.c.card_code == code)).first()
        if student is None:
            student = session.execute(
                select(students).where(func.lower(students.c.card_code) == code.lower())
            ).first()
        if student is None:
            raise NotFound(f"No student has the card code '{code}'.")
        sections, files = _gather(session, student)
    return SubjectAccess(
        student_name=f"{student.first_name} {student.last_name}",
        card_code=student.card_code,
        form=student.form,
        made_at=now or datetime.now().replace(microsecond=0),
        made_by=reader.display_name,
        sections=tuple(sections),
        photos=tuple(files),
    )
