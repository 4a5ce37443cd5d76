"""Fixtures for the infrastructure tests: every database test runs on a SQLite file and on
PostgreSQL (the server from tests/pg_server.py)."""

from __future__ import annotations

import pytest

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_url(backend: str, request: pytest.FixtureRequest) -> str:
    """A URL of an empty database (no tables yet) on the backend under test."""
    if backend == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_empty_url")


@pytest.fixture
def any_session_factory(backend: str, request: pytest.FixtureRequest):
    """An upgraded database with staff 'admin' on the backend under test."""
    name = "session_factory" if backend == "sqlite" else "pg_session_factory"
    return request.getfixturevalue(name)


@pytest.fixture
def engine(any_session_factory):
    return any_session_factory.kw["bind"]
