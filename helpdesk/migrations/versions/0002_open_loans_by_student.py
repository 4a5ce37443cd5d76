"""an index of the open loans by student

A student's open loans are read on every loan issued (the loan limit) and on every scan of a
student card; among a million past loans, a small partial index finds them at once.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_loans_open_student",
        "loans",
        ["student_id"],
        sqlite_where=sa.text("returned_at IS NULL"),
        postgresql_where=sa.text("returned_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_loans_open_student", table_name="loans")
