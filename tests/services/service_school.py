"""A small school for the service tests (fixtures in conftest.py), written with the ORM on a real database.

Staff: admin (from the shared fixture), counter1, tech1.
Students: Anna Smith (7A, S1001, insured, owns LAP-0001), Ben Jones (8B, S1002, cover lapsed,
owns LAP-0002), Cara Brown (11C, S1003, left on 20/07/2026), Dev Patel (9D, S1004, no cover).
Loan pool: LNR-001..LNR-004 in stock. LAP-0003 is in stock, unassigned.
Scheme "Standard cover": 2 claims a period, report within 30 days, no case and deliberate damage
excluded; fee schedule: claim 1 free, claim 2 and later 50.00, theft 150.00.
Uninsured prices: screen 85.00, keyboard 60.00, liquid 120.00, chassis 70.00, lost/stolen 300.00.
NOW is Monday 5 October 2026, 10:00.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from helpdesk.domain.enums import (
    CoverStatus,
    DamageCategory,
    DeviceKind,
    DevicePool,
    DeviceStatus,
    IncidentType,
    StaffRole,
    StudentStatus,
)
from helpdesk.domain.models import (
    Assignment,
    CoverPeriod,
    Device,
    FeeRule,
    Scheme,
    Staff,
    Student,
    UninsuredPrice,
)

NOW = datetime(2026, 10, 5, 10, 0)

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

UNINSURED = {
    DamageCategory.SCREEN: 8500,
    DamageCategory.KEYBOARD: 6000,
    DamageCategory.LIQUID: 12000,
    DamageCategory.CHASSIS: 7000,
    DamageCategory.LOST: 30000,
    DamageCategory.STOLEN: 30000,
}


def build_school(factory) -> None:  # noqa: ANN001 - the services' session factory
    with factory() as session, session.begin():
        session.add_all(
            [
                Staff(username="counter1", display_name="Carol Counter", role=StaffRole.COUNTER),
                Staff(username="tech1", display_name="Tom Tech", role=StaffRole.TECHNICIAN),
                Staff(
                    username="gone",
                    display_name="Gone Away",
                    role=StaffRole.COUNTER,
                    active=False,
                ),
            ]
        )
        anna = Student(
            card_code="S1001", first_name="Anna", last_name="Smith", year_group=7, form="7A"
        )
        ben = Student(
            card_code="S1002", first_name="Ben", last_name="Jones", year_group=8, form="8B"
        )
        cara = Student(
            card_code="S1003",
            first_name="Cara",
            last_name="Brown",
            year_group=11,
            form="11C",
            status=StudentStatus.LEFT,
            left_on=date(2026, 7, 20),
        )
        dev = Student(
            card_code="S1004", first_name="Dev", last_name="Patel", year_group=9, form="9D"
        )
        session.add_all([anna, ben, cara, dev])
        for n in range(1, 5):
            session.add(
                Device(
                    asset_tag=f"LNR-00{n}",
                    serial=f"SNL{n:05}",
                    make="Lenovo",
                    model="300e",
                    kind=DeviceKind.LAPTOP,
                    pool=DevicePool.LOAN,
                    status=DeviceStatus.IN_STOCK,
                )
            )
        laptops = []
        for n in range(1, 4):
            laptop = Device(
                asset_tag=f"LAP-000{n}",
                serial=f"SNA{n:05}",
                make="Dell",
                model="3190",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.ASSIGNED if n < 3 else DeviceStatus.IN_STOCK,
                warranty_until=date(2027, 8, 31),
            )
            laptops.append(laptop)
            session.add(laptop)
        session.add(Assignment(device=laptops[0], student=anna, started_at=datetime(2026, 9, 1, 9)))
        session.add(Assignment(device=laptops[1], student=ben, started_at=datetime(2026, 9, 1, 9)))
        scheme = Scheme(
            name="Standard cover",
            claims_allowed=2,
            report_within_days=30,
            excludes_no_case=True,
            excludes_deliberate=True,
        )
        scheme.fee_rules = [
            FeeRule(incident_type=None, claim_from=1, claim_to=1, charge_pence=0),
            FeeRule(incident_type=None, claim_from=2, claim_to=None, charge_pence=5000),
            FeeRule(
                incident_type=IncidentType.THEFT, claim_from=1, claim_to=None, charge_pence=15000
            ),
        ]
        session.add(scheme)
        for category, pence in UNINSURED.items():
            session.add(UninsuredPrice(damage_category=category, charge_pence=pence))
        session.add(
            CoverPeriod(
                student=anna,
                scheme=scheme,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.INSURED,
                claims_allowed=2,
            )
        )
        session.add(
            CoverPeriod(
                student=ben,
                scheme=scheme,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.LAPSED,
                claims_allowed=2,
            )
        )
