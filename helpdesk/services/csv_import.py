"""Importing students, devices and cover periods from CSV files (see csv_read for the format).

One import is one transaction. Every row is checked before anything is written; a file with any
bad row raises ImportFailed listing (line, column, why) for each, and nothing is written, unless
``skip_bad`` is set: then the good rows are imported and the bad ones are listed in the result.

A row whose key is in the database already updates that record (the key is the card code for
students, the asset tag for devices, and card code + scheme + start date for cover periods), so
the MIS export can be imported again every term; the summary counts what was added, updated and
left unchanged. Students who are not in the file are left as they are (marking them as left is a
decision for a person, not for an import). An empty optional value never clears what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import CoverStatus, DeviceKind, DevicePool, DeviceStatus, StudentStatus
from helpdesk.domain.errors import ImportFailed
from helpdesk.domain.models import (
    Assignment,
    CoverPeriod,
    Device,
    Loan,
    Scheme,
    Student,
    Ticket,
)
from helpdesk.services.csv_read import (
    Problem,
    Row,
    RowError,
    Table,
    check_text,
    choice_value,
    date_value,
    format_date,
    int_value,
    read_table,
    text_value,
)
from helpdesk.services.unit_of_work import SessionFactory, now_of, unit_of_work

YEAR_GROUPS = (7, 13)  # a secondary school: year 7 to year 13 (the sixth form)
OPEN_TICKET_STATES = (
    "logged",
    "diagnosing",
    "awaiting_payment",
    "awaiting_parts",
    "with_vendor",
    "repaired",
    "ready_for_collection",
)

STUDENT_COLUMNS = ("card_code", "first_name", "last_name", "year", "form")
STUDENT_OPTIONAL = ("status", "left_on")
DEVICE_COLUMNS = ("asset_tag", "serial", "make", "model", "kind", "pool")
DEVICE_OPTIONAL = ("status", "purchased_on", "warranty_until", "assigned_to")
COVER_COLUMNS = ("card_code", "scheme", "start", "end", "status")
COVER_OPTIONAL = ("claims_allowed",)
ALIASES = {"year_group": "year", "tag": "asset_tag", "serial_number": "serial"}


@dataclass(frozen=True)
class ImportResult:
    kind: str  # students, devices or cover periods
    added: int
    updated: int
    unchanged: int
    left_out: tuple[Problem, ...]  # the bad rows, when skip_bad was set

    @property
    def imported(self) -> int:
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        text = (
            f"{self.kind}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        )
        if self.left_out:
            rows = len({line for line, _c, _w in self.left_out})
            text += f"; {rows} {'row' if rows == 1 else 'rows'} left out"
        return text + "."


def _choices(enum_values: Iterable[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    found = {v: v for v in enum_values}
    found.update(extra or {})
    return found


STUDENT_STATUSES = _choices(s.value for s in StudentStatus)
KINDS = _choices(k.value for k in DeviceKind)
POOLS = _choices(p.value for p in DevicePool)
DEVICE_STATUSES = _choices(s.value for s in DeviceStatus)
COVER_STATUSES = _choices((s.value for s in CoverStatus), {"pending": "pending_payment"})


def _chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _by(session: Session, model, column, keys: Iterable[str]) -> dict:  # noqa: ANN001
    wanted = sorted({k for k in keys if k})
    found = {}
    for chunk in _chunks(wanted):
        for obj in session.scalars(select(model).where(column.in_(chunk))):
            found[getattr(obj, column.key)] = obj
    return found


def _set(obj: object, values: dict) -> bool:
    """Set the values that differ; True when anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _run(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    kind: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    make_importer: Callable[[Session, Table], Callable[[Row], str]],
    skip_bad: bool,
    now: datetime | None,
) -> ImportResult:
    table, problems = read_table(data, required=required, optional=optional, aliases=ALIASES)
    if problems:
        raise ImportFailed(f"The {kind} file cannot be imported; nothing was changed.", problems)
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    bad: list[Problem] = []
    columns = (*required, *[c for c in optional if c in table.columns])
    with unit_of_work(factory, actor, now=now) as session, session.no_autoflush:
        apply = make_importer(session, table)
        for row in table.rows:
            try:
                check_text(row, columns)
                counts[apply(row)] += 1
            except RowError as exc:
                bad.append((row.line, exc.column, exc.why))
        if bad and not skip_bad:
            n = len({line for line, _c, _w in bad})
            raise ImportFailed(
                f"The {kind} file has {n} bad {'row' if n == 1 else 'rows'}; nothing was imported.",
                bad,
            )
        if not table.rows:
            raise ImportFailed(
                f"The {kind} file has a header but no rows; nothing was imported.",
                [(1, "", "there are no rows below the header.")],
            )
        session.flush()
    return ImportResult(kind, counts["added"], counts["updated"], counts["unchanged"], tuple(bad))


