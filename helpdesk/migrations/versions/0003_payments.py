"""payments towards a claim's charge, and the manager role

A charge may be paid in parts, by cash, card, online or cheque, each payment with its receipt
number; a payment is never deleted, a manager reverses it with a reason. Staff get the role
"manager" (the staff table is rebuilt on SQLite to widen its CHECK constraint).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 21:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OLD_ROLES = ("counter", "technician", "admin")
NEW_ROLES = ("counter", "technician", "manager", "admin")


def _check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _set_roles(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    """Widen (or narrow) the CHECK constraint on staff.role."""
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_staff_staff_role"), "staff", type_="check")
        op.create_check_constraint(op.f("ck_staff_staff_role"), "staff", _check(new))
        return
    # SQLite cannot alter a constraint, and rebuilding the table would break the foreign keys
    # of every row that names a staff member (they are on, and cannot be turned off inside the
    # migration's transaction). A CHECK constraint leaves the stored rows as they are, so the
    # table's definition is edited in place, as SQLite's documentation describes for such
    # changes (https://www.sqlite.org/lang_altertable.html#otheralter).
    conn = op.get_bind()
    sql = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'staff'"
    ).scalar_one()
    if _check(old) not in sql:
        raise RuntimeError("The staff table's role constraint is not the one expected.")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'staff'",
        (sql.replace(_check(old), _check(new)),),
    )
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    _set_roles(OLD_ROLES, NEW_ROLES)
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "cash",
                "card",
                "online",
                "cheque",
                name="payment_method",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("receipt_number", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=False),
        sa.Column("reversed_at", sa.DateTime(), nullable=True),
        sa.Column("reversed_by_id", sa.Integer(), nullable=True),
        sa.Column("reversal_reason", sa.String(length=300), nullable=False),
        sa.CheckConstraint("amount_pence > 0", name=op.f("ck_payments_payment_amount_positive")),
        sa.CheckConstraint(
            "(reversed_at IS NULL) = (reversed_by_id IS NULL)",
            name=op.f("ck_payments_reversal_has_staff"),
        ),
        sa.CheckConstraint(
            "reversed_at IS NULL OR reversal_reason <> ''",
            name=op.f("ck_payments_reversal_needs_reason"),
        ),
        sa.CheckConstraint(
            "reversed_at IS NULL OR reversed_at >= taken_at",
            name=op.f("ck_payments_reversed_after_taken"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_payments_claim_id_claims")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["staff.id"], name=op.f("fk_payments_taken_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["reversed_by_id"], ["staff.id"], name=op.f("fk_payments_reversed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_claim_id"), ["claim_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_claim_id"))
    op.drop_table("payments")
    op.execute("UPDATE staff SET role = 'admin' WHERE role = 'manager'")
    _set_roles(NEW_ROLES, OLD_ROLES)
