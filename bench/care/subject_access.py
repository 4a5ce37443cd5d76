"""Speed of a subject access request on the 100,000-student foundation database. Prints figures.

    .venv/bin/python bench/care/subject_access.py [--db PATH] [--reuse] [--scale 1.0]

Builds (or, with --reuse, reuses) a SQLite file with bench/foundation/build.py's district, plus an
audit trail the foundation leaves out: one row per loan (1,000,000 at scale 1) and 20,000 refusals
at the counters, each naming a card code. Then times, for the student with the most loans, the
service's read (median of 5) and the whole `helpdesk subject-access` command: sign-in, read, the
CSV files, the PDF and the zip (median of 3). The issue's bound is one minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "foundation"))
PASSWORD = "bench-password-1"


def _audit(url: str) -> int:
    """One audit row per loan, and refusals naming card codes, in bulk (no hook)."""
    from sqlalchemy import func, insert, select

    from helpdesk.db import make_engine
    from helpdesk.domain.models import AuditEntry, Loan, Student

    engine = make_engine(url)
    loans, students = Loan.__table__, Student.__table__
    written = 0
    with engine.begin() as conn:
        last = 0
        while True:
            rows = conn.execute(
                select(loans.c.id, loans.c.student_id, loans.c.device_id, loans.c.issued_at)
                .where(loans.c.id > last)
                .order_by(loans.c.id)
                .limit(20000)
            ).all()
            if not rows:
                break
            conn.execute(insert(AuditEntry.__table__), [
                {"at": r.issued_at, "staff_id": 1, "action": "insert", "entity": "loans",
                 "entity_id": r.id, "before": None, "station": "desk-1",
                 "after": json.dumps({"student_id": r.student_id, "device_id": r.device_id})}
                for r in rows
            ])  # fmt: skip
            written += len(rows)
            last = rows[-1].id
        count = conn.scalar(select(func.count()).select_from(students))
        codes = conn.execute(select(students.c.card_code).limit(20000)).scalars().all()
        start = datetime.now() - timedelta(days=365)
        conn.execute(insert(AuditEntry.__table__), [
            {"at": start + timedelta(minutes=n), "staff_id": 1, "action": "refuse",
             "entity": "counter", "entity_id": None, "before": None, "station": "desk-1",
             "after": json.dumps({"code": code, "sentence": "This student has left."},
                                 sort_keys=True)}
            for n, code in enumerate(codes)
        ])  # fmt: skip
        written += len(codes)
    engine.dispose()
    print(f"audit rows added: {written:,} (students: {count:,})")
    return written


def _prepare(path: Path, scale: float, reuse: bool) -> str:
    from build import build  # noqa: I001 - bench/foundation/build.py (a folder "build" may exist)
    from sqlalchemy import update

    from helpdesk.db import make_engine, upgrade
    from helpdesk.domain.models import Staff
    from helpdesk.services.core.auth import hash_secret

    url = f"sqlite:///{path}"
    if reuse and path.exists():
        print(f"reusing {path}")
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    engine = make_engine(url)
    upgrade(engine, backup=False)
    t0 = time.perf_counter()
    build(engine, scale=scale, say=lambda line: None)
    with engine.begin() as conn:
        conn.execute(
            update(Staff.__table__)
            .where(Staff.__table__.c.username == "admin")
            .values(password_hash=hash_secret(PASSWORD))
        )
    engine.dispose()
    _audit(url)
    print(f"built {path} in {time.perf_counter() - t0:.0f} s")
    return url


def _busiest(url: str) -> str:
    from sqlalchemy import func, select

    from helpdesk.db import make_engine
    from helpdesk.domain.models import Loan, Student

    engine = make_engine(url)
    with engine.connect() as conn:
        sid = conn.scalar(
            select(Loan.student_id).group_by(Loan.student_id).order_by(func.count().desc()).limit(1)
        )
        code = conn.scalar(select(Student.card_code).where(Student.id == sid))
    engine.dispose()
    return str(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/helpdesk-bench-care.sqlite3"))
    parser.add_argument("--reuse", action="store_true", help="reuse the file if it is there")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    url = _prepare(args.db, args.scale, args.reuse)
    code = _busiest(url)

    from helpdesk.cli import main as helpdesk
    from helpdesk.db import open_database
    from helpdesk.services.care.subject_access import subject_access

    factory = open_database(url)
    reads = []
    for _ in range(5):
        t0 = time.perf_counter()
        answer = subject_access(factory, "admin", code)
        reads.append(time.perf_counter() - t0)
    factory.kw["bind"].dispose()
    rows = {s.name: len(s.rows) for s in answer.sections}
    print(f"student {code}: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
    print(f"read (service): median {statistics.median(reads) * 1000:.0f} ms, "
          f"worst {max(reads) * 1000:.0f} ms")  # fmt: skip
    os.environ["HELPDESK_USER"], os.environ["HELPDESK_PASSWORD"] = "admin", PASSWORD
    commands = []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "answer.zip"
        for _ in range(3):
            t0 = time.perf_counter()
            status = helpdesk(["subject-access", code, "-o", str(target), "--overwrite",
                               "--db", url])  # fmt: skip
            commands.append(time.perf_counter() - t0)
            assert status == 0, status
        size = target.stat().st_size
    print(f"whole command (sign-in, read, CSV, PDF, zip of {size / 1024:.0f} KB): median "
          f"{statistics.median(commands):.2f} s, worst {max(commands):.2f} s (bound: 60 s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