# --- students -----------------------------------------------------------------------------------


def _student_importer(session: Session, table: Table) -> Callable[[Row], str]:
    existing = _by(session, Student, Student.card_code, (r.get("card_code") for r in table.rows))
    seen: dict[str, int] = {}
    low, high = YEAR_GROUPS

    def apply(row: Row) -> str:
        code = text_value(row, "card_code", limit=64)
        if code in seen:
            raise RowError("card_code", f"the card code '{code}' is also on line {seen[code]}.")
        values = {
            "first_name": text_value(row, "first_name"),
            "last_name": text_value(row, "last_name"),
        }
        year = int_value(row, "year", low=low, high=high, what="a year group")
        if year is None:
            raise RowError("year", f"this value is empty (a year group, {low}-{high}).")
        values["year_group"] = year
        values["form"] = text_value(row, "form", limit=16)
        status = choice_value(row, "status", STUDENT_STATUSES, "a student status")
        left_on = date_value(row, "left_on")
        if status == StudentStatus.ACTIVE and left_on:
            raise RowError(
                "left_on", "an active student has no leaving date; set status to left or clear it."
            )
        if left_on or status == StudentStatus.LEFT:
            values["status"] = StudentStatus.LEFT
            values["left_on"] = (
                left_on
                or (existing[code].left_on if code in existing else None)
                or now_of(session).date()
            )
        elif status == StudentStatus.ACTIVE:
            values["status"] = StudentStatus.ACTIVE
            values["left_on"] = None
        seen[code] = row.line
        student = existing.get(code)
        if student is None:
            session.add(Student(card_code=code, **{"status": StudentStatus.ACTIVE, **values}))
            return "added"
        return "updated" if _set(student, values) else "unchanged"

    return apply


