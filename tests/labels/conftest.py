"""Fixtures for the label and slip tests: a small school on a real SQLite file."""

from __future__ import annotations

from datetime import date, datetime

import pytest


@pytest.fixture
def school(session_factory):
    """The small school below on a SQLite file: (session factory, ids by surname and tag)."""
    return session_factory, build_school(session_factory)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def any_school(request):
    """The same school on SQLite and on PostgreSQL."""
    name = "session_factory" if request.param == "sqlite" else "pg_session_factory"
    factory = request.getfixturevalue(name)
    return factory, build_school(factory)


def build_school(session_factory) -> dict[str, int]:
    """Form 7A: Cole, Ahmed, Baker (out of alphabetical order on purpose), 7B: Adams; year 8:
    8A Evans. PER-000101.. are allocated; LNR-001/002 are loan laptops; PER-000900 is retired.
    """
    from helpdesk.domain.enums import (
        CoverStatus,
        DamageCategory,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        LoanType,
    )
    from helpdesk.domain.models import (
        Assignment,
        CoverPeriod,
        Device,
        Loan,
        Scheme,
        Setting,
        Staff,
        Student,
        Ticket,
        UninsuredPrice,
    )

    people = [
        ("Cara", "Cole", 7, "7A"),
        ("Amir", "Ahmed", 7, "7A"),
        ("Bea", "Baker", 7, "7A"),
        ("Dan", "Adams", 7, "7B"),
        ("Eve", "Evans", 8, "8A"),
    ]
    ids: dict[str, int] = {}
    with session_factory() as s, s.begin():
        admin = s.query(Staff).filter_by(username="admin").one()
        s.add(Setting(key="school_name", value='"Northfield Academy"'))
        scheme = Scheme(name="Standard")
        s.add(scheme)
        for n, (first, last, year, form) in enumerate(people, start=1):
            student = Student(
                card_code=f"S{n:04d}", first_name=first, last_name=last, year_group=year, form=form
            )
            device = Device(
                asset_tag=f"PER-{100 + n:06d}",
                serial=f"SN{n:05d}",
                make="HP",
                model="ProBook 440",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.ASSIGNED,
            )
            s.add_all([student, device])
            s.flush()
            s.add(
                Assignment(
                    device_id=device.id, student_id=student.id, started_at=datetime(2026, 9, 1)
                )
            )
            ids[last] = student.id
            ids[device.asset_tag] = device.id
        for tag in ("LNR-001", "LNR-002"):
            d = Device(
                asset_tag=tag,
                serial=f"L{tag}",
                make="Dell",
                model="Latitude 3140",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.LOAN,
            )
            s.add(d)
            s.flush()
            ids[tag] = d.id
        retired = Device(
            asset_tag="PER-000900",
            serial="SN-OLD",
            kind=DeviceKind.LAPTOP,
            pool=DevicePool.ALLOCATION,
            status=DeviceStatus.RETIRED,
        )
        s.add(retired)
        s.flush()
        s.add(
            CoverPeriod(
                student_id=ids["Cole"],
                scheme_id=scheme.id,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.INSURED,
                claims_allowed=2,
            )
        )
        s.add(UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=8500))
        loan = Loan(
            device_id=ids["LNR-001"],
            student_id=ids["Ahmed"],
            loan_type=LoanType.SWAP,
            accessories="charger",
            issued_at=datetime(2026, 11, 25, 8, 40),
            issued_by_id=admin.id,
            due_at=datetime(2026, 11, 27, 15, 30),
        )
        ticket = Ticket(
            device_id=ids["PER-000102"],
            student_id=ids["Ahmed"],
            damage_category=DamageCategory.SCREEN,
            fault="Cracked screen",
            opened_at=datetime(2026, 11, 25, 8, 35),
            opened_by_id=admin.id,
            state_changed_at=datetime(2026, 11, 25, 8, 35),
        )
        s.add_all([loan, ticket])
        s.flush()
        ids["loan"] = loan.id
        ids["ticket"] = ticket.id
    return ids
