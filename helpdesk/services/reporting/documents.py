"""What asset labels need from the records: label batches and the record of which labels were
printed (slips, receipts and agreements: :mod:`helpdesk.services.reporting.slip_data`).

Every query is read-only and returns plain frozen dataclasses. Label batches come in hand-out
order (form, then surname, then first name) so a pickup-day stack of labels and slips matches
the queue of students.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DeviceStatus
from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import (
    Assignment,
    Device,
    LabelPrint,
    Setting,
    Student,
)
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    actor_of,
    now_of,
    read_session,
    unit_of_work,
)

SCHOOL_NAME_KEY = "school_name"
TERMS_KEYS = {"loan": "loan_terms", "handover": "handover_terms", "repair": "repair_terms"}
NOT_LABELLED = (DeviceStatus.RETIRED, DeviceStatus.LOST, DeviceStatus.STOLEN)
_RANGE_RE = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class LabelDevice:
    """A device as its asset label shows it, with its holder (for hand-out order)."""

    device_id: int
    asset_tag: str
    serial: str
    make: str
    model: str
    student: str = ""
    form: str = ""

    @property
    def model_name(self) -> str:
        return " ".join(part for part in (self.make, self.model) if part)


@dataclass(frozen=True)
class LabelPrintRecord:
    count: int
    template_id: str
    printed_at: datetime
    printed_by: str


# --- settings -----------------------------------------------------------------------------------


def setting_text(session: Session, key: str) -> str:
    raw = session.get(Setting, key)
    if raw is None:
        return ""
    try:
        value = json.loads(raw.value)
    except ValueError:
        return raw.value.strip()
    return value.strip() if isinstance(value, str) else ""


def school_name(factory: SessionFactory) -> str:
    with read_session(factory) as session:
        return setting_text(session, SCHOOL_NAME_KEY)


# --- label batches ------------------------------------------------------------------------------


def holders_of(session: Session, device_ids: Iterable[int]) -> dict[int, Student]:
    ids = list(device_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Assignment.device_id, Student)
        .join(Student, Student.id == Assignment.student_id)
        .where(Assignment.ended_at.is_(None), Assignment.device_id.in_(ids))
    )
    return {device_id: student for device_id, student in rows}


def _label_device(device: Device, student: Student | None) -> LabelDevice:
    return LabelDevice(
        device_id=device.id,
        asset_tag=device.asset_tag,
        serial=device.serial,
        make=device.make,
        model=device.model,
        student=student.full_name if student else "",
        form=student.form if student else "",
    )


def devices_by_tags(factory: SessionFactory, tags: Sequence[str]) -> list[LabelDevice]:
    """The devices with these asset tags, in the order given; unknown tags are named."""
    wanted = [t.strip() for t in tags if t.strip()]
    if not wanted:
        raise ValidationError("Give at least one asset tag.")
    with read_session(factory) as session:
        found: dict[str, Device] = {}
        for chunk in range(0, len(wanted), 500):
            part = wanted[chunk : chunk + 500]
            for device in session.scalars(select(Device).where(Device.asset_tag.in_(part))):
                found[device.asset_tag] = device
        missing = [t for t in wanted if t not in found]
        if missing:
            shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise NotFound(f"No device has the asset tag {shown}.")
        holders = holders_of(session, [d.id for d in found.values()])
        return [_label_device(found[t], holders.get(found[t].id)) for t in wanted]


def device_for_label(factory: SessionFactory, code: str) -> LabelDevice | None:
    """The device a scanned code names, by asset tag or else serial (either case); or None."""
    code = code.strip()
    if not code:
        return None
    with read_session(factory) as session:
        for column in (Device.asset_tag, Device.serial):
            device = session.scalars(
                select(Device).where(func.upper(column) == code.upper()).order_by(Device.id)
            ).first()
            if device is not None:
                return _label_device(device, holders_of(session, [device.id]).get(device.id))
        return None


def devices_in_tag_range(factory: SessionFactory, first: str, last: str) -> list[LabelDevice]:
    """Devices whose tag runs from ``first`` to ``last`` (same prefix, number in between)."""
    a, b = _RANGE_RE.match(first.strip()), _RANGE_RE.match(last.strip())
    if not a or not b or a.group(1) != b.group(1):
        raise ValidationError(
            f"A tag range needs two tags with the same prefix and a number at the end, such as "
            f"PER-000100 and PER-000150 (not {first} and {last})."
        )
    prefix, low, high = a.group(1), int(a.group(2)), int(b.group(2))
    if low > high:
        low, high = high, low
    with read_session(factory) as session:
        candidates = session.scalars(
            select(Device).where(Device.asset_tag.startswith(prefix, autoescape=True))
        ).all()
        chosen = []
        for device in candidates:
            match = _RANGE_RE.match(device.asset_tag)
            if match and match.group(1) == prefix and low <= int(match.group(2)) <= high:
                chosen.append((int(match.group(2)), device))
        chosen.sort(key=lambda pair: pair[0])
        holders = holders_of(session, [d.id for _, d in chosen])
        return [_label_device(d, holders.get(d.id)) for _, d in chosen]


def _assigned(session: Session, *conditions) -> list[LabelDevice]:
    rows = session.execute(
        select(Device, Student)
        .join(Assignment, Assignment.device_id == Device.id)
        .join(Student, Student.id == Assignment.student_id)
        .where(Assignment.ended_at.is_(None), *conditions)
        .order_by(Student.form, Student.last_name, Student.first_name, Device.asset_tag)
    )
    return [_label_device(device, student) for device, student in rows]


def devices_for_form(factory: SessionFactory, form: str) -> list[LabelDevice]:
    """The devices allocated to a form's students, in hand-out order (surname, first name)."""
    form = form.strip()
    with read_session(factory) as session:
        rows = _assigned(session, Student.form == form)
        if not rows and session.scalar(select(Student.id).where(Student.form == form)) is None:
            raise NotFound(f"There is no form '{form}'.")
        return rows


