"""Several counters on one database see each other's work within 2 s: an action that changed
something wakes the change watcher of another engine (SQLite through the file's data version,
PostgreSQL through LISTEN/NOTIFY), a rolled-back action wakes nobody, and a listener that loses
its server says so, reconnects and asks for a full refresh."""

from __future__ import annotations

import threading
import time

import pytest
from service_school import NOW, build_school
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from helpdesk.db import make_engine, make_session_factory
from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import Staff
from helpdesk.services.core.changes import Changes, tables_written
from helpdesk.services.core.failures import DatabaseUnreachable, failure_kind
from helpdesk.services.core.unit_of_work import read_session, unit_of_work
from helpdesk.services.core.watcher import ChangeWatcher
from helpdesk.services.counter import loans as loan_service
from helpdesk.services.counter import quick_loans
from helpdesk.services.counter.loans import issue_loan, return_loan


def _add_staff(factory, username: str) -> None:  # noqa: ANN001
    with unit_of_work(factory, "admin", action="settings.save") as session:
        session.add(Staff(username=username, display_name=username, role=StaffRole.COUNTER))


def _write_later(factory, username: str, delay: float) -> tuple[threading.Thread, list[float]]:  # noqa: ANN001
    """A write from another thread after ``delay`` s; the list gets the moment it committed."""
    done: list[float] = []

    def write() -> None:
        time.sleep(delay)
        _add_staff(factory, username)
        done.append(time.monotonic())

    thread = threading.Thread(target=write)
    thread.start()
    return thread, done


def _woken_by_a_write(factory, watcher: ChangeWatcher) -> tuple[Changes, float]:  # noqa: ANN001
    """A write while the watcher waits: what it heard and how long after the commit."""
    thread, done = _write_later(factory, "counter9", 0.3)
    try:
        heard = watcher.poll(10.0)
        woke = time.monotonic()
    finally:
        thread.join()
    assert heard is not None, "the watcher slept through a committed write"
    return heard, woke - done[0]


# --- SQLite ------------------------------------------------------------------------------------


@pytest.fixture
def other_engine(session_factory, sqlite_url: str):  # noqa: ANN001
    """A second engine on the same file, as another counter would have."""
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def test_sqlite_a_write_through_another_engine_wakes_the_watcher_within_2_s(
    session_factory,  # noqa: ANN001
    other_engine,  # noqa: ANN001
) -> None:
    with ChangeWatcher(other_engine) as watcher:
        heard, after = _woken_by_a_write(session_factory, watcher)
    assert after < 2.0, after
    assert heard.tables is None and heard.touches("loans")  # SQLite cannot say which table
    assert not heard.full_refresh


def test_sqlite_no_change_means_none_after_the_timeout(session_factory, other_engine) -> None:  # noqa: ANN001
    with ChangeWatcher(make_session_factory(other_engine)) as watcher:
        with read_session(session_factory) as session:  # a read changes nothing
            session.scalar(text("SELECT count(*) FROM staff"))
        started = time.monotonic()
        assert watcher.poll(0.5) is None
        assert time.monotonic() - started >= 0.5
        _add_staff(session_factory, "counter8")  # a change before the poll is not lost
        assert watcher.poll(0.0) is not None
        assert watcher.poll(0.2) is None  # and it is told once


# --- what an action writes ---------------------------------------------------------------------


def _sql(statement) -> str:  # noqa: ANN001
    return str(statement.compile(dialect=postgresql.dialect()))


