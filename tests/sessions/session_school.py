"""The school of the session tests: service_school.py's (Anna Smith 7A owns LAP-0001, Ben Jones
8B owns LAP-0002, Cara Brown 11C has left, Dev Patel 9D; LAP-0003 in stock; LNR-001..004 the loan
pool), plus:

- 7A also has Gina Green (S2001), Hal Hill (S2002) and Ivy Ives (S2003), who is planned to get
  LAP-0105;
- LAP-0101..LAP-0105: allocation laptops in stock; LAP-0101..0103 recorded at "Cart A",
  LAP-0104 at "Cupboard", LAP-0003 at "Cart B";
- CHG-001: a charger of the allocation pool, in stock.
"""

from __future__ import annotations

from datetime import datetime

from service_school import NOW, build_school
from sqlalchemy import select

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus
from helpdesk.domain.models import Device, PlannedAllocation, Student

__all__ = ["NOW", "build_session_school"]

PLACES = {"LAP-0101": "Cart A", "LAP-0102": "Cart A", "LAP-0103": "Cart A", "LAP-0104": "Cupboard"}


def build_session_school(factory) -> None:  # noqa: ANN001 - the services' session factory
    build_school(factory)
    with factory() as session, session.begin():
        for code, first, last in (
            ("S2001", "Gina", "Green"),
            ("S2002", "Hal", "Hill"),
            ("S2003", "Ivy", "Ives"),
        ):
            session.add(
                Student(card_code=code, first_name=first, last_name=last, year_group=7, form="7A")
            )
        for n in range(101, 106):
            tag = f"LAP-0{n}"
            session.add(
                Device(
                    asset_tag=tag,
                    serial=f"SNB{n:05}",
                    make="Dell",
                    model="3190",
                    kind=DeviceKind.LAPTOP,
                    pool=DevicePool.ALLOCATION,
                    status=DeviceStatus.IN_STOCK,
                    location=PLACES.get(tag),
                )
            )
        session.add(
            Device(
                asset_tag="CHG-001",
                serial="SNC00001",
                make="Dell",
                model="45W",
                kind=DeviceKind.CHARGER,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.IN_STOCK,
            )
        )
        session.flush()
        lap3 = session.scalar(select(Device).where(Device.asset_tag == "LAP-0003"))
        assert lap3 is not None
        lap3.location = "Cart B"
        ivy = session.scalar(select(Student).where(Student.card_code == "S2003"))
        lap105 = session.scalar(select(Device).where(Device.asset_tag == "LAP-0105"))
        assert ivy is not None and lap105 is not None
        session.add(
            PlannedAllocation(
                student_id=ivy.id, device_id=lap105.id, planned_at=datetime(2026, 9, 1)
            )
        )


def rows(factory, *, leave_out: tuple[str, ...] = ("session_scans", "audit_log")) -> dict:  # noqa: ANN001
    """Every row of every table but ``leave_out``: to show a refused scan wrote nothing else."""
    from helpdesk.domain.base import Base

    with factory() as session:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in session.execute(table.select())), key=repr
            )
            for table in Base.metadata.sorted_tables
            if table.name not in leave_out
        }


def scans(factory, session_id: int) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """The session's scan rows as (code, outcome, sentence), in the order made."""
    from helpdesk.domain.models import SessionScan

    with factory() as session:
        return [
            (s.code, s.outcome, s.sentence)
            for s in session.scalars(
                select(SessionScan)
                .where(SessionScan.session_id == session_id)
                .order_by(SessionScan.id)
            )
        ]


def open_allocations(
    factory, tag: str | None = None, card: str | None = None
) -> list[tuple[str, str]]:  # noqa: ANN001
    """The open allocations as (asset tag, card code), of one laptop or one student."""
    from helpdesk.domain.models import Assignment

    with factory() as session:
        query = (
            select(Device.asset_tag, Student.card_code)
            .join(Assignment, Assignment.device_id == Device.id)
            .join(Student, Student.id == Assignment.student_id)
            .where(Assignment.ended_at.is_(None))
        )
        if tag is not None:
            query = query.where(Device.asset_tag == tag)
        if card is not None:
            query = query.where(Student.card_code == card)
        return sorted((t, c) for t, c in session.execute(query))
