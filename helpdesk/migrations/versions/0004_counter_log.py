"""the counter's log: accessories missing on a return, refusals and the station in the audit log

A loan records which of the accessories that went out with it did not come back
(``loans.accessories_missing``). The audit log names the station each row was written at and
keeps the counter's refusals as rows of their own (action 'refuse'), so that a counter's day can
be read back from it.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06 21:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('insert', 'update', 'delete')"
NEW_ACTIONS = "action IN ('insert', 'update', 'delete', 'refuse')"
CHECK = "ck_audit_log_audit_action"


def _append_only(on: bool) -> None:
    """Lift the audit log's append-only triggers, or put them back. SQLite rebuilds the table to
    change its CHECK constraint, and its triggers go with the old table."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            if on:
                op.execute(
                    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
                )
            else:
                op.execute(f"DROP TRIGGER IF EXISTS audit_log_no_{verb.lower()}")
    elif dialect == "postgresql":
        if on:
            op.execute(
                "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
        else:
            op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")


def upgrade() -> None:
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accessories_missing", sa.String(length=200), nullable=False, server_default=""
            )
        )
    _append_only(False)
    with op.batch_alter_table("audit_log", schema=None, recreate="auto") as batch_op:
        batch_op.add_column(sa.Column("station", sa.String(length=64), nullable=True))
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), sa.text(NEW_ACTIONS))
        batch_op.create_index("ix_audit_station_at", ["station", "at"], unique=False)
    _append_only(True)


def downgrade() -> None:
    _append_only(False)
    # the refusals have no place in the older log
    op.execute("DELETE FROM audit_log WHERE action = 'refuse'")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_station_at")
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), sa.text(OLD_ACTIONS))
        batch_op.drop_column("station")
    _append_only(True)
    with op.batch_alter_table("loans", schema=None) as batch_op:
        batch_op.drop_column("accessories_missing")
