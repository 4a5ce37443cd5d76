"""How fast the bench answers: the ticket queue, the ticket page and a student's cover periods, on
the demo school and on the same school with years of closed tickets added.

    .venv/bin/python bench/bench_ui/queue_bench.py [DB_FILE] [--extra N]

DB_FILE is a demo school (made in a temporary folder when not given). ``--extra N`` (default 5000)
adds N collected tickets to a copy of it, as a school would have after a few years.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def timed(fn, repeat: int = 7) -> float:  # noqa: ANN001
    """Median milliseconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def add_closed_tickets(factory, count: int) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from helpdesk.domain.enums import DamageCategory, TicketState
    from helpdesk.domain.models import Device, Staff, Ticket

    with factory() as session, session.begin():
        devices = session.scalars(select(Device.id).limit(800)).all()
        staff = session.scalar(select(Staff.id).limit(1))
        first = session.scalar(select(Ticket.opened_at).order_by(Ticket.opened_at).limit(1))
        categories = list(DamageCategory)
        for n in range(count):
            opened = first - timedelta(hours=3 * (n + 1))
            session.add(
                Ticket(
                    device_id=devices[n % len(devices)],
                    damage_category=categories[n % len(categories)],
                    fault="Older repair.",
                    state=TicketState.COLLECTED,
                    opened_at=opened,
                    opened_by_id=staff,
                    state_changed_at=opened + timedelta(days=6),
                    closed_at=opened + timedelta(days=6),
                )
            )


def measure(label: str, factory) -> None:  # noqa: ANN001
    from helpdesk.services.repairs import cover_periods, ticket_queue

    queue = ticket_queue.ticket_queue(factory)
    every = ticket_queue.ticket_queue(factory, include_closed=True)
    ids = [r.id for r in queue.rows[:20]]
    page = ticket_queue.ticket_page(factory, ids[0])
    print(f"{label}: {len(queue.rows)} open tickets, {len(every.rows)} shown with closed ones")
    print(
        f"  queue, open tickets:            {timed(lambda: ticket_queue.ticket_queue(factory)):7.1f} ms"
    )
    print(
        "  queue, filtered by technician:  "
        f"{timed(lambda: ticket_queue.ticket_queue(factory, technician='mwright')):7.1f} ms"
    )
    print(
        "  queue, closed ones too:         "
        f"{timed(lambda: ticket_queue.ticket_queue(factory, include_closed=True), 3):7.1f} ms"
    )
    per_page = timed(lambda: [ticket_queue.ticket_page(factory, i) for i in ids], 3) / len(ids)
    print(f"  ticket page (with history):     {per_page:7.1f} ms each")
    student_id = page.ticket.student_id or 1
    print(
        "  a student's cover periods:      "
        f"{timed(lambda: cover_periods.student_cover(factory, student_id=student_id)):7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", nargs="?")
    parser.add_argument("--extra", type=int, default=5000)
    args = parser.parse_args()
    from helpdesk.db import open_database
    from helpdesk.demo.build import build_demo
    from helpdesk.services.records.browse import database_is_empty

    folder = Path(tempfile.mkdtemp())
    path = Path(args.db) if args.db else folder / "demo.sqlite3"
    factory = open_database(f"sqlite:///{path}")
    if database_is_empty(factory):
        print("building the demo school…")
        build_demo(factory)
    measure("demo school", factory)
    factory.kw["bind"].dispose()
    if args.extra > 0:
        copy = folder / "years.sqlite3"
        shutil.copyfile(path, copy)
        bigger = open_database(f"sqlite:///{copy}")
        add_closed_tickets(bigger, args.extra)
        measure(f"with {args.extra} older collected tickets", bigger)
        bigger.kw["bind"].dispose()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
