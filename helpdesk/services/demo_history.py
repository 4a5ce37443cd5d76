"""A term of history for the demo school, made through the counter's own services.

First a plan: every loan and every repair ticket gets its times, its student and its device, with
no two loans of a loaner, of a student or two tickets of a device at the same time. Then the plan
is played in time order through issue_loan, return_loan, swap, open_ticket, move_ticket, add_part,
set_vendor, record_payment, waive_charge, collect and assign_device, each with ``now`` set to its
moment, so every rule, due time, cover check, charge and audit row is the services' own.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from helpdesk.domain.enums import CoverStatus, DamageCategory, LoanType, TicketState
from helpdesk.domain.models import Claim, Loan, Ticket
from helpdesk.services.assignments import assign_device
from helpdesk.services.loans import issue_loan, return_loan, swap
from helpdesk.services.school_days import add_school_days
from helpdesk.services.tickets import (
    DamageReport,
    add_part,
    add_time,
    move_ticket,
    open_ticket,
    record_payment,
    set_vendor,
    waive_charge,
)
from helpdesk.services.unit_of_work import SessionFactory

COUNTER = ("jlewis", "pkaur")
TECHNICIANS = ("tobrien", "mwright")
FOREVER = datetime.max
S = TicketState
# target state: (how many, earliest and latest opening day counted back from the last day)
TICKET_TARGETS = {
    S.COLLECTED: (55, 54, 8),
    S.CANCELLED: (8, 50, 2),
    S.WRITTEN_OFF: (7, 45, 6),
    S.READY_FOR_COLLECTION: (10, 14, 3),
    S.REPAIRED: (6, 10, 2),
    S.WITH_VENDOR: (10, 20, 3),
    S.AWAITING_PARTS: (10, 15, 2),
    S.AWAITING_PAYMENT: (10, 8, 1),
    S.DIAGNOSING: (10, 5, 0),
    S.LOGGED: (8, 1, 0),
}
CATEGORIES = {
    DamageCategory.SCREEN: (30, "Screen cracked from the corner; touch still works."),
    DamageCategory.KEYBOARD: (12, "Several keys missing from the keyboard."),
    DamageCategory.TRACKPAD: (5, "Trackpad does not click."),
    DamageCategory.LIQUID: (8, "Water spilt on the keyboard; will not switch on."),
    DamageCategory.CHASSIS: (8, "Bottom cover cracked after a fall from a desk."),
    DamageCategory.HINGE_PORTS: (8, "Left hinge loose; the screen will not stay up."),
    DamageCategory.BATTERY: (7, "Battery lasts under an hour."),
    DamageCategory.CHARGER: (6, "Charger cable frayed near the plug."),
    DamageCategory.SOFTWARE: (8, "Stuck on the start-up screen."),
    DamageCategory.OTHER: (3, "Speaker crackles at any volume."),
}
PARTS = {
    DamageCategory.SCREEN: ("11.6in HD touch screen assembly", "5D10T45069", 6200),
    DamageCategory.KEYBOARD: ("Keyboard bezel, UK layout", "5CB0T45113", 3800),
    DamageCategory.TRACKPAD: ("Clickpad module", "5M10T45090", 2400),
    DamageCategory.CHASSIS: ("Bottom cover", "5CB0T45125", 2100),
    DamageCategory.HINGE_PORTS: ("Hinge set, left and right", "5H50T45064", 1500),
    DamageCategory.BATTERY: ("Battery 42Wh", "5B10W13917", 4500),
    DamageCategory.LIQUID: ("System board", "5B20T45050", 14500),
    DamageCategory.OTHER: ("Speaker set", "5SB0T45078", 900),
}
WAIVER_REASONS = (
    "Pupil premium: the school pays this repair.",
    "A manufacturing fault found at diagnosis.",
    "Agreed by the head of year after a meeting with the family.",
)


@dataclass
class SchoolPlan:
    students: list[tuple[str, bool]]  # (card code, still at the school)
    laptops: dict[str, str]  # card code -> own laptop's asset tag
    chargers: dict[str, str]  # card code -> own charger's asset tag
    cover: dict[str, CoverStatus]  # card code -> this year's cover status
    loaners: list[str]
    spares: list[str]


@dataclass(frozen=True)
class History:
    first_day: date
    last_day: date
    loans: int
    open_loans: int
    overdue_loans: int
    swap_loans: int
    tickets: int
    tickets_by_state: dict[str, int]
    charges_by_status: dict[str, int]


@dataclass
class _Ticket:
    target: TicketState
    category: DamageCategory
    student: str
    device: str
    steps: list[tuple[datetime, TicketState]]  # after opening, in time order
    opened: datetime
    loaner: str | None = None
    loaner_back: datetime | None = None
    crime_reference: str = ""
    reported_late: bool = False
    ticket_id: int | None = field(default=None)


class _Busy:
    """Who is busy when: intervals [start, end) per key; end FOREVER while still open."""

    def __init__(self) -> None:
        self._spans: dict[str, list[tuple[datetime, datetime]]] = {}

    def free(self, key: str, start: datetime, end: datetime | None) -> bool:
        stop = end or FOREVER
        return all(not (start < e and s < stop) for s, e in self._spans.get(key, ()))

    def take(self, key: str, start: datetime, end: datetime | None) -> None:
        self._spans.setdefault(key, []).append((start, end or FOREVER))


class _Planner:
    def __init__(
        self,
        plan: SchoolPlan,
        rng: random.Random,
        days: list[date],
        now: datetime,
        closed: set[date],
    ) -> None:
        self.plan, self.rng, self.days, self.now, self.closed = plan, rng, days, now, closed
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.students = _Busy()  # open loans (one at a time)
        self.loaners = _Busy()
        self.devices = _Busy()  # open tickets (one per device)
        self.active = [code for code, active in plan.students if active and code in plan.laptops]
        self.written_off: set[str] = set()

    def at(self, day: date, start: time, spread_minutes: int) -> datetime:
        base = datetime.combine(day, start)
        return base + timedelta(minutes=self.rng.randint(0, spread_minutes))

    def later(self, moment: datetime, school_days: int, start: time, spread: int) -> datetime:
        day = moment.date()
        if school_days > 0:
            day = add_school_days(day, school_days, self.closed)
        when = self.at(day, start, spread)
        return max(when, moment + timedelta(minutes=20))

    def free_loaner(self, start: datetime, end: datetime | None) -> str | None:
        choices = [t for t in self.plan.loaners if self.loaners.free(t, start, end)]
        return self.rng.choice(choices) if choices else None

    # --- tickets ---------------------------------------------------------------------------

    def _path(self, target: TicketState) -> list[TicketState]:
        work = [S.DIAGNOSING]
        if target in (S.LOGGED, S.CANCELLED):
            return [] if target is S.LOGGED else [S.CANCELLED]
        if target in (S.DIAGNOSING, S.AWAITING_PAYMENT, S.WITH_VENDOR, S.AWAITING_PARTS):
            return work + ([target] if target is not S.DIAGNOSING else [])
        if target is S.WRITTEN_OFF:
            return work + [S.WRITTEN_OFF]
        via = S.WITH_VENDOR if self.rng.random() < 0.3 else S.AWAITING_PARTS
        path = work + [via, S.REPAIRED]
        if target is S.REPAIRED:
            return path
        path.append(S.READY_FOR_COLLECTION)
        return path + ([S.COLLECTED] if target is S.COLLECTED else [])

    def _timeline(self, opened: datetime, path: list[TicketState]) -> list[tuple[datetime, S]]:
        steps = []
        moment = opened
        for state in path:
            if state is S.DIAGNOSING:
                moment = self.later(moment, self.rng.choice((0, 1)), time(9, 0), 360)
            elif state in (S.AWAITING_PARTS, S.WITH_VENDOR, S.WRITTEN_OFF, S.AWAITING_PAYMENT):
                moment = self.later(moment, self.rng.randint(1, 2), time(9, 0), 360)
            elif state is S.REPAIRED:
                gap = (
                    self.rng.randint(4, 8)
                    if steps[-1][1] is S.WITH_VENDOR
                    else self.rng.randint(1, 4)
                )
                moment = self.later(moment, gap, time(9, 0), 360)
            elif state is S.READY_FOR_COLLECTION:
                moment = moment + timedelta(minutes=self.rng.randint(20, 90))
            elif state is S.COLLECTED:
                moment = self.later(moment, self.rng.randint(1, 3), time(8, 20), 420)
            elif state is S.CANCELLED:
                moment = self.later(moment, self.rng.choice((0, 1)), time(9, 0), 360)
            steps.append((moment, state))
        return steps

    def plan_ticket(self, target: TicketState, newest: int, oldest: int) -> None:
        rng = self.rng
        if target is S.WRITTEN_OFF and rng.random() < 0.6:
            category = rng.choice(
                (DamageCategory.LOST, DamageCategory.STOLEN, DamageCategory.LIQUID)
            )
        else:
            names = list(CATEGORIES)
            category = rng.choices(names, [CATEGORIES[c][0] for c in names])[0]
            if target is S.AWAITING_PAYMENT and category in (
                DamageCategory.SOFTWARE,
                DamageCategory.BATTERY,
            ):
                category = DamageCategory.SCREEN
        path = self._path(target)
        for _attempt in range(60):
            back = min(oldest, len(self.days) - 1)
            index = len(self.days) - 1 - rng.randint(min(newest, back), back)
            opened = self.at(self.days[index], time(8, 20), 400)
            if target is S.LOGGED and rng.random() < 0.5 and self.now.time() > time(9, 0):
                opened = self.now - timedelta(minutes=rng.randint(5, 40))
            steps = self._timeline(opened, path)
            if steps and steps[-1][0] >= self.now - timedelta(minutes=5):
                continue
            student = rng.choice(self.active)
            if target is S.AWAITING_PAYMENT and self.plan.cover[student] is CoverStatus.INSURED:
                continue
            own = (self.plan.chargers if category is DamageCategory.CHARGER else self.plan.laptops)[
                student
            ]
            closes = steps[-1][0] if target in (S.COLLECTED, S.CANCELLED, S.WRITTEN_OFF) else None
            if target is S.WRITTEN_OFF:
                closes = None  # the device is gone for good
            if own in self.written_off or not self.devices.free(own, opened, closes):
                continue
            if target is S.WRITTEN_OFF:
                self.written_off.add(own)
            self.devices.take(own, opened, closes)
            ticket = _Ticket(target, category, student, own, steps, opened)
            if category is DamageCategory.STOLEN:
                ticket.crime_reference = f"CR/{rng.randint(10000, 99999)}/{opened:%y}"
            ticket.reported_late = rng.random() < 0.05
            wants_swap = category is not DamageCategory.CHARGER and rng.random() < (
                0.7 if closes else 0.45
            )
            if wants_swap:
                back = None
                if target in (S.COLLECTED, S.CANCELLED, S.WRITTEN_OFF):
                    back = steps[-1][0] + timedelta(
                        minutes=10 if target is not S.COLLECTED else -10
                    )
                loaner = self.free_loaner(opened, back)
                if loaner and self.students.free(student, opened, back):
                    self.loaners.take(loaner, opened, back)
                    self.students.take(student, opened, back)
                    ticket.loaner, ticket.loaner_back = loaner, back
            self.tickets.append(ticket)
            return

    # --- loans -----------------------------------------------------------------------------

    def plan_loans(self, day: date, recent: bool) -> None:
        rng = self.rng
        for _ in range(rng.randint(3, 7)):
            issued = self.at(day, time(8, 15), 330)
            kind = LoanType.LONG if rng.random() < 0.12 else LoanType.DAY
            roll = rng.random()
            if kind is LoanType.LONG:
                back = self.later(issued, rng.randint(3, 14), time(8, 20), 400)
            elif recent and roll < 0.12:
                back = None  # never came back: overdue
            elif roll < 0.82:
                back = self.at(day, time(15, 0), 80)
            elif roll < 0.94:
                back = self.later(issued, 1, time(8, 20), 70)
            else:
                back = self.later(issued, rng.randint(2, 4), time(8, 20), 300)
            if back is not None and back >= self.now:
                back = None
            self._loan(issued, back, kind)

    def plan_today(self) -> None:
        if self.now.date() in self.closed or self.now.weekday() >= 5:
            return
        latest = min(self.now, datetime.combine(self.now.date(), time(13, 0)))
        start = datetime.combine(self.now.date(), time(8, 20))
        if latest <= start:
            return
        span = int((latest - start).total_seconds() // 60)
        for _ in range(self.rng.randint(3, 6)):
            self._loan(start + timedelta(minutes=self.rng.randint(0, span)), None, LoanType.DAY)

    def _loan(self, issued: datetime, back: datetime | None, kind: LoanType) -> None:
        rng = self.rng
        for _attempt in range(20):
            student = rng.choice(self.active)
            if self.students.free(student, issued, back):
                break
        else:
            return
        loaner = self.free_loaner(issued, back)
        if loaner is None:
            return
        self.students.take(student, issued, back)
        self.loaners.take(loaner, issued, back)
        days = rng.randint(5, 15) if kind is LoanType.LONG else None
        clerk = rng.choice(COUNTER)
        self.loans.append((issued, back, student, loaner, kind, days, clerk))

    def make(self) -> None:
        self.tickets: list[_Ticket] = []
        self.loans: list[tuple] = []
        for target, (count, oldest, newest) in TICKET_TARGETS.items():
            for _ in range(count):
                self.plan_ticket(target, newest, oldest)
        recent = set(self.days[-10:])
        for day in self.days:
            self.plan_loans(day, day in recent)
        self.plan_today()


class _Player:
    """Plays the plan in time order through the services."""

    def __init__(self, factory: SessionFactory, rng: random.Random, spares: list[str]) -> None:
        self.factory, self.rng, self.spares = factory, rng, list(spares)
        self.queue: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.seq = 0

    def push(self, when: datetime, action: Callable[[datetime], None]) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (when, self.seq, action))

    def run(self) -> None:
        while self.queue:
            when, _seq, action = heapq.heappop(self.queue)
            action(when)

    # --- loans -----------------------------------------------------------------------------

    def loan(self, plan: tuple) -> None:
        issued, back, student, loaner, kind, days, clerk = plan

        def issue(at: datetime) -> None:
            issue_loan(
                self.factory,
                clerk,
                student_code=student,
                device_code=loaner,
                loan_type=kind,
                school_days=days,
                now=at,
            )

        def give_back(at: datetime) -> None:
            condition = "fair" if self.rng.random() < 0.06 else "good"
            return_loan(
                self.factory,
                self.rng.choice(COUNTER),
                device_code=loaner,
                condition=condition,
                now=at,
            )

        self.push(issued, issue)
        if back is not None:
            self.push(back, give_back)

    # --- tickets ---------------------------------------------------------------------------

    def ticket(self, t: _Ticket) -> None:
        def book(at: datetime) -> None:
            reported = at.date()
            occurred = reported - timedelta(days=20 if t.reported_late else self.rng.randint(0, 3))
            damage = DamageReport(
                category=t.category.value,
                description=_description(t.category),
                occurred_on=occurred,
                reported_on=reported,
                crime_reference=t.crime_reference,
                in_case=self.rng.random() < 0.9,
            )
            clerk = self.rng.choice(COUNTER)
            if t.loaner:
                info = swap(
                    self.factory,
                    clerk,
                    student_code=t.student,
                    own_device_code=t.device,
                    loaner_code=t.loaner,
                    damage=damage,
                    now=at,
                ).ticket
            else:
                info = open_ticket(
                    self.factory,
                    clerk,
                    device_code=t.device,
                    student_code=t.student,
                    damage=damage,
                    now=at,
                )
            t.ticket_id = info.id

        self.push(t.opened, book)
        previous = t.opened
        for index, (when, state) in enumerate(t.steps):
            following = t.steps[index + 1][0] if index + 1 < len(t.steps) else None
            self.push(when, self._step(t, state, previous, following))
            previous = when
        if t.loaner and t.loaner_back is not None:
            self.push(t.loaner_back, self._loaner_back(t))
        if t.target is S.WRITTEN_OFF:
            self.push(t.steps[-1][0] + timedelta(minutes=5), self._replace(t))

    def _step(
        self, t: _Ticket, state: TicketState, previous: datetime, following: datetime | None
    ) -> Callable[[datetime], None]:
        def act(at: datetime) -> None:
            tech = self.rng.choice(TECHNICIANS)
            ticket_id = t.ticket_id
            if state in (S.AWAITING_PARTS, S.WITH_VENDOR, S.REPAIRED, S.WRITTEN_OFF):
                self._settle(t, at, previous, state)
            if state is S.WITH_VENDOR:
                set_vendor(
                    self.factory,
                    tech,
                    ticket_id,
                    "Lenovo depot repair",
                    f"RMA{self.rng.randint(1000000, 9999999)}",
                    now=at,
                )
            if state is S.COLLECTED:
                from helpdesk.services.loans import collect

                collect(self.factory, self.rng.choice(COUNTER), ticket_id=ticket_id, now=at)
                return
            if state is not S.AWAITING_PAYMENT or _charge_due(self.factory, ticket_id):
                move_ticket(self.factory, tech, ticket_id, state, note=_note(state), now=at)
            if state is S.AWAITING_PARTS and t.category in PARTS:
                description, number, pence = PARTS[t.category]
                add_part(
                    self.factory,
                    tech,
                    ticket_id,
                    description,
                    part_number=number,
                    unit_cost_pence=pence,
                    now=at + timedelta(minutes=5),
                )
            if state is S.REPAIRED:
                add_time(self.factory, tech, ticket_id, self.rng.randint(15, 90), now=at)
            if state is S.WRITTEN_OFF and _charge_due(self.factory, ticket_id):
                if following is None and self.rng.random() < 0.5:
                    record_payment(self.factory, "admin", ticket_id, now=at + timedelta(minutes=30))

        return act

    def _settle(self, t: _Ticket, at: datetime, previous: datetime, state: TicketState) -> None:
        """A charge still due goes through 'awaiting payment' and is paid or waived first."""
        if state is S.WRITTEN_OFF or not _charge_due(self.factory, t.ticket_id):
            return
        waiting = previous + (at - previous) / 3
        paid = previous + (at - previous) * 2 / 3
        move_ticket(
            self.factory, self.rng.choice(TECHNICIANS), t.ticket_id, S.AWAITING_PAYMENT, now=waiting
        )
        if self.rng.random() < 0.8:
            record_payment(self.factory, self.rng.choice(COUNTER), t.ticket_id, now=paid)
        else:
            waive_charge(
                self.factory, "dcarter", t.ticket_id, self.rng.choice(WAIVER_REASONS), now=paid
            )

    def _loaner_back(self, t: _Ticket) -> Callable[[datetime], None]:
        def act(at: datetime) -> None:
            return_loan(self.factory, self.rng.choice(COUNTER), device_code=t.loaner, now=at)

        return act

    def _replace(self, t: _Ticket) -> Callable[[datetime], None]:
        def act(at: datetime) -> None:
            if self.spares and t.category is not DamageCategory.CHARGER:
                assign_device(
                    self.factory,
                    "tobrien",
                    device_code=self.spares.pop(0),
                    student_code=t.student,
                    now=at,
                )

        return act


def _charge_due(factory: SessionFactory, ticket_id: int | None) -> bool:
    with factory() as session:
        status = session.scalar(select(Claim.charge_status).where(Claim.ticket_id == ticket_id))
    return status is not None and status.value == "due"


def _description(category: DamageCategory) -> str:
    if category is DamageCategory.LOST:
        return "Left on the bus home; not handed in."
    if category is DamageCategory.STOLEN:
        return "Taken from a bag at the bus stop; reported to the police."
    return CATEGORIES[category][1]


def _note(state: TicketState) -> str:
    return {
        S.DIAGNOSING: "Checked on the bench.",
        S.AWAITING_PARTS: "Part ordered.",
        S.WITH_VENDOR: "Sent to the depot.",
        S.REPAIRED: "Repaired and tested.",
        S.READY_FOR_COLLECTION: "Ready; form tutor told.",
        S.WRITTEN_OFF: "Beyond economic repair.",
        S.CANCELLED: "Fault not found; returned to the student.",
    }.get(state, "")


def make_history(
    factory: SessionFactory,
    plan: SchoolPlan,
    rng: random.Random,
    *,
    days: list[date],
    now: datetime,
    closed: set[date],
    progress: Callable[[str], None],
) -> History:
    planner = _Planner(plan, rng, days, now, closed)
    planner.make()
    player = _Player(factory, rng, plan.spares)
    for loan in planner.loans:
        player.loan(loan)
    for ticket in planner.tickets:
        player.ticket(ticket)
    progress(f"{len(planner.loans)} loans and {len(planner.tickets)} tickets")
    player.run()
    with factory() as session:
        loans = session.scalar(select(func.count(Loan.id)))
        open_loans = session.scalar(select(func.count(Loan.id)).where(Loan.returned_at.is_(None)))
        overdue = session.scalar(
            select(func.count(Loan.id)).where(Loan.returned_at.is_(None), Loan.due_at < now)
        )
        swaps = session.scalar(select(func.count(Loan.id)).where(Loan.loan_type == LoanType.SWAP))
        states = Counter(s.value for s in session.scalars(select(Ticket.state)))
        charges = Counter(s.value for s in session.scalars(select(Claim.charge_status)))
    return History(
        first_day=days[0],
        last_day=now.date(),
        loans=loans,
        open_loans=open_loans,
        overdue_loans=overdue,
        swap_loans=swaps,
        tickets=sum(states.values()),
        tickets_by_state={s.value: states.get(s.value, 0) for s in TicketState},
        charges_by_status=dict(sorted(charges.items())),
    )
