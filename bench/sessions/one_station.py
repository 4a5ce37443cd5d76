"""One station of the sessions bench, in a process of its own (multiprocessing, spawn).

It opens its own engine, waits at the start line with the other stations, then works through its
list as fast as the codes come, through the service calls the Sessions screen makes
(helpdesk/ui/sessions/scan_screen.py and paper.py): ``scan_in_session`` for every code, and at a
pickup, after the laptop's scan made the allocation, the asset label's and the agreement's reads
(``slip_data.handout_papers``: the allocation with its laptop and student), the
label sheet and the agreement drawn as PDFs (what the station hands to its print queue) and
``mark_printed``.

- pickup: a student's card, then a laptop from this station's pile. A laptop refused (another
  station gave it to someone a moment ago) is put aside and the next one scanned for the same
  student. A card or laptop answered "already" (the student collected at another station) ends
  that student's turn.
- hand-in: a laptop with its condition (the plan says which are damaged or short a charger).
- stocktake: a tag.

Every answer's outcome is counted, and what was done is kept (allocation ids, hand-ins, tickets)
so run.py can check the database against what the stations say they did.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Plan:
    """What one station works with (made by run.py)."""

    url: str
    number: int  # 1..N
    kind: str  # pickup, handin or stocktake
    session: str  # SES-000001
    actor: str  # a counter member of staff
    codes: list[str]  # cards (pickup), or tags (hand-in, stocktake), in the order scanned
    laptops: list[str] = field(default_factory=list)  # pickup: this station's pile
    damaged: list[str] = field(default_factory=list)  # hand-in: tags that come back damaged
    short: list[str] = field(default_factory=list)  # hand-in: tags that come back without charger

    @property
    def station(self) -> str:
        return f"bench-station-{self.number}"


@dataclass
class Report:
    number: int
    times: dict[str, list[float]] = field(default_factory=dict)  # what -> ms of each
    statements: dict[str, int] = field(default_factory=dict)  # what -> SQL statements sent
    outcomes: Counter[str] = field(default_factory=Counter)  # outcome word -> scans
    allocations: list[int] = field(default_factory=list)  # pickup: assignment ids made here
    handed_in: list[str] = field(default_factory=list)  # hand-in: tags done here
    tickets: list[int] = field(default_factory=list)  # hand-in: bench tickets opened here
    printed: int = 0  # pickup: mark_printed calls (label and agreement)
    pdf_bytes: int = 0  # pickup: the PDFs drawn, in bytes
    sentences: dict[str, str] = field(default_factory=dict)  # outcome -> an example sentence
    errors: list[str] = field(default_factory=list)  # what ended the station's work
    failures: list[str] = field(default_factory=list)  # database failures, made again
    seconds: float = 0.0


def run_station(plan: Plan, barrier, results) -> None:  # noqa: ANN001 - multiprocessing objects
    """The process's body: set up, wait for the others, work, put the Report on ``results``."""
    report = Report(plan.number)
    try:
        desk = _Station(plan, report)
    except BaseException:  # noqa: BLE001 - told to the parent
        barrier.abort()
        report.errors.append(traceback.format_exc())
        results.put(report)
        return
    try:
        barrier.wait(timeout=120)
    except BaseException:  # noqa: BLE001
        report.errors.append("the start line broke: another station could not start")
        results.put(report)
        return
    began = time.perf_counter()
    try:
        getattr(desk, plan.kind)()
    except BaseException:  # noqa: BLE001
        report.errors.append(traceback.format_exc())
    report.seconds = time.perf_counter() - began
    desk.factory.kw["bind"].dispose()
    results.put(report)


