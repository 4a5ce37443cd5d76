"""The reads behind a scanned code's card, as a few plain SQL statements built once.

A scan at the counter must answer at once, on SQLite and on a PostgreSQL server alike, so a
card is read with as few statements (round trips to a server) as the records allow: one to
find what the code names, one for the record itself with everything that has one row per
record, then only the lists the card shows. Rows come back as the typed rows of card_rows.py,
whose attribute names are those of the ORM models, so the builders in views.py and history.py
format them the same way as anywhere else in the app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    union_all,
)

from helpdesk.domain.enums import (
    CLOSED_TICKET_STATES,
    ChargeStatus,
)
from helpdesk.domain.models import (
    Assignment,
    Claim,
    CoverPeriod,
    Device,
    Loan,
    Scheme,
    Staff,
    Student,
    Ticket,
    TicketPart,
    TicketPhoto,
    table_of,
)
from helpdesk.domain.payments import Payment
from helpdesk.services.core.views import PaymentInfo, paid_pence_expr
from helpdesk.services.counter.card_rows import (
    CardLoan,
    ClaimRow,
    DeviceRow,
    LoanRow,
    PartRow,
    PeriodRow,
    SchemeRow,
    StudentRow,
    TicketRow,
    UserRow,
    row_of,
)

students, devices, loans, tickets = (
    table_of(Student),
    table_of(Device),
    table_of(Loan),
    table_of(Ticket),
)
assignments, claims, periods, schemes = (
    table_of(Assignment),
    table_of(Claim),
    table_of(CoverPeriod),
    table_of(Scheme),
)
parts, photos, staff = table_of(TicketPart), table_of(TicketPhoto), table_of(Staff)
payments = table_of(Payment)
CLOSED = sorted(state.value for state in CLOSED_TICKET_STATES)


def _columns(table: Any, prefix: str) -> list[ColumnElement]:
    return [column.label(f"{prefix}{column.name}") for column in table.c]


def _device(row: Any) -> DeviceRow | None:
    return None if row.d_id is None else row_of(DeviceRow, row, "d_")


def _student(row: Any) -> StudentRow | None:
    return None if row.s_id is None else row_of(StudentRow, row, "s_")


def _period(row: Any) -> PeriodRow | None:
    if row.p_id is None:
        return None
    return row_of(PeriodRow, row, "p_", scheme=SchemeRow(row.scheme_name))


def _user(name: str | None) -> UserRow | None:
    return None if name is None else UserRow(name)


# --- what a code names -------------------------------------------------------------------------


def _ranked(rank: int, kind: str, table: Any, condition: ColumnElement) -> Select:
    return select(
        literal_column(str(rank)).label("rank"),
        literal_column(f"'{kind}'").label("kind"),
        table.c.id,
    ).where(condition)


def _resolver(codes: Any, student_rank: int) -> Any:
    """(rank, kind, id) of the best match: a student card or a device's tag or serial."""
    match = (lambda column: column.in_(codes)) if codes.expanding else (lambda c: c == codes)
    return (
        union_all(
            _ranked(student_rank, "student", students, match(students.c.card_code)),
            _ranked(1, "device", devices, match(devices.c.asset_tag)),
            _ranked(2, "device", devices, match(devices.c.serial)),
        )
        .order_by(literal_column("rank"))
        .limit(1)
    )


# --- loans -------------------------------------------------------------------------------------

issuer, returner = staff.alias("issuer"), staff.alias("returner")
_LOAN = (
    select(
        *_columns(loans, "l_"),
        *_columns(devices, "d_"),
        *_columns(students, "s_"),
        issuer.c.username.label("issued_by"),
        returner.c.username.label("returned_to"),
    )
    .select_from(loans)
    .join(devices, devices.c.id == loans.c.device_id)
    .join(students, students.c.id == loans.c.student_id)
    .join(issuer, issuer.c.id == loans.c.issued_by_id)
    .outerjoin(returner, returner.c.id == loans.c.returned_to_id)
)
LOAN_BY_ID = _LOAN.where(loans.c.id == bindparam("id"))
OPEN_LOANS_OF_STUDENT = _LOAN.where(
    loans.c.student_id == bindparam("id"), loans.c.returned_at.is_(None)
).order_by(loans.c.issued_at)
# loans (returned or not) with accessories that have not come back: warnings on the card
MISSING_OF_STUDENT = _LOAN.where(
    loans.c.student_id == bindparam("id"), loans.c.accessories_missing != ""
).order_by(loans.c.issued_at, loans.c.id)
LOANS_BY_IDS = _LOAN.where(loans.c.id.in_(bindparam("ids", expanding=True)))


