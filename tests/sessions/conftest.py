"""Fixtures of the session tests: the small school of tests/services/service_school.py, plus a
pickup day's worth of students and laptops (session_school.py), on a SQLite file and on
PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "services"))

from service_school import BACKENDS  # noqa: E402
from session_school import build_session_school  # noqa: E402


@pytest.fixture
def school(session_factory):
    """The session school on a SQLite file."""
    build_session_school(session_factory)
    return session_factory


@pytest.fixture(params=BACKENDS)
def any_school(request: pytest.FixtureRequest):
    """The session school on a SQLite file and on PostgreSQL."""
    name = "session_factory" if request.param == "sqlite" else "pg_session_factory"
    factory = request.getfixturevalue(name)
    build_session_school(factory)
    return factory
