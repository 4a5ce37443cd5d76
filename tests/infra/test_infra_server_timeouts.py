"""A PostgreSQL server that stops answering never holds a counter or a command for ever: connecting
gives up after a few seconds, and so does a statement the server does not answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from helpdesk.db import make_engine

ROOT = Path(__file__).resolve().parents[2]


def _silent_server() -> tuple[socket.socket, int]:
    """A port that accepts connections and never says a word (a server that has hung)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)  # kept open, never answered

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


def test_a_server_that_never_answers_is_one_line_and_exit_1_within_15_s(tmp_path) -> None:  # noqa: ANN001
    server, port = _silent_server()
    env = {**os.environ, "HELPDESK_DATA_DIR": str(tmp_path)}
    env.pop("HELPDESK_DB_CONNECT_TIMEOUT", None)  # the default a school gets
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "helpdesk.cli", "--db",
             f"postgresql://helpdesk@127.0.0.1:{port}/helpdesk", "lookup", "LN-001"],
            capture_output=True, text=True, env=env, timeout=60, cwd=ROOT,
        )  # fmt: skip
    finally:
        server.close()
    took = time.monotonic() - started
    assert took < 15, took
    assert done.returncode == 1, (done.returncode, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert "cannot open the database" in lines[0], lines[0]


def test_the_timeouts_can_be_set_and_a_bad_value_is_said(monkeypatch, caplog) -> None:  # noqa: ANN001
    from helpdesk.db import _server_timeouts

    monkeypatch.setenv("HELPDESK_DB_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("HELPDESK_DB_STATEMENT_TIMEOUT", "0")
    assert _server_timeouts({}) == {"connect_timeout": 2}
    monkeypatch.setenv("HELPDESK_DB_STATEMENT_TIMEOUT", "soon")
    assert _server_timeouts({})["options"] == "-c statement_timeout=10000"
    assert "HELPDESK_DB_STATEMENT_TIMEOUT='soon' is not a number of seconds" in caplog.text
    # what the URL says wins
    assert "connect_timeout" not in _server_timeouts({"connect_timeout": "9"})


@pytest.mark.postgres
def test_a_statement_the_server_does_not_answer_is_cancelled(pg_url: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("HELPDESK_DB_STATEMENT_TIMEOUT", "1")
    engine = make_engine(pg_url)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            with engine.connect() as conn:
                conn.execute(text("SELECT pg_sleep(20)"))
        assert time.monotonic() - started < 10
        with engine.connect() as conn:  # the engine is fine afterwards
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