def loan_record(row: Any) -> CardLoan:
    device, student = _device(row), _student(row)
    assert device is not None and student is not None  # inner joins
    return row_of(
        LoanRow,
        row,
        "l_",
        device=device,
        student=student,
        issued_by=UserRow(row.issued_by),
        returned_to=_user(row.returned_to),
    )


def loans_where(conn: Connection, query: Select, **params: Any) -> list[CardLoan]:
    return [loan_record(row) for row in conn.execute(query, params)]


# --- tickets -----------------------------------------------------------------------------------

technician = staff.alias("technician")
_TICKET = (
    select(
        *_columns(tickets, "t_"),
        *_columns(devices, "d_"),
        *_columns(students, "s_"),
        technician.c.username.label("technician"),
        *_columns(claims, "c_"),
        *_columns(periods, "p_"),
        schemes.c.name.label("scheme_name"),
        select(func.count())
        .where(payments.c.claim_id == claims.c.id)
        .scalar_subquery()
        .label("payment_count"),
        select(func.count())
        .where(parts.c.ticket_id == tickets.c.id)
        .scalar_subquery()
        .label("part_count"),
        select(func.count())
        .where(photos.c.ticket_id == tickets.c.id)
        .scalar_subquery()
        .label("photo_count"),
        select(func.max(loans.c.id))
        .where(loans.c.ticket_id == tickets.c.id)
        .scalar_subquery()
        .label("swap_id"),
    )
    .select_from(tickets)
    .join(devices, devices.c.id == tickets.c.device_id)
    .outerjoin(students, students.c.id == tickets.c.student_id)
    .outerjoin(technician, technician.c.id == tickets.c.technician_id)
    .outerjoin(claims, claims.c.ticket_id == tickets.c.id)
    .outerjoin(periods, periods.c.id == claims.c.cover_period_id)
    .outerjoin(schemes, schemes.c.id == periods.c.scheme_id)
)
TICKET_BY_ID = _TICKET.where(tickets.c.id == bindparam("id"))
OPEN_TICKETS_OF_STUDENT = _TICKET.where(
    tickets.c.student_id == bindparam("id"), tickets.c.state.not_in(CLOSED)
).order_by(tickets.c.id)
OPEN_TICKET_OF_DEVICE = (
    _TICKET.where(tickets.c.device_id == bindparam("id"), tickets.c.state.not_in(CLOSED))
    .order_by(tickets.c.id.desc())
    .limit(1)
)
PARTS_AND_PHOTOS = union_all(
    select(
        literal_column("'part'").label("what"),
        parts.c.id,
        parts.c.ticket_id,
        parts.c.description,
        parts.c.part_number,
        parts.c.quantity,
        parts.c.unit_cost_pence,
    ).where(parts.c.ticket_id.in_(bindparam("ids", expanding=True))),
    select(
        literal_column("'photo'"),
        photos.c.id,
        photos.c.ticket_id,
        photos.c.path,
        literal_column("''"),
        literal_column("0"),
        literal_column("0"),
    ).where(photos.c.ticket_id.in_(bindparam("ids", expanding=True))),
)


taker, reverser = staff.alias("taker"), staff.alias("reverser")
PAYMENTS_OF_CLAIMS = (
    select(
        *_columns(payments, ""),
        taker.c.username.label("taken_by"),
        reverser.c.username.label("reversed_by"),
    )
    .join(taker, taker.c.id == payments.c.taken_by_id)
    .outerjoin(reverser, reverser.c.id == payments.c.reversed_by_id)
    .where(payments.c.claim_id.in_(bindparam("ids", expanding=True)))
    .order_by(payments.c.id)
)


