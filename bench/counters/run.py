"""Several counters on one database at once: speed, conflicts met, and nothing lost.

    .venv/bin/python bench/counters/run.py [--counters 4] [--scans 500] [--loaners N]
                                           [--backend sqlite|postgres|both] [--delay-ms 1.0]

Builds one small school (bench/foundation/build.py at --scale 0.02: 2,000 students, 100 loaners,
60 open repair tickets), then starts N counter processes (multiprocessing, spawn; each opens its
own engine) that wait at one start line and each make --scans service calls as fast as they can,
through the services the counter panel calls (bench/counters/one_counter.py): scans of student
cards, laptops, loaners and repair receipts; day loans out and back; a swap now and then; a
ticket moved on now and then. The counters share only a few loaners (--loaners, default N + 2),
so they meet: a refusal (HelpdeskError: another counter lent that loaner first, ...) is a
conflict met, listed by its kind with a sentence.

Runs once on a SQLite file (the app's engine: WAL, synchronous=FULL) and once on PostgreSQL
($HELPDESK_TEST_PG_URL, or a private cluster started like the tests', with fsync back on), the
counters reaching PostgreSQL through bench/netdelay.py, which adds --delay-ms each way (a
school's network). Prints per call p50/p95 in ms, the conflicts, then the consistency check
(bench/counters/counter_checks.py). The last line is `verdict: ok` or `verdict: FAILED <reason>`:
ok when the check passed, no call raised anything but a refusal, and on PostgreSQL every p95 is
at most 50 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import queue
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests", ROOT / "bench", ROOT / "bench" / "counters"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

P95_LIMIT_MS = 50.0  # PostgreSQL through the delay: every kind of call, 95th percentile
SCALE = 0.02  # of the foundation district: a school of 2,000


def _builder():  # noqa: ANN202 - bench/foundation/build.py
    spec = importlib.util.spec_from_file_location(
        "helpdesk_counters_bench_build", ROOT / "bench" / "foundation" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build_school(url: str) -> None:
    from helpdesk.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine, backup=False)
    _builder().build(engine, scale=SCALE, say=lambda _text: None)
    engine.dispose()


def plans(url: str, engine_url: str, args: argparse.Namespace) -> tuple[list, int]:
    """One Plan per counter, from the school as built; and the first loan id the bench makes."""
    from one_counter import NEXT_STATE, Plan
    from sqlalchemy import func, select

    from helpdesk.db import make_engine
    from helpdesk.domain.enums import DevicePool, DeviceStatus, TicketState
    from helpdesk.domain.models import Assignment, Device, Loan, Student, Ticket
    from helpdesk.services.core.codes import ticket_code

    engine = make_engine(engine_url)
    with engine.connect() as conn:
        loaners = conn.scalars(
            select(Device.asset_tag)
            .where(Device.pool == DevicePool.LOAN, Device.status == DeviceStatus.IN_STOCK)
            .order_by(Device.id)
            .limit(args.loaners)
        ).all()
        cards = conn.scalars(
            select(Student.card_code)
            .join(Assignment, Assignment.student_id == Student.id)
            .join(Device, Device.id == Assignment.device_id)
            .where(Assignment.ended_at.is_(None), Device.status == DeviceStatus.ASSIGNED)
            .order_by(Student.id)
        ).all()
        movable = [TicketState(s) for s in NEXT_STATE]
        tickets = [
            ticket_code(n)
            for n in conn.scalars(
                select(Ticket.id).where(Ticket.state.in_(movable)).order_by(Ticket.id).limit(40)
            )
        ]
        first_loan = (conn.scalar(select(func.max(Loan.id))) or 0) + 1
    engine.dispose()
    share = min(150, len(cards) // args.counters)
    return [
        Plan(url=url, number=k, scans=args.scans, seed=args.seed * 100 + k,
             actor=f"counter{k}", technician=f"tech{k}", students=list(cards[(k - 1) * share: k * share]),
             loaners=list(loaners), tickets=tickets)
        for k in range(1, args.counters + 1)
    ], first_loan  # fmt: skip


def run_counters(plan_list: list) -> list:
    from one_counter import run_counter

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(plan_list))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=run_counter, args=(plan, barrier, results), name=plan.station)
        for plan in plan_list
    ]
    for process in processes:
        process.start()
    reports = []
    deadline = time.monotonic() + 1800
    while len(reports) < len(processes) and time.monotonic() < deadline:
        try:
            reports.append(results.get(timeout=5))
        except queue.Empty:
            if not any(p.is_alive() for p in processes) and results.empty():
                break
    for process in processes:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
    return sorted(reports, key=lambda rep: rep.number)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def report(label: str, reports: list, lines: list, expected: int, timed: bool) -> list[str]:
    """Print the figures of one backend; return what failed there (empty: all well)."""
    failed: list[str] = []
    times: dict[str, list[float]] = {}
    sent: Counter[str] = Counter()
    for rep in reports:
        sent.update(rep.statements)
        for kind, values in rep.times.items():
            times.setdefault(kind, []).extend(values)
    calls = sum(len(v) for v in times.values())
    wall = max((rep.seconds for rep in reports), default=0.0)
    print(f"\n== {label}: {len(reports)} of {expected} counters reported, {calls} calls "
          f"in {wall:.1f} s ({calls / wall if wall else 0:.0f} calls/s together)")  # fmt: skip
    print(f"{'call':<28} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL/call':>8}")
    for kind in sorted(times):
        values = times[kind]
        p95 = pct(values, 0.95)
        over = timed and p95 > P95_LIMIT_MS
        if over:
            failed.append(f"{label}: {kind} p95 {p95:.1f} ms > {P95_LIMIT_MS:g} ms")
        print(f"{kind:<28} {len(values):6d} {statistics.median(values):8.2f} {p95:8.2f} "
              f"{max(values):8.2f} {sent[kind] / len(values):8.1f}"
              f"{'  OVER ' + format(P95_LIMIT_MS, 'g') if over else ''}")  # fmt: skip
    refusals = Counter((kind, cls) for rep in reports for kind, cls, _s in rep.refusals)
    example = {(k, c): s for rep in reports for k, c, s in rep.refusals}
    print(f"conflicts met: {sum(refusals.values())}")
    for (kind, cls), n in refusals.most_common():
        print(f'  {n:4d} x {kind}: {cls}: e.g. "{example[(kind, cls)]}"')
    errors = [e for rep in reports for e in rep.errors]
    for error in errors:
        print(f"ERROR in a counter:\n{error}")
    if errors:
        failed.append(f"{label}: {len(errors)} counter(s) raised something other than a refusal")
    if len(reports) < expected:
        failed.append(f"{label}: only {len(reports)} of {expected} counters reported")
    print("consistency:")
    for passed, sentence in lines:
        print(f"  {'ok  ' if passed else 'FAIL'} {sentence}")
        if not passed:
            failed.append(f"{label}: {sentence}")
    return failed


def on_sqlite(args: argparse.Namespace) -> list[str]:
    from counter_checks import consistency

    from helpdesk.db import make_engine

    with tempfile.TemporaryDirectory(prefix="helpdesk-counters-") as folder:
        url = f"sqlite:///{folder}/school.sqlite3"
        build_school(url)
        plan_list, first_loan = plans(url, url, args)
        reports = run_counters(plan_list)
        engine = make_engine(url)
        lines = consistency(engine, reports, first_loan)
        engine.dispose()
    return report("sqlite (one file)", reports, lines, args.counters, timed=False)


def on_postgres(args: argparse.Namespace) -> list[str]:
    from counter_checks import consistency
    from netdelay import DelayProxy, proxied_url, target_of
    from pg_server import PgServer, PgUnavailable
    from sqlalchemy import create_engine, text

    from helpdesk.db import make_engine

    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        print(f"\n== postgresql: no server ({exc})")
        return [f"postgresql: no server ({exc})"]
    name = server.new_name("counters")
    proxy = DelayProxy()
    try:
        url = server.create_database(name)
        build_school(url)
        if server.workdir is not None:  # our own cluster: durable commits, as a school's server
            admin = create_engine(server.base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    conn.execute(text(f"ALTER SYSTEM SET {setting} = on"))
                conn.execute(text("SELECT pg_reload_conf()"))
            admin.dispose()
        host, port = target_of(url)
        lan = proxied_url(url, proxy.start(target_host=host, target_port=port,
                                           delay_ms=args.delay_ms))  # fmt: skip
        plan_list, first_loan = plans(lan, url, args)
        reports = run_counters(plan_list)
        engine = make_engine(url)  # the check reads directly, not through the delay
        lines = consistency(engine, reports, first_loan)
        engine.dispose()
    finally:
        proxy.stop()
        server.drop_database(name)
        server.stop()
    held50, held95 = proxy.held_ms()
    priority = "a higher priority" if proxy.raised else "the same priority"
    print(f"\n   the delay proxy ({priority}) held each chunk p50 {held50:.2f} ms, "
          f"p95 {held95:.2f} ms")  # fmt: skip
    label = f"postgresql (+{args.delay_ms:g} ms each way)"
    return report(label, reports, lines, args.counters, timed=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counters", type=int, default=4)
    parser.add_argument("--scans", type=int, default=500, help="service calls per counter")
    parser.add_argument("--loaners", type=int, default=0, help="shared loaners (N + 2)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--delay-ms", type=float, default=1.0, help="PostgreSQL, each way")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 1 <= args.counters <= 10:
        parser.error("--counters: 1 to 10 (the school has staff counter1..counter10)")
    args.loaners = args.loaners or args.counters + 2
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.counters} counters x {args.scans} calls, {args.loaners} shared loaners; "
          f"machine: {os.cpu_count()} cores, load average {load}")  # fmt: skip
    failed: list[str] = []
    if args.backend in ("sqlite", "both"):
        failed += on_sqlite(args)
    if args.backend in ("postgres", "both"):
        failed += on_postgres(args)
    print()
    for reason in failed:
        print(f"failed: {reason}")
    more = f" (and {len(failed) - 1} more above)" if len(failed) > 1 else ""
    print("verdict: ok" if not failed else f"verdict: FAILED {failed[0]}{more}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
