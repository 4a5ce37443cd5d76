"""The foundation bench still runs: a tiny district built and every figure measured (no timing is
checked here; speed is read from the bench's own table)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "foundation"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"helpdesk_foundation_bench_{name}", BENCH / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_bench_builds_and_measures_a_tiny_district(sqlite_url):
    run = _load("run")
    build = sys.modules["helpdesk_foundation_bench_build"]
    from sqlalchemy import func, select

    from helpdesk.db import make_engine, make_session_factory, upgrade
    from helpdesk.domain.models import Loan, Student, Ticket

    engine = make_engine(sqlite_url)
    upgrade(engine, backup=False)
    sizes = build.Sizes(0.001)
    build.build(engine, scale=0.001, say=lambda _text: None)
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count(Student.id))) == sizes.students
        assert session.scalar(select(func.count(Loan.id))) == sizes.past_loans + sizes.open_loans
        assert session.scalar(select(func.count(Ticket.id))) == sizes.tickets
    engine.dispose()
    rows = run.measure(sqlite_url, "sqlite", sizes, 6)
    figures = {row[1] for row in rows}
    assert {"lookup: all kinds", "issue loan", "return loan", "bare INSERT + COMMIT"} <= figures
    assert {"overdue list", "device history"} <= figures
    imports = run.measure_imports(runs=1)
    assert [row[1] for row in imports] == [
        "CSV import: students",
        "CSV import: devices",
        "CSV import: students again",
    ]
