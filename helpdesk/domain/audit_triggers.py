"""The triggers that keep the audit log append-only in the database itself, checked at every
start (:func:`ensure_audit_triggers`, called by ``helpdesk.db.open_database``).

SQLite: ``audit_log_no_update`` and ``audit_log_no_delete`` (from the migrations) refuse UPDATE
and DELETE. ``INSERT OR REPLACE`` would slip past both: REPLACE deletes the old row without
firing delete triggers (unless ``recursive_triggers`` is on, which no other client of the file
need set), so ``audit_log_no_replace`` refuses an insert whose id is there already, whatever
connection makes it. PostgreSQL: ``audit_log_append_only`` refuses UPDATE and DELETE (and so
``INSERT ... ON CONFLICT DO UPDATE``); a plain insert of an existing id breaks the primary key.

A trigger that is missing (dropped by hand, or lost when a tool rebuilt the table) is put back
and the log says so: a warning a school's technician can find in the log file.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, text

log = logging.getLogger("helpdesk.audit")

_REFUSE = "SELECT RAISE(ABORT, 'the audit log is append-only')"
SQLITE_TRIGGERS = {
    "audit_log_no_update": f"BEFORE UPDATE ON audit_log BEGIN {_REFUSE}; END",
    "audit_log_no_delete": f"BEFORE DELETE ON audit_log BEGIN {_REFUSE}; END",
    "audit_log_no_replace": (
        "BEFORE INSERT ON audit_log "
        "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
        f"BEGIN {_REFUSE}; END"
    ),
}
PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$"
)
PG_TRIGGER = (
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
)
_NEW = {"audit_log_no_replace"}  # added at start-up rather than by a migration: not "missing"


def missing_audit_triggers(conn: Connection) -> list[str]:
    """The audit triggers ``conn``'s database lacks; none for a database without an audit log
    (not yet upgraded)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        names = {r[0]: r[1] for r in conn.execute(text("SELECT name, type FROM sqlite_master"))}
        if names.get("audit_log") != "table":
            return []
        return [name for name in SQLITE_TRIGGERS if names.get(name) != "trigger"]
    if dialect == "postgresql":
        if conn.scalar(text("SELECT to_regclass('audit_log')")) is None:
            return []
        there = conn.scalar(
            text(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_log_append_only' "
                "AND tgrelid = to_regclass('audit_log')"
            )
        )
        return [] if there else ["audit_log_append_only"]
    return []


def ensure_audit_triggers(conn: Connection) -> list[str]:
    """Put back any audit trigger that is missing, in ``conn``'s transaction, logging each; the
    names put back."""
    made = missing_audit_triggers(conn)
    for name in made:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(f"CREATE TRIGGER {name} {SQLITE_TRIGGERS[name]}")
        else:
            conn.exec_driver_sql(PG_FUNCTION)
            conn.exec_driver_sql(PG_TRIGGER)
        if name in _NEW:
            log.info("audit trigger %s added: the audit log refuses INSERT OR REPLACE", name)
        else:
            log.warning("audit trigger %s was missing and has been put back", name)
    return made
