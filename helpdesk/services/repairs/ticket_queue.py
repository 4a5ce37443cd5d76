"""The bench's reads: the ticket queue (by state, technician and vendor, age in school days,
counts per state) and everything the ticket page shows in one read, with the ticket's history in
sentences. The bench's actions are in ``tickets``, ``bench_actions`` and ``cover_periods``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select

from helpdesk.domain.enums import (
    ALLOWED_TRANSITIONS,
    CLOSED_TICKET_STATES,
    DamageCategory,
    DeviceKind,
    DeviceStatus,
    TicketState,
)
from helpdesk.domain.errors import ValidationError
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Closure,
    Device,
    Staff,
    Ticket,
)
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import find_ticket
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.core.views import (
    HistoryRow,
    TicketInfo,
    claim_of,
    money,
    student_label,
    ticket_info,
    unpaid_pence,
)
from helpdesk.services.records.history import device_rows
from helpdesk.services.reporting.reports import school_days_after

OLD_AFTER_SCHOOL_DAYS = 5  # older than this stands out on the queue
STATE_ORDER = tuple(TicketState)


@dataclass(frozen=True)
class QueueRow:
    id: int
    code: str
    asset_tag: str
    model: str
    student: str  # "Anna Smith (7A)" or ""
    category: DamageCategory
    state: TicketState
    technician: str
    vendor: str
    rma_number: str
    opened_at: datetime
    state_changed_at: datetime
    age_school_days: int  # school days since it was logged (weekends and closures left out)
    warranty: bool

    @property
    def is_old(self) -> bool:
        return self.age_school_days > OLD_AFTER_SCHOOL_DAYS


@dataclass(frozen=True)
class TicketQueue:
    rows: tuple[QueueRow, ...]
    counts: tuple[
        tuple[TicketState, int], ...
    ]  # open tickets per state, lifecycle order (all states)
    technicians: tuple[str, ...]  # usernames with an open ticket (for the filter)
    vendors: tuple[str, ...]  # vendors of open tickets (for the filter)
    old: int  # open tickets older than OLD_AFTER_SCHOOL_DAYS

    @property
    def open_total(self) -> int:
        return sum(n for _state, n in self.counts)


def _closures(session, start: date, end: date) -> set[date]:  # noqa: ANN001
    return set(session.scalars(select(Closure.day).where(Closure.day > start, Closure.day <= end)))


def ticket_queue(
    factory: SessionFactory,
    *,
    state: str | None = None,
    technician: str | None = None,
    vendor: str | None = None,
    include_closed: bool = False,
    today: date | None = None,
    limit: int = 2000,
) -> TicketQueue:
    """Tickets oldest first: open ones (or all with ``include_closed``), filtered by state,
    technician username ("" = nobody yet) and vendor ("" = none). Counts are of every open ticket
    (the filters narrow the rows only), so the chips always show the whole bench."""
    if state is not None:
        try:
            TicketState(state)
        except ValueError:
            names = ", ".join(s.value for s in TicketState)
            raise ValidationError(
                f"'{state}' is not a ticket state; use one of: {names}."
            ) from None
    today = today or datetime.now().date()
    with read_session(factory) as session:
        open_filter = Ticket.state.not_in(CLOSED_TICKET_STATES)
        counted = Counter(
            {
                TicketState(s): int(n)
                for s, n in session.execute(
                    select(Ticket.state, func.count(Ticket.id))
                    .where(open_filter)
                    .group_by(Ticket.state)
                )
            }
        )
        technicians = tuple(
            session.scalars(
                select(Staff.username)
                .join(Ticket, Ticket.technician_id == Staff.id)
                .where(open_filter)
                .distinct()
                .order_by(Staff.username)
            )
        )
        vendors = tuple(
            session.scalars(
                select(Ticket.vendor)
                .where(open_filter, Ticket.vendor != "")
                .distinct()
                .order_by(Ticket.vendor)
            )
        )
        query = select(Ticket).outerjoin(Staff, Staff.id == Ticket.technician_id)
        if state is not None:
            query = query.where(Ticket.state == TicketState(state))
        elif not include_closed:
            query = query.where(open_filter)
        if technician is not None:
            query = query.where(
                Ticket.technician_id.is_(None) if technician == "" else Staff.username == technician
            )
        if vendor is not None:
            query = query.where(Ticket.vendor == vendor)
        # the newest ``limit`` tickets (closed ones pile up over the years), shown oldest first
        newest = query.order_by(Ticket.opened_at.desc(), Ticket.id.desc()).limit(limit)
        tickets = list(reversed(session.scalars(newest).all()))
        oldest = min((t.opened_at.date() for t in tickets), default=today)
        closed = _closures(session, oldest, today)
        rows = []
        for t in tickets:
            end = (t.closed_at or datetime.combine(today, datetime.min.time())).date()
            age = school_days_after(t.opened_at.date(), min(end, today), closed)
            rows.append(
                QueueRow(
                    id=t.id,
                    code=ticket_code(t.id),
                    asset_tag=t.device.asset_tag,
                    model=f"{t.device.make} {t.device.model}".strip(),
                    student=student_label(t.student) if t.student else "",
                    category=t.damage_category,
                    state=t.state,
                    technician=t.technician.username if t.technician else "",
                    vendor=t.vendor,
                    rma_number=t.rma_number,
                    opened_at=t.opened_at,
                    state_changed_at=t.state_changed_at,
                    age_school_days=age,
                    warranty=t.warranty,
                )
            )
        open_dates = session.scalars(select(Ticket.opened_at).where(open_filter)).all()
        first = min((d.date() for d in open_dates), default=today)
        all_closed = _closures(session, first, today)
        old = sum(
            1
            for d in open_dates
            if school_days_after(d.date(), today, all_closed) > OLD_AFTER_SCHOOL_DAYS
        )
    counts = tuple((s, counted.get(s, 0)) for s in STATE_ORDER if s.is_open)
    return TicketQueue(tuple(rows), counts, technicians, vendors, old)


# --- the ticket page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketEvent:
    at: datetime
    who: str
    text: str


def _pounds(pence: int | str | None) -> str:
    return money(int(pence or 0))


def _state_label(value: object) -> str:
    return str(value or "").replace("_", " ")


def _ticket_update(old: dict, new: dict, names: dict[int, str]) -> list[str]:
    lines = []
    if "state" in new:
        lines.append(f"Moved from {_state_label(old.get('state'))} to {_state_label(new['state'])}")
    if "technician_id" in new and new["technician_id"] is not None:
        lines.append(f"Technician {names.get(new['technician_id'], '?')}")
    if "diagnosis" in new:
        before = str(old.get("diagnosis") or "")
        added = str(new["diagnosis"] or "")[len(before) :].strip()
        if added:
            lines.append(f"Note: {added.split(': ', 1)[-1]}")
    if "vendor" in new or "rma_number" in new:
        vendor = new.get("vendor", old.get("vendor")) or ""
        rma = new.get("rma_number")
        lines.append(
            f"Vendor {vendor}" + (f", RMA {rma}" if rma else "") if vendor else f"RMA {rma}"
        )
    if "warranty" in new:
        lines.append("Marked as a warranty repair" if new["warranty"] else "Not a warranty repair")
    if "minutes_spent" in new:
        spent = int(new["minutes_spent"] or 0) - int(old.get("minutes_spent") or 0)
        lines.append(f"{spent} min on the bench (total {new['minutes_spent']} min)")
    return lines


def _describe(entry: AuditEntry, names: dict[int, str]) -> str:
    old = json.loads(entry.before) if entry.before else {}
    new = json.loads(entry.after) if entry.after else {}
    if entry.entity == "tickets":
        if entry.action == "insert":
            what = _state_label(new.get("damage_category")).replace("hinge ports", "hinge / ports")
            return f"Booked in: {what}, {new.get('fault', '')}"
        return "; ".join(_ticket_update(old, new, names))
    if entry.entity == "ticket_parts" and entry.action == "insert":
        quantity = int(new.get("quantity") or 1)
        cost = _pounds(new.get("unit_cost_pence"))
        return f"Part added: {new.get('description', '')} x{quantity} at {cost}"
    if entry.entity == "ticket_photos" and entry.action == "insert":
        return f"Photo added: {str(new.get('path', '')).rsplit('/', 1)[-1]}"
    if entry.entity == "claims":
        if entry.action == "insert":
            return f"Charge {_pounds(new.get('charge_pence'))}: {new.get('rule', '')}"
        status = new.get("charge_status")
        if status == "paid":
            return "Payment recorded"
        if status == "waived":
            return f"Charge waived: {new.get('waiver_reason') or old.get('waiver_reason') or ''}"
    return ""


def ticket_events(
    session,  # noqa: ANN001
    ticket_id: int,
    related: dict[str, list[int]],
) -> tuple[TicketEvent, ...]:
    """The ticket's history, one line a person can read per change, newest first."""
    wanted = [(AuditEntry.entity == "tickets") & (AuditEntry.entity_id == ticket_id)]
    for table, ids in related.items():
        if ids:
            wanted.append((AuditEntry.entity == table) & AuditEntry.entity_id.in_(ids))
    names = {row[0]: row[1] for row in session.execute(select(Staff.id, Staff.username))}
    entries = session.scalars(select(AuditEntry).where(or_(*wanted)).order_by(AuditEntry.id.desc()))
    events = []
    for entry in entries:
        text = _describe(entry, names)
        if text:
            events.append(TicketEvent(entry.at, names.get(entry.staff_id, "system"), text))
    return tuple(events)


