"""Speed of the bench's reports and notices on four years of a 900-laptop school. Prints figures.

    .venv/bin/python bench/reports/run.py [--db PATH] [--reuse] [--tickets N]

Builds (or reuses) a SQLite file with 900 students, 900 laptops, N repair tickets (default
12,000) spread over four school years with claims and charges, then times each report (all
dates, and one term), the ready-for-collection list, and the charge letters for every charge
due rendered to PDF, and two reports printed as PDF. Each figure is the median of 5 runs (3 for
the printed reports).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "admin"  # the staff member build() adds: reports and notices are a manager's
sys.path.insert(0, str(ROOT))


def build(url: str, tickets: int, seed: int = 11) -> None:
    from sqlalchemy import insert

    from helpdesk.db import open_database
    from helpdesk.domain.enums import (
        ChargeStatus,
        CoverStatus,
        DamageCategory,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        IncidentType,
        StaffRole,
        TicketState,
    )
    from helpdesk.domain.models import (
        Claim,
        CoverPeriod,
        Device,
        Scheme,
        Setting,
        Staff,
        Student,
        Ticket,
    )

    rng = random.Random(seed)
    factory = open_database(url)
    today = date.today()
    first_year = today.year - 4 if today.month >= 9 else today.year - 5
    with factory() as session, session.begin():
        session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
        session.add(Setting(key="school_name", value='"Hillside Academy"'))
        session.add(Scheme(name="Standard cover", claims_allowed=2))
        session.flush()
        session.execute(
            insert(Student),
            [
                {
                    "card_code": f"S{n:05d}",
                    "first_name": f"First{n}",
                    "last_name": f"Last{n}",
                    "year_group": 7 + n % 5,
                    "form": f"{7 + n % 5}{'ABCDEF'[n // 5 % 6]}",
                }
                for n in range(1, 901)
            ],  # fmt: skip
        )
        session.execute(
            insert(Device),
            [
                {
                    "asset_tag": f"PER-{n:06d}",
                    "serial": f"SN{n:06d}",
                    "make": "Lenovo",
                    "model": "300e",
                    "kind": DeviceKind.LAPTOP,
                    "pool": DevicePool.ALLOCATION,
                    "status": DeviceStatus.ASSIGNED,
                }
                for n in range(1, 901)
            ],  # fmt: skip
        )
        periods = []
        for year in range(first_year, today.year + 1):
            for n in range(1, 901):
                if rng.random() < 0.7:
                    periods.append(
                        {
                            "student_id": n,
                            "scheme_id": 1,
                            "starts_on": date(year, 9, 1),
                            "ends_on": date(year + 1, 8, 31),
                            "status": CoverStatus.INSURED,
                            "claims_allowed": 2,
                        }  # fmt: skip
                    )
        session.execute(insert(CoverPeriod), periods)
        start = datetime(first_year, 9, 1, 8)
        span = int((datetime.combine(today, datetime.min.time()) - start).total_seconds() // 3600)
        categories = list(DamageCategory)
        rows, claims = [], []
        for n in range(1, tickets + 1):
            opened = start + timedelta(hours=rng.randrange(span))
            age_hours = int((datetime.now() - opened).total_seconds() // 3600)
            if age_hours > 24 * 21 or rng.random() < 0.5:
                state = TicketState.COLLECTED
                closed = opened + timedelta(hours=rng.randrange(4, max(5, min(age_hours, 24 * 20))))
            else:
                state, closed = rng.choice(list(TicketState)[:7]), None
            student = rng.randrange(1, 901)
            category = rng.choice(categories)
            rows.append(
                {
                    "device_id": student,
                    "student_id": student,
                    "damage_category": category,
                    "state": state,
                    "opened_at": opened,
                    "opened_by_id": 1,
                    "state_changed_at": closed or opened,
                    "closed_at": closed,
                }  # fmt: skip
            )
            if rng.random() < 0.6:
                status = rng.choice(list(ChargeStatus))
                claims.append(
                    {
                        "ticket_id": n,
                        "student_id": student,
                        "cover_period_id": None,
                        "incident_type": IncidentType.for_damage(category),
                        "occurred_on": opened.date(),
                        "reported_on": opened.date(),
                        "crime_reference": "CR1",
                        "claim_number": None,
                        "charge_pence": rng.choice([0, 5000, 9000]),
                        "rule": "bench",
                        "charge_status": status,
                        "created_at": opened,
                        "waiver_reason": "bench" if status is ChargeStatus.WAIVED else "",
                    }  # fmt: skip
                )
        session.execute(insert(Ticket), rows)
        session.execute(insert(Claim), claims)
    factory.kw["bind"].dispose()


def timed(fn, runs: int = 5) -> float:  # noqa: ANN001
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "bench-reports.sqlite3"
    )
    parser.add_argument("--reuse", action="store_true", help="use the file if it exists")
    parser.add_argument("--tickets", type=int, default=12_000)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    if not (args.reuse and args.db.exists()):
        args.db.unlink(missing_ok=True)
        started = time.perf_counter()
        build(url, args.tickets)
        print(
            f"built {args.db} with {args.tickets} tickets in {time.perf_counter() - started:.1f} s"
        )

    from helpdesk.db import open_database
    from helpdesk.labels.charge_letter import charge_letters_pdf
    from helpdesk.services.reporting import notices, reports

    factory = open_database(url)
    today = date.today()
    term = (date(today.year, 9, 1) if today.month >= 9 else date(today.year, 1, 1), today)
    print(f"{'report':<14} {'all dates':>10} {'this term':>10}  rows")
    for name in reports.report_names():
        every = timed(lambda n=name: reports.run_report(factory, ADMIN, n))
        recent = timed(
            lambda n=name: reports.run_report(factory, ADMIN, n, date_from=term[0], date_to=term[1])
        )  # noqa: E501
        rows = len(reports.run_report(factory, ADMIN, name).rows)
        print(f"{name:<14} {every:>8.1f} ms {recent:>7.1f} ms  {rows}")
    from helpdesk.labels.report_pdf import report_pdf

    for name in ("claims", "charges"):
        table = reports.run_report(factory, ADMIN, name)
        pdf = Path(tempfile.gettempdir()) / f"bench-{name}.pdf"
        took = timed(lambda t=table, p=pdf: report_pdf(t, p), runs=3)
        print(f"{name} as PDF with its chart ({len(table.rows)} rows): {took:.0f} ms")
    ready = timed(lambda: notices.ready_for_collection(factory, ADMIN))
    print(f"ready for collection list: {ready:.1f} ms")
    letters = notices.charge_letters_due(factory, ADMIN)
    target = Path(tempfile.gettempdir()) / "bench-charge-letters.pdf"
    started = time.perf_counter()
    letters = notices.charge_letters_due(factory, ADMIN)
    fetched = time.perf_counter() - started
    charge_letters_pdf(letters, target)
    total = time.perf_counter() - started
    print(
        f"charge letters: {len(letters)} letters fetched in {fetched * 1000:.0f} ms, "
        f"as PDF in {total:.1f} s ({total / max(1, len(letters)) * 1000:.1f} ms per letter)"
    )
    factory.kw["bind"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
