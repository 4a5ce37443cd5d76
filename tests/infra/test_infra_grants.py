"""`helpdesk db grants`: the printed SQL, applied on a real PostgreSQL server for a fresh login
role, lets the app work but refuses an UPDATE or DELETE of audit rows and a DROP or ALTER TABLE."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from helpdesk.cli import main
from helpdesk.db import make_session_factory
from helpdesk.services.core.auth import sign_in
from helpdesk.services.core.staff import add_staff

pytestmark = pytest.mark.postgres


def test_the_printed_sql_names_the_login(capsys):
    assert main(["db", "grants", "--login", "helpdesk_app"]) == 0
    out = capsys.readouterr().out
    assert "REVOKE UPDATE, DELETE ON audit_log FROM helpdesk_app;" in out
    assert main(["db", "grants", "--login", "app; DROP TABLE staff"]) == 1
    assert "not a plain role name" in capsys.readouterr().err


def test_applied_grants_hold(pg_server, pg_session_factory, capsys, tmp_path):
    owner_url = pg_session_factory.kw["bind"].url
    login = pg_server.new_name("login").lower()
    owner = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f"CREATE ROLE {login} LOGIN PASSWORD 'app-secret-1'"))
    app_engine = None
    try:
        # the SQL printed is the SQL applied: run the printout itself
        assert main(["db", "grants", "--login", login]) == 0
        script = capsys.readouterr().out
        with owner.connect() as conn:
            conn.execute(text(script))
        app_url = make_url(owner_url).set(username=login, password="app-secret-1")
        app_engine = create_engine(app_url)
        app = make_session_factory(app_engine)
        # a normal action works: signing in (reads staff, writes the audit log) and adding staff
        assert sign_in(app, "admin", "demo-admin").username == "admin"
        add_staff(app, "admin", username="jlewis", display_name="Jo Lewis", role="counter")
        for statement, _why in (
            ("UPDATE audit_log SET action = 'insert'", "audit rows stay"),
            ("DELETE FROM audit_log", "audit rows stay"),
            ("DROP TABLE students", "not the owner"),
            ("ALTER TABLE students ADD COLUMN x int", "not the owner"),
            ("CREATE TABLE mine (id int)", "no CREATE on the schema"),
            ("UPDATE alembic_version SET version_num = 'x'", "the migrations' table"),
        ):
            with pytest.raises(ProgrammingError) as caught, app_engine.begin() as conn:
                conn.execute(text(statement))
            reason = str(caught.value.orig)
            assert "permission denied" in reason or "must be owner" in reason, statement
        with app_engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
        # --apply runs the same statements (here, a second time: they may be run again)
        assert (
            main(
                [
                    "db",
                    "grants",
                    "--login",
                    login,
                    "--apply",
                    "--db",
                    str(owner_url.render_as_string(hide_password=False)),
                ]
            )
            == 0
        )
        assert "grant statements applied" in capsys.readouterr().out
    finally:
        if app_engine is not None:
            app_engine.dispose()
        with owner.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {login}"))
            conn.execute(text(f"DROP ROLE {login}"))
        owner.dispose()
