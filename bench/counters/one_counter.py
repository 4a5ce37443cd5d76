"""One counter of the counters bench, in a process of its own (multiprocessing, spawn).

It opens its own engine, names its station in the audit log, waits at the start line with the
others, then scans as fast as it can, calling the services the counter panel calls
(helpdesk/ui/counter/actions.py: ``lookup`` for a scan, ``issue_loan`` with the ids of the
scanned card and loaner, ``return_loan`` by the loan's id, ``swap``, and ``record_refusal``
for a refusal; the ticket page's ``move_ticket``). Every service call counts as one scan. The
SQL statements each call sends are counted too (each is a round trip to the server; an
action's BEGIN goes with its first statement, and a quick action's COMMIT with its last:
helpdesk/db/round_trips.py). Before the start line each counter makes the head start the window
makes as it opens (helpdesk/services/counter/warm.py).

A scan of a loaner decides what happens next, from the card the lookup answered: on loan, it
comes back; in stock, a student's card is scanned and it goes out. Another counter may have done
something to the same loaner in between: the service's refusal is a conflict met, kept with its
sentence. Anything else raised is an error (the bench then fails).
"""

from __future__ import annotations

import os
import random
import time
import traceback
from dataclasses import dataclass, field

# the next step of each open ticket state the bench moves tickets along (the rest are left)
NEXT_STATE = {
    "logged": "diagnosing",
    "diagnosing": "repaired",
    "awaiting_parts": "repaired",
    "with_vendor": "repaired",
    "repaired": "ready_for_collection",
}


@dataclass
class Plan:
    """What one counter works with (made by run.py from the built school)."""

    url: str
    number: int  # 1..N
    scans: int
    seed: int
    actor: str  # a counter member of staff
    technician: str  # the bench's technician beside the counter (ticket moves need one)
    students: list[str]  # card codes of students with a laptop of their own (this counter's)
    loaners: list[str]  # the loan pool every counter shares (few: the counters meet)
    tickets: list[str]  # repair receipts every counter may move along

    @property
    def station(self) -> str:
        return f"bench-counter-{self.number}"


@dataclass
class Report:
    number: int
    station: str
    times: dict[str, list[float]] = field(default_factory=dict)  # kind -> ms of each call
    statements: dict[str, int] = field(default_factory=dict)  # kind -> SQL statements sent
    done: dict[str, int] = field(default_factory=dict)  # action -> successes
    issued: list[tuple[int, int, int]] = field(default_factory=list)  # loan, device, student
    returned: list[int] = field(default_factory=list)  # loan ids this counter closed
    moved: list[tuple[int, str]] = field(default_factory=list)  # ticket id, state it went to
    swapped: list[tuple[int, int]] = field(default_factory=list)  # ticket id, loan id
    refusals: list[tuple[str, str, str]] = field(default_factory=list)  # action, class, sentence
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_counter(plan: Plan, barrier, results) -> None:  # noqa: ANN001 - multiprocessing objects
    """The process's body: set up, wait for the others, scan, put the Report on ``results``."""
    report = Report(plan.number, plan.station)
    try:
        desk = _Desk(plan, report)
    except BaseException:  # noqa: BLE001 - told to the parent
        barrier.abort()
        report.errors.append(traceback.format_exc())
        results.put(report)
        return
    try:
        barrier.wait(timeout=120)
    except BaseException:  # noqa: BLE001
        report.errors.append("the start line broke: another counter could not start")
        results.put(report)
        return
    began = time.perf_counter()
    profile_to = os.environ.get("HELPDESK_BENCH_PROFILE")  # a folder: each counter's profile
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        desk.work()
    except BaseException:  # noqa: BLE001
        report.errors.append(traceback.format_exc())
    report.seconds = time.perf_counter() - began
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(os.path.join(profile_to, f"{plan.station}.prof"))
    desk.factory.kw["bind"].dispose()
    results.put(report)