def devices_for_year(factory: SessionFactory, year_group: int) -> list[LabelDevice]:
    """The devices allocated to a year group's students, form by form in hand-out order."""
    with read_session(factory) as session:
        return _assigned(session, Student.year_group == year_group)


def unlabelled_devices(factory: SessionFactory) -> list[LabelDevice]:
    """Devices in use or in stock that have never had an asset label printed, in hand-out order
    for allocated devices, then the rest by tag."""
    with read_session(factory) as session:
        devices = session.scalars(
            select(Device)
            .where(
                ~exists().where(LabelPrint.device_id == Device.id),
                Device.status.not_in(NOT_LABELLED),
            )
            .order_by(Device.asset_tag)
        ).all()
        holders = holders_of(session, [d.id for d in devices])
        rows = [_label_device(d, holders.get(d.id)) for d in devices]
    held = sorted(
        (r for r in rows if r.form),
        key=lambda r: (r.form, r.student.split()[-1] if r.student else "", r.student),
    )
    return held + [r for r in rows if not r.form]


def last_label_batch(factory: SessionFactory) -> list[LabelDevice]:
    """The devices of the most recent label batch, in the order they were printed, for a reprint
    after a jammed or spoilt sheet. A batch is the rows recorded by one print: same moment, same
    staff member, same stock."""
    with read_session(factory) as session:
        last = session.scalars(select(LabelPrint).order_by(LabelPrint.id.desc()).limit(1)).first()
        if last is None:
            raise NotFound("No asset labels have been printed yet.")
        rows = session.execute(
            select(LabelPrint.device_id, Device)
            .join(Device, Device.id == LabelPrint.device_id)
            .where(
                LabelPrint.printed_at == last.printed_at,
                LabelPrint.printed_by_id == last.printed_by_id,
                LabelPrint.template_id == last.template_id,
            )
            .order_by(LabelPrint.id)
        ).all()
        seen: dict[int, Device] = {}
        for device_id, device in rows:
            seen.setdefault(device_id, device)  # copies were recorded once per label
        holders = holders_of(session, seen)
        return [_label_device(d, holders.get(d.id)) for d in seen.values()]


def record_label_prints(
    factory: SessionFactory,
    actor: str,
    device_ids: Sequence[int],
    template_id: str,
    *,
    now: datetime | None = None,
) -> LabelPrintRecord:
    """Record that asset labels were printed for these devices (one row per label), at ``now``
    (the present moment when not given)."""
    if not device_ids:
        raise ValidationError("There are no labels to record.")
    with unit_of_work(factory, actor, action="labels.printed", now=now) as session:
        staff = actor_of(session)
        known = set(session.scalars(select(Device.id).where(Device.id.in_(set(device_ids)))))
        missing = sorted(set(device_ids) - known)
        if missing:
            raise NotFound(f"No device has the id {', '.join(map(str, missing[:10]))}.")
        at = now_of(session)
        session.add_all(
            LabelPrint(
                device_id=device_id, template_id=template_id, printed_at=at, printed_by_id=staff.id
            )
            for device_id in device_ids
        )
        return LabelPrintRecord(len(device_ids), template_id, at, staff.username)