def _payments(conn: Connection, claim_ids: list[int]) -> dict[int, list[PaymentInfo]]:
    """The payments of these claims, oldest first, in one statement."""
    found: dict[int, list[PaymentInfo]] = defaultdict(list)
    for p in conn.execute(PAYMENTS_OF_CLAIMS, {"ids": claim_ids}) if claim_ids else ():
        found[p.claim_id].append(
            PaymentInfo(
                id=p.id,
                amount_pence=p.amount_pence,
                method=p.method,
                receipt_number=p.receipt_number,
                taken_at=p.taken_at,
                taken_by=p.taken_by,
                reversed_at=p.reversed_at,
                reversed_by=p.reversed_by or "",
                reversal_reason=p.reversal_reason,
            )
        )
    return found


TicketRecord = tuple[
    TicketRow, ClaimRow | None, CardLoan | None, list[PartRow], list[str], tuple[PaymentInfo, ...]
]


def ticket_records(conn: Connection, query: Select, **params: Any) -> list[TicketRecord]:
    """(ticket, claim, swap loan, parts, photo paths, payments) for each ticket the query finds, the way
    views.ticket_info_of takes them; parts, photos and swap loans are read only when there are
    any, in one statement each for all the tickets."""
    rows = conn.execute(query, params).all()
    if not rows:
        return []
    extras: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"part": [], "photo": []})
    with_extras = [r.t_id for r in rows if r.part_count or r.photo_count]
    if with_extras:
        for extra in conn.execute(PARTS_AND_PHOTOS, {"ids": with_extras}):
            extras[extra.ticket_id][extra.what].append(extra)
    swap_ids = [r.swap_id for r in rows if r.swap_id is not None]  # each ticket's latest loan
    swaps = (
        {loan.ticket_id: loan for loan in loans_where(conn, LOANS_BY_IDS, ids=swap_ids)}
        if swap_ids
        else {}
    )
    paid = _payments(conn, [r.c_id for r in rows if r.payment_count])
    out = []
    for row in rows:
        device = _device(row)
        assert device is not None  # an inner join
        ticket = row_of(
            TicketRow, row, "t_", device=device, student=_student(row),
            technician=_user(row.technician),
        )  # fmt: skip
        claim = None
        if row.c_id is not None:
            claim = row_of(ClaimRow, row, "c_", cover_period=_period(row))
        found = extras[ticket.id]
        part_rows = [row_of(PartRow, p) for p in sorted(found["part"], key=lambda p: p.id)]
        paths = [p.description for p in sorted(found["photo"], key=lambda p: p.id)]
        taken = tuple(paid.get(claim.id, ())) if claim is not None else ()
        out.append((ticket, claim, swaps.get(ticket.id), part_rows, paths, taken))
    return out


# --- students ----------------------------------------------------------------------------------

_used = (
    select(func.count(claims.c.id))
    .where(claims.c.cover_period_id == periods.c.id, claims.c.claim_number.is_not(None))
    .scalar_subquery()
)
_unpaid = (
    select(func.coalesce(func.sum(claims.c.charge_pence - paid_pence_expr(claims.c.id)), 0))
    .where(claims.c.student_id == students.c.id, claims.c.charge_status == ChargeStatus.DUE)
    .scalar_subquery()
)
STUDENT_WITH_COVER = (
    select(
        *_columns(students, "s_"),
        *_columns(periods, "p_"),
        schemes.c.name.label("scheme_name"),
        _used.label("used"),
        _unpaid.label("unpaid"),
        select(func.count())
        .where(loans.c.student_id == students.c.id, loans.c.returned_at.is_(None))
        .scalar_subquery()
        .label("open_loans"),
        select(func.count())
        .where(tickets.c.student_id == students.c.id, tickets.c.state.not_in(CLOSED))
        .scalar_subquery()
        .label("open_tickets"),
        select(func.count())
        .where(loans.c.student_id == students.c.id, loans.c.accessories_missing != "")
        .scalar_subquery()
        .label("missing"),
    )
    .select_from(students)
    .outerjoin(periods, periods.c.student_id == students.c.id)
    .outerjoin(schemes, schemes.c.id == periods.c.scheme_id)
    .where(students.c.id == bindparam("id"))
)
DEVICES_OF_STUDENT = (
    select(devices)
    .join(assignments, assignments.c.device_id == devices.c.id)
    .where(assignments.c.student_id == bindparam("id"), assignments.c.ended_at.is_(None))
    .order_by(devices.c.asset_tag)
)


