"""Speed of the counter's actions on a district-sized database, on SQLite and on PostgreSQL.

    .venv/bin/python bench/foundation/run.py [--backend sqlite|postgres|both] [--scale 1.0]
                                             [--repeat 200] [--reuse]

Builds the database of build.py (100,000 students and devices, 1,000,000 past loans, 200,000
tickets at scale 1) and measures, through the services themselves:

- lookup of a scanned code (student card, asset tag, serial, loan slip, repair receipt);
- issue and return of a loan: the full service call, committed, audit rows written, as the
  counter makes it (ids from the scans, back by the loan's id) and as the command line makes it
  (codes as typed); and a bare one-row INSERT + COMMIT on the same engine, for the ratio;
- the overdue list, and one device's full history (a loan laptop with 200 loans);
- CSV import of 1,000 students and 1,000 assigned laptops (SQLite; target well under a second).

SQLite runs with the app's own settings (WAL, synchronous=FULL: every commit reaches the disk)
and again with synchronous=NORMAL (a commit does not wait for the disk; not what the app uses,
shown for comparison). PostgreSQL is a private
cluster started like the tests' (tests/pg_server.py; or $HELPDESK_TEST_PG_URL); the tests run it
without fsync, so the bench turns fsync and synchronous_commit back on before measuring. It is
measured twice: direct, and through bench/netdelay.py adding 1 ms each way (a counter on the
school's network; no targets on those rows, each round trip costs 2 ms more). Prints one table of
medians and 90th percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, event, insert

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests", ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def _load_builder():  # noqa: ANN202 - build.py beside this file, whatever else is called "build"
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "helpdesk_foundation_bench_build", Path(__file__).with_name("build.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


from netdelay import DelayProxy, proxied_url, target_of  # noqa: E402 (bench/netdelay.py)

_builder = _load_builder()
Sizes, asset_tag, build = _builder.Sizes, _builder.asset_tag, _builder.build
card_code, serial = _builder.card_code, _builder.serial

SQLITE_PATH = Path("/tmp/helpdesk-bench-foundation.sqlite3")
TARGETS = {
    "lookup": 2.0,
    "issue loan": 10.0,
    "return loan": 10.0,
    "overdue list": 50.0,
    "device history": 50.0,
}
LAN_DELAY_MS = 1.0  # the PostgreSQL run again through bench/netdelay.py: this much each way
RATIO_TARGET = 3.0  # issue and return: at most 3x a bare one-row INSERT + COMMIT
probe_metadata = MetaData()
probe = Table(
    "bench_probe",
    probe_metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime),
    Column("note", String(40)),
)


def timed(fn: Callable[[], object], times: int, warm: int = 3) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p90(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.9) - 1]


def measure(url: str, label: str, sizes: Sizes, repeat: int, *, normal_sync: bool = False,
            targets: bool = True) -> list:  # fmt: skip
    from helpdesk.db import make_engine, make_session_factory
    from helpdesk.domain.enums import Condition, LoanType
    from helpdesk.services.core.codes import loan_code, ticket_code
    from helpdesk.services.counter.loans import issue_loan, return_loan
    from helpdesk.services.counter.lookup import lookup
    from helpdesk.services.records.browse import overdue_rows
    from helpdesk.services.records.history import device_history

    engine = make_engine(url)
    if normal_sync:

        @event.listens_for(engine, "connect")
        def _normal(dbapi_connection, _record) -> None:  # noqa: ANN001
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

    probe_metadata.create_all(engine)
    factory = make_session_factory(engine)
    rng = random.Random(17)
    rows = []

    def add(
        figure: str, values: list[float], target_key: str | None = None, note: str = ""
    ) -> None:
        target = TARGETS.get(target_key or figure) if targets else None
        median = statistics.median(values)
        verdict = "" if target is None else ("ok" if median <= target else "MISSED")
        rows.append((label, figure, median, p90(values), target, verdict, note))

    kinds = {
        "student card": lambda: card_code(rng.randint(1, sizes.students)),
        "asset tag": lambda: asset_tag(rng.randint(1, sizes.laptops + sizes.loaners), sizes),
        "serial": lambda: serial(rng.randint(1, sizes.laptops + sizes.loaners)),
        "loan slip": lambda: loan_code(rng.randint(1, sizes.past_loans)),
        "repair receipt": lambda: ticket_code(rng.randint(1, sizes.tickets)),
    }
    everything: list[float] = []
    for kind, make_code in kinds.items():
        values = timed(lambda make_code=make_code: lookup(factory, make_code()), repeat // 2)
        everything += values
        add(f"lookup: {kind}", values, "lookup")
    add("lookup: all kinds", everything, "lookup")
    add("lookup: unknown code", timed(lambda: _missing(lookup, factory), 10), None,
        "every exact and case-blind match tried")  # fmt: skip

    free_loaners = list(range(sizes.open_loans + 1, sizes.loaners + 1))
    rng.shuffle(free_loaners)
    borrowers = rng.sample(range(1, sizes.assigned + 1), 2 * (repeat + 3))
    tags = [f"LN-{free_loaners[k % len(free_loaners)]:05d}" for k in range(len(borrowers))]
    cards = [card_code(n) for n in borrowers]
    device_ids, student_ids = _ids(engine, tags, cards)
    issue_times, return_times, code_issue_times, code_return_times = [], [], [], []
    for k in range(repeat + 3):
        # The counter's own calls (helpdesk/ui/counter/actions.py: issue and give_back): the
        # card and the loaner were scanned, so the ids are known; back by the loan's id.
        t0 = time.perf_counter()
        loan = issue_loan(factory, "counter1", student_id=student_ids[cards[k]],
                          device_id=device_ids[tags[k]], accessories=("charger",),
                          loan_type=LoanType.DAY, due_at=None)  # fmt: skip
        t1 = time.perf_counter()
        return_loan(factory, "counter1", loan_id=loan.id, condition=Condition.GOOD, missing=())
        t2 = time.perf_counter()
        # The command line's: codes as typed (helpdesk/commands/loans.py).
        j = repeat + 3 + k
        issue_loan(factory, "counter1", student_code=cards[j], device_code=tags[j])
        t3 = time.perf_counter()
        return_loan(factory, "counter1", device_code=tags[j])
        t4 = time.perf_counter()
        if k >= 3:
            issue_times.append((t1 - t0) * 1000)
            return_times.append((t2 - t1) * 1000)
            code_issue_times.append((t3 - t2) * 1000)
            code_return_times.append((t4 - t3) * 1000)

    def bare() -> None:
        with engine.begin() as conn:
            conn.execute(insert(probe).values(at=datetime.now(), note="probe"))

    def ping() -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").scalar()

    add("bare SELECT 1 (round trip)", timed(ping, repeat))
    bare_times = timed(bare, repeat)
    base = statistics.median(bare_times)
    add("bare INSERT + COMMIT", bare_times)
    for figure, values, how in (
        ("issue loan", issue_times, "counter: ids"),
        ("return loan", return_times, "counter: loan id"),
        ("issue loan: codes", code_issue_times, "command line"),
        ("return loan: tag", code_return_times, "command line"),
    ):
        ratio = statistics.median(values) / base
        verdict = "ok" if ratio <= RATIO_TARGET else "MISSED"
        add(figure, values, figure.split(":")[0],
            f"{how}; {ratio:.1f}x bare ({verdict}: <= {RATIO_TARGET:g}x)")  # fmt: skip
    count = len(overdue_rows(factory))
    add("overdue list", timed(lambda: overdue_rows(factory), 20), note=f"{count} loans")
    busiest = f"LN-{sizes.loaners:05d}"
    length = len(device_history(factory, busiest))
    add("device history", timed(lambda: device_history(factory, busiest), 20),
        note=f"{busiest}: {length} rows")  # fmt: skip
    engine.dispose()
    return rows


def measure_imports(runs: int = 5) -> list:
    """CSV import of 1,000 students, then 1,000 laptops assigned to them, into a new SQLite file
    each run (one transaction each, audit rows written)."""
    import tempfile

    from helpdesk.db import open_database
    from helpdesk.services.core.staff import ensure_admin
    from helpdesk.services.csv.importer import import_devices, import_students

    students = ["card_code;first_name;last_name;year;form"] + [
        f"C{n:05d};Pupil;Number{n};{7 + n % 5};{7 + n % 5}{'ABCDEF'[n % 6]}" for n in range(1000)
    ]
    devices = ["asset_tag,serial,make,model,kind,pool,purchased_on,assigned_to"] + [
        f"LT-{n:05d},SN{n:08d},Lenovo,ThinkPad 11e,laptop,allocation,01/09/2025,C{n:05d}"
        for n in range(1000)
    ]
    student_bytes = "\n".join(students).encode()
    device_bytes = "\n".join(devices).encode()
    times: dict[str, list[float]] = {"students": [], "devices": [], "students again": []}
    with tempfile.TemporaryDirectory() as folder:
        for run in range(runs):
            factory = open_database(f"sqlite:///{folder}/import-{run}.sqlite3")
            ensure_admin(factory)
            for name, fn, data in (
                ("students", import_students, student_bytes),
                ("devices", import_devices, device_bytes),
                ("students again", import_students, student_bytes),
            ):
                t0 = time.perf_counter()
                fn(factory, "admin", data)
                times[name].append((time.perf_counter() - t0) * 1000)
            factory.kw["bind"].dispose()
    notes = {
        "students": "new file, 1,000 added",
        "devices": "1,000 added and assigned",
        "students again": "1,000 unchanged",
    }
    return [
        ("sqlite (app: FULL)", f"CSV import: {name}", statistics.median(values),
         max(values), 1000.0, "ok" if statistics.median(values) <= 1000 else "MISSED",
         notes[name])
        for name, values in times.items()
    ]  # fmt: skip


def _ids(engine, tags: list[str], cards: list[str]) -> tuple[dict, dict]:  # noqa: ANN001
    """The ids the counter holds once the loaner and the card are scanned."""
    from sqlalchemy import text

    with engine.connect() as conn:
        devices = dict(conn.execute(text("SELECT asset_tag, id FROM devices")).all())
        students = dict(conn.execute(text("SELECT card_code, id FROM students")).all())
    return {t: devices[t] for t in tags}, {c: students[c] for c in cards}


def _missing(lookup, factory) -> None:  # noqa: ANN001
    from helpdesk.domain.errors import NotFound

    try:
        lookup(factory, "NO-SUCH-CODE-42")
    except NotFound:
        pass


def _build_sqlite(path: Path, scale: float, reuse: bool) -> str:
    from helpdesk.db import make_engine, upgrade

    url = f"sqlite:///{path}"
    if reuse and path.exists():
        print(f"sqlite: reusing {path} (read through once: a database in daily use is cached)")
        with path.open("rb") as whole:
            while whole.read(1 << 24):
                pass
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine, backup=False)
    print(f"sqlite: building {path}")
    timings = build(engine, scale=scale, say=print)
    engine.dispose()
    print(f"sqlite: built in {timings['total']:.1f} s")
    return url


def _postgres(scale: float, repeat: int) -> list:
    from pg_server import PgServer, PgUnavailable
    from sqlalchemy import create_engine, text

    from helpdesk.db import make_engine, upgrade

    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        print(f"postgres: skipped ({exc})")
        return []
    name = server.new_name("bench")
    try:
        url = server.create_database(name)
        engine = make_engine(url)
        upgrade(engine, backup=False)
        print(f"postgres: building {name} on {server.safe()}")
        timings = build(engine, scale=scale, say=print)
        engine.dispose()
        print(f"postgres: built in {timings['total']:.1f} s")
        if server.workdir is not None:  # our own cluster: durable commits for the measures
            admin = create_engine(server.base, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                    conn.execute(text(f"ALTER SYSTEM SET {setting} = on"))
                conn.execute(text("SELECT pg_reload_conf()"))
            admin.dispose()
        rows = measure(url, "postgresql", Sizes(scale), repeat)
        # The same calls through a proxy that holds each packet LAN_DELAY_MS each way: a counter
        # on the school's network rather than on the server's own machine. The targets above
        # are for the server's own figures; here each round trip adds 2 x LAN_DELAY_MS.
        proxy = DelayProxy()
        host, port = target_of(url)
        lan_port = proxy.start(target_host=host, target_port=port, delay_ms=LAN_DELAY_MS)
        try:
            label = f"postgresql +{LAN_DELAY_MS:g}ms/way"
            lan = measure(proxied_url(url, lan_port), label, Sizes(scale), repeat, targets=False)
        finally:
            proxy.stop()
        return rows + lan
    finally:
        server.drop_database(name)
        server.stop()


def print_table(rows: list) -> None:
    import os

    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min) at the end")
    print(f"{'database':<22} {'figure':<28} {'median ms':>9} {'p90 ms':>8} {'target':>7}  note")
    for label, figure, median, high, target, verdict, note in rows:
        goal = f"<= {target:g}" if target else ""
        extra = " ".join(x for x in (verdict, note) if x)
        print(f"{label:<22} {figure:<28} {median:9.2f} {high:8.2f} {goal:>7}  {extra}")


def main(argv: list[str] | None = None) -> int:
    # Building a district is not a counter's work: no per-statement limit on the server.
    os.environ.setdefault("HELPDESK_DB_STATEMENT_TIMEOUT", "0")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="reuse the SQLite file if there")
    parser.add_argument("--file", type=Path, default=SQLITE_PATH, help="the SQLite file")
    args = parser.parse_args(argv)
    sizes = Sizes(args.scale)
    rows: list = []
    if args.backend in ("sqlite", "both"):
        url = _build_sqlite(args.file, args.scale, args.reuse)
        rows += measure(url, "sqlite (app: FULL)", sizes, args.repeat)
        rows += measure(url, "sqlite (NORMAL sync)", sizes, args.repeat, normal_sync=True)
        rows += measure_imports()
    if args.backend in ("postgres", "both"):
        rows += _postgres(args.scale, args.repeat)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
