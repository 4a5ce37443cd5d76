"""A payment towards a claim's charge. Payments are never deleted: a mistaken one is reversed by
a manager, with a reason, and the row stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.domain.base import Base, _enum
from helpdesk.domain.enums import PaymentMethod


class Payment(Base):
    """Money a family paid towards the charge of a claim; ``reversed_at`` set when undone."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    receipt_number: Mapped[str] = mapped_column(String(64), default="")
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    reversed_at: Mapped[datetime | None] = mapped_column(DateTime)
    reversed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    reversal_reason: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="payment_amount_positive"),
        CheckConstraint(
            "(reversed_at IS NULL) = (reversed_by_id IS NULL)", name="reversal_has_staff"
        ),
        CheckConstraint(
            "reversed_at IS NULL OR reversal_reason <> ''", name="reversal_needs_reason"
        ),
        CheckConstraint(
            "reversed_at IS NULL OR reversed_at >= taken_at", name="reversed_after_taken"
        ),
    )