class _Station:
    def __init__(self, plan: Plan, report: Report) -> None:
        from sqlalchemy import event

        from helpdesk.db import make_session_factory
        from helpdesk.services.sessions import session_status

        self.plan, self.report = plan, report
        self.factory = make_session_factory(plan.url)  # this process's own engine
        self.sent = 0  # SQL statements sent (each one a round trip)
        event.listen(self.factory.kw["bind"], "before_cursor_execute", self._count)
        session_status(self.factory, plan.actor, plan.session)  # connect before the start line
        self._draw_label(None)  # the fonts and templates loaded once, as a running window has

    def _count(self, *_args: object) -> None:
        self.sent += 1

    def _start(self) -> tuple[float, int]:
        return time.perf_counter(), self.sent

    def _time(self, what: str, mark: tuple[float, int]) -> float:
        t0, sent = mark
        ms = (time.perf_counter() - t0) * 1000
        self.report.statements[what] = self.report.statements.get(what, 0) + self.sent - sent
        self.report.times.setdefault(what, []).append(ms)
        return ms

    def again(self, fn, *args, **kwargs):  # noqa: ANN001, ANN201
        """A service call; one the database failed (SQLite: "database is locked" after the
        busy timeout) is kept as a failure and made again, as the person at the station would
        scan again. Anything else raised ends the station's work."""
        from sqlalchemy.exc import OperationalError

        for attempt in range(1, 4):
            try:
                return fn(self.factory, self.plan.actor, *args, **kwargs)
            except OperationalError as exc:
                self.report.failures.append(f"{fn.__name__}: {str(exc.orig or exc)[:80]}")
                if attempt == 3:
                    raise
        raise AssertionError("unreachable")

    def scan(self, code: str, **options: object):  # noqa: ANN201
        from helpdesk.services.sessions import scan_in_session

        result = self.again(
            scan_in_session, self.plan.session, code, station=self.plan.station, **options
        )
        self.report.outcomes[result.outcome] += 1
        self.report.sentences.setdefault(result.outcome, result.sentence)
        return result

    # --- pickup ----------------------------------------------------------------------------------

    def pickup(self) -> None:
        pile = iter(self.plan.laptops)
        laptop = next(pile)
        for card in self.plan.codes:
            t0, cpu = self._start(), time.process_time()
            first = self.scan(card)
            self._time("card scan", t0)
            if first.waiting_for != "laptop":  # already collected, or not on the list
                self._time(f"card only ({first.outcome})", t0)
                continue
            while True:
                t1 = self._start()
                second = self.scan(laptop, pending_student_id=first.pending_student_id)
                self._time("laptop scan", t1)
                if second.outcome == "problem":  # given to someone at another station: aside
                    laptop = next(pile)
                    continue
                break
            if second.outcome != "done" or second.assignment_id is None:
                self._time(f"student, laptop {second.outcome}", t0)
                continue  # collected at another station meanwhile: the laptop stays here
            self.report.allocations.append(second.assignment_id)
            self._handout(second)
            self._time("student (both scans, allocation, label and agreement)", t0)
            self.report.times.setdefault("  the same, CPU time of the station", []).append(
                (time.process_time() - cpu) * 1000
            )
            laptop = next(pile, "")

    def _handout(self, result) -> None:  # noqa: ANN001 - a ScanResult
        from helpdesk.services.reporting import slip_data
        from helpdesk.services.sessions import mark_printed

        t0 = self._start()
        papers = slip_data.handout_papers(
            self.factory,
            result.assignment_id,
            label=result.print_label,
            agreement=result.print_agreement and result.student is not None,
        )
        label, agreement = papers.label, papers.agreement
        self._time("label and agreement read", t0)
        t1 = self._start()
        template_id = self._draw_label(label) if label is not None else ""
        if agreement is not None:
            from helpdesk.labels import slips

            self.report.pdf_bytes += len(slips.handover_pdf([agreement], "half-a4"))
        self._time("label and agreement PDFs", t1)
        if label is None and agreement is None:
            return
        t2 = self._start()
        self.again(
            mark_printed, result.assignment_id,
            label=label is not None, agreement=agreement is not None, template_id=template_id,
        )  # fmt: skip
        self.report.printed += 1
        self._time("mark printed", t2)

    def _draw_label(self, device) -> str:  # noqa: ANN001 - documents.LabelDevice or None
        """The asset label on the window's default stock (Avery L7160, Code 128)."""
        from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, render_labels
        from helpdesk.labels.templates import all_templates

        templates, _problems = all_templates()
        template = next(t for t in templates if t.id == "avery-l7160")
        label = (
            AssetLabel(device.asset_tag, device.model_name, device.serial)
            if device is not None
            else AssetLabel("LT-000000", "Warm up", "X")
        )
        sheets = render_labels(template, [label], LabelDesign(symbology="code128"))
        if device is not None:
            self.report.pdf_bytes += len(sheets.pdf)
        return template.id

    # --- hand-in and stocktake ---------------------------------------------------------------------

    def handin(self) -> None:
        damaged, short = set(self.plan.damaged), set(self.plan.short)
        for tag in self.plan.codes:
            t0 = self._start()
            result = self.scan(
                tag,
                condition="damaged" if tag in damaged else "good",
                missing=("charger",) if tag in short else (),
            )
            self._time(f"laptop ({result.outcome})", t0)
            if result.outcome == "done":
                self.report.handed_in.append(tag)
                if result.ticket_id is not None:
                    self.report.tickets.append(result.ticket_id)

    def stocktake(self) -> None:
        for tag in self.plan.codes:
            t0 = self._start()
            result = self.scan(tag)
            self._time(f"tag ({result.outcome})", t0)
