"""A small school's bench on a real SQLite file, made with the ORM, for the reports and notices.

"Today" is Wednesday 25/11/2026; Friday 20/11/2026 is an INSET day (closed).

Students: Anna Smith (7A, Y7), Ben Jones (8B, Y8), Cara Patel (7A, Y7), Dev Khan (10C, Y10).
Anna, Ben and Cara have Standard cover for 2026/27 (Anna also had it for 2025/26); Dev's has
lapsed.

Tickets (key: student, damage, state, logged -> closed):
  t1  Anna  screen    diagnosing            Mon 23/11 09:00
  t2  Ben   keyboard  awaiting parts        Thu 19/11 10:00
  t3  Cara  liquid    awaiting parts        Tue 10/11 09:00
  t4  Dev   screen    ready for collection  Tue 24/11 09:00  (swap loaner LNR-001 still out)
  t5  Anna  screen    collected             01/10 08:00 -> 03/10 08:00  (2.0 days)
  t6  Ben   screen    collected             05/10 09:00 -> 09/10 21:00  (4.5 days)
  t7  Cara  screen    collected             12/10 09:00 -> 22/10 09:00  (10.0 days)
  t8  Dev   keyboard  collected             14/09 09:00 -> 15/09 09:00  (1.0 day)
  t9  Anna  stolen    cancelled             20/09
  t10 Ben   lost      written off           02/11 -> 05/11
  t11 Cara  trackpad  ready for collection  Wed 18/11 09:00

Claims: t5, t6, t7 first claims (free); t1 Anna's second claim £50 due; t3 Cara's second claim
(liquid) £50 paid on 12/11; t10 Ben's second claim (loss) £75 waived; t4 Dev uninsured £90 due;
t2 Ben's third (all claims used) £50 due, outside cover;
t9's claim was dropped when the ticket was cancelled (no claim number, nothing to pay).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

TODAY = date(2026, 11, 25)


@dataclass(frozen=True)
class Bench:
    url: str
    tickets: dict[str, int]
    claims: dict[str, int]


def build_bench(factory) -> tuple[dict[str, int], dict[str, int]]:  # noqa: ANN001, C901
    from sqlalchemy import select

    from helpdesk.domain.enums import (
        ChargeStatus,
        CoverStatus,
        DamageCategory,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        IncidentType,
        LoanType,
        TicketState,
    )
    from helpdesk.domain.models import Claim as ClaimRow
    from helpdesk.domain.models import (
        Closure,
        CoverPeriod,
        Device,
        FeeRule,
        Loan,
        Scheme,
        Setting,
        Staff,
        Student,
        Ticket,
    )

    with factory() as session, session.begin():
        admin = session.scalar(select(Staff).where(Staff.username == "admin"))
        people = {}
        for key, first, last, year, form in (
            ("anna", "Anna", "Smith", 7, "7A"),
            ("ben", "Ben", "Jones", 8, "8B"),
            ("cara", "Cara", "Patel", 7, "7A"),
            ("dev", "Dev", "Khan", 10, "10C"),
        ):
            people[key] = Student(
                card_code=f"S{len(people) + 1:04d}",
                first_name=first,
                last_name=last,
                year_group=year,
                form=form,
            )
        session.add_all(people.values())
        laptops = {}
        for n, key in enumerate(people, start=1):
            laptops[key] = Device(
                asset_tag=f"PER-{n:06d}",
                serial=f"SN{n:06d}",
                make="Lenovo",
                model="300e Gen 3",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.IN_REPAIR,
            )
        loaner = Device(
            asset_tag="LNR-001",
            serial="LSN0001",
            make="Lenovo",
            model="100e",
            kind=DeviceKind.LAPTOP,
            pool=DevicePool.LOAN,
            status=DeviceStatus.ON_LOAN,
        )
        session.add_all([*laptops.values(), loaner])
        session.add(Closure(day=date(2026, 11, 20), reason="INSET day"))
        session.add(Setting(key="school_name", value=json.dumps("Hillside Academy")))
        scheme = Scheme(name="Standard cover", claims_allowed=2)
        scheme.fee_rules = [
            FeeRule(incident_type=None, claim_from=1, claim_to=1, charge_pence=0),
            FeeRule(incident_type=None, claim_from=2, claim_to=None, charge_pence=5000),
        ]
        session.add(scheme)
        session.flush()
        periods = {}
        for key in ("anna", "ben", "cara"):
            periods[key] = CoverPeriod(
                student_id=people[key].id,
                scheme_id=scheme.id,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.INSURED,
                claims_allowed=2,
            )
        session.add(
            CoverPeriod(
                student_id=people["anna"].id,
                scheme_id=scheme.id,
                starts_on=date(2025, 9, 1),
                ends_on=date(2026, 8, 31),
                status=CoverStatus.INSURED,
                claims_allowed=2,
            )
        )
        session.add_all(periods.values())
        session.add(
            CoverPeriod(
                student_id=people["dev"].id,
                scheme_id=scheme.id,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.LAPSED,
                claims_allowed=2,
            )
        )

        def at(text: str) -> datetime:
            return datetime.fromisoformat(text)

        tickets: dict[str, Ticket] = {}
        for key, who, category, state, opened, closed in (
            ("t1", "anna", DamageCategory.SCREEN, TicketState.DIAGNOSING, "2026-11-23 09:00", None),
            ("t2", "ben", DamageCategory.KEYBOARD, TicketState.AWAITING_PARTS, "2026-11-19 10:00", None),
            ("t3", "cara", DamageCategory.LIQUID, TicketState.AWAITING_PARTS, "2026-11-10 09:00", None),
            ("t4", "dev", DamageCategory.SCREEN, TicketState.READY_FOR_COLLECTION, "2026-11-24 09:00", None),
            ("t5", "anna", DamageCategory.SCREEN, TicketState.COLLECTED, "2026-10-01 08:00", "2026-10-03 08:00"),
            ("t6", "ben", DamageCategory.SCREEN, TicketState.COLLECTED, "2026-10-05 09:00", "2026-10-09 21:00"),
            ("t7", "cara", DamageCategory.SCREEN, TicketState.COLLECTED, "2026-10-12 09:00", "2026-10-22 09:00"),
            ("t8", "dev", DamageCategory.KEYBOARD, TicketState.COLLECTED, "2026-09-14 09:00", "2026-09-15 09:00"),
            ("t9", "anna", DamageCategory.STOLEN, TicketState.CANCELLED, "2026-09-20 09:00", "2026-09-20 10:00"),
            ("t10", "ben", DamageCategory.LOST, TicketState.WRITTEN_OFF, "2026-11-02 09:00", "2026-11-05 09:00"),
            ("t11", "cara", DamageCategory.TRACKPAD, TicketState.READY_FOR_COLLECTION, "2026-11-18 09:00", None),
        ):  # fmt: skip
            ticket = Ticket(
                device_id=laptops[who].id,
                student_id=people[who].id,
                damage_category=category,
                fault=f"{category.label} damage",
                state=state,
                opened_at=at(opened),
                opened_by_id=admin.id,
                state_changed_at=at(closed) if closed else at("2026-11-24 15:00"),
                closed_at=at(closed) if closed else None,
            )
            session.add(ticket)
            session.flush()
            tickets[key] = ticket
        session.add(
            Loan(
                device_id=loaner.id,
                student_id=people["dev"].id,
                loan_type=LoanType.SWAP,
                accessories="charger",
                issued_at=at("2026-11-24 09:05"),
                issued_by_id=admin.id,
                due_at=at("2026-12-08 15:30"),
                ticket_id=tickets["t4"].id,
            )
        )
        claims: dict[str, ClaimRow] = {}
        for key, who, incident, number, pence, status, created, extra in (
            ("t5", "anna", IncidentType.ACCIDENTAL_DAMAGE, 1, 0, ChargeStatus.PAID, "2026-10-01 08:10", {}),
            ("t6", "ben", IncidentType.ACCIDENTAL_DAMAGE, 1, 0, ChargeStatus.PAID, "2026-10-05 09:10", {}),
            ("t7", "cara", IncidentType.ACCIDENTAL_DAMAGE, 1, 0, ChargeStatus.PAID, "2026-10-12 09:10", {}),
            ("t1", "anna", IncidentType.ACCIDENTAL_DAMAGE, 2, 5000, ChargeStatus.DUE, "2026-11-23 09:10", {}),
            ("t3", "cara", IncidentType.LIQUID, 2, 5000, ChargeStatus.PAID, "2026-11-10 09:10",
             {"settled_at": at("2026-11-12 12:00")}),
            ("t10", "ben", IncidentType.LOSS, 2, 7500, ChargeStatus.WAIVED, "2026-11-02 09:10",
             {"waiver_reason": "Family hardship fund", "settled_at": at("2026-11-03 10:00")}),
            ("t4", "dev", IncidentType.ACCIDENTAL_DAMAGE, None, 9000, ChargeStatus.DUE, "2026-11-24 09:10", {}),
            ("t2", "ben", IncidentType.ACCIDENTAL_DAMAGE, None, 5000, ChargeStatus.DUE, "2026-11-19 10:10", {}),
            ("t9", "anna", IncidentType.THEFT, None, 0, ChargeStatus.PAID, "2026-09-20 09:10",
             {"crime_reference": "CR/2026/0412"}),
        ):  # fmt: skip
            ticket = tickets[key]
            created_at = at(created)
            rule = (
                "All 2 claims of the period with Standard cover are used; repair price £50.00"
                if key == "t2"
                else f"Uninsured price list: {ticket.damage_category.label} £{pence / 100:.2f}"
                if number is None
                else (
                    "Standard cover: the first claim in a cover period is free"
                    if number == 1
                    else f"Standard cover: claim {number} in a cover period costs £{pence / 100:.2f}"
                )
            )
            claims[key] = ClaimRow(
                ticket_id=ticket.id,
                student_id=people[who].id,
                cover_period_id=periods[who].id if who in periods else None,
                incident_type=incident,
                occurred_on=created_at.date(),
                reported_on=created_at.date(),
                claim_number=number,
                charge_pence=pence,
                rule=rule,
                charge_status=status,
                created_at=created_at,
                **extra,
            )
        session.add_all(claims.values())
        session.flush()
        return (
            {key: t.id for key, t in tickets.items()},
            {key: c.id for key, c in claims.items()},
        )


FIRST = ("Amir", "Bella", "Chloe", "Daniel", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack",
         "Keira", "Leo", "Maya", "Noah", "Olivia", "Priya", "Quinn", "Ruby", "Sam", "Tom")  # fmt: skip
LAST = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fisher", "Green", "Hughes", "Iqbal",
        "Jones", "Khan", "Lewis", "Morris", "Nowak", "Owen", "Patel", "Roberts", "Singh")  # fmt: skip


def build_term(factory, today: date, *, seed: int = 7) -> None:  # noqa: ANN001
    """A term's bench for a screenshot: 40 students in 8 forms, about 90 tickets since
    1 September in every state, claims with charges due, paid and waived."""
    import random
    from datetime import timedelta

    from sqlalchemy import select

    from helpdesk.domain.enums import (
        ChargeStatus,
        CoverStatus,
        DamageCategory,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        IncidentType,
        TicketState,
    )
    from helpdesk.domain.models import (
        Claim,
        CoverPeriod,
        Device,
        Scheme,
        Setting,
        Staff,
        Student,
        Ticket,
    )

    rng = random.Random(seed)
    weights = {
        DamageCategory.SCREEN: 30, DamageCategory.KEYBOARD: 14, DamageCategory.CHARGER: 10,
        DamageCategory.LIQUID: 8, DamageCategory.HINGE_PORTS: 8, DamageCategory.BATTERY: 7,
        DamageCategory.SOFTWARE: 7, DamageCategory.TRACKPAD: 5, DamageCategory.CHASSIS: 5,
        DamageCategory.LOST: 3, DamageCategory.STOLEN: 2,
    }  # fmt: skip
    open_states = [TicketState.LOGGED, TicketState.DIAGNOSING, TicketState.AWAITING_PAYMENT,
                   TicketState.AWAITING_PARTS, TicketState.WITH_VENDOR, TicketState.REPAIRED,
                   TicketState.READY_FOR_COLLECTION]  # fmt: skip
    start = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    with factory() as session, session.begin():
        admin = session.scalar(select(Staff).where(Staff.username == "admin"))
        session.add(Setting(key="school_name", value='"Hillside Academy"'))
        scheme = Scheme(name="Standard cover", claims_allowed=2)
        session.add(scheme)
        students = []
        for n in range(40):
            year = 7 + n // 10
            form = f"{year}{'AB'[n % 2]}"
            students.append(
                Student(
                    card_code=f"S{n + 1:04d}",
                    first_name=FIRST[n % len(FIRST)],
                    last_name=LAST[(n * 7) % len(LAST)],
                    year_group=year,
                    form=form,
                )  # fmt: skip
            )
        session.add_all(students)
        devices = [
            Device(
                asset_tag=f"PER-{n + 1:06d}",
                serial=f"SN{n + 1:06d}",
                make="Lenovo",
                model="300e Gen 3",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.ASSIGNED,
            )  # fmt: skip
            for n in range(40)
        ]
        session.add_all(devices)
        session.flush()
        covers = {}
        for student in students[:30]:
            covers[student.id] = CoverPeriod(
                student_id=student.id, scheme_id=scheme.id, starts_on=start,
                ends_on=date(start.year + 1, 8, 31), status=CoverStatus.INSURED, claims_allowed=2,
            )  # fmt: skip
        session.add_all(covers.values())
        session.flush()
        claims_used: dict[int, int] = {}
        span = (today - start).days
        for _ in range(90):
            n = rng.randrange(40)
            student, device = students[n], devices[n]
            category = rng.choices(list(weights), weights=list(weights.values()))[0]
            opened = datetime.combine(
                start + timedelta(days=rng.randrange(span)), datetime.min.time()
            )
            opened = opened.replace(hour=rng.randrange(8, 16), minute=rng.randrange(60))
            age = (today - opened.date()).days
            if age > 16 or rng.random() < 0.3 and age > 4:
                state = rng.choices(
                    [TicketState.COLLECTED, TicketState.WRITTEN_OFF, TicketState.CANCELLED],
                    weights=[90, 5, 5],
                )[0]
                closed = opened + timedelta(hours=rng.randrange(20, min(24 * 14, 24 * age)))
                if category in (DamageCategory.LOST, DamageCategory.STOLEN):
                    state = TicketState.WRITTEN_OFF
            else:
                state, closed = rng.choice(open_states), None
            ticket = Ticket(
                device_id=device.id, student_id=student.id, damage_category=category,
                fault=f"{category.label} damage", state=state, opened_at=opened,
                opened_by_id=admin.id, state_changed_at=closed or opened, closed_at=closed,
            )  # fmt: skip
            session.add(ticket)
            session.flush()
            if category in (DamageCategory.SOFTWARE, DamageCategory.CHARGER):
                continue
            cover = covers.get(student.id)
            number = claims_used.get(student.id, 0) + 1 if cover else None
            if cover:
                claims_used[student.id] = number
            pence = 9000 if cover is None else (0 if number == 1 else 5000)
            if number is not None and number > 2:
                number = None  # all claims of the period used: charged outside cover
            status = rng.choices(
                [ChargeStatus.DUE, ChargeStatus.PAID, ChargeStatus.WAIVED], weights=[4, 5, 1]
            )[0]
            incident = IncidentType.for_damage(category)
            session.add(
                Claim(
                    ticket_id=ticket.id, student_id=student.id,
                    cover_period_id=cover.id if cover else None, incident_type=incident,
                    occurred_on=opened.date(), reported_on=opened.date(),
                    crime_reference="CR/2026/1234" if incident is IncidentType.THEFT else "",
                    claim_number=number, charge_pence=pence,
                    rule="Standard cover" if cover else "Uninsured price list",
                    charge_status=status,
                    waiver_reason="Family hardship fund" if status is ChargeStatus.WAIVED else "",
                    created_at=opened,
                )
            )  # fmt: skip
