"""A 100,000-device database for the window's speed bench (bulk inserts, no audit rows).

Uses the data bench's builder (bench/foundation) when it is there; otherwise inserts its own
students, 1:1 laptops (assigned), a loan pool and a few open loans.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

FORMS = "ABCDEFGH"


def build(path: Path, devices: int = 100_000, students: int = 20_000) -> float:
    """Create the database at ``path`` (replacing it); returns the seconds it took."""
    started = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    build_url(f"sqlite:///{path}", devices, students)
    return time.perf_counter() - started


def build_url(url: str, devices: int = 100_000, students: int = 20_000) -> float:
    """Fill the empty database at ``url`` (SQLite or PostgreSQL, upgraded here); the seconds."""
    from helpdesk.db import open_database
    from helpdesk.domain.enums import StaffRole
    from helpdesk.domain.models import Assignment, Device, Loan, Staff, Student

    started = time.perf_counter()
    pool = min(500, devices // 4)
    factory = open_database(url)
    engine = factory.kw["bind"]
    now = datetime.now().replace(microsecond=0)
    with engine.begin() as conn:
        conn.execute(
            insert(Staff),
            [
                {
                    "username": "admin",
                    "display_name": "Admin",
                    "role": StaffRole.ADMIN,
                    "active": True,
                }
            ],
        )
        conn.execute(
            insert(Student),
            [
                {
                    "card_code": f"C{n:07d}",
                    "first_name": f"Pupil{n}",
                    "last_name": f"Family{n % 9973:04d}",
                    "year_group": 7 + n % 5,
                    "form": f"{7 + n % 5}{FORMS[n % len(FORMS)]}",
                    "status": "active",
                }
                for n in range(1, students + 1)
            ],
        )
        rows = []
        for n in range(1, devices + 1):
            loaner = n > devices - pool
            rows.append(
                {
                    "asset_tag": f"{'LNR' if loaner else 'PER'}-{n:06d}",
                    "serial": f"SN{n:08d}",
                    "make": "Lenovo",
                    "model": "100e" if loaner else "300e Gen 3",
                    "kind": "laptop",
                    "pool": "loan" if loaner else "allocation",
                    "status": "in_stock" if loaner or n > students else "assigned",
                    "notes": "",
                }
            )
        conn.execute(insert(Device), rows)
        start = now - timedelta(days=60)
        conn.execute(
            insert(Assignment),
            [
                {"device_id": n, "student_id": n, "started_at": start}
                for n in range(1, students + 1)
            ],
        )
        # a few open loans, some overdue
        loans = []
        for k in range(min(50, pool // 2)):
            device_id = devices - pool + 1 + k
            loans.append(
                {
                    "device_id": device_id,
                    "student_id": 1 + (k * 37) % students,
                    "loan_type": "day",
                    "accessories": "charger",
                    "condition_out": "good",
                    "issued_at": now - timedelta(days=k % 4, hours=2),
                    "issued_by_id": 1,
                    "due_at": now - timedelta(days=k % 4) + timedelta(hours=3),
                    "notes": "",
                }
            )
        conn.execute(insert(Loan), loans)
        conn.exec_driver_sql(
            f"UPDATE devices SET status='on_loan' WHERE id BETWEEN {devices - pool + 1} "
            f"AND {devices - pool + min(50, pool // 2)}"
        )
    engine.dispose()
    return time.perf_counter() - started


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/helpdesk-bench-ui.sqlite3")
    print(f"built {target} in {build(target):.1f} s")