def import_students(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Students from a CSV file (card_code, first_name, last_name, year, form[, status, left_on])."""
    return _run(
        factory,
        actor,
        data,
        kind="students",
        required=STUDENT_COLUMNS,
        optional=STUDENT_OPTIONAL,
        make_importer=_student_importer,
        skip_bad=skip_bad,
        now=now,
    )


# --- devices ------------------------------------------------------------------------------------


def _device_importer(session: Session, table: Table) -> Callable[[Row], str]:
    rows = table.rows
    by_tag = _by(session, Device, Device.asset_tag, (r.get("asset_tag") for r in rows))
    by_serial = _by(session, Device, Device.serial, (r.get("serial") for r in rows))
    students = _by(session, Student, Student.card_code, (r.get("assigned_to") for r in rows))
    ids = [d.id for d in by_tag.values()]
    assignments: dict[int, Assignment] = {}
    busy: dict[int, str] = {}  # device id -> why its status is not the import's to change
    for chunk in _chunks(ids):
        for a in session.scalars(
            select(Assignment).where(Assignment.device_id.in_(chunk), Assignment.ended_at.is_(None))
        ):
            assignments[a.device_id] = a
        for (device_id,) in session.execute(
            select(Loan.device_id).where(Loan.device_id.in_(chunk), Loan.returned_at.is_(None))
        ):
            busy[device_id] = "is out on loan; its status changes when it is returned"
        for (device_id,) in session.execute(
            select(Ticket.device_id).where(
                Ticket.device_id.in_(chunk), Ticket.state.in_(OPEN_TICKET_STATES)
            )
        ):
            busy.setdefault(device_id, "has an open repair ticket; close the ticket first")
    seen_tags: dict[str, int] = {}
    seen_serials: dict[str, int] = {}
    now = now_of(session)

    def apply(row: Row) -> str:
        tag = text_value(row, "asset_tag", limit=64)
        if tag in seen_tags:
            raise RowError("asset_tag", f"the asset tag '{tag}' is also on line {seen_tags[tag]}.")
        device = by_tag.get(tag)
        serial = text_value(row, "serial", limit=64)
        if serial in seen_serials:
            raise RowError(
                "serial", f"the serial '{serial}' is also on line {seen_serials[serial]}."
            )
        owner = by_serial.get(serial)
        if owner is not None and owner is not device:
            raise RowError("serial", f"the serial '{serial}' belongs to {owner.asset_tag} already.")
        values = {
            "serial": serial,
            "make": text_value(row, "make", required=False, limit=64),
            "model": text_value(row, "model", required=False),
            "kind": DeviceKind(_required_choice(row, "kind", KINDS, "a kind of device")),
            "pool": DevicePool(_required_choice(row, "pool", POOLS, "a pool")),
        }
        status = choice_value(row, "status", DEVICE_STATUSES, "a device status")
        for column in ("purchased_on", "warranty_until"):
            day = date_value(row, column)
            if day is not None:
                values[column] = day
        student = None
        code = row.get("assigned_to")
        if code:
            student = students.get(code)
            if student is None:
                raise RowError("assigned_to", f"no student has the card code '{code}'.")
            if student.status == StudentStatus.LEFT:
                raise RowError("assigned_to", f"{student.full_name} ({code}) has left the school.")
            if values["pool"] == DevicePool.LOAN:
                raise RowError(
                    "assigned_to",
                    "a loan pool device is lent, not assigned; "
                    "give it the pool allocation or leave assigned_to empty.",
                )
        current = assignments.get(device.id) if device is not None else None
        if current is not None and values["pool"] == DevicePool.LOAN:
            raise RowError(
                "pool",
                f"{tag} is assigned to {current.student.full_name} ({current.student.card_code}); "
                "unassign it before it joins the loan pool.",
            )
        new_status = _device_status(device, status, student, busy)
        if new_status is not None:
            values["status"] = new_status
        seen_tags[tag] = seen_serials[serial] = row.line
        if device is None:
            device = Device(asset_tag=tag, notes="", **{"status": DeviceStatus.IN_STOCK, **values})
            session.add(device)
            by_tag[tag] = by_serial[serial] = device
            outcome = "added"
        else:
            outcome = "updated" if _set(device, values) else "unchanged"
            by_serial[serial] = device
        ends = current is not None and (
            (student is not None and current.student_id != student.id)
            or new_status in (DeviceStatus.IN_STOCK, DeviceStatus.RETIRED)
        )
        if ends:
            current.ended_at = now
            del assignments[device.id]
        if student is not None and (current is None or ends):
            assignment = Assignment(device=device, student=student, started_at=now)
            session.add(assignment)
            if device.id is not None:
                assignments[device.id] = assignment
        if outcome == "unchanged" and (ends or (student is not None and current is None)):
            outcome = "updated"
        return outcome

    return apply


def _required_choice(row: Row, column: str, choices: dict[str, str], what: str) -> str:
    value = choice_value(row, column, choices, what)
    if value is None:
        listed = ", ".join(dict.fromkeys(v.replace("_", " ") for v in choices.values()))
        raise RowError(column, f"this value is empty ({what}: {listed}).")
    return value


def _device_status(
    device: Device | None, status: str | None, student: Student | None, busy: dict[int, str]
) -> DeviceStatus | None:
    """The status the row gives the device, or None to leave it as it is."""
    wanted = DeviceStatus(status) if status else None
    current = device.status if device is not None else None
    if wanted is None or wanted == current:
        if student is not None and current in (None, DeviceStatus.IN_STOCK):
            return DeviceStatus.ASSIGNED
        return None if device is not None else (wanted or DeviceStatus.IN_STOCK)
    if wanted in (DeviceStatus.ON_LOAN, DeviceStatus.IN_REPAIR):
        how = "issuing a loan" if wanted == DeviceStatus.ON_LOAN else "opening a repair ticket"
        raise RowError(
            "status", f"'{wanted.label}' is set by {how} at the counter, not by an import."
        )
    if device is not None and device.id in busy:
        raise RowError("status", f"{device.asset_tag} {busy[device.id]}.")
    if wanted == DeviceStatus.ASSIGNED and student is None:
        raise RowError("status", "'assigned' needs the student's card code in assigned_to.")
    if student is not None and wanted in (DeviceStatus.IN_STOCK, DeviceStatus.RETIRED):
        raise RowError("status", f"a device assigned to a student cannot be '{wanted.label}'.")
    return wanted


def import_devices(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Devices (asset_tag, serial, make, model, kind, pool[, status, purchased_on,
    warranty_until, assigned_to]). ``assigned_to`` is a student's card code: it starts the 1:1
    assignment (ending the device's previous one) and makes the device 'assigned'."""
    return _run(
        factory,
        actor,
        data,
        kind="devices",
        required=DEVICE_COLUMNS,
        optional=DEVICE_OPTIONAL,
        make_importer=_device_importer,
        skip_bad=skip_bad,
        now=now,
    )


# --- cover periods ------------------------------------------------------------------------------


def _cover_importer(session: Session, table: Table) -> Callable[[Row], str]:
    students = _by(session, Student, Student.card_code, (r.get("card_code") for r in table.rows))
    schemes = {s.name.strip().lower(): s for s in session.scalars(select(Scheme))}
    periods: dict[int, list[CoverPeriod]] = {}
    ids = [s.id for s in students.values()]
    for chunk in _chunks(ids):
        for p in session.scalars(select(CoverPeriod).where(CoverPeriod.student_id.in_(chunk))):
            periods.setdefault(p.student_id, []).append(p)
    seen: dict[tuple[int, int, object], int] = {}

    def apply(row: Row) -> str:
        code = text_value(row, "card_code", limit=64)
        student = students.get(code)
        if student is None:
            raise RowError("card_code", f"no student has the card code '{code}'.")
        name = text_value(row, "scheme")
        scheme = schemes.get(name.lower())
        if scheme is None:
            names = ", ".join(sorted(s.name for s in schemes.values()))
            known = f"the schemes are: {names}" if names else "there are no schemes yet"
            raise RowError("scheme", f"'{name}' is not an insurance scheme ({known}).")
        start = date_value(row, "start", required=True)
        end = date_value(row, "end", required=True)
        if end < start:
            raise RowError(
                "end",
                f"the cover ends ({format_date(end)}) before it starts ({format_date(start)}).",
            )
        status = _required_choice(row, "status", COVER_STATUSES, "a cover status")
        allowed = int_value(row, "claims_allowed", low=0, high=None, what="a number of claims")
        key = (student.id, scheme.id, start)
        if key in seen:
            raise RowError("start", f"the same cover period is also on line {seen[key]}.")
        match = None
        for period in periods.get(student.id, []):
            if (period.scheme_id, period.starts_on) == (scheme.id, start):
                match = period
            elif period.starts_on <= end and start <= period.ends_on:
                raise RowError(
                    "start",
                    f"{student.full_name} ({code}) has cover from {format_date(period.starts_on)} "
                    f"to {format_date(period.ends_on)} already, which overlaps this period.",
                )
        seen[key] = row.line
        values = {"ends_on": end, "status": CoverStatus(status)}
        if allowed is not None:
            values["claims_allowed"] = allowed
        if match is None:
            period = CoverPeriod(
                student=student,
                scheme=scheme,
                starts_on=start,
                **{"claims_allowed": scheme.claims_allowed, **values},
            )
            session.add(period)
            periods.setdefault(student.id, []).append(period)
            return "added"
        return "updated" if _set(match, values) else "unchanged"

    return apply


def import_cover(
    factory: SessionFactory,
    actor: str | None,
    data: bytes,
    *,
    skip_bad: bool = False,
    now: datetime | None = None,
) -> ImportResult:
    """Cover periods (card_code, scheme, start, end, status[, claims_allowed]). The scheme must
    exist already (by name, any case); claims_allowed defaults to the scheme's."""
    return _run(
        factory,
        actor,
        data,
        kind="cover periods",
        required=COVER_COLUMNS,
        optional=COVER_OPTIONAL,
        make_importer=_cover_importer,
        skip_bad=skip_bad,
        now=now,
    )


IMPORTERS = {"students": import_students, "devices": import_devices, "cover": import_cover}
