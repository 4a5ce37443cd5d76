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
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from helpdesk.demo.plan import (
    CATEGORIES,
    COUNTER,
    MANAGERS,
    TECHNICIANS,
    PlannedTicket,
    Planner,
    SchoolPlan,
)
from helpdesk.domain.enums import DamageCategory, LoanType, PaymentMethod, TicketState
from helpdesk.domain.models import Claim, Loan, Ticket
from helpdesk.services.core.unit_of_work import SessionFactory, read_session
from helpdesk.services.counter.assignments import assign_device
from helpdesk.services.counter.loans import collect, issue_loan, return_loan, swap
from helpdesk.services.repairs.tickets import (
    DamageReport,
    add_part,
    add_time,
    move_ticket,
    open_ticket,
    record_payment,
    set_vendor,
    waive_charge,
)

S = TicketState
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

    def ticket(self, t: PlannedTicket) -> None:
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
        self, t: PlannedTicket, state: TicketState, previous: datetime, following: datetime | None
    ) -> Callable[[datetime], None]:
        def act(at: datetime) -> None:
            tech = self.rng.choice(TECHNICIANS)
            ticket_id = t.ticket_id
            assert ticket_id is not None  # booked before its moves are played
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
                collect(self.factory, self.rng.choice(COUNTER), ticket_id=ticket_id, now=at)
                return
            if state is not S.AWAITING_PAYMENT or _charge_due(self.factory, ticket_id):
                who = MANAGERS[0] if state in (S.WRITTEN_OFF, S.CANCELLED) else tech
                move_ticket(self.factory, who, ticket_id, state, note=_note(state), now=at)
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
                    record_payment(
                        self.factory,
                        "admin",
                        ticket_id,
                        None,
                        *_paid_by(ticket_id),
                        now=at + timedelta(minutes=30),
                    )

        return act

    def _settle(
        self, t: PlannedTicket, at: datetime, previous: datetime, state: TicketState
    ) -> None:
        """A charge still due goes through 'awaiting payment' and is paid or waived first."""
        ticket_id = t.ticket_id
        assert ticket_id is not None  # booked before its moves are played
        if state is S.WRITTEN_OFF or not _charge_due(self.factory, ticket_id):
            return
        waiting = previous + (at - previous) / 3
        paid = previous + (at - previous) * 2 / 3
        move_ticket(
            self.factory, self.rng.choice(TECHNICIANS), ticket_id, S.AWAITING_PAYMENT, now=waiting
        )
        if self.rng.random() < 0.8:
            record_payment(
                self.factory,
                self.rng.choice(MANAGERS),
                ticket_id,
                None,
                *_paid_by(ticket_id),
                now=paid,
            )
        else:
            waive_charge(
                self.factory, "dcarter", ticket_id, self.rng.choice(WAIVER_REASONS), now=paid
            )

    def _loaner_back(self, t: PlannedTicket) -> Callable[[datetime], None]:
        def act(at: datetime) -> None:
            return_loan(self.factory, self.rng.choice(COUNTER), device_code=t.loaner, now=at)

        return act

    def _replace(self, t: PlannedTicket) -> Callable[[datetime], None]:
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


def _paid_by(ticket_id: int) -> tuple[PaymentMethod, str]:
    """How a family paid, and the receipt's number (from the ticket's number: the random
    draws of the generator stay as they were)."""
    methods = list(PaymentMethod)
    return methods[ticket_id % len(methods)], f"R-{ticket_id:06d}"


def _charge_due(factory: SessionFactory, ticket_id: int | None) -> bool:
    with read_session(factory) as session:
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
    planner = Planner(plan, rng, days, now, closed)
    planner.make()
    player = _Player(factory, rng, plan.spares)
    for loan in planner.loans:
        player.loan(loan)
    for ticket in planner.tickets:
        player.ticket(ticket)
    progress(f"{len(planner.loans)} loans and {len(planner.tickets)} tickets")
    player.run()
    with read_session(factory) as session:
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
        loans=loans or 0,
        open_loans=open_loans or 0,
        overdue_loans=overdue or 0,
        swap_loans=swaps or 0,
        tickets=sum(states.values()),
        tickets_by_state={s.value: states.get(s.value, 0) for s in TicketState},
        charges_by_status=dict(sorted(charges.items())),
    )
