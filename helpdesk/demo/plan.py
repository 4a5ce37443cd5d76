"""The plan of the demo school's term: every loan and repair ticket with its times, student
and device, so that no loaner, student or device is in two places at once.

No database here: the plan is played through the services by demo_history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from helpdesk.domain.enums import CoverStatus, DamageCategory, LoanType, TicketState
from helpdesk.services.core.school_days import add_school_days

COUNTER = ("jlewis", "pkaur")
TECHNICIANS = ("tobrien", "mwright")
# Money and write-offs are a manager's (helpdesk/services/core/permissions.py): the school's
# admins take payments (as many names as COUNTER, so the random draws stay as they were).
MANAGERS = ("dcarter", "admin")
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


@dataclass
class SchoolPlan:
    students: list[tuple[str, bool]]  # (card code, still at the school)
    laptops: dict[str, str]  # card code -> own laptop's asset tag
    chargers: dict[str, str]  # card code -> own charger's asset tag
    cover: dict[str, CoverStatus]  # card code -> this year's cover status
    loaners: list[str]
    spares: list[str]


@dataclass
class PlannedTicket:
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
    ticket_id: int | None = None


class _Busy:
    """Who is busy when: intervals [start, end) per key; end FOREVER while still open."""

    def __init__(self) -> None:
        self._spans: dict[str, list[tuple[datetime, datetime]]] = {}

    def free(self, key: str, start: datetime, end: datetime | None) -> bool:
        stop = end or FOREVER
        return all(not (start < e and s < stop) for s, e in self._spans.get(key, ()))

    def take(self, key: str, start: datetime, end: datetime | None) -> None:
        self._spans.setdefault(key, []).append((start, end or FOREVER))


class Planner:
    def __init__(
        self,
        plan: SchoolPlan,
        rng: random.Random,
        days: list[date],
        now: datetime,
        closed: set[date],
    ) -> None:
        self.plan, self.rng, self.days, self.now, self.closed = plan, rng, days, now, closed
        self.tickets: list[PlannedTicket] = []
        self.loans: list[tuple] = []
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
        steps: list[tuple[datetime, S]] = []
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
            reach = min(oldest, len(self.days) - 1)
            index = len(self.days) - 1 - rng.randint(min(newest, reach), reach)
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
            ticket = PlannedTicket(target, category, student, own, steps, opened)
            if category is DamageCategory.STOLEN:
                ticket.crime_reference = f"CR/{rng.randint(10000, 99999)}/{opened:%y}"
            ticket.reported_late = rng.random() < 0.05
            wants_swap = category is not DamageCategory.CHARGER and rng.random() < (
                0.7 if closes else 0.45
            )
            if wants_swap:
                back: datetime | None = None
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
        for target, (count, oldest, newest) in TICKET_TARGETS.items():
            for _ in range(count):
                self.plan_ticket(target, newest, oldest)
        recent = set(self.days[-10:])
        for day in self.days:
            self.plan_loans(day, day in recent)
        self.plan_today()
