"""Starting a session (its expected list frozen as items, in one transaction), closing it, and
recording what a pickup station printed.

The expected list is made from exactly one scope: for a pickup the active students of a form, a
year group or everyone (grouped by form); for a hand-in the open laptop allocations of the
leavers, a year group, a form or everyone (grouped by the holder's form); for a stocktake the
devices recorded at a place, with a status, or in a list of tags (a tag no device has is an item
with no device; grouped by place). An empty list is refused in a sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from helpdesk.domain.enums import DeviceKind, DeviceStatus, StudentStatus
from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import (
    Assignment,
    Device,
    LabelPrint,
    ScanSession,
    SessionItem,
    Student,
    table_of,
)
from helpdesk.services.core.unit_of_work import (
    SessionFactory,
    actor_of,
    now_of,
    unit_of_work,
)
from helpdesk.services.sessions.common import KIND_WORDS, find_session, session_info
from helpdesk.services.sessions.quick_printed import quick_mark_printed
from helpdesk.services.sessions.shapes import SessionInfo

SCOPES = {
    "pickup": ("form", "year", "all"),
    "handin": ("form", "year", "all", "leavers"),
    "stocktake": ("location", "status", "tags"),
}
SCOPE_WORDS = {
    "form": "a form",
    "year": "a year group",
    "all": "everyone",
    "leavers": "the leavers",
    "location": "a place",
    "status": "a status",
    "tags": "a list of tags",
}


def _words(scopes: Sequence[str]) -> str:
    names = [SCOPE_WORDS[s] for s in scopes]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _scope(
    kind: str,
    *,
    form: str | None,
    year: int | None,
    everyone: bool,
    leavers: bool,
    location: str | None,
    status: str | None,
    tags: Sequence[str] | None,
) -> tuple[str, str | None]:
    chosen: list[tuple[str, str | None]] = []
    if form and form.strip():
        chosen.append(("form", form.strip()))
    if year is not None:
        chosen.append(("year", str(year)))
    if everyone:
        chosen.append(("all", None))
    if leavers:
        chosen.append(("leavers", None))
    if status and status.strip():
        chosen.append(("status", status.strip().lower().replace(" ", "_")))
    if tags is not None:
        chosen.append(("tags", f"{len(tags)} tags"))
    if location and location.strip() and not (kind == "stocktake" and (status or tags)):
        chosen.append(("location", location.strip()))  # otherwise: the stocktake's place
    allowed = SCOPES[kind]
    what = f"A {KIND_WORDS[kind]}'s list is {_words(allowed)}"
    if len(chosen) != 1:
        raise ValidationError(f"{what}: choose one.")
    if chosen[0][0] not in allowed:
        raise ValidationError(f"{what}, not {SCOPE_WORDS[chosen[0][0]]}.")
    return chosen[0]


def _students(session: Session, scope: str, value: str | None) -> list[dict[str, Any]]:
    query = select(Student).where(Student.status == StudentStatus.ACTIVE)
    if scope == "form":
        query = query.where(Student.form == value)
    elif scope == "year":
        query = query.where(Student.year_group == int(value or 0))
    rows = session.scalars(query.order_by(Student.form, Student.last_name, Student.first_name))
    return [
        {
            "student_id": s.id,
            "code": s.card_code,
            "grouping": s.form,
            "label": f"{s.first_name} {s.last_name}",
        }
        for s in rows
    ]


def _allocations(session: Session, scope: str, value: str | None) -> list[dict[str, Any]]:
    query = (
        select(
            Device.id,
            Device.asset_tag,
            Student.id,
            Student.form,
            Student.first_name,
            Student.last_name,
        )
        .join(Assignment, Assignment.device_id == Device.id)
        .join(Student, Student.id == Assignment.student_id)
        .where(Assignment.ended_at.is_(None), Device.kind == DeviceKind.LAPTOP)
    )
    if scope == "form":
        query = query.where(Student.form == value)
    elif scope == "year":
        query = query.where(Student.year_group == int(value or 0))
    elif scope == "leavers":
        query = query.where(Student.status == StudentStatus.LEFT)
    rows = session.execute(query.order_by(Student.form, Student.last_name, Device.asset_tag))
    return [
        {
            "device_id": device_id,
            "student_id": student_id,
            "code": tag,
            "grouping": form,
            "label": f"{tag} {first} {last}",
        }
        for device_id, tag, student_id, form, first, last in rows
    ]


def _devices(
    session: Session, scope: str, value: str | None, tags: Sequence[str]
) -> list[dict[str, Any]]:
    def item(d: Device) -> dict[str, Any]:
        return {
            "device_id": d.id,
            "code": d.asset_tag,
            "grouping": d.location or "",
            "label": f"{d.asset_tag} {d.make} {d.model}".strip(),
        }

    if scope == "location":
        query = select(Device).where(Device.location == value)
        return [item(d) for d in session.scalars(query.order_by(Device.asset_tag))]
    if scope == "status":
        try:
            wanted = DeviceStatus(value or "")
        except ValueError:
            known = ", ".join(s.label for s in DeviceStatus)
            raise ValidationError(f"'{value}' is not a device status ({known}).") from None
        query = select(Device).where(Device.status == wanted)
        return [item(d) for d in session.scalars(query.order_by(Device.asset_tag))]
    found = {
        d.asset_tag: d for d in session.scalars(select(Device).where(Device.asset_tag.in_(tags)))
    }
    return [
        item(found[t])
        if t in found
        else {"code": t, "grouping": "", "label": "no device has this tag"}
        for t in tags
    ]


def _empty(kind: str, scope: str, value: str | None) -> str:
    where = {
        "form": f"in {value}",
        "year": f"in year {value}",
        "all": "in the school",
        "leavers": "among the leavers",
    }
    if kind == "pickup":
        return f"No active student is {where[scope]}; there is nobody to expect."
    if kind == "handin":
        return f"Nobody {where[scope]} has a laptop allocated; there is nothing to hand in."
    if scope == "location":
        return f"No device is recorded at {value}; there is nothing to count there."
    if scope == "status":
        return f"No device is {str(value).replace('_', ' ')}; there is nothing to count."
    return "The tag list is empty; there is nothing to count."


def _clean_tags(tags: Iterable[str] | None) -> list[str] | None:
    if tags is None:
        return None
    return list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))


def start_session(
    factory: SessionFactory,
    actor: str,
    kind: str,
    *,
    form: str | None = None,
    year: int | None = None,
    everyone: bool = False,
    leavers: bool = False,
    location: str | None = None,
    status: str | None = None,
    tags: Iterable[str] | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> SessionInfo:
    """Start a pickup, hand-in or stocktake with its expected list (see the module's docstring)."""
    if kind not in SCOPES:
        raise ValidationError(f"'{kind}' is not a kind of session (pickup, handin or stocktake).")
    tag_list = _clean_tags(tags)
    scope, value = _scope(
        kind,
        form=form,
        year=year,
        everyone=everyone,
        leavers=leavers,
        location=location,
        status=status,
        tags=tag_list,
    )
    with unit_of_work(factory, actor, action="session.start", now=now) as session:
        if kind == "pickup":
            items = _students(session, scope, value)
        elif kind == "handin":
            items = _allocations(session, scope, value)
        else:
            items = _devices(session, scope, value, tag_list or [])
        if not items:
            raise Refused(_empty(kind, scope, value))
        place = (location or "").strip() or None if kind == "stocktake" else None
        title = (name or "").strip() or _title(kind, scope, value, place)
        row = ScanSession(
            kind=kind,
            name=title[:100],
            scope=scope,
            scope_value=value,
            location=place,
            started_at=now_of(session),
            started_by_id=actor_of(session).id,
        )
        session.add(row)
        session.flush()
        session.execute(
            insert(table_of(SessionItem)),
            [{"session_id": row.id, "student_id": None, "device_id": None, **i} for i in items],
        )
        return session_info(session, row)


def _title(kind: str, scope: str, value: str | None, place: str | None) -> str:
    word = KIND_WORDS[kind].capitalize()
    if scope == "form" or scope == "location":
        return f"{word} {value}"
    if scope == "year":
        return f"{word} year {value}"
    if scope == "all":
        return f"{word}, everyone"
    if scope == "leavers":
        return f"{word}, leavers"
    if scope == "status":
        return f"{word} of {str(value).replace('_', ' ')} devices"
    return f"{word} of a tag list" + (f" at {place}" if place else "")


def close_session(
    factory: SessionFactory, actor: str, session_code: str, now: datetime | None = None
) -> SessionInfo:
    """Close a session: no more scans; its progress and report stay."""
    with unit_of_work(factory, actor, action="session.close", now=now) as session:
        row = find_session(session, session_code, must_be_open=True)
        row.closed_at = now_of(session)
        row.closed_by_id = actor_of(session).id
        session.flush()
        return session_info(session, row)


def mark_printed(
    factory: SessionFactory,
    actor: str,
    assignment_id: int,
    *,
    label: bool,
    agreement: bool,
    template_id: str,
    now: datetime | None = None,
) -> None:
    """Record that a pickup station printed the laptop's asset label and/or the hand-over
    agreement of this allocation."""
    if not (label or agreement):
        raise ValidationError("There is nothing printed to record.")
    if quick_mark_printed(
        factory, actor, assignment_id,
        label=label, agreement=agreement, template_id=template_id, now=now,
    ):  # fmt: skip
        return  # PostgreSQL: the same rows in two statements
    with unit_of_work(factory, actor, action="labels.printed", now=now) as session:
        assignment = session.get(Assignment, assignment_id)
        if assignment is None:
            raise NotFound(f"There is no allocation with the id {assignment_id}.")
        at = now_of(session)
        if label:
            session.add(
                LabelPrint(
                    device_id=assignment.device_id,
                    template_id=template_id,
                    printed_at=at,
                    printed_by_id=actor_of(session).id,
                )
            )
        if agreement:
            assignment.agreement_printed_at = at
