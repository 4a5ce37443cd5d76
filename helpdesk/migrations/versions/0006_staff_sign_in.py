"""staff sign in: passwords, PINs and badges, lock-out after wrong tries, sign-in events audited

Staff gain an argon2id password hash and PIN hash (never the secrets themselves), a badge code
(unique), the count of wrong tries in a row and the time a lock-out ends. The audit log keeps
sign-ins, sign-outs, refused sign-ins and lock-outs as rows of their own.

Revision ID: 0006_staff_sign_in
Revises: 0004
Create Date: 2026-12-07 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_staff_sign_in"
down_revision = "0005_photo_blobs"
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('insert', 'update', 'delete', 'refuse')"
NEW_ACTIONS = (
    "action IN ('insert', 'update', 'delete', 'refuse', "
    "'sign-in', 'sign-out', 'sign-in-refused', 'lock-out')"
)
CHECK = "ck_audit_log_audit_action"
SIGN_IN_ROWS = "('sign-in', 'sign-out', 'sign-in-refused', 'lock-out')"


def _append_only(on: bool) -> None:
    """Lift the audit log's append-only triggers, or put them back (SQLite rebuilds the table to
    change its CHECK constraint, and its triggers go with the old table)."""
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


def _actions(check: str) -> None:
    with op.batch_alter_table("audit_log", schema=None, recreate="auto") as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), sa.text(check))


def upgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pin_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("badge", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    # an index, not a constraint: SQLite adds it without rebuilding the table the others point at
    op.create_index("uq_staff_badge", "staff", ["badge"], unique=True)
    _append_only(False)
    _actions(NEW_ACTIONS)
    _append_only(True)


def downgrade() -> None:
    _append_only(False)
    # the sign-in events have no place in the older log
    op.execute(f"DELETE FROM audit_log WHERE action IN {SIGN_IN_ROWS}")
    _actions(OLD_ACTIONS)
    _append_only(True)
    op.drop_index("uq_staff_badge", table_name="staff")
    # a plain ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): rebuilding the staff table,
    # as a batch would, is refused while other tables' foreign keys point at it
    for column in ("locked_until", "failed_attempts", "badge", "pin_hash", "password_hash"):
        op.drop_column("staff", column)
