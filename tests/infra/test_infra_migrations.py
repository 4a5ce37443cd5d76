"""The migrations: from the first revision to head on a populated database, every step down and up
again, and the schema they build equal to the models, on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from datetime import date

import infra_rows as rows
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from helpdesk import db as hdb
from helpdesk.domain.models import Base


def revisions(engine) -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(hdb._alembic_config(engine))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def downgrade(engine, revision: str) -> None:
    from alembic import command

    cfg = hdb._alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


@pytest.fixture
def empty_engine(empty_url):
    engine = hdb.make_engine(empty_url)
    yield engine
    engine.dispose()


def fill_first_revision(engine) -> dict[str, int]:
    """A small school written with plain SQL against the first revision's tables."""
    with engine.begin() as conn:
        ids = {
            "admin": rows.staff(conn, "admin", "admin"),
            "tech": rows.staff(conn, "tech1", "technician"),
            "amy": rows.student(conn, "C0001", year=7, form="7A"),
            "ben": rows.student(
                conn, "C0002", year=11, form="11R", status="left", left_on=date(2026, 7, 20)
            ),
            "loaner": rows.device(conn, "LOAN-001"),
            "own": rows.device(conn, "HD-0001", pool="allocation", status="in_repair"),
        }
        rows.assignment(conn, ids["own"], ids["amy"])
        ids["ticket"] = rows.ticket(conn, ids["own"], ids["amy"], ids["tech"])
        ids["loan"] = rows.loan(conn, ids["loaner"], ids["amy"], ids["admin"])
        rows.loan(
            conn,
            ids["loaner"],
            ids["ben"],
            ids["admin"],
            returned=True,
            issued_at=rows.T0.replace(month=6),
        )
        rows.audit(conn, ids["admin"], "loans", ids["loan"])
        conn.execute(
            text("INSERT INTO settings (key, value) VALUES ('school_name', '\"Hillside Academy\"')")
        )
    return ids


def test_first_revision_to_head_keeps_a_populated_database(empty_engine):
    all_revisions = revisions(empty_engine)
    hdb.upgrade(empty_engine, all_revisions[0])
    ids = fill_first_revision(empty_engine)

    hdb.upgrade(empty_engine, "head")

    assert hdb.current_revision(empty_engine) == all_revisions[-1]
    with empty_engine.connect() as conn:

        def one(sql: str, **params):
            return conn.execute(text(sql), params).one()

        assert one("SELECT count(*) FROM students")[0] == 2
        status, left_on, form = one(
            "SELECT status, left_on, form FROM students WHERE card_code = 'C0002'"
        )
        assert (status, str(left_on), form) == ("left", "2026-07-20", "11R")
        assert one("SELECT status, pool FROM devices WHERE asset_tag = 'HD-0001'") == (
            "in_repair",
            "allocation",
        )
        assert one("SELECT device_id, student_id FROM loans WHERE returned_at IS NULL") == (
            ids["loaner"],
            ids["amy"],
        )
        assert one("SELECT count(*) FROM loans")[0] == 2
        assert one("SELECT state, fault FROM tickets WHERE id = :i", i=ids["ticket"]) == (
            "logged",
            "Cracked screen, top left corner",
        )
        assert one("SELECT student_id FROM assignments WHERE ended_at IS NULL")[0] == ids["amy"]
        assert one("SELECT entity, entity_id FROM audit_log")[0:2] == ("loans", ids["loan"])
        assert one("SELECT value FROM settings WHERE key = 'school_name'")[0] == (
            '"Hillside Academy"'
        )

    # the database's own rules still hold after the upgrade
    from sqlalchemy.exc import DBAPIError, IntegrityError

    with pytest.raises(IntegrityError), empty_engine.begin() as conn:
        rows.loan(conn, ids["loaner"], ids["ben"], ids["admin"])
    with pytest.raises(DBAPIError), empty_engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))

    # and the ORM reads what plain SQL wrote
    factory = hdb.make_session_factory(empty_engine)
    from helpdesk.domain.models import Loan, Student

    with factory() as session:
        loan = session.get(Loan, ids["loan"])
        assert loan.student.card_code == "C0001" and loan.device.asset_tag == "LOAN-001"
        assert session.get(Student, ids["ben"]).status.value == "left"


def test_every_step_goes_down_and_up_again(empty_engine):
    """Each revision's downgrade undoes its upgrade, from head down to nothing and back."""
    all_revisions = revisions(empty_engine)
    for revision in all_revisions:
        hdb.upgrade(empty_engine, revision)
    for previous in [*reversed(all_revisions[:-1]), "base"]:
        downgrade(empty_engine, previous)
        assert hdb.current_revision(empty_engine) == (None if previous == "base" else previous)
    tables = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    hdb.upgrade(empty_engine, "head")
    assert hdb.current_revision(empty_engine) == all_revisions[-1]
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_the_migrations_build_exactly_what_the_models_describe(empty_engine):
    """A model changed without a migration (or the reverse) shows up here."""
    hdb.upgrade(empty_engine, "head")
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
