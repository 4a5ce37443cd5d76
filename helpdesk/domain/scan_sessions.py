"""Scan sessions: pickup day, the year-end hand-in and stocktakes, worked through by scanning.

A session has a kind, the list of what is expected (frozen when it starts: the students of a
form for a pickup, the laptops to come back for a hand-in, the devices recorded at a place for a
stocktake) and every scan made against it, at any number of stations at once. An expected item
is done once: marking it is one UPDATE guarded by ``done_at IS NULL``, so two stations scanning
the same student or laptop at the same moment make exactly one record. Planned allocations (the
laptop each student should get on pickup day, from a CSV) live here too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.domain.base import Base

SESSION_KINDS = ("pickup", "handin", "stocktake")
# what the expected list was made from
SESSION_SCOPES = ("form", "year", "all", "leavers", "location", "status", "tags")
SCAN_OUTCOMES = ("done", "already", "unexpected", "problem")


def _among(column: str, values: tuple[str, ...]) -> str:
    return "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))


class ScanSession(Base):
    """One pickup, hand-in or stocktake; ``SES-000001`` is its code (from the id)."""

    __tablename__ = "scan_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(16))
    scope_value: Mapped[str | None] = mapped_column(String(255))
    # a stocktake's place (the --location it counts, or where found devices are moved to)
    location: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    __table_args__ = (
        CheckConstraint(_among("kind", SESSION_KINDS), name="session_kind"),
        CheckConstraint(_among("scope", SESSION_SCOPES), name="session_scope"),
        Index("ix_scan_sessions_open", "closed_at"),
    )


class SessionItem(Base):
    """One expected student or device of a session, as it was when the session started."""

    __tablename__ = "session_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scan_sessions.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # the card code or asset tag scanned for it (a tag-list stocktake may name an unknown tag)
    code: Mapped[str] = mapped_column(String(64))
    # what the progress and the missing list group by: the student's form, or a device's place
    grouping: Mapped[str] = mapped_column(String(64), default="")
    label: Mapped[str] = mapped_column(String(200), default="")
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_scan_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("uq_session_items_code", "session_id", "code", unique=True),
        Index("ix_session_items_student", "student_id"),
        Index("ix_session_items_device", "device_id"),
    )


class SessionScan(Base):
    """One scan at one station, with the outcome it got and the sentence the station showed."""

    __tablename__ = "session_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("scan_sessions.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    station: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(12))
    sentence: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("session_items.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))

    __table_args__ = (CheckConstraint(_among("outcome", SCAN_OUTCOMES), name="scan_outcome"),)


class PlannedAllocation(Base):
    """The laptop a student is to be given on pickup day (imported from a CSV of allocations):
    at pickup only that laptop is accepted for them."""

    __tablename__ = "planned_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), unique=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), unique=True)
    planned_at: Mapped[datetime] = mapped_column(DateTime)
