"""Fixtures of the reports tests: a small school's bench (see reports_bench.py)."""

from __future__ import annotations

import pytest
from reports_bench import Bench, build_bench


@pytest.fixture
def bench(session_factory, sqlite_url) -> Bench:  # noqa: ANN001
    tickets, claims = build_bench(session_factory)
    return Bench(url=sqlite_url, tickets=tickets, claims=claims)
