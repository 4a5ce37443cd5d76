"""A small school with repair tickets on a real SQLite file, for the bench window tests.

Students: Anna Smith (7A, S0001, insured with Standard cover: first claim free, then £50; owns
PER-000001), Ben Jones (8B, S0002, no cover; owns PER-000002), Cara Brown (9C, S0003, insured;
owns PER-000005). PER-000003 and PER-000004 are spare laptops in stock; LNR-001 is a loaner.
The uninsured price of a screen repair is £90. Staff: admin and the technician mwright.

Tickets (booked through the services): Anna's screen two weeks ago (logged, old), Ben's screen
today (logged, charged £90), Cara's battery fault with the vendor Lenovo depot repair and
technician mwright, and a cancelled one on a spare laptop (booked two weeks ago).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class BenchSchool:
    url: str
    folder: str
    anna_ticket: int
    ben_ticket: int
    cara_ticket: int
    cancelled_ticket: int
    anna: str = "S0001"
    ben: str = "S0002"
    cara: str = "S0003"
    anna_laptop: str = "PER-000001"
    ben_laptop: str = "PER-000002"
    cara_laptop: str = "PER-000005"
    spares: tuple[str, ...] = ("PER-000003", "PER-000004")
    loaner: str = "LNR-001"


def build_bench_school(factory) -> dict[str, int]:  # noqa: ANN001
    from helpdesk.domain.enums import (
        CoverStatus,
        DamageCategory,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        StaffRole,
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
    from helpdesk.services.repairs import tickets

    today = date.today()
    term = date(today.year - 1, 9, 1)
    with factory() as session, session.begin():
        session.add(Staff(username="mwright", display_name="M Wright", role=StaffRole.TECHNICIAN))
        session.add(Staff(username="boss", display_name="Mo Manager", role=StaffRole.MANAGER))
        people = [
            Student(card_code=f"S000{n}", first_name=first, last_name=last, year_group=y, form=f)
            for n, (first, last, y, f) in enumerate(
                [("Anna", "Smith", 7, "7A"), ("Ben", "Jones", 8, "8B"), ("Cara", "Brown", 9, "9C")],
                start=1,
            )
        ]
        session.add_all(people)
        devices = [
            Device(
                asset_tag=f"PER-{n:06d}",
                serial=f"SN{n:06d}",
                make="Lenovo",
                model="300e Gen 3",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.IN_STOCK if n in (3, 4) else DeviceStatus.ASSIGNED,
                warranty_until=today + timedelta(days=400),
            )
            for n in range(1, 6)
        ]
        session.add_all(devices)
        session.add(
            Device(
                asset_tag="LNR-001",
                serial="LSN0001",
                make="Lenovo",
                model="100e",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.LOAN,
                status=DeviceStatus.IN_STOCK,
            )
        )
        session.flush()
        start = datetime.combine(term, datetime.min.time())
        for student, device in zip(people, (devices[0], devices[1], devices[4]), strict=True):
            session.add(Assignment(device_id=device.id, student_id=student.id, started_at=start))
        scheme = Scheme(name="Standard cover", claims_allowed=2)
        scheme.fee_rules = [
            FeeRule(incident_type=None, claim_from=1, claim_to=1, charge_pence=0),
            FeeRule(incident_type=None, claim_from=2, claim_to=None, charge_pence=5000),
        ]
        session.add_all(
            [scheme, UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=9000)]
        )
        session.flush()
        for student in (people[0], people[2]):
            session.add(
                CoverPeriod(
                    student_id=student.id,
                    scheme_id=scheme.id,
                    starts_on=term,
                    ends_on=date(today.year + 1, 8, 31),
                    status=CoverStatus.INSURED,
                    claims_allowed=2,
                )
            )
    now = datetime.now().replace(microsecond=0)
    two_weeks = now - timedelta(days=14)
    screen = tickets.DamageReport("screen", "Screen cracked from the corner.")
    anna = tickets.open_ticket(
        factory, "admin", device_code="PER-000001", damage=screen, now=two_weeks
    )
    ben = tickets.open_ticket(factory, "admin", device_code="PER-000002", damage=screen, now=now)
    fault = tickets.DamageReport("battery", "Battery will not hold a charge.")
    cara = tickets.open_ticket(factory, "admin", device_code="PER-000005", damage=fault, now=now)
    tickets.move_ticket(factory, "mwright", cara.id, "diagnosing", now=now)
    tickets.set_vendor(factory, "mwright", cara.id, "Lenovo depot repair", "RMA1234", now=now)
    tickets.move_ticket(factory, "mwright", cara.id, "with_vendor", now=now)
    spare = tickets.DamageReport("keyboard", "Sticky keys.")
    gone = tickets.open_ticket(
        factory, "admin", device_code="PER-000004", damage=spare, now=two_weeks
    )
    tickets.move_ticket(factory, "admin", gone.id, "cancelled", now=now)
    return {"anna": anna.id, "ben": ben.id, "cara": cara.id, "cancelled": gone.id}
