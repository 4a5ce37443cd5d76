"""scan sessions: pickup day, hand-in and stocktake; device locations; hand-over agreements

Sessions, their expected items and their scans get tables of their own; planned allocations (the
laptop each student is to get on pickup day) too. Devices gain a location (room, cart,
cupboard). An allocation records its hand-over agreement (paper tick or typed name, when, when
printed) and, at hand-in, the condition it came back in and the accessories that did not.

Revision ID: 0007_scan_sessions
Revises: 0006_staff_sign_in
Create Date: 2026-12-07 03:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_scan_sessions"
down_revision = "0006_staff_sign_in"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: the devices table is pointed at by many others, so never rebuilt
    op.add_column("devices", sa.Column("location", sa.String(length=64), nullable=True))
    op.create_index("ix_devices_location", "devices", ["location"], unique=False)
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("agreement_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("agreement_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("agreement_printed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "returned_condition",
                sa.Enum(
                    "good",
                    "fair",
                    "damaged",
                    name="returned_condition",
                    native_enum=False,
                    create_constraint=True,
                    length=24,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("returned_missing", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_assignments_agreement_kind"), sa.text("agreement IN ('paper', 'screen')")
        )
    op.create_table(
        "scan_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_value", sa.String(length=255), nullable=True),
        sa.Column("location", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('pickup', 'handin', 'stocktake')", name=op.f("ck_scan_sessions_session_kind")
        ),
        sa.CheckConstraint(
            "scope IN ('form', 'year', 'all', 'leavers', 'location', 'status', 'tags')",
            name=op.f("ck_scan_sessions_session_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["staff.id"], name=op.f("fk_scan_sessions_started_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["staff.id"], name=op.f("fk_scan_sessions_closed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_sessions")),
    )
    op.create_index("ix_scan_sessions_open", "scan_sessions", ["closed_at"], unique=False)
    op.create_table(
        "session_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("grouping", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_scan_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["scan_sessions.id"],
            name=op.f("fk_session_items_session_id_scan_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_session_items_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_session_items_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_items")),
    )
    op.create_index("uq_session_items_code", "session_items", ["session_id", "code"], unique=True)
    op.create_index("ix_session_items_student", "session_items", ["student_id"], unique=False)
    op.create_index("ix_session_items_device", "session_items", ["device_id"], unique=False)
    op.create_table(
        "session_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('done', 'already', 'unexpected', 'problem')",
            name=op.f("ck_session_scans_scan_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["scan_sessions.id"],
            name=op.f("fk_session_scans_session_id_scan_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_session_scans_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["session_items.id"], name=op.f("fk_session_scans_item_id_session_items")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_session_scans_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_session_scans_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_scans")),
    )
    op.create_index("ix_session_scans_session_id", "session_scans", ["session_id"], unique=False)
    op.create_table(
        "planned_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"], ["students.id"], name=op.f("fk_planned_allocations_student_id_students")
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_planned_allocations_device_id_devices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_allocations")),
        sa.UniqueConstraint("student_id", name=op.f("uq_planned_allocations_student_id")),
        sa.UniqueConstraint("device_id", name=op.f("uq_planned_allocations_device_id")),
    )


def downgrade() -> None:
    op.drop_table("planned_allocations")
    op.drop_index("ix_session_scans_session_id", table_name="session_scans")
    op.drop_table("session_scans")
    for name in ("ix_session_items_device", "ix_session_items_student", "uq_session_items_code"):
        op.drop_index(name, table_name="session_items")
    op.drop_table("session_items")
    op.drop_index("ix_scan_sessions_open", table_name="scan_sessions")
    op.drop_table("scan_sessions")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assignments_returned_condition"), type_="check")
        batch_op.drop_constraint(op.f("ck_assignments_agreement_kind"), type_="check")
        for column in (
            "returned_missing",
            "returned_condition",
            "agreement_printed_at",
            "agreement_at",
            "agreement_name",
            "agreement",
        ):
            batch_op.drop_column(column)
    op.drop_index("ix_devices_location", table_name="devices")
    op.drop_column("devices", "location")