def test_the_quick_paths_statements_name_the_tables_they_write() -> None:
    """The plain SQL of the counter's quick paths, compiled as the server gets it."""
    assert tables_written(_sql(quick_loans.ISSUE_IN_ONE)) == {"loans", "devices", "audit_log"}
    assert tables_written(_sql(quick_loans.RETURN_IN_ONE[1])) == {"loans", "audit_log"}
    locked_read = quick_loans.FIND_FOR_ISSUE[("postgresql", False, False)]
    assert "FOR UPDATE OF" in _sql(locked_read)
    assert tables_written(_sql(locked_read)) == set()
    assert tables_written(_sql(quick_loans.OPEN_LOANS_AND_CHARGES)) == set()
    assert tables_written("SET LOCAL statement_timeout = 0") == set()
    assert tables_written("CALL tidy_up()") == {"*"}  # writes, but which tables is not known


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def pg_other_engine(pg_session_factory):  # noqa: ANN001
    engine = make_engine(pg_session_factory.kw["bind"].url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_postgres_an_action_wakes_a_listener_on_another_engine_within_2_s(
    pg_session_factory,  # noqa: ANN001
    pg_other_engine,  # noqa: ANN001
    monkeypatch,  # noqa: ANN001
) -> None:
    monkeypatch.setattr("helpdesk.domain.audit._station", "Front desk")
    with ChangeWatcher(pg_other_engine) as watcher:
        assert watcher.poll(0.2) is None  # nothing yet
        heard, after = _woken_by_a_write(pg_session_factory, watcher)
        assert after < 2.0, after
        assert heard == Changes(frozenset({"staff", "audit_log"}), frozenset({"Front desk"}))
        assert heard.touches("staff") and not heard.touches("loans")
        with read_session(pg_session_factory) as session:  # a read says nothing
            session.scalar(text("SELECT count(*) FROM staff"))
        with unit_of_work(
            pg_session_factory, "admin", action="settings.save"
        ):  # nor does an action that wrote nothing
            pass
        assert watcher.poll(0.5) is None


@pytest.mark.postgres
def test_postgres_the_quick_loan_paths_name_their_tables(pg_session_factory, monkeypatch) -> None:  # noqa: ANN001
    build_school(pg_session_factory)
    monkeypatch.setattr("helpdesk.domain.audit._station", "Front desk")
    taken = []  # the quick path (plain SQL), not the ORM, carried out both actions
    for name in ("quick_issue", "quick_return"):
        real = getattr(loan_service, name)
        monkeypatch.setattr(
            loan_service,
            name,
            lambda *a, _real=real, **k: taken.append(_real(*a, **k)) or taken[-1],
        )
    with ChangeWatcher(pg_session_factory) as watcher:
        issue_loan(pg_session_factory, "counter1", student_code="S1002", device_code="LNR-001",
                   now=NOW)  # fmt: skip
        lent = watcher.poll(2.0)
        return_loan(pg_session_factory, "counter1", device_code="LNR-001", now=NOW)
        back = watcher.poll(2.0)
    assert len(taken) == 2 and None not in taken
    assert lent == Changes(frozenset({"loans", "devices", "audit_log"}), frozenset({"Front desk"}))
    assert back == lent


@pytest.mark.postgres
def test_postgres_a_rolled_back_action_wakes_nobody(pg_session_factory) -> None:  # noqa: ANN001
    with ChangeWatcher(pg_session_factory) as watcher:
        with pytest.raises(RuntimeError):
            with unit_of_work(pg_session_factory, "admin", action="settings.save") as session:
                session.add(Staff(username="gone", display_name="Gone", role=StaffRole.COUNTER))
                session.flush()  # written, inside the transaction
                raise RuntimeError("the action fails after writing")
        assert watcher.poll(1.0) is None
        _add_staff(pg_session_factory, "kept")
        heard = watcher.poll(2.0)
        assert heard is not None and "staff" in (heard.tables or ())


@pytest.mark.postgres
def test_postgres_a_killed_listener_says_unreachable_then_full_refresh(pg_session_factory) -> None:  # noqa: ANN001
    with ChangeWatcher(pg_session_factory) as watcher:
        assert watcher.connected
        with read_session(pg_session_factory) as session:
            killed = session.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE query LIKE 'LISTEN %helpdesk_changes%' AND pid <> pg_backend_pid()"
                    " AND datname = current_database()"
                )
            )
        assert killed == 1
        started = time.monotonic()
        with pytest.raises(DatabaseUnreachable) as caught:
            watcher.poll(5.0)
        assert time.monotonic() - started < 2.0  # said at once, not after the timeout
        assert failure_kind(caught.value) == "unreachable"
        assert not watcher.connected
        _add_staff(pg_session_factory, "while_away")  # missed: nobody was listening
        assert watcher.poll(1.0) == Changes(full_refresh=True)  # back: reload everything
        assert watcher.connected
        heard, after = _woken_by_a_write(pg_session_factory, watcher)  # and listening again
        assert after < 2.0 and heard.tables == {"staff", "audit_log"}


@pytest.mark.postgres
def test_postgres_a_server_that_is_not_there_is_unreachable_until_it_is(
    pg_session_factory,  # noqa: ANN001
) -> None:
    url = pg_session_factory.kw["bind"].url
    closed = make_engine(url.set(host="127.0.0.1", port=_closed_port()).render_as_string(False))
    watcher = ChangeWatcher(closed)  # made without a server: no error yet
    try:
        assert not watcher.connected
        started = time.monotonic()
        with pytest.raises(DatabaseUnreachable):
            watcher.poll(0.5)
        assert 0.5 <= time.monotonic() - started < 3  # a refusal waits out the timeout
        watcher.engine = pg_session_factory.kw["bind"]  # the server is back
        assert watcher.poll(1.0) == Changes(full_refresh=True)
        assert watcher.poll(0.2) is None
    finally:
        watcher.close()
        closed.dispose()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free, and nothing listens once it is closed


@pytest.mark.postgres
def test_the_listener_connects_with_the_apps_timeouts(pg_session_factory, monkeypatch) -> None:  # noqa: ANN001
    from helpdesk.db import listener_connect_args, listening_connection

    engine = pg_session_factory.kw["bind"]
    conn = listening_connection(engine, "helpdesk_changes")
    try:
        assert conn.execute("SHOW statement_timeout").fetchone() == ("10s",)
        assert conn.info.get_parameters()["connect_timeout"] == "5"
        assert conn.info.get_parameters()["keepalives_idle"] == "5"
    finally:
        conn.close()
    monkeypatch.setenv("HELPDESK_DB_CONNECT_TIMEOUT", "2")
    assert listener_connect_args(engine)["connect_timeout"] == 2
    from_url = make_engine(engine.url.update_query_dict({"connect_timeout": "7"}))
    assert listener_connect_args(from_url)["connect_timeout"] == "7"  # what the URL says wins


def test_a_server_that_never_answers_is_given_up_on(monkeypatch) -> None:  # noqa: ANN001
    """A port that accepts and never answers (a hung server): the watcher gives up connecting
    after the app's connect timeout, and says the database cannot be reached."""
    import socket

    monkeypatch.setenv("HELPDESK_DB_CONNECT_TIMEOUT", "1")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)  # connections wait in the backlog, never answered
    engine = make_engine(f"postgresql://helpdesk@127.0.0.1:{server.getsockname()[1]}/helpdesk")
    try:
        started = time.monotonic()
        watcher = ChangeWatcher(engine)
        assert not watcher.connected and time.monotonic() - started < 4
        with pytest.raises(DatabaseUnreachable) as caught:
            watcher.poll(0.1)
        assert time.monotonic() - started < 8
        assert failure_kind(caught.value) == "unreachable"
        watcher.close()
    finally:
        server.close()
        engine.dispose()