class _Desk:
    def __init__(self, plan: Plan, report: Report) -> None:
        from sqlalchemy import event

        from helpdesk.db import make_session_factory
        from helpdesk.services.counter import counter_log
        from helpdesk.services.counter.lookup import lookup
        from helpdesk.services.counter.warm import warm_up

        self.plan, self.report = plan, report
        self.rng = random.Random(plan.seed)
        self.factory = make_session_factory(plan.url)  # this process's own engine
        counter_log.set_station(plan.station)
        self.calls = 0
        self.sent = 0  # statements sent to the database (each one a round trip)
        event.listen(self.factory.kw["bind"], "before_cursor_execute", self._count)
        lookup(self.factory, plan.loaners[0])  # connect before the start line
        # what the window does as it opens, on its database thread (services/counter/warm.py)
        warm_up(self.factory)

    # --- the calls, each timed and counted -----------------------------------------------------

    def call(self, kind: str, fn, *args, **kwargs):  # noqa: ANN001, ANN201
        """One service call; a refusal (HelpdeskError) is kept and logged as the panel does."""
        from helpdesk.domain.errors import HelpdeskError

        self.calls += 1
        self.sent = 0
        t0 = time.perf_counter()
        try:
            answer = fn(self.factory, *args, **kwargs)
        except HelpdeskError as exc:
            self._time(f"{kind} (refused)", t0)
            self.report.refusals.append((kind, type(exc).__name__, str(exc)))
            self._keep_refusal(str(exc))
            return None
        self._time(kind, t0)
        if not kind.startswith("lookup"):
            self.report.done[kind] = self.report.done.get(kind, 0) + 1
        return answer

    def _count(self, *_args: object) -> None:
        self.sent += 1

    def _time(self, kind: str, t0: float) -> None:
        self.report.times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        self.report.statements[kind] = self.report.statements.get(kind, 0) + self.sent

    def _keep_refusal(self, sentence: str) -> None:
        from helpdesk.services.counter import counter_log

        self.calls += 1
        self.sent = 0
        t0 = time.perf_counter()
        counter_log.record_refusal(self.factory, self.plan.actor, self.plan.station, sentence)
        self._time("refusal logged", t0)
        self.report.done["refusal logged"] = self.report.done.get("refusal logged", 0) + 1

    # --- the counter's day ---------------------------------------------------------------------

    def work(self) -> None:
        steps = (
            (35, self.loaner_scanned),
            (25, self.student_scanned),
            (10, self.laptop_scanned),
            (4, self.swap),
            (6, self.ticket_scanned),
        )
        weights = [w for w, _ in steps]
        while self.calls < self.plan.scans:
            self.rng.choices([s for _, s in steps], weights)[0]()

    def _lookup(self, kind: str, code: str):  # noqa: ANN202
        from helpdesk.services.counter.lookup import lookup

        return self.call(f"lookup: {kind}", lookup, code)

    def student_scanned(self):  # noqa: ANN201
        return self._lookup("student", self.rng.choice(self.plan.students))

    def laptop_scanned(self) -> None:
        card = self.student_scanned()
        if card is not None and card.assigned_devices:
            self._lookup("laptop", card.assigned_devices[0].asset_tag)

    def loaner_scanned(self) -> None:
        from helpdesk.domain.enums import Condition, DeviceStatus, LoanType
        from helpdesk.services.counter import loans

        loaner = self._lookup("loaner", self.rng.choice(self.plan.loaners))
        if loaner is None:
            return
        if loaner.open_loan is not None:  # brought back
            back = self.call("loan back", loans.return_loan, self.plan.actor,
                             loan_id=loaner.open_loan.id, condition=Condition.GOOD, missing=())  # fmt: skip
            if back is not None:
                self.report.returned.append(back.loan.id)
            return
        if loaner.status is not DeviceStatus.IN_STOCK:
            return
        student = self.student_scanned()
        if student is None or student.open_loans:
            return  # the card shows a loan already: the counter lends nothing more
        loan = self.call("loan out", loans.issue_loan, self.plan.actor, student_id=student.id,
                         device_id=loaner.id, accessories=("charger",), loan_type=LoanType.DAY,
                         due_at=None)  # fmt: skip
        if loan is not None:
            self.report.issued.append((loan.id, loaner.id, student.id))

    def swap(self) -> None:
        from helpdesk.domain.enums import DamageCategory, DeviceStatus
        from helpdesk.services.counter import loans
        from helpdesk.services.repairs.tickets import DamageReport

        student = self.student_scanned()
        if student is None or student.open_loans or student.open_tickets:
            return
        own = [d for d in student.assigned_devices if d.status is DeviceStatus.ASSIGNED]
        loaner = self._lookup("loaner", self.rng.choice(self.plan.loaners))
        if not own or loaner is None or loaner.open_loan is not None:
            return
        damage = DamageReport(
            category=DamageCategory.SCREEN.value, description="Screen cracked in a bag."
        )
        done = self.call("swap", loans.swap, self.plan.actor, student_id=student.id,
                         own_device_id=own[0].id, loaner_id=loaner.id, damage=damage,
                         accessories=("charger",))  # fmt: skip
        if done is not None:
            self.report.swapped.append((done.ticket.id, done.loan.id))
            self.report.issued.append((done.loan.id, loaner.id, student.id))

    def ticket_scanned(self) -> None:
        from helpdesk.services.repairs.tickets import move_ticket

        card = self._lookup("receipt", self.rng.choice(self.plan.tickets))
        if card is None:
            return
        to = NEXT_STATE.get(card.ticket.state.value)
        if to is None:
            return  # awaiting payment, ready or closed: not the bench's to move
        moved = self.call("ticket move", move_ticket, self.plan.technician, card.ticket.id, to)
        if moved is not None:
            self.report.moved.append((moved.id, to))
