"""Exporting students, devices and cover periods as CSV, in the columns the import reads back.

Dates are written as ISO 8601 (2025-09-01), which Excel and the import both understand. The
caller chooses the encoding; :func:`export_file` writes UTF-8 with a byte-order mark so that Excel
shows names such as "Zoë" correctly when the file is opened with a double click.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from helpdesk.domain.models import Assignment, CoverPeriod, Device, Scheme, Student
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, require_reader
from helpdesk.services.csv.cells import SafeWriter
from helpdesk.services.csv.importer import (
    COVER_COLUMNS,
    COVER_OPTIONAL,
    DEVICE_COLUMNS,
    DEVICE_OPTIONAL,
    STUDENT_COLUMNS,
    STUDENT_OPTIONAL,
)
from helpdesk.services.csv.reader import format_date

KINDS = ("students", "devices", "cover")


def _students(session: Session) -> Iterator[list[str]]:
    query = select(
        Student.card_code,
        Student.first_name,
        Student.last_name,
        Student.year_group,
        Student.form,
        Student.status,
        Student.left_on,
    ).order_by(Student.year_group, Student.form, Student.last_name, Student.first_name)
    for code, first, last, year, form, status, left_on in session.execute(query):
        yield [code, first, last, str(year), form, status.value, format_date(left_on)]


def _devices(session: Session) -> Iterator[list[str]]:
    holder = aliased(Student)
    query = (
        select(
            Device.asset_tag,
            Device.serial,
            Device.make,
            Device.model,
            Device.kind,
            Device.pool,
            Device.status,
            Device.purchased_on,
            Device.warranty_until,
            holder.card_code,
            Device.location,
        )
        .outerjoin(
            Assignment,
            (Assignment.device_id == Device.id) & Assignment.ended_at.is_(None),
        )
        .outerjoin(holder, holder.id == Assignment.student_id)
        .order_by(Device.asset_tag)
    )
    for (
        tag,
        serial,
        make,
        model,
        kind,
        pool,
        status,
        bought,
        warranty,
        card,
        place,
    ) in session.execute(query):
        yield [
            tag,
            serial,
            make,
            model,
            kind.value,
            pool.value,
            status.value,
            format_date(bought),
            format_date(warranty),
            card or "",
            place or "",
        ]


def _cover(session: Session) -> Iterator[list[str]]:
    query = (
        select(
            Student.card_code,
            Scheme.name,
            CoverPeriod.starts_on,
            CoverPeriod.ends_on,
            CoverPeriod.status,
            CoverPeriod.claims_allowed,
        )
        .join(Student, Student.id == CoverPeriod.student_id)
        .join(Scheme, Scheme.id == CoverPeriod.scheme_id)
        .order_by(Student.card_code, CoverPeriod.starts_on)
    )
    for code, scheme, start, end, status, allowed in session.execute(query):
        yield [code, scheme, format_date(start), format_date(end), status.value, str(allowed)]


_EXPORTS = {
    "students": ((*STUDENT_COLUMNS, *STUDENT_OPTIONAL), _students),
    "devices": ((*DEVICE_COLUMNS, *DEVICE_OPTIONAL), _devices),
    "cover": ((*COVER_COLUMNS, *COVER_OPTIONAL), _cover),
}


def export_csv(factory: SessionFactory, actor: str, kind: str, out: TextIO) -> int:
    """Write ``kind`` (students, devices or cover) as CSV to ``out``; returns the rows written.
    ``actor`` must be a manager or an admin (the permission table's ``csv.export``)."""
    return _export(factory, actor, kind, lambda: nullcontext(out))


def export_file(factory: SessionFactory, actor: str, kind: str, path: Path) -> int:
    """Write the CSV file at ``path`` (UTF-8 with a byte-order mark, for Excel); a refused
    export leaves no file behind."""
    return _export(factory, actor, kind, lambda: open(path, "w", encoding="utf-8-sig", newline=""))


def _export(
    factory: SessionFactory,
    actor: str,
    kind: str,
    opened: Callable[[], AbstractContextManager[TextIO]],
) -> int:
    columns, rows = _EXPORTS[kind]
    count = 0
    with read_session(factory) as session:
        require_reader(session, actor, "csv.export")
        with opened() as out:
            writer = SafeWriter(out, lineterminator="\r\n")
            writer.writerow(columns)
            for row in rows(session):
                writer.writerow(row)
                count += 1
    return count
