"""The window tells a server that cannot be reached from a file busy with another counter's write
from any other fault (failure_kind), on real failures; and an action whose commit got no answer
says it may or may not have been saved (OutcomeUnknown), while a failure before the commit is
raised as it always was."""

from __future__ import annotations

import socket
import sqlite3
import time

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from helpdesk.db import make_engine, make_session_factory
from helpdesk.domain.enums import StaffRole
from helpdesk.domain.errors import HelpdeskError
from helpdesk.domain.models import Staff
from helpdesk.services.core.failures import OutcomeUnknown, failure_kind
from helpdesk.services.core.unit_of_work import read_session, unit_of_work


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_refused_connection_is_unreachable() -> None:
    engine = make_engine(f"postgresql://helpdesk@127.0.0.1:{_closed_port()}/helpdesk")
    try:
        with pytest.raises(OperationalError) as caught:
            with unit_of_work(make_session_factory(engine), "admin", action="settings.save"):
                pass
    finally:
        engine.dispose()
    assert failure_kind(caught.value) == "unreachable"
    assert not isinstance(caught.value, OutcomeUnknown)  # it never got as far as a commit


def test_a_sqlite_file_locked_by_another_counter_is_busy(session_factory, sqlite_url) -> None:  # noqa: ANN001
    path = sqlite_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another counter in the middle of a write
    engine = make_engine(sqlite_url)

    @event.listens_for(engine, "connect")
    def impatient(dbapi_connection, _record) -> None:  # noqa: ANN001
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    try:
        with pytest.raises(OperationalError, match="locked") as caught:
            with unit_of_work(make_session_factory(engine), "admin", action="settings.save"):
                pass
        assert failure_kind(caught.value) == "busy"
        holder.execute("ROLLBACK")
        with unit_of_work(
            make_session_factory(engine), "admin", action="settings.save"
        ):  # free again: it works
            pass
    finally:
        holder.close()
        engine.dispose()


def test_a_service_refusal_is_other(session_factory) -> None:  # noqa: ANN001
    with pytest.raises(HelpdeskError) as caught:
        with unit_of_work(session_factory, "nobody", action="settings.save"):
            pass
    assert failure_kind(caught.value) == "other"


@pytest.mark.postgres
def test_a_statement_the_server_cancels_is_unreachable(pg_url: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("HELPDESK_DB_STATEMENT_TIMEOUT", "1")
    engine = make_engine(pg_url)
    try:
        with pytest.raises(OperationalError, match="statement timeout") as caught:
            with read_session(make_session_factory(engine)) as session:
                session.execute(text("SELECT pg_sleep(5)"))
    finally:
        engine.dispose()
    assert failure_kind(caught.value) == "unreachable"


@pytest.mark.postgres
def test_a_row_another_counter_holds_is_busy(pg_session_factory) -> None:  # noqa: ANN001
    with unit_of_work(pg_session_factory, "admin", action="settings.save") as holding:
        holding.scalar(select(Staff).where(Staff.username == "admin").with_for_update())
        with pytest.raises(OperationalError) as caught:
            with unit_of_work(pg_session_factory, None, action="settings.save") as session:
                session.scalar(
                    select(Staff).where(Staff.username == "admin").with_for_update(nowait=True)
                )
    assert failure_kind(caught.value) == "busy"


def _kill_own_backend(factory, killer):  # noqa: ANN001, ANN202
    """A hook that ends the session's server process, as a server going away would."""

    def kill(session) -> None:  # noqa: ANN001
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        time.sleep(0.2)  # the server closes the connection

    return kill


def _staff_named(factory, username: str) -> int:  # noqa: ANN001
    with read_session(factory) as session:
        return len(session.scalars(select(Staff).where(Staff.username == username)).all())


@pytest.fixture
def killer(pg_session_factory):  # noqa: ANN001
    engine = make_engine(pg_session_factory.kw["bind"].url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_a_server_lost_during_the_commit_leaves_the_outcome_unknown(
    pg_session_factory,  # noqa: ANN001
    killer,  # noqa: ANN001
) -> None:
    kill = _kill_own_backend(pg_session_factory, killer)
    event.listen(pg_session_factory, "before_commit", kill)
    try:
        with pytest.raises(OutcomeUnknown) as caught:
            with unit_of_work(pg_session_factory, "admin", action="settings.save") as session:
                session.add(Staff(username="maybe", display_name="Maybe", role=StaffRole.COUNTER))
    finally:
        event.remove(pg_session_factory, "before_commit", kill)
    said = str(caught.value)
    assert "may or may not have been saved" in said and "check the record" in said
    assert "lost" not in said
    assert failure_kind(caught.value) == "unreachable"
    assert _staff_named(pg_session_factory, "maybe") == 0  # here it was not: the check tells


@pytest.mark.postgres
def test_a_server_lost_before_the_commit_is_raised_as_it_is(
    pg_session_factory,  # noqa: ANN001
    killer,  # noqa: ANN001
) -> None:
    kill = _kill_own_backend(pg_session_factory, killer)
    with pytest.raises(OperationalError) as caught:
        with unit_of_work(pg_session_factory, "admin", action="settings.save") as session:
            session.add(Staff(username="never", display_name="Never", role=StaffRole.COUNTER))
            kill(session)
    assert not isinstance(caught.value, OutcomeUnknown)
    assert failure_kind(caught.value) == "unreachable"
    assert _staff_named(pg_session_factory, "never") == 0


@pytest.mark.postgres
def test_a_commit_the_server_refuses_is_not_an_unknown_outcome(pg_session_factory) -> None:  # noqa: ANN001
    """A constraint checked at the commit: the server answered, nothing was kept."""
    with unit_of_work(pg_session_factory, None, action="settings.save") as session:
        session.execute(
            text(
                "CREATE TABLE once (n int, CONSTRAINT once_n UNIQUE (n)"
                " DEFERRABLE INITIALLY DEFERRED)"
            )
        )
    with pytest.raises(IntegrityError):
        with unit_of_work(pg_session_factory, None, action="settings.save") as session:
            session.execute(text("INSERT INTO once VALUES (1), (1)"))  # fine until the commit
    with read_session(pg_session_factory) as session:
        assert session.scalar(text("SELECT count(*) FROM once")) == 0