def student_with_cover(
    conn: Connection, student_id: int
) -> tuple[StudentRow, list[tuple[PeriodRow, int]], int, Any]:
    """The student, their cover periods each with its claims used, what they owe, and how many
    open loans and open tickets they have, and how many loans with accessories missing
    (``.open_loans``, ``.open_tickets``, ``.missing``)."""
    rows = conn.execute(STUDENT_WITH_COVER, {"id": student_id}).all()
    student = _student(rows[0])
    assert student is not None  # the statement starts from the student
    found = []
    for row in rows:
        period = _period(row)
        if period is not None:
            found.append((period, int(row.used or 0)))
    return student, found, int(rows[0].unpaid or 0), rows[0]


def devices_of_student(conn: Connection, student_id: int) -> list[DeviceRow]:
    return [row_of(DeviceRow, row) for row in conn.execute(DEVICES_OF_STUDENT, {"id": student_id})]


# --- devices -----------------------------------------------------------------------------------


def _device_with_holder(found: Any) -> Select:
    """What the code ``found`` names (a subquery of kind and id) and, when it is a device, the
    device, the student it is assigned to, and the ids of its open loan and open ticket (or
    None): a device's card starts from one statement."""
    return (
        select(
            found.c.kind,
            found.c.id,
            *_columns(devices, "d_"),
            *_columns(students, "s_"),
            select(loans.c.id)
            .where(loans.c.device_id == devices.c.id, loans.c.returned_at.is_(None))
            .limit(1)
            .scalar_subquery()
            .label("open_loan"),
            select(tickets.c.id)
            .where(tickets.c.device_id == devices.c.id, tickets.c.state.not_in(CLOSED))
            .limit(1)
            .scalar_subquery()
            .label("open_ticket"),
        )
        .select_from(found)
        .outerjoin(
            devices, (found.c.kind == literal_column("'device'")) & (devices.c.id == found.c.id)
        )
        .outerjoin(
            assignments,
            (assignments.c.device_id == devices.c.id) & assignments.c.ended_at.is_(None),
        )
        .outerjoin(students, students.c.id == assignments.c.student_id)
    )


# An exact student card first, then a device by tag, then by serial; a code typed in the other
# letter case only when nothing matches exactly (and then a device before a student).
RESOLVE_EXACT = _device_with_holder(_resolver(bindparam("code"), 0).subquery("found"))
RESOLVE_CASE_BLIND = _device_with_holder(
    _resolver(bindparam("codes", expanding=True), 3).subquery("found")
)
# A device by its id (its detail page), in the same shape as a resolved code.
DEVICE_BY_ID = _device_with_holder(
    _ranked(1, "device", devices, devices.c.id == bindparam("id")).subquery("found")
)
STUDENT_EXISTS = select(students.c.id).where(students.c.id == bindparam("id"))


def resolve(conn: Connection, code: str, variants: Sequence[str]) -> Any:
    """The row of what ``code`` names (``.kind``, ``.id``; for a device, the device_card
    columns too), or None."""
    row = conn.execute(RESOLVE_EXACT, {"code": code}).first()
    if row is None and variants:
        row = conn.execute(RESOLVE_CASE_BLIND, {"codes": list(variants)}).first()
    return row


def device_with_holder(row: Any) -> tuple[DeviceRow, StudentRow | None, int | None, int | None]:
    """From a resolved device's row: the device, the student it is assigned to, and the ids of
    its open loan and open ticket (or None)."""
    device = _device(row)
    assert device is not None  # the row of a resolved device
    return device, _student(row), row.open_loan, row.open_ticket
