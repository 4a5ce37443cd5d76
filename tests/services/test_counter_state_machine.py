"""Random days at the counter and on the bench (issue, return, swap, ticket moves, payments,
waivers, assignments) on a real SQLite file, with the school's invariants checked after every step:

- never two open loans for a device;
- every device's status agrees with its open ticket, open loan and assignment;
- every change is in the audit log, and a refused action writes nothing at all;
- every charge is the school's charge from the table written by hand (tests/services/
  school_charges.py), claim numbers run 1, 2, ... in each cover period, and a waiver always has
  its reason;
- a collected ticket has no swap loaner still out.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from school_charges import INSURED, NO_COVER, expected_charge
from service_school import NOW, build_school
from sqlalchemy import func, select

from helpdesk.db import make_session_factory, open_database
from helpdesk.domain.enums import (
    ALLOWED_TRANSITIONS,
    CLOSED_TICKET_STATES,
    ChargeStatus,
    CoverStatus,
    DamageCategory,
    DeviceStatus,
    StaffRole,
    TicketState,
)
from helpdesk.domain.errors import AlreadyOnLoan, HelpdeskError
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    Claim,
    Device,
    Loan,
    Staff,
    Student,
    Ticket,
)
from helpdesk.services.counter.assignments import assign_device, unassign_device
from helpdesk.services.counter.loans import collect, issue_loan, return_loan, swap
from helpdesk.services.repairs.insurance import FAULTS
from helpdesk.services.repairs.tickets import (
    DamageReport,
    move_ticket,
    open_ticket,
    record_payment,
    waive_charge,
)

STUDENTS = ["S1001", "S1002", "S1003", "S1004"]
LOANERS = ["LNR-001", "LNR-002", "LNR-003", "LNR-004"]
LAPTOPS = ["LAP-0001", "LAP-0002", "LAP-0003"]
DEVICES = LOANERS + LAPTOPS
STAFF = ["counter1", "tech1", "admin"]
CATEGORIES = [
    DamageCategory.SCREEN,
    DamageCategory.LIQUID,
    DamageCategory.KEYBOARD,
    DamageCategory.SOFTWARE,
    DamageCategory.LOST,
    DamageCategory.STOLEN,
    DamageCategory.TRACKPAD,
]
AUDITED = (Loan, Ticket, Claim, Assignment)
ENDINGS = frozenset({TicketState.WRITTEN_OFF, TicketState.CANCELLED})
# A failing run prints its whole sequence of steps at once; shrinking it to the shortest one can
# take minutes, so it is done only when asked for (HELPDESK_SHRINK=1).
PHASES = (
    tuple(Phase)
    if os.environ.get("HELPDESK_SHRINK")
    else (
        Phase.explicit,
        Phase.reuse,
        Phase.generate,
    )
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small school on a SQLite file at head, copied for every example."""
    path = tmp_path_factory.mktemp("template") / "school.sqlite3"
    factory = open_database(f"sqlite:///{path}")
    with factory() as session, session.begin():
        session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
    build_school(factory)
    factory.kw["bind"].dispose()
    return path


def damage(category: DamageCategory, crime: bool) -> DamageReport:
    return DamageReport(
        category=category.value,
        description=f"{category.label} damage",
        crime_reference="CR/42/26" if crime else "",
    )