@dataclass(frozen=True)
class TicketPage:
    """Everything the ticket page shows, read in one go."""

    ticket: TicketInfo
    allowed: tuple[TicketState, ...]  # the states the ticket may move to, lifecycle order
    age_school_days: int
    warranty_until: date | None
    device_kind: DeviceKind
    replacement: str  # written off: the device of that kind the student has now ("" = none yet)
    device_status: DeviceStatus
    occurred_on: date | None
    reported_on: date | None
    crime_reference: str
    cover_label: str  # the student's cover today: "insured with Standard cover (1 of 2 used)"
    events: tuple[TicketEvent, ...]  # the ticket's full history from the audit log, newest first
    device_history: tuple[HistoryRow, ...]
    student_unpaid_pence: int = 0  # what the ticket's student owes on all their charges


def _cover_label(session, student_id: int | None, today: date) -> str:  # noqa: ANN001
    if student_id is None:
        return "no student on the ticket"
    from helpdesk.services.repairs.insurance import cover_badge

    badge = cover_badge(session, student_id, today)
    if badge.scheme is None:
        return badge.label
    return (
        f"{badge.label} with {badge.scheme} ({badge.claims_used} of {badge.claims_allowed} "
        "claims used)"
    )


def _replacement(session, ticket: Ticket) -> str:  # noqa: ANN001
    """For a written-off device: the asset tag of the same kind the student has been given since."""
    if ticket.state is not TicketState.WRITTEN_OFF or ticket.student_id is None:
        return ""
    tag = session.scalar(
        select(Device.asset_tag)
        .join(Assignment, Assignment.device_id == Device.id)
        .where(
            Assignment.student_id == ticket.student_id,
            Assignment.ended_at.is_(None),
            Device.kind == ticket.device.kind,
        )
        .limit(1)
    )
    return tag or ""


