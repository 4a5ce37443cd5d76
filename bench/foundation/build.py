"""A district-sized database for the foundation bench: bulk inserts through SQLAlchemy Core.

    .venv/bin/python bench/foundation/build.py [--db URL] [--scale 1.0]

At scale 1: 100,000 students, 100,000 devices (95,000 allocation laptops, 90,000 of them assigned
1:1, and a 5,000-laptop loan pool), 100,000 cover periods, 1,000,000 past loans (returned) over
three years, 2,000 open loans (a fifth overdue), 200,000 repair tickets (3,000 still open, the
rest collected) and 100,000 claims. The schema comes from the migrations; history rows are
inserted without audit rows (they are the bench's background, not actions). Prints the time
each table took.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpdesk.demo.names import FIRST_NAMES, LAST_NAMES  # noqa: E402
from helpdesk.domain.models import (  # noqa: E402
    Assignment,
    Claim,
    CoverPeriod,
    Device,
    FeeRule,
    Loan,
    Scheme,
    Staff,
    Student,
    Ticket,
    UninsuredPrice,
)

CHUNK = 20_000
STATES_OPEN = (
    "logged",
    "diagnosing",
    "awaiting_payment",
    "awaiting_parts",
    "with_vendor",
    "repaired",
    "ready_for_collection",
)
CATEGORIES = ("screen", "keyboard", "trackpad", "liquid", "chassis", "hinge_ports", "charger")


class Sizes:
    def __init__(self, scale: float) -> None:
        def n(value: int) -> int:
            return max(10, int(value * scale))

        self.students = n(100_000)
        self.loaners = n(5_000)
        self.laptops = n(100_000) - self.loaners
        self.assigned = min(n(90_000), self.students, self.laptops)
        self.past_loans = n(1_000_000)
        self.open_loans = min(n(2_000), self.loaners // 2)
        self.tickets = n(200_000)
        self.open_tickets = min(n(3_000), self.assigned // 2)


def card_code(n: int) -> str:
    return f"S{n:07d}"


def asset_tag(device_id: int, sizes: Sizes) -> str:
    if device_id > sizes.laptops:
        return f"LN-{device_id - sizes.laptops:05d}"
    return f"LT-{device_id:06d}"


def serial(device_id: int) -> str:
    # spread like real serials, unique: a fixed permutation of the id in base 36
    value = (device_id * 2_654_435_761) % 4_294_967_296
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while value:
        value, rest = divmod(value, 36)
        text = digits[rest] + text
    return f"PF{text:0>7}"


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _load(engine: Engine, table, rows: Iterator[dict]) -> int:  # noqa: ANN001
    count = 0
    with engine.begin() as conn:
        for batch in _chunks(rows):
            conn.execute(insert(table.__table__), batch)
            count += len(batch)
    return count


def build(engine: Engine, *, scale: float = 1.0, seed: int = 5, now: datetime | None = None,
          say: Callable[[str], None] = print) -> dict[str, float]:  # fmt: skip
    """Fill an empty, upgraded database; returns seconds per step (and 'total')."""
    rng = random.Random(seed)
    sizes = Sizes(scale)
    now = (now or datetime.now()).replace(second=0, microsecond=0)
    start = now - timedelta(days=3 * 365)
    year = now.year if now.month >= 9 else now.year - 1
    timings: dict[str, float] = {}
    began = time.perf_counter()

    def step(name: str, table, rows: Iterator[dict]) -> None:  # noqa: ANN001
        t0 = time.perf_counter()
        count = _load(engine, table, rows)
        timings[name] = time.perf_counter() - t0
        say(f"  {name}: {count:,} rows in {timings[name]:.1f} s")

    staff = (
        [("admin", "Admin", "admin")]
        + [(f"counter{n}", f"Counter {n}", "counter") for n in range(1, 11)]
        + [(f"tech{n}", f"Technician {n}", "technician") for n in range(1, 11)]
    )
    step(
        "staff",
        Staff,
        ({"username": u, "display_name": d, "role": r, "active": True} for u, d, r in staff),
    )
    step(
        "schemes",
        Scheme,
        iter([{"name": "Standard", "claims_allowed": 2, "report_within_days": 14,
               "excludes_no_case": False, "excludes_deliberate": True}]),
    )  # fmt: skip
    step(
        "fee rules",
        FeeRule,
        iter([
            {"scheme_id": 1, "incident_type": None, "claim_from": 1, "claim_to": 1, "charge_pence": 0},
            {"scheme_id": 1, "incident_type": None, "claim_from": 2, "claim_to": None, "charge_pence": 5000},
            {"scheme_id": 1, "incident_type": "theft", "claim_from": 1, "claim_to": None, "charge_pence": 15000},
        ]),
    )  # fmt: skip
    step(
        "uninsured prices",
        UninsuredPrice,
        ({"damage_category": c, "charge_pence": 5000 + 1000 * i} for i, c in enumerate(CATEGORIES)),
    )

    def students() -> Iterator[dict]:
        for n in range(1, sizes.students + 1):
            year_group = 7 + n % 7
            yield {
                "card_code": card_code(n),
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "year_group": year_group,
                "form": f"{year_group}{'ABCDEFGH'[n % 8]}-{n % 97:02d}",
                "status": "active",
                "left_on": None,
            }

    step("students", Student, students())

    open_ticket_devices = set(rng.sample(range(1, sizes.assigned + 1), sizes.open_tickets))

    def devices() -> Iterator[dict]:
        for n in range(1, sizes.laptops + sizes.loaners + 1):
            loaner = n > sizes.laptops
            if loaner:
                status = "on_loan" if n - sizes.laptops <= sizes.open_loans else "in_stock"
            elif n in open_ticket_devices:
                status = "in_repair"
            else:
                status = "assigned" if n <= sizes.assigned else "in_stock"
            bought = date(year - n % 4, 8, 1 + n % 28)
            yield {
                "asset_tag": asset_tag(n, sizes),
                "serial": serial(n),
                "make": "Lenovo",
                "model": "100e Gen 4" if loaner else "ThinkPad 11e Yoga Gen 6",
                "kind": "laptop",
                "pool": "loan" if loaner else "allocation",
                "status": status,
                "purchased_on": bought,
                "warranty_until": bought.replace(year=bought.year + 3),
                "notes": "",
            }

    step("devices", Device, devices())
    pickup = datetime(year, 9, 2, 8, 0)
    step(
        "assignments",
        Assignment,
        (
            {"device_id": n, "student_id": n, "started_at": pickup, "ended_at": None}
            for n in range(1, sizes.assigned + 1)
        ),
    )
    step(
        "cover periods",
        CoverPeriod,
        (
            {
                "student_id": n,
                "scheme_id": 1,
                "starts_on": date(year, 9, 1),
                "ends_on": date(year + 1, 8, 31),
                "status": ("insured", "insured", "insured", "uninsured", "lapsed")[n % 5],
                "claims_allowed": 2,
            }
            for n in range(1, sizes.students + 1)
        ),
    )

    span_minutes = int((now - start).total_seconds() // 60) - 60 * 24 * 3
    per_loaner = max(1, sizes.past_loans // sizes.loaners)
    gap = span_minutes // (per_loaner + 1)

    def past_loans() -> Iterator[dict]:
        for i in range(sizes.past_loans):
            loaner = i % sizes.loaners
            k = i // sizes.loaners
            issued = start + timedelta(minutes=k * gap + (loaner * 7) % max(1, gap // 2))
            back = issued + timedelta(minutes=60 + (i * 13) % 360)
            yield {
                "device_id": sizes.laptops + 1 + loaner,
                "student_id": 1 + (i * 7919) % sizes.students,
                "loan_type": "day",
                "accessories": "charger",
                "condition_out": "good",
                "condition_in": "good",
                "notes": "",
                "issued_at": issued,
                "issued_by_id": 2 + i % 10,
                "due_at": issued + timedelta(hours=7),
                "returned_at": back,
                "returned_to_id": 2 + (i + 3) % 10,
                "ticket_id": None,
            }

    step("past loans", Loan, past_loans())

    def open_loans() -> Iterator[dict]:
        borrowers = rng.sample(range(sizes.assigned + 1, sizes.students + 1), sizes.open_loans)
        for k, student_id in enumerate(borrowers):
            overdue = k % 5 == 0
            issued = now - timedelta(days=3 if overdue else 0, minutes=30 + k % 120)
            yield {
                "device_id": sizes.laptops + 1 + k,
                "student_id": student_id,
                "loan_type": "day",
                "accessories": "charger",
                "condition_out": "good",
                "condition_in": None,
                "notes": "",
                "issued_at": issued,
                "issued_by_id": 2 + k % 10,
                "due_at": issued + timedelta(hours=6),
                "returned_at": None,
                "returned_to_id": None,
                "ticket_id": None,
            }

    step("open loans", Loan, open_loans())

    open_list = sorted(open_ticket_devices)

    def tickets() -> Iterator[dict]:
        closed = sizes.tickets - len(open_list)
        for i in range(sizes.tickets):
            if i < closed:
                device_id = 1 + (i * 104_729) % sizes.assigned
                opened = start + timedelta(minutes=(i * span_minutes) // max(1, closed))
                state, closed_at = "collected", opened + timedelta(days=6)
            else:
                device_id = open_list[i - closed]
                opened = now - timedelta(days=1 + i % 20)
                state, closed_at = STATES_OPEN[i % len(STATES_OPEN)], None
            yield {
                "device_id": device_id,
                "student_id": device_id,
                "damage_category": CATEGORIES[i % len(CATEGORIES)],
                "fault": "Screen cracked from the corner.",
                "diagnosis": "",
                "state": state,
                "technician_id": None,
                "vendor": "",
                "rma_number": "",
                "warranty": False,
                "deliberate": False,
                "in_case": True,
                "minutes_spent": 30,
                "opened_at": opened,
                "opened_by_id": 2 + i % 10,
                "state_changed_at": closed_at or opened,
                "closed_at": closed_at,
            }

    step("tickets", Ticket, tickets())

    def claims() -> Iterator[dict]:
        for i in range(0, sizes.tickets, 2):
            open_now = i >= sizes.tickets - len(open_list)
            device_id = open_list[i - (sizes.tickets - len(open_list))] if open_now else (
                1 + (i * 104_729) % sizes.assigned
            )  # fmt: skip
            day = (start + timedelta(minutes=(i * span_minutes) // sizes.tickets)).date()
            charge = 5000 if i % 6 == 0 else 0
            status = "due" if open_now and charge else ("paid" if i % 10 else "waived")
            yield {
                "ticket_id": i + 1,
                "student_id": device_id,
                "cover_period_id": device_id,  # the student's period (one each, same id)
                "incident_type": "accidental_damage",
                "occurred_on": day,
                "reported_on": day,
                "crime_reference": "",
                "claim_number": 1 if charge == 0 else None,
                "charge_pence": charge,
                "rule": "Uninsured price for a screen repair.",
                "charge_status": status,
                "waiver_reason": "Agreed by the head of year." if status == "waived" else "",
                "settled_at": None if status == "due" else datetime.combine(day, datetime.min.time()),
                "created_at": datetime.combine(day, datetime.min.time()),
            }  # fmt: skip

    step("claims", Claim, claims())
    if engine.dialect.name == "postgresql":
        # what autovacuum would do soon after such a load; SQLite is left as the app leaves it
        # (the app never runs ANALYZE)
        t0 = time.perf_counter()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        timings["analyze"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - began
    return timings


def main(argv: list[str] | None = None) -> int:
    # Building a district is not a counter's work: no per-statement limit on the server.
    os.environ.setdefault("HELPDESK_DB_STATEMENT_TIMEOUT", "0")
    from helpdesk.db import make_engine, upgrade

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite:////tmp/helpdesk-bench-foundation.sqlite3")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    if args.db.startswith("sqlite:///"):
        path = Path(args.db.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(args.db)
    upgrade(engine, backup=False)
    timings = build(engine, scale=args.scale)
    engine.dispose()
    print(f"built {args.db} in {timings['total']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
