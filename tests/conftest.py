"""Shared fixtures: real SQLite files (upgraded through the migrations), Qt offscreen, a private
data directory per test. PostgreSQL and CUPS fixtures live beside these (see tests/fixtures_*.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
SAMPLES = SHARED / "scanner-samples"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own user data directory, so nothing touches the real one."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(data))
    monkeypatch.delenv("HELPDESK_DB_URL", raising=False)
    return data


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a fresh SQLite file (not yet created)."""
    return f"sqlite:///{tmp_path / 'helpdesk.sqlite3'}"


@pytest.fixture
def session_factory(sqlite_url: str):
    """A session factory on a fresh SQLite file, upgraded to head through the migrations,
    with one admin staff member (username 'admin')."""
    from helpdesk.db import open_database
    from helpdesk.domain.enums import StaffRole
    from helpdesk.domain.models import Staff

    factory = open_database(sqlite_url)
    with factory() as session, session.begin():
        session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
    yield factory
    factory.kw["bind"].dispose()
