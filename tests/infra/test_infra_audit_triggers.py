"""The audit log stays append-only in the database itself: ``INSERT OR REPLACE`` cannot rewrite
a row, and a trigger that has gone missing is put back when the database is opened, with a log
line saying so."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from helpdesk.db import open_database
from helpdesk.services.core import staff


def _one_audit_row(factory) -> None:  # noqa: ANN001
    staff.add_staff(factory, "admin", username="tech1", display_name="Tess Tech", role="technician")


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def _rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT * FROM audit_log ORDER BY id").fetchall()


def test_insert_or_replace_cannot_rewrite_an_audit_row(session_factory, sqlite_url):
    _one_audit_row(session_factory)
    session_factory.kw["bind"].dispose()
    path = _path(sqlite_url)
    before = _rows(path)
    assert before
    row = before[-1]
    # a plain sqlite3 connection, as any tool on the machine would open it: no pragmas of ours
    conn = sqlite3.connect(path)
    columns = [c[1] for c in conn.execute("PRAGMA table_info(audit_log)")]
    forged = dict(zip(columns, row, strict=True))
    forged["after"] = '{"note": "rewritten"}'
    assert forged["after"] != dict(zip(columns, row, strict=True))["after"]
    marks = ", ".join("?" for _ in columns)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(f"INSERT OR REPLACE INTO audit_log VALUES ({marks})", list(forged.values()))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute(f"REPLACE INTO audit_log VALUES ({marks})", list(forged.values()))
    conn.rollback()
    conn.close()
    assert _rows(path) == before


def test_a_missing_trigger_is_put_back_at_start_and_logged(session_factory, sqlite_url, caplog):
    _one_audit_row(session_factory)
    session_factory.kw["bind"].dispose()
    path = _path(sqlite_url)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DROP TRIGGER audit_log_no_replace")
    with caplog.at_level(logging.INFO, logger="helpdesk.audit"):
        factory = open_database(sqlite_url)
    factory.kw["bind"].dispose()
    assert "audit trigger audit_log_no_delete was missing and has been put back" in caplog.text
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert {"audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"} <= names
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="helpdesk.audit"):
        open_database(sqlite_url).kw["bind"].dispose()
    assert "audit trigger" not in caplog.text  # all there: nothing said, nothing written


@pytest.mark.postgres
def test_a_missing_trigger_is_put_back_on_postgresql(pg_session_factory, caplog):
    engine = pg_session_factory.kw["bind"]
    _one_audit_row(pg_session_factory)
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
    url = engine.url.render_as_string(hide_password=False)
    with caplog.at_level(logging.INFO, logger="helpdesk.audit"):
        factory = open_database(url)
    try:
        assert "audit trigger audit_log_append_only was missing" in caplog.text
        with pytest.raises(Exception, match="append-only"), factory.kw["bind"].begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
    finally:
        factory.kw["bind"].dispose()
