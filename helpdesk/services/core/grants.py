"""Least privilege on PostgreSQL: the SQL that gives the app's login role just what the counters
need, run by the role that owns the tables (the one that runs the migrations).

The login may read and write the school's tables, but may not change or delete a row of the
audit log, and, not owning any table, may not drop or alter one. Whoever holds the owner's
password (or a superuser's), or a SQLite file, is beyond what the app can enforce: see
docs/security.md.
"""

from __future__ import annotations

import re

from sqlalchemy import text

from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.services.core.permissions import require
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SCHEMA = "public"


def grants_sql(login: str) -> list[str]:
    """The statements, in order, for the login role ``login`` (a plain PostgreSQL role name)."""
    if not _ROLE.match(login):
        raise ValidationError(
            f"'{login}' is not a plain role name (lower-case letters, digits and _)."
        )
    return [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {login}",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM {login}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {login}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {SCHEMA} FROM {login}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {login}",
        # the audit log is append-only for the app: it adds rows and reads them, nothing more
        f"REVOKE UPDATE, DELETE ON audit_log FROM {login}",
        # the schema's revision is the migrations' business
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {login}",
        # tables and sequences the owner's later migrations create get the same rights
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMA} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {login}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMA} GRANT USAGE, SELECT ON SEQUENCES TO {login}",
    ]


def grants_script(login: str) -> str:
    head = (
        "-- Run as the role that owns Helpdesk's tables (the one that runs 'helpdesk db upgrade'),\n"
        f"-- after creating the app's login, e.g.: CREATE ROLE {login} LOGIN PASSWORD '...';\n"
    )
    return head + "".join(f"{statement};\n" for statement in grants_sql(login))


def apply_grants(factory: SessionFactory, actor: str | None, login: str) -> int:
    """Run the statements on the database of ``factory`` (connected as the owner) in one
    transaction; the number run. ``actor`` must be an admin where staff can sign in."""
    statements = grants_sql(login)
    with unit_of_work(factory, actor, action="db.grants") as session:
        if session.get_bind().dialect.name != "postgresql":
            raise Refused(
                "Grants are for PostgreSQL; a SQLite file is guarded by its file's rights."
            )
        staff = session.info.get("staff")
        if staff is not None:
            require(staff.role, "db.grants")
        found = session.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": login}
        ).first()
        if found is None:
            raise Refused(f"There is no PostgreSQL role '{login}': create it first.")
        for statement in statements:
            session.execute(text(statement))
    return len(statements)
