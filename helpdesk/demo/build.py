"""The demo school: a realistic, deterministic school to try Helpdesk on (``helpdesk demo``).

About 900 students in years 7-11 (forms 7A-11F, names as on a British roll, a few who have left),
950 allocation laptops and their chargers assigned 1:1 with a few spares, a 60-laptop loan pool,
staff (one sign-in account per role, see services/core/demo_accounts.py: counter, technician,
manager and admin, password ``demo-<username>``, badges STAFF-0001..0004 with PINs 1111, 2222,
3333 and 4444; and a few more counter staff and technicians), two insurance schemes with fee schedules and an
uninsured price list, cover periods of every status, the year's closure dates, and a term of
history made through the same services the counter uses, dated in the past: loans (returned,
open, overdue), swaps, tickets in every state, claims and charges due, paid and waived.

The same seed and the same day give the same school. It only goes into an empty database.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.demo.history import History, make_history
from helpdesk.demo.names import FIRST_NAMES, LAST_NAMES
from helpdesk.demo.places import place_devices
from helpdesk.demo.plan import SchoolPlan
from helpdesk.demo.term import academic_year, closures_for
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
from helpdesk.domain.errors import Refused
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
from helpdesk.services.core.auth import hash_secret
from helpdesk.services.core.demo_accounts import DEMO_ACCOUNTS, mark_demo_database
from helpdesk.services.core.school_days import is_school_day
from helpdesk.services.core.settings import SchoolSettings, add_closures, save_settings
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work

SCHOOL_NAME = "Riverside Academy"
YEARS = (7, 8, 9, 10, 11)
FORMS = "ABCDEF"
STUDENTS_PER_YEAR = 180
LEFT_STUDENTS = 10
LAPTOPS = 950
LOANERS = 60
MIN_HISTORY_DAYS = 30  # school days of history at least
MAX_HISTORY_DAYS = 70
STAFF = (
    ("jlewis", "Jo Lewis", StaffRole.COUNTER),
    ("pkaur", "Priya Kaur", StaffRole.COUNTER),
    ("tobrien", "Tom O'Brien", StaffRole.TECHNICIAN),
    ("mwright", "Megan Wright", StaffRole.TECHNICIAN),
    ("dcarter", "Dan Carter", StaffRole.ADMIN),
)
UNINSURED_PRICES = {
    DamageCategory.SCREEN: 9000,
    DamageCategory.KEYBOARD: 6000,
    DamageCategory.TRACKPAD: 5000,
    DamageCategory.LIQUID: 22000,
    DamageCategory.CHASSIS: 8000,
    DamageCategory.HINGE_PORTS: 7000,
    DamageCategory.CHARGER: 3500,
    DamageCategory.CASE: 2000,
    DamageCategory.LOST: 32000,
    DamageCategory.STOLEN: 32000,
    DamageCategory.OTHER: 4000,
}
# (name, claims allowed, rules as (incident or None for any, claim from, claim to, pence))
SCHEMES = (
    (
        "Standard",
        2,
        (
            (None, 1, 1, 0),
            (None, 2, None, 5000),
            (IncidentType.THEFT, 1, None, 15000),
            (IncidentType.LOSS, 1, None, 15000),
        ),
    ),
    (
        "Premium",
        3,
        (
            (None, 1, 2, 0),
            (None, 3, None, 2500),
            (IncidentType.THEFT, 1, None, 7500),
            (IncidentType.LOSS, 1, None, 7500),
        ),
    ),
)
COVER_MIX = (
    (CoverStatus.INSURED, 70),
    (CoverStatus.UNINSURED, 12),
    (CoverStatus.LAPSED, 8),
    (CoverStatus.PENDING_PAYMENT, 10),
)


@dataclass(frozen=True)
class DemoSummary:
    school_name: str
    seed: int
    students: int
    left: int
    forms: int
    laptops: int
    chargers: int
    loaners: int
    spares: int
    staff: tuple[str, ...]
    cover_by_status: dict[str, int]
    closures: int
    history: History
    seconds: float

    def lines(self) -> list[str]:
        h = self.history
        cover = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in self.cover_by_status.items())
        states = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in h.tickets_by_state.items())
        charges = ", ".join(f"{n} {s}" for s, n in h.charges_by_status.items())
        return [
            f"{self.school_name} (seed {self.seed}), history from "
            f"{h.first_day:%d/%m/%Y} to {h.last_day:%d/%m/%Y}",
            f"students: {self.students} in years 7-11 ({self.forms} forms), "
            f"{self.left} of them left",
            f"devices: {self.laptops} laptops and {self.chargers} chargers assigned 1:1 "
            f"({self.spares} spare laptops), {self.loaners} loan laptops",
            f"staff: {', '.join(self.staff)}",
            "sign in as counter, technician, manager or admin with the password "
            "demo-<username> (e.g. demo-counter)",
            f"cover: {cover}",
            f"closure dates: {self.closures}",
            f"loans: {h.loans} ({h.open_loans} open, {h.overdue_loans} overdue, "
            f"{h.swap_loans} swaps)",
            f"tickets: {h.tickets} ({states})",
            f"charges: {charges}",
            f"made in {self.seconds:.1f} s",
        ]


def _history_days(today: date, closed: set[date]) -> list[date]:
    """The school days of this term so far (back into the last one early in a term)."""
    term_start = date(academic_year(today), 9, 1)
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < MAX_HISTORY_DAYS and (day >= term_start or len(days) < MIN_HISTORY_DAYS):
        if is_school_day(day, closed):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def _serial(rng: random.Random, prefix: str, used: set[str]) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    while True:
        serial = prefix + "".join(rng.choice(alphabet) for _ in range(6))
        if serial not in used:
            used.add(serial)
            return serial


def _school(session, rng: random.Random, year: int, pickup: datetime) -> SchoolPlan:  # noqa: ANN001
    """Students, devices, assignments, schemes and cover, added in one transaction."""
    schemes = []
    for name, allowed, rules in SCHEMES:
        scheme = Scheme(
            name=name,
            claims_allowed=allowed,
            report_within_days=14 if name == "Standard" else 30,
            excludes_no_case=name == "Standard",
            excludes_deliberate=True,
        )
        scheme.fee_rules = [
            FeeRule(incident_type=i, claim_from=a, claim_to=b, charge_pence=p)
            for i, a, b, p in rules
        ]
        schemes.append(scheme)
    session.add_all(schemes)
    session.add_all(
        UninsuredPrice(damage_category=c, charge_pence=p) for c, p in UNINSURED_PRICES.items()
    )
    students: list[Student] = []
    for year_group in YEARS:
        entry = year - (year_group - 7)
        for n in range(STUDENTS_PER_YEAR):
            students.append(
                Student(
                    card_code=f"{entry % 100:02d}{n + 1:04d}",
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    year_group=year_group,
                    form=f"{year_group}{FORMS[n % len(FORMS)]}",
                    status=StudentStatus.ACTIVE,
                )
            )
    for student in rng.sample(students, LEFT_STUDENTS):
        student.status = StudentStatus.LEFT
        student.left_on = (pickup - timedelta(days=rng.randint(20, 200))).date()
    session.add_all(students)
    serials: set[str] = set()
    active = [s for s in students if s.status is StudentStatus.ACTIVE]
    laptops, chargers, spares = [], [], []
    for n in range(LAPTOPS):
        bought = date(year - rng.choice((0, 0, 1, 1, 2)), 8, rng.randint(1, 28))
        older = bought.year < year
        laptop = Device(
            asset_tag=f"LT-{n + 1:05d}",
            serial=_serial(rng, "PF", serials),
            make="Lenovo" if not older or n % 3 else "Dell",
            model="ThinkPad 11e Yoga Gen 6" if not older or n % 3 else "Latitude 3120",
            kind=DeviceKind.LAPTOP,
            pool=DevicePool.ALLOCATION,
            status=DeviceStatus.IN_STOCK,
            purchased_on=bought,
            warranty_until=bought.replace(year=bought.year + 3),
            notes="",
        )
        charger = Device(
            asset_tag=f"CH-{n + 1:05d}",
            serial=_serial(rng, "8SSA", serials),
            make=laptop.make,
            model="45W USB-C charger",
            kind=DeviceKind.CHARGER,
            pool=DevicePool.ALLOCATION,
            status=DeviceStatus.IN_STOCK,
            purchased_on=bought,
            warranty_until=bought.replace(year=bought.year + 1),
            notes="",
        )
        laptops.append(laptop)
        chargers.append(charger)
    loaners = [
        Device(
            asset_tag=f"LN-{n + 1:03d}",
            serial=_serial(rng, "LR", serials),
            make="Lenovo",
            model="100e Gen 4",
            kind=DeviceKind.LAPTOP,
            pool=DevicePool.LOAN,
            status=DeviceStatus.IN_STOCK,
            purchased_on=date(year - 1, 8, 20),
            warranty_until=date(year + 2, 8, 20),
            notes="",
        )
        for n in range(LOANERS)
    ]
    session.add_all([*laptops, *chargers, *loaners])
    for student, laptop, charger in zip(active, laptops, chargers, strict=False):
        for device in (laptop, charger):
            device.status = DeviceStatus.ASSIGNED
            session.add(Assignment(device=device, student=student, started_at=pickup))
    spares = laptops[len(active) :]
    for device in spares[-3:]:
        device.status = DeviceStatus.RETIRED
        device.notes = "End of life: battery and hinge worn out."
    weights = [w for _s, w in COVER_MIX]
    cover: dict[str, CoverStatus] = {}
    for student in students:
        scheme = schemes[0] if rng.random() < 0.8 else schemes[1]
        status = rng.choices([s for s, _w in COVER_MIX], weights)[0]
        cover[student.card_code] = status
        session.add(
            CoverPeriod(
                student=student,
                scheme=scheme,
                starts_on=date(year, 9, 1),
                ends_on=date(year + 1, 8, 31),
                status=status,
                claims_allowed=scheme.claims_allowed,
            )
        )
        if student.year_group > 7:
            session.add(
                CoverPeriod(
                    student=student,
                    scheme=scheme,
                    starts_on=date(year - 1, 9, 1),
                    ends_on=date(year, 8, 31),
                    status=CoverStatus.INSURED if rng.random() < 0.85 else CoverStatus.LAPSED,
                    claims_allowed=scheme.claims_allowed,
                )
            )
    session.flush()
    return SchoolPlan(
        students=[(s.card_code, s.status is StudentStatus.ACTIVE) for s in students],
        laptops={s.card_code: d.asset_tag for s, d in zip(active, laptops, strict=False)},
        chargers={s.card_code: d.asset_tag for s, d in zip(active, chargers, strict=False)},
        cover=cover,
        loaners=[d.asset_tag for d in loaners],
        spares=[d.asset_tag for d in spares[:-3]],
    )


def _demo_accounts(factory: SessionFactory) -> None:
    """One staff member per role who can sign in (DEMO_ACCOUNTS: password, badge and PIN); a
    staff member of that name already there keeps a password of their own."""
    with unit_of_work(factory, None, action="demo.build") as session:
        existing = {s.username: s for s in session.scalars(select(Staff))}
        for account in DEMO_ACCOUNTS:
            staff = existing.get(account.username)
            if staff is None:
                staff = Staff(
                    username=account.username,
                    display_name=account.display_name,
                    role=account.role,
                    failed_attempts=0,
                )
                session.add(staff)
            if staff.password_hash is None:
                staff.password_hash = hash_secret(account.password)
            if staff.pin_hash is None:
                staff.pin_hash = hash_secret(account.pin)
                staff.badge = staff.badge or account.badge


def build_demo(
    factory: SessionFactory,
    *,
    seed: int = 1,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo school; Refused when it has students or devices."""
    import time as clock

    started = clock.perf_counter()
    say = progress or (lambda _text: None)
    now = (now or datetime.now()).replace(second=0, microsecond=0)
    with read_session(factory) as session:
        students = session.scalar(select(func.count(Student.id)))
        devices = session.scalar(select(func.count(Device.id)))
    if students or devices:
        raise Refused(
            f"This database already has {students} students and {devices} devices; the demo "
            "school goes only into an empty database (give another one with --db)."
        )
    rng = random.Random(seed)
    year = academic_year(now.date())
    _demo_accounts(factory)
    holidays = closures_for(year - 1) + closures_for(year)
    closed = {day for _reason, days in holidays for day in days}
    days = _history_days(now.date(), closed)
    pickup = datetime.combine(days[0] - timedelta(days=1), time(8, 0))
    while not is_school_day(pickup.date(), set()):
        pickup -= timedelta(days=1)
    mark_demo_database(factory)
    say("staff, settings and closure dates")
    with unit_of_work(factory, "admin", action="staff.add", now=pickup) as session:
        existing = set(session.scalars(select(Staff.username)))
        for username, name, role in STAFF:
            if username not in existing:
                session.add(Staff(username=username, display_name=name, role=role))
    save_settings(
        factory,
        "admin",
        SchoolSettings(
            school_name=SCHOOL_NAME,
            asset_tag_pattern=r"(LT|CH|LN)-\d{3,5}",
            card_pattern=r"\d{6}",
        ),
        now=pickup,
    )
    for reason, dates in holidays:
        add_closures(factory, "admin", dates, reason, now=pickup)
    say("students, devices and cover")
    with unit_of_work(factory, "admin", action="csv.import", now=pickup) as session:
        plan = _school(session, rng, year, pickup)
    say("a term of loans, tickets and claims")
    history = make_history(factory, plan, rng, days=days, now=now, closed=closed, progress=say)
    place_devices(factory, now)
    with read_session(factory) as session:
        cover = dict(
            session.execute(
                select(CoverPeriod.status, func.count())
                .where(CoverPeriod.starts_on == date(year, 9, 1))
                .group_by(CoverPeriod.status)
                .order_by(CoverPeriod.status)
            ).all()
        )
    active = sum(1 for _code, is_active in plan.students if is_active)
    return DemoSummary(
        school_name=SCHOOL_NAME,
        seed=seed,
        students=len(plan.students),
        left=len(plan.students) - active,
        forms=len(YEARS) * len(FORMS),
        laptops=LAPTOPS,
        chargers=LAPTOPS,
        loaners=LOANERS,
        spares=len(plan.spares),
        staff=(*(a.username for a in DEMO_ACCOUNTS), *(u for u, _n, _r in STAFF)),
        cover_by_status={s.value: n for s, n in cover.items()},
        closures=len(closed),
        history=history,
        seconds=clock.perf_counter() - started,
    )