class CounterMachine(RuleBasedStateMachine):
    template: Path
    folder: Path
    runs = 0

    def __init__(self) -> None:
        super().__init__()
        CounterMachine.runs += 1
        path = self.folder / f"run-{CounterMachine.runs}.sqlite3"
        shutil.copyfile(self.template, path)
        self.factory = make_session_factory(f"sqlite:///{path}")
        self.now = NOW
        self.audit_rows = self.count_audit()

    def teardown(self) -> None:
        self.factory.kw["bind"].dispose()

    # --- helpers --------------------------------------------------------------------------------

    def count_audit(self) -> int:
        with self.factory() as session:
            return int(session.scalar(select(func.count(AuditEntry.id))))

    def tick(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    def act(self, action, *args, **kwargs):  # noqa: ANN001, ANN202
        """Run one service call; a refusal must leave the database exactly as it was."""
        before = self.count_audit()
        try:
            result = action(*args, now=self.now, **kwargs)
        except HelpdeskError as exc:
            assert str(exc).strip(), "a refusal without a sentence"
            assert self.count_audit() == before, f"a refused action wrote to the log: {exc}"
            self.audit_rows = before
            return exc
        after = self.count_audit()
        assert after > before, f"{action.__name__} changed nothing in the audit log"
        self.audit_rows = after
        return result

    def open_loan_holder(self, tag: str) -> str | None:
        with self.factory() as session:
            loan = session.scalar(
                select(Loan)
                .join(Device, Device.id == Loan.device_id)
                .where(Device.asset_tag == tag, Loan.returned_at.is_(None))
            )
            return f"{loan.student.first_name} {loan.student.last_name}" if loan else None

    def assigned_laptop(self, card: str) -> str | None:
        with self.factory() as session:
            return session.scalar(
                select(Device.asset_tag)
                .join(Assignment, Assignment.device_id == Device.id)
                .join(Student, Student.id == Assignment.student_id)
                .where(Student.card_code == card, Assignment.ended_at.is_(None))
            )

    def lent_devices(self) -> list[str]:
        with self.factory() as session:
            return list(
                session.scalars(
                    select(Device.asset_tag)
                    .join(Loan, Loan.device_id == Device.id)
                    .where(Loan.returned_at.is_(None))
                    .order_by(Device.asset_tag)
                )
            )

    def ticket_state(self, ticket_id: int) -> TicketState:
        with self.factory() as session:
            return session.scalar(select(Ticket.state).where(Ticket.id == ticket_id))

    def ticket_ids(self, *where) -> list[int]:  # noqa: ANN002 - SQL conditions
        with self.factory() as session:
            query = select(Ticket.id).outerjoin(Claim, Claim.ticket_id == Ticket.id)
            return list(session.scalars(query.where(*where).order_by(Ticket.id)))

    def choose_ticket(self, pick: int, *where) -> int | None:  # noqa: ANN002
        """Mostly a ticket meeting ``where`` (when there is one); sometimes any ticket."""
        ids = (self.ticket_ids(*where) if pick % 10 < 8 else []) or self.ticket_ids()
        return ids[pick % len(ids)] if ids else None

    # --- rules ----------------------------------------------------------------------------------

    @initialize()
    def start(self) -> None:
        self.check_all()

    @rule(
        student=st.sampled_from(STUDENTS),
        device=st.sampled_from(DEVICES),
        staff=st.sampled_from(STAFF),
        kind=st.sampled_from(["day", "long"]),
        minutes=st.integers(1, 600),
    )
    def issue(self, student: str, device: str, staff: str, kind: str, minutes: int) -> None:
        self.tick(minutes)
        holder = self.open_loan_holder(device)
        outcome = self.act(
            issue_loan,
            self.factory,
            staff,
            student_code=student,
            device_code=device,
            loan_type=kind,
        )
        if holder is not None:
            assert isinstance(outcome, AlreadyOnLoan), outcome
            assert f"already on loan to {holder} (" in str(outcome)

    @rule(
        device=st.sampled_from(DEVICES),
        lent=st.integers(0, 9),
        damaged=st.booleans(),
        category=st.sampled_from(CATEGORIES),
        crime=st.booleans(),
        minutes=st.integers(1, 600),
    )
    def give_back(
        self,
        device: str,
        lent: int,
        damaged: bool,
        category: DamageCategory,
        crime: bool,
        minutes: int,
    ) -> None:
        self.tick(minutes)
        out = self.lent_devices()
        if out and lent < 8:  # mostly a device that is out; sometimes any device
            device = out[lent % len(out)]
        self.act(
            return_loan,
            self.factory,
            "counter1",
            device_code=device,
            damage=damage(category, crime) if damaged else None,
        )

    @rule(
        student=st.sampled_from(["S1001", "S1002", *STUDENTS]),  # mostly students with laptops
        own=st.sampled_from(LAPTOPS),
        their_own=st.integers(0, 9),
        loaner=st.sampled_from(LOANERS),
        category=st.sampled_from(CATEGORIES),
        crime=st.booleans(),
    )
    def swap_laptop(
        self,
        student: str,
        own: str,
        their_own: int,
        loaner: str,
        category: DamageCategory,
        crime: bool,
    ) -> None:
        self.tick(5)
        if their_own < 8:  # mostly the student's own laptop
            own = self.assigned_laptop(student) or own
        self.act(
            swap,
            self.factory,
            "counter1",
            student_code=student,
            own_device_code=own,
            loaner_code=loaner,
            damage=damage(category, crime),
        )

    @rule(device=st.sampled_from(DEVICES), category=st.sampled_from(CATEGORIES))
    def book_in(self, device: str, category: DamageCategory) -> None:
        self.tick(5)
        self.act(
            open_ticket, self.factory, "tech1", device_code=device, damage=damage(category, True)
        )

    @rule(
        pick=st.integers(0, 50),
        state=st.sampled_from(list(TicketState)),
        follow=st.integers(0, 9),
        steps=st.integers(1, 3),
    )
    def move(self, pick: int, state: TicketState, follow: int, steps: int) -> None:
        """Mostly forward steps of an open ticket (up to three, as a bench session would);
        sometimes any state of any ticket."""
        ticket_id = self.choose_ticket(pick, Ticket.state.not_in(CLOSED_TICKET_STATES))
        if ticket_id is None:
            return
        for _ in range(steps):
            forward = sorted(ALLOWED_TRANSITIONS[self.ticket_state(ticket_id)] - ENDINGS)
            target = forward[follow % len(forward)] if forward and follow < 8 else state
            self.tick(30)
            if isinstance(
                self.act(move_ticket, self.factory, "tech1", ticket_id, target), Exception
            ):
                break
            self.check_all()

    @rule(pick=st.integers(0, 50))
    def pick_up(self, pick: int) -> None:
        ticket_id = self.choose_ticket(pick, Ticket.state == TicketState.READY_FOR_COLLECTION)
        if ticket_id is not None:
            self.tick(10)
            self.act(collect, self.factory, "counter1", ticket_id=ticket_id)

    @rule(pick=st.integers(0, 50), waive=st.booleans())
    def settle(self, pick: int, waive: bool) -> None:
        ticket_id = self.choose_ticket(pick, Claim.charge_status == ChargeStatus.DUE)
        if ticket_id is None:
            return
        self.tick(10)
        if waive:
            self.act(waive_charge, self.factory, "admin", ticket_id, "Hardship fund")
        else:
            # now and then a part payment, which leaves the charge due
            amount = 100 if pick % 3 == 0 else None
            self.act(record_payment, self.factory, "counter1", ticket_id, amount, "card", "R-1")

    @rule(device=st.sampled_from(LAPTOPS), student=st.sampled_from(STUDENTS), end=st.integers(0, 9))
    def allocate(self, device: str, student: str, end: int) -> None:
        self.tick(5)
        if end < 3:  # ending an assignment now and then, so that swaps still find laptops
            self.act(unassign_device, self.factory, "admin", device_code=device)
        else:
            self.act(assign_device, self.factory, "admin", device_code=device, student_code=student)

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def check_all(self) -> None:
        with self.factory() as session:
            open_loans = session.scalars(select(Loan).where(Loan.returned_at.is_(None))).all()
            per_device = Counter(loan.device_id for loan in open_loans)
            assert all(n == 1 for n in per_device.values()), per_device

            tickets = session.scalars(select(Ticket)).unique().all()
            open_tickets = {t.device_id: t for t in tickets if t.state not in CLOSED_TICKET_STATES}
            assert len([t for t in tickets if t.state not in CLOSED_TICKET_STATES]) == len(
                open_tickets
            ), "two open tickets on one device"
            written_off = {t.device_id for t in tickets if t.state is TicketState.WRITTEN_OFF}
            assigned = set(
                session.scalars(select(Assignment.device_id).where(Assignment.ended_at.is_(None)))
            )
            for device in session.scalars(select(Device)):
                ticket = open_tickets.get(device.id)
                if device.status is DeviceStatus.RETIRED:
                    assert device.id in written_off, device.asset_tag
                    assert device.id not in per_device and device.id not in assigned
                    assert ticket is None
                elif ticket is not None:
                    expected = {
                        DamageCategory.LOST: DeviceStatus.LOST,
                        DamageCategory.STOLEN: DeviceStatus.STOLEN,
                    }.get(ticket.damage_category, DeviceStatus.IN_REPAIR)
                    assert device.status is expected, (device.asset_tag, device.status)
                elif device.id in per_device:
                    assert device.status is DeviceStatus.ON_LOAN, (device.asset_tag, device.status)
                elif device.id in assigned:
                    assert device.status is DeviceStatus.ASSIGNED, (device.asset_tag, device.status)
                else:
                    assert device.status is DeviceStatus.IN_STOCK, (device.asset_tag, device.status)

            for loan in open_loans:
                if loan.ticket_id is not None:
                    linked = session.get(Ticket, loan.ticket_id)
                    assert linked.state is not TicketState.COLLECTED, "collected, loaner still out"

            audited = {
                (entity, entity_id)
                for entity, entity_id in session.execute(
                    select(AuditEntry.entity, AuditEntry.entity_id).where(
                        AuditEntry.action == "insert"
                    )
                )
            }
            for model in AUDITED:
                for row_id in session.scalars(select(model.id)):
                    assert (model.__tablename__, row_id) in audited, (model.__tablename__, row_id)
            returned = session.scalar(
                select(func.count(Loan.id)).where(Loan.returned_at.is_not(None))
            )
            loan_updates = session.scalar(
                select(func.count(AuditEntry.id)).where(
                    AuditEntry.entity == "loans",
                    AuditEntry.action == "update",
                    AuditEntry.after.contains('"returned_at"'),
                )
            )
            assert loan_updates == returned

            numbers: dict[int, list[int]] = {}
            for claim in session.scalars(select(Claim)):
                ticket = session.get(Ticket, claim.ticket_id)
                assert ticket.damage_category not in FAULTS, "a fault raised a claim"
                if claim.charge_status is ChargeStatus.WAIVED:
                    assert claim.waiver_reason.strip()
                if claim.charge_pence == 0:
                    assert claim.charge_status is ChargeStatus.PAID
                if ticket.state is TicketState.CANCELLED:
                    assert claim.claim_number is None
                    assert claim.charge_status is not ChargeStatus.DUE
                    continue
                period = claim.cover_period
                if claim.claim_number is not None:
                    used = claim.claim_number - 1  # claims of the period made before this one
                    expected = expected_charge(ticket.damage_category, INSURED, used)
                    assert claim.claim_number <= period.claims_allowed
                    numbers.setdefault(period.id, []).append(claim.claim_number)
                elif period is None:
                    expected = expected_charge(ticket.damage_category, NO_COVER)
                elif period.status is CoverStatus.INSURED:  # its claims were used up
                    assert period.claims_allowed == 2
                    expected = expected_charge(ticket.damage_category, INSURED, 2)
                else:
                    expected = expected_charge(ticket.damage_category, period.status.value)
                assert claim.charge_pence == expected, claim.rule
            for period_id, used in numbers.items():
                # cancelled claims give their number back, so numbers are unique and never exceed
                # the count of live claims (a gap only where a cancelled claim was)
                assert len(used) == len(set(used)), (period_id, used)


def test_the_counter_keeps_the_school_consistent(template: Path, tmp_path: Path) -> None:
    CounterMachine.template = template
    CounterMachine.folder = tmp_path
    run_state_machine_as_test(
        CounterMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            phases=PHASES,
        ),
    )
