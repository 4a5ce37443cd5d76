"""Pickup day, the hand-in and a stocktake at several stations at once: speed, and nothing doubled.

    .venv/bin/python bench/sessions/run.py [--stations 4] [--students 900] [--stocktake 2000]
                                           [--backend sqlite|postgres|both] [--delay-ms 1.0]

Builds one small school (bench/foundation/build.py at --scale 0.02: 2,000 students and 2,000
devices), moves everyone up a year and adds a new year 7 of --students students in forms of 30
with a pile of new allocation laptops in stock; 2,000 devices are recorded in the "Main store"
and a few new laptops on the "Library cart". Then, on a SQLite file (the app's engine) and on
PostgreSQL ($HELPDESK_TEST_PG_URL, or a private cluster started like the tests', fsync back on,
reached through bench/netdelay.py's --delay-ms each way), three sessions run at N station
processes (bench/sessions/one_station.py) that wait at one start line and scan as fast as the
codes come:

1. pickup of year 7: a card, then a laptop, the allocation, the asset label and the hand-over
   agreement read and drawn as PDFs, and ``mark_printed``: the time per student;
2. hand-in of those laptops (every 25th damaged, so to the bench with a ticket; every 12th
   without its charger): the time per laptop;
3. a stocktake of the Main store: most devices scanned, some missing, some from the Library
   cart (belongs elsewhere), some tags no device has; then the found ones moved here in one step.

Each station is also given some of its neighbour's codes, so stations meet: "already" is counted
and nothing is done twice. The final state is read from the database (bench/sessions/checks.py).
The last line is `verdict: ok` or `verdict: FAILED <reason>`: ok when every check passed, no
station raised anything, and the p95 per student, per hand-in and per stocktake tag is at most
150 ms on each database.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import queue
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests", ROOT / "bench", ROOT / "bench" / "sessions"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

P95_LIMIT_MS = 150.0
STORE, CART = "Main store", "Library cart"
TIMED = {  # the figure each phase is judged by
    "pickup": "student (both scans, allocation, label and agreement)",
    "handin": "laptop (done)",
    "stocktake": "tag (done)",
}


def _builder():  # noqa: ANN202 - bench/foundation/build.py
    spec = importlib.util.spec_from_file_location(
        "helpdesk_sessions_bench_build", ROOT / "bench" / "foundation" / "build.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class School:
    intake: list[str]  # the new year 7's card codes
    laptops: list[str]  # the new laptops in stock
    store: list[str]  # tags recorded at the Main store
    cart: list[str]  # tags recorded on the Library cart
    open_before: int  # open allocations before pickup day


def build_school(url: str, args: argparse.Namespace) -> School:
    from sqlalchemy import func, insert, select, update

    from helpdesk.db import make_engine, upgrade
    from helpdesk.domain.models import Assignment, Device, Student

    builder = _builder()
    engine = make_engine(url)
    upgrade(engine, backup=False)
    builder.build(engine, scale=args.scale, say=lambda _text: None)
    rng = random.Random(args.seed)
    with engine.begin() as conn:
        first = (conn.scalar(select(func.max(Student.id))) or 0) + 1
        devices = list(conn.scalars(select(Device.id).order_by(Device.id)))
        if args.stocktake > len(devices):
            raise SystemExit(f"--stocktake: the school has only {len(devices)} devices")
        conn.execute(update(Student).values(year_group=Student.year_group + 1))
        intake = [builder.card_code(first + k) for k in range(args.students)]
        conn.execute(insert(Student.__table__), [
            {"card_code": code, "first_name": rng.choice(builder.FIRST_NAMES),
             "last_name": rng.choice(builder.LAST_NAMES), "year_group": 7,
             "form": f"7N-{k // 30 + 1:02d}", "status": "active", "left_on": None}
            for k, code in enumerate(intake)
        ])  # fmt: skip
        laptops = [f"NW-{k:05d}" for k in range(1, args.students + args.students // 5 + 9)]
        conn.execute(insert(Device.__table__), [
            {"asset_tag": tag, "serial": f"NWS{k:07d}", "make": "Lenovo",
             "model": "ThinkPad 11e Yoga Gen 6", "kind": "laptop", "pool": "allocation",
             "status": "in_stock", "notes": ""}
            for k, tag in enumerate(laptops)
        ])  # fmt: skip
        stored = devices[: args.stocktake]
        conn.execute(update(Device).where(Device.id.in_(stored)).values(location=STORE))
        cart = laptops[-max(2, args.stocktake * 15 // 1000) :]
        conn.execute(update(Device).where(Device.asset_tag.in_(cart)).values(location=CART))
        store = list(conn.scalars(select(Device.asset_tag).where(Device.id.in_(stored))))
        before = conn.scalar(select(func.count()).where(Assignment.ended_at.is_(None))) or 0
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return School(intake, laptops[: -len(cart)], sorted(store), cart, int(before))


def shares(codes: list[str], stations: int, every: int) -> list[list[str]]:
    """``codes`` split among the stations in order; each also gets every ``every``-th code of
    the next station's share, at the same place in its list (so they meet at about one time)."""
    size = -(-len(codes) // stations)
    own = [codes[k * size : (k + 1) * size] for k in range(stations)]
    if stations < 2 or every <= 0:
        return own
    out = []
    for k in range(stations):
        mine, theirs = list(own[k]), own[(k + 1) % stations]
        for i in range(len(theirs) - 1, -1, -every):
            mine.insert(min(i, len(mine)), theirs[i])
        out.append(mine)
    return out


def run_stations(plan_list: list) -> list:
    from one_station import run_station

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(plan_list))
    results = ctx.Queue()
    processes = [
        ctx.Process(target=run_station, args=(plan, barrier, results), name=plan.station)
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


def figures(label: str, kind: str, reports: list, lines: list, stations: int) -> list[str]:
    """Print one phase's figures and checks; return what failed there (empty: all well)."""
    failed: list[str] = []
    times: dict[str, list[float]] = {}
    sent: Counter[str] = Counter()
    for rep in reports:
        sent.update(rep.statements)
        for what, values in rep.times.items():
            times.setdefault(what, []).extend(values)
    wall = max((rep.seconds for rep in reports), default=0.0)
    outcomes = {w: sum(rep.outcomes[w] for rep in reports)
                for w in ("done", "already", "unexpected", "problem")}  # fmt: skip
    print(f"-- {kind}: {len(reports)} of {stations} stations reported in {wall:.1f} s; scans: "
          + ", ".join(f"{w} {n}" for w, n in outcomes.items()))  # fmt: skip
    print(f"   {'what':<56} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL':>5}")
    for what in sorted(times):
        values = times[what]
        p95 = pct(values, 0.95)
        over = what == TIMED[kind] and p95 > P95_LIMIT_MS
        if over:
            failed.append(f"{label}: {kind} {what} p95 {p95:.1f} ms > {P95_LIMIT_MS:g} ms")
        print(f"   {what:<56} {len(values):6d} {statistics.median(values):8.2f} {p95:8.2f} "
              f"{max(values):8.2f} {sent[what] / len(values):5.1f}"
              f"{'  OVER ' + format(P95_LIMIT_MS, 'g') if over else ''}")  # fmt: skip
    if TIMED[kind] not in times:
        failed.append(f"{label}: {kind}: no {TIMED[kind]} timed")
    for word in ("already", "problem", "unexpected"):
        example = next((rep.sentences[word] for rep in reports if word in rep.sentences), None)
        if example:
            print(f'   e.g. {word}: "{example}"')
    failures = Counter(f for rep in reports for f in rep.failures)
    for failure, times_seen in failures.most_common():
        print(f"   failed and made again: {times_seen} x {failure}")
    if failures:
        failed.append(f"{label}: {kind}: {failures.total()} service calls failed in the database")
    for error in (e for rep in reports for e in rep.errors):
        print(f"ERROR in a station:\n{error}")
        failed.append(f"{label}: {kind}: a station raised something")
    if len(reports) < stations:
        failed.append(f"{label}: {kind}: only {len(reports)} of {stations} stations reported")
    print("   final state:")
    for passed, sentence in lines:
        print(f"     {'ok  ' if passed else 'FAIL'} {sentence}")
        if not passed:
            failed.append(f"{label}: {kind}: {sentence}")
    return failed


def day(
    label: str, url: str, check_url: str, school: School, args: argparse.Namespace
) -> list[str]:
    """The three sessions on one database: ``url`` for the stations, ``check_url`` for the rest."""
    import checks
    from one_station import Plan

    from helpdesk.db import make_engine, make_session_factory
    from helpdesk.services.sessions import move_found_here, session_status, start_session

    n = args.stations
    rng = random.Random(args.seed)
    factory = make_session_factory(check_url)
    engine = make_engine(check_url)
    intake_ids = checks.students_of(engine, school.intake)
    failed: list[str] = []
    print(f"\n== {label}")

    def started(kind: str, **scope: object):  # noqa: ANN202
        t0 = time.perf_counter()
        info = start_session(factory, "counter1", kind, **scope)
        print(f"{info.code} {info.name}: {info.expected} expected, started in "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")  # fmt: skip
        return info

    # 1. pickup of the new year 7
    info = started("pickup", year=7)
    own = shares(school.laptops, n, 0)
    piles = [  # a few laptops in two piles: the later station is refused them
        own[k][:5] + (own[(k + 1) % n][10 : 10 + max(1, len(own[k]) // 60)] if n > 1 else [])
        + own[k][5:]
        for k in range(n)
    ]  # fmt: skip
    plans = [Plan(url, k + 1, "pickup", info.code, f"counter{k + 1}", codes, laptops=piles[k])
             for k, codes in enumerate(shares(school.intake, n, 12))]  # fmt: skip
    reports = run_stations(plans)
    lines = checks.pickup(engine, info.id, intake_ids, school.open_before, reports, n > 1)
    failed += figures(label, "pickup", reports, lines, n)

    # 2. the hand-in of those laptops
    info = started("handin", year=7)
    from sqlalchemy import select

    from helpdesk.domain.models import Assignment, Device

    with engine.connect() as conn:
        tags = sorted(conn.scalars(
            select(Device.asset_tag).join(Assignment, Assignment.device_id == Device.id)
            .where(Assignment.ended_at.is_(None), Assignment.student_id.in_(intake_ids))
        ))  # fmt: skip
    damaged, short = tags[::25], tags[5::12]
    rng.shuffle(tags)
    plans = [Plan(url, k + 1, "handin", info.code, f"counter{k + 1}", codes,
                  damaged=damaged, short=short)
             for k, codes in enumerate(shares(tags, n, 12))]  # fmt: skip
    reports = run_stations(plans)
    lines = checks.handin(engine, info.id, intake_ids, set(damaged), reports)
    failed += figures(label, "handin", reports, lines, n)

    # 3. a stocktake of the Main store
    info = started("stocktake", location=STORE)
    missing = set(rng.sample(school.store, max(2, len(school.store) // 50)))
    elsewhere = school.cart[: max(1, len(school.cart) * 2 // 3)]
    unknown = [f"ZZ-{k:05d}" for k in range(1, max(2, len(school.store) // 200) + 1)]
    scanned = [t for t in school.store if t not in missing] + elsewhere + unknown
    rng.shuffle(scanned)
    plans = [Plan(url, k + 1, "stocktake", info.code, f"counter{k + 1}", codes)
             for k, codes in enumerate(shares(scanned, n, 25))]  # fmt: skip
    reports = run_stations(plans)
    status = session_status(factory, "counter1", info.code)
    want = {
        "found here": len(school.store) - len(missing),
        "belongs elsewhere": len(elsewhere),
        "missing": len(missing),
        "unknown tags": len(unknown),
    }
    lines = checks.stocktake(engine, info.id, status, want, reports, n > 1)
    t0 = time.perf_counter()
    moved = move_found_here(factory, "tech1", info.code)
    ms = (time.perf_counter() - t0) * 1000
    with engine.connect() as conn:
        here = conn.scalar(
            select(Device.asset_tag).where(Device.asset_tag.in_(elsewhere), Device.location != STORE)
        )  # fmt: skip
    lines += [
        (moved == len(elsewhere), f"found here moved to {STORE} in one step: {moved} ({ms:.0f} ms)"),
        (here is None, f"devices from elsewhere still recorded elsewhere: {here or 'none'}"),
    ]  # fmt: skip
    failed += figures(label, "stocktake", reports, lines, n)
    engine.dispose()
    factory.kw["bind"].dispose()
    return failed


def on_sqlite(args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="helpdesk-sessions-") as folder:
        url = f"sqlite:///{folder}/school.sqlite3"
        school = build_school(url, args)
        return day("sqlite (one file)", url, url, school, args)


def on_postgres(args: argparse.Namespace) -> list[str]:
    from netdelay import DelayProxy, proxied_url, target_of
    from pg_server import PgServer, PgUnavailable
    from sqlalchemy import create_engine, text

    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        print(f"\n== postgresql: no server ({exc})")
        return [f"postgresql: no server ({exc})"]
    name = server.new_name("sessions")
    proxy = DelayProxy()
    try:
        url = server.create_database(name)
        school = build_school(url, args)
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
        return day(f"postgresql (+{args.delay_ms:g} ms each way)", lan, url, school, args)
    finally:
        proxy.stop()
        server.drop_database(name)
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=4)
    parser.add_argument("--students", type=int, default=900, help="the new year 7 collecting")
    parser.add_argument("--stocktake", type=int, default=2000, help="devices in the Main store")
    parser.add_argument("--scale", type=float, default=0.02, help="of the foundation district")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--delay-ms", type=float, default=1.0, help="PostgreSQL, each way")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not 1 <= args.stations <= 10:
        parser.error("--stations: 1 to 10 (the school has staff counter1..counter10)")
    if args.students < 30 * args.stations or args.stocktake < 100:
        parser.error("--students: at least 30 a station; --stocktake: at least 100")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.stations} stations; pickup and hand-in of {args.students} students, stocktake "
          f"of {args.stocktake} devices; machine: {os.cpu_count()} cores, load average {load}")  # fmt: skip
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
