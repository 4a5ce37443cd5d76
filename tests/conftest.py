"""Shared fixtures: real SQLite files (upgraded through the migrations), Qt offscreen, a private
data directory per test, and a real PostgreSQL server started by the test set-up (tests/pg_server.py).

PostgreSQL fixtures (mark such tests ``@pytest.mark.postgres``):
- ``pg_server``: the session's server (``HELPDESK_TEST_PG_URL``, or a private cluster this test
  session starts and removes); when there is none it skips with the reason, or fails under
  ``.ci/run`` (``HELPDESK_TEST_REQUIRE_ALL=1``, see tests/needs.py).
- ``pg_url``: session-wide; the URL of one database on that server, empty at the start of the
  session and shared by every test that asks for it (use it read-only or clean up after).
- ``pg_empty_url``: the URL of a fresh, empty database for this test only (dropped afterwards).
- ``pg_session_factory``: like ``session_factory``: a fresh database of this test's own, upgraded
  to head through the migrations, with one admin staff member (username 'admin').

Window tests share ``runner``: the panels' background jobs run inline (on the test's thread, inside
``submit``), with the answers still delivered through the event loop like a pool thread's. A test
about the window not waiting for its work (a job that blocks, a worker off the GUI thread) says
``@pytest.mark.threaded`` and gets the real thread pool.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from needs import LABEL_REFERENCE, SCANNER_SAMPLES, need, need_folder
from pg_server import PgServer, PgUnavailable
from staff_passwords import TEST_PASSWORD, test_password_hash

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# cheap argon2 hashes for the test schools' passwords (this process and the commands it starts)
os.environ["HELPDESK_TEST_ARGON2_CHEAP"] = "1"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Every test gets its own user data directory, so nothing touches the real one."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(data))
    monkeypatch.delenv("HELPDESK_DB_URL", raising=False)
    return data


@pytest.fixture(autouse=True)
def _signed_in_as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line signs in as the test schools' admin (see tests/staff_passwords.py)."""
    monkeypatch.setenv("HELPDESK_USER", "admin")
    monkeypatch.setenv("HELPDESK_PASSWORD", TEST_PASSWORD)


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread(request: pytest.FixtureRequest):
    """A threaded test runs with automatic garbage collection off, as the window does (see
    helpdesk/ui/collector.py): a cycle holding Qt objects left by an earlier test is never
    destroyed on a pool or database thread. What is left is collected here, on this thread."""
    if request.node.get_closest_marker("threaded") is None:
        yield
        return
    import gc

    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture
def runner(request: pytest.FixtureRequest, qapp):  # noqa: ANN001
    """The panels' job runner: inline, or a real thread pool for ``@pytest.mark.threaded``."""
    from helpdesk.ui.workers import Runner

    runner = Runner(inline=request.node.get_closest_marker("threaded") is None)
    yield runner
    assert runner.wait(10000), "a background job was still running when the test ended"


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
        session.add(
            Staff(
                username="admin",
                display_name="Admin",
                role=StaffRole.ADMIN,
                password_hash=test_password_hash(),
            )
        )
    yield factory
    factory.kw["bind"].dispose()


@pytest.fixture(scope="session")
def scanner_samples() -> Path:
    """The shared folder of real scanner sample photos (../shared/scanner-samples)."""
    return need_folder(SCANNER_SAMPLES, "scanner sample photos")


@pytest.fixture(scope="session")
def label_reference() -> Path:
    """The shared gLabels reference files (../shared/label-reference)."""
    return need_folder(LABEL_REFERENCE, "gLabels label reference")


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL server of this test session; without one, a skip saying why (a failure
    under ``.ci/run``)."""
    try:
        server = PgServer.start()
    except PgUnavailable as exc:
        need("PostgreSQL server", str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server: PgServer) -> str:
    name = pg_server.new_name("session")
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture
def pg_empty_url(pg_server: PgServer) -> str:
    name = pg_server.new_name("empty")
    url = pg_server.create_database(name)
    yield url
    pg_server.drop_database(name)


@pytest.fixture(scope="session")
def _pg_template(pg_server: PgServer) -> str:
    """A database at head with the admin staff member, copied for each test that needs one."""
    from helpdesk.db import make_engine, make_session_factory, upgrade
    from helpdesk.domain.enums import StaffRole
    from helpdesk.domain.models import Staff

    name = pg_server.new_name("template")
    engine = make_engine(pg_server.create_database(name))
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as session, session.begin():
            session.add(
                Staff(
                    username="admin",
                    display_name="Admin",
                    role=StaffRole.ADMIN,
                    password_hash=test_password_hash(),
                )
            )
    finally:
        engine.dispose()
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def pg_session_factory(pg_server: PgServer, _pg_template: str):
    """A session factory on a fresh PostgreSQL database at head, with staff 'admin'."""
    from helpdesk.db import open_database

    name = pg_server.new_name("db")
    factory = open_database(pg_server.create_database(name, template=_pg_template))
    yield factory
    factory.kw["bind"].dispose()
    pg_server.drop_database(name)


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MB tmpfs mounted for this test (needs root): a disk a test can fill."""
    if os.geteuid() != 0:
        reason = "mounting a small tmpfs to fill needs root"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the full-disk test cannot run under CI: {reason}", pytrace=False)
        need("a full disk", reason)
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", str(mount)], check=True)
