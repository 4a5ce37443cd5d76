"""The PostgreSQL server the test set-up provides: a private cluster that goes away afterwards, a
server named by HELPDESK_TEST_PG_URL, or a skip that says why."""

from __future__ import annotations

import socket

import pg_server as pg_module
import pytest
from pg_server import PgServer, PgUnavailable
from sqlalchemy import create_engine, text


def test_without_binaries_or_url_the_reason_is_given(monkeypatch):
    monkeypatch.delenv(pg_module.ENV_URL, raising=False)
    monkeypatch.setattr(pg_module, "find_bindir", lambda: None)
    with pytest.raises(PgUnavailable) as caught:
        PgServer.start()
    assert "HELPDESK_TEST_PG_URL" in str(caught.value)
    assert "postgresql" in str(caught.value)


def test_an_unreachable_url_is_unavailable_not_an_error(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    monkeypatch.setenv(pg_module.ENV_URL, f"postgresql://nobody@127.0.0.1:{port}/x")
    with pytest.raises(PgUnavailable, match="cannot connect"):
        PgServer.start()


@pytest.mark.postgres
def test_a_server_named_in_the_environment_is_used_and_left_running(pg_server, monkeypatch):
    monkeypatch.setenv("HELPDESK_TEST_PG_URL", pg_server.url("postgres"))
    external = PgServer.start()
    assert external.workdir is None  # nothing started, so nothing to stop
    name = external.new_name("ext")
    url = external.create_database(name)
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT current_database()")) == name
    engine.dispose()
    external.drop_database(name)
    external.stop()
    pg_server._check(wait_seconds=0)  # the session's server is still up


@pytest.mark.postgres
def test_a_private_cluster_is_local_only_and_removed_at_the_end(pg_server):
    if pg_server.workdir is None:
        pytest.skip("this session uses a server named by HELPDESK_TEST_PG_URL")
    cluster = PgServer.start()
    workdir, port = cluster.workdir, cluster.base.port
    engine = create_engine(cluster.base)
    with engine.connect() as conn:
        assert conn.scalar(text("SHOW listen_addresses")) == "127.0.0.1"
        assert conn.scalar(text("SHOW data_directory")).startswith(str(workdir))
    engine.dispose()
    cluster.stop()
    assert not workdir.exists()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