def ticket_page(
    factory: SessionFactory, ticket_id: int | str, *, today: date | None = None
) -> TicketPage:
    """The ticket with its allowed moves, photos, cover and full history (read-only)."""
    today = today or datetime.now().date()
    with read_session(factory) as session:
        ticket = find_ticket(session, ticket_id, lock=False)
        info = ticket_info(session, ticket)
        claim = claim_of(session, ticket.id)
        end = min((ticket.closed_at.date() if ticket.closed_at else today), today)
        age = school_days_after(
            ticket.opened_at.date(), end, _closures(session, ticket.opened_at.date(), end)
        )
        part_ids = [p.id for p in ticket.parts]
        photo_ids = [p.id for p in ticket.photos]
        device = ticket.device
        page = TicketPage(
            ticket=info,
            allowed=tuple(s for s in STATE_ORDER if s in ALLOWED_TRANSITIONS[ticket.state]),
            age_school_days=age,
            warranty_until=device.warranty_until,
            device_kind=device.kind,
            replacement=_replacement(session, ticket),
            device_status=device.status,
            occurred_on=claim.occurred_on if claim else None,
            reported_on=claim.reported_on if claim else None,
            crime_reference=claim.crime_reference if claim else "",
            cover_label=_cover_label(session, info.student_id, today),
            student_unpaid_pence=unpaid_pence(session, info.student_id) if info.student_id else 0,
            device_history=tuple(device_rows(session, device.id, 200)),
            events=ticket_events(
                session,
                ticket.id,
                {
                    "ticket_parts": part_ids,
                    "ticket_photos": photo_ids,
                    "claims": [claim.id] if claim else [],
                },
            ),
        )
    return page
