"""Fixtures of the service tests: the small school of service_school.py on a SQLite file, and on
SQLite and PostgreSQL both (``any_school``)."""

from __future__ import annotations

import pytest
from service_school import BACKENDS, build_school


@pytest.fixture
def school(session_factory):
    """The small school on a SQLite file."""
    build_school(session_factory)
    return session_factory


@pytest.fixture(params=BACKENDS)
def any_school(request: pytest.FixtureRequest):
    """The small school on a SQLite file and on PostgreSQL."""
    name = "session_factory" if request.param == "sqlite" else "pg_session_factory"
    factory = request.getfixturevalue(name)
    build_school(factory)
    return factory
