"""Pickup day, the hand-in and a stocktake at several stations at once: speed and the final state.

    .venv/bin/python bench/sessions/run.py [--students 900] [--stations 4] [--devices 2000]
                                           [--backend sqlite|postgres|both]

Builds a school of --students active students (years 7 to 11, six forms each) with as many
allocation laptops in stock, and --devices more recorded at "Hall". Then, on a SQLite file (the
app's engine) and on PostgreSQL (a private cluster started as the tests start theirs):

1. a pickup of everyone: --stations processes (multiprocessing, spawn, an engine each) wait at
   one start line, then each scans its share of the students as fast as it can, a card and then
   a laptop, through ``scan_in_session`` (the allocation with its agreement, the item done, the
   label and agreement asked for); the time per student is both scans;
2. the hand-in of every allocated laptop, the same way (one scan per laptop);
3. a stocktake of "Hall", one scan per device.

Prints p50 / p95 in ms per student (pickup) or per scan, and the final state: allocations made,
students with more than one laptop, laptops given twice, allocations ended during the pickup
(a reassignment would end one). The last line is `verdict: ok` or `verdict: FAILED <reason>`: ok
when every station's scans were "done", the final state is exact and every p95 is at most 150 ms.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

P95_LIMIT_MS = 150.0
FORMS = "ABCDEF"


def build(url: str, students: int, devices: int) -> None:
    from helpdesk.db import make_engine, make_session_factory, upgrade
    from helpdesk.domain.enums import DeviceKind, DevicePool, StaffRole
    from helpdesk.domain.models import Device, Staff, Student

    engine = make_engine(url)
    upgrade(engine, backup=False)
    factory = make_session_factory(engine)
    with factory() as session, session.begin():
        session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
        for n in range(students):
            year = 7 + n % 5
            session.add(
                Student(
                    card_code=f"C{n:05d}",
                    first_name=f"Pupil{n}",
                    last_name=f"Surname{n % 97}",
                    year_group=year,
                    form=f"{year}{FORMS[(n // 5) % len(FORMS)]}",
                )
            )
        for n in range(students):
            session.add(
                Device(asset_tag=f"LAP-{n:05d}", serial=f"SL{n:06d}", make="Dell", model="3190",
                       kind=DeviceKind.LAPTOP, pool=DevicePool.ALLOCATION, location="Store")
            )  # fmt: skip
        for n in range(devices):
            session.add(
                Device(asset_tag=f"HAL-{n:05d}", serial=f"SH{n:06d}", make="HP", model="G8",
                       kind=DeviceKind.LAPTOP, pool=DevicePool.LOAN, location="Hall")
            )  # fmt: skip
    engine.dispose()


def station(url: str, ses: str, kind: str, jobs: list[tuple[str, ...]], start, out) -> None:  # noqa: ANN001
    """One station: wait at the start line, then each job as fast as it comes."""
    from helpdesk.db import open_database
    from helpdesk.services.sessions import scan_in_session

    factory = open_database(url)
    name = f"station-{os.getpid()}"
    times, outcomes = [], []
    start.wait()
    for job in jobs:
        began = time.perf_counter()
        pending = None
        for code in job:
            result = scan_in_session(
                factory, "admin", ses, code, pending_student_id=pending, station=name
            )
            pending = result.pending_student_id
            outcomes.append(result.outcome)
        times.append((time.perf_counter() - began) * 1000)
    factory.kw["bind"].dispose()
    out.put((times, outcomes))


def run_stations(url: str, ses: str, kind: str, jobs: list, stations: int) -> tuple[list, list]:
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=station, args=(url, ses, kind, jobs[k::stations], start, out))
        for k in range(stations)
    ]
    for p in procs:
        p.start()
    time.sleep(2.0)  # every station at the start line
    start.set()
    times, outcomes = [], []
    for _ in procs:
        t, o = out.get(timeout=900)
        times += t
        outcomes += o
    for p in procs:
        p.join(60)
    return times, outcomes


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def state(url: str) -> dict[str, int]:
    from sqlalchemy import func, select

    from helpdesk.db import make_engine
    from helpdesk.domain.models import Assignment

    engine = make_engine(url)
    with engine.connect() as conn:
        open_ = select(Assignment).where(Assignment.ended_at.is_(None)).subquery()
        found = {
            "open allocations": conn.scalar(select(func.count()).select_from(open_)),
            "students with two": conn.scalar(
                select(func.count()).select_from(
                    select(open_.c.student_id).group_by(open_.c.student_id)
                    .having(func.count() > 1).subquery()
                )
            ),
            "laptops given twice": conn.scalar(
                select(func.count()).select_from(
                    select(open_.c.device_id).group_by(open_.c.device_id)
                    .having(func.count() > 1).subquery()
                )
            ),
            "ended allocations": conn.scalar(
                select(func.count()).where(Assignment.ended_at.is_not(None))
            ),
        }  # fmt: skip
    engine.dispose()
    return found


def one_backend(label: str, url: str, args: argparse.Namespace) -> list[str]:
    from helpdesk.db import open_database
    from helpdesk.services.sessions import start_session

    failed: list[str] = []
    build(url, args.students, args.devices)
    factory = open_database(url)
    now = datetime.now()
    rounds = []
    pickup = start_session(factory, "admin", "pickup", everyone=True, now=now)
    rounds.append(("pickup, per student", pickup.code, "pickup",
                   [(f"C{n:05d}", f"LAP-{n:05d}") for n in range(args.students)]))  # fmt: skip
    print(f"\n== {label}")
    for title, code, kind, jobs in rounds:
        times, outcomes = run_stations(url, code, kind, jobs, args.stations)
        _say(title, times, outcomes, failed, label)
    after = state(url)
    print(f"   final state after the pickup: {after}")
    wanted = {"open allocations": args.students, "students with two": 0,
              "laptops given twice": 0, "ended allocations": 0}  # fmt: skip
    if after != wanted:
        failed.append(f"{label}: the pickup's final state is {after}, not {wanted}")
    handin = start_session(factory, "admin", "handin", everyone=True)
    times, outcomes = run_stations(
        url,
        handin.code,
        "handin",
        [(f"LAP-{n:05d}",) for n in range(args.students)],
        args.stations,
    )
    _say("hand-in, per laptop", times, outcomes, failed, label)
    after = state(url)
    print(f"   final state after the hand-in: {after}")
    if after["open allocations"] != 0 or after["ended allocations"] != args.students:
        failed.append(f"{label}: the hand-in left {after}")
    count = start_session(factory, "admin", "stocktake", location="Hall")
    times, outcomes = run_stations(
        url,
        count.code,
        "stocktake",
        [(f"HAL-{n:05d}",) for n in range(args.devices)],
        args.stations,
    )
    _say("stocktake, per scan", times, outcomes, failed, label)
    factory.kw["bind"].dispose()
    return failed


def _say(title: str, times: list, outcomes: list, failed: list, label: str) -> None:
    p50, p95 = p(times, 50), p(times, 95)
    wrong = len(outcomes) - outcomes.count("done")
    print(f"   {title}: {len(times)} at p50 {p50:.1f} ms, p95 {p95:.1f} ms; not done: {wrong}")
    if p95 > P95_LIMIT_MS:
        failed.append(f"{label}: {title} p95 {p95:.1f} ms > {P95_LIMIT_MS:g} ms")
    if wrong:
        failed.append(f"{label}: {title}: {wrong} scans were not 'done'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=900)
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    args = parser.parse_args(argv)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.students} students, {args.devices} devices, {args.stations} stations; "
          f"machine: {os.cpu_count()} cores, load average {load}")  # fmt: skip
    failed: list[str] = []
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            failed += one_backend("sqlite (one file)", f"sqlite:///{tmp}/sessions.sqlite3", args)
    if args.backend in ("postgres", "both"):
        from pg_server import PgServer, PgUnavailable

        try:
            server = PgServer.start()
        except PgUnavailable as exc:
            failed.append(f"postgresql: no server ({exc})")
        else:
            name = server.new_name("sessions")
            try:
                failed += one_backend("postgresql", server.create_database(name), args)
            finally:
                server.drop_database(name)
                server.stop()
    print()
    for reason in failed:
        print(f"failed: {reason}")
    more = f" (and {len(failed) - 1} more above)" if len(failed) > 1 else ""
    print("verdict: ok" if not failed else f"verdict: FAILED {failed[0]}{more}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
