"""The school's records as SQLAlchemy 2.x typed models.

Invariants live in the database as well as in Python: unique codes, one open loan per device and
one active assignment per device (partial unique indexes), check constraints on every state, and
foreign keys. Money is whole pence. Times are the school's local time, without a zone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpdesk.domain.base import NAMING, Base, _enum  # noqa: F401  (NAMING: re-exported)
from helpdesk.domain.enums import (
    ChargeStatus,
    Condition,
    CoverStatus,
    DamageCategory,
    DeviceKind,
    DevicePool,
    DeviceStatus,
    IncidentType,
    LoanType,
    StaffRole,
    StudentStatus,
    TicketState,
)
from helpdesk.domain.payments import Payment  # noqa: F401  (re-exported with the others)


def table_of(model: type[Base]) -> Table:
    """The table of a mapped class, for Core statements (the class types it as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


class Student(Base):
    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_code: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    year_group: Mapped[int] = mapped_column(Integer)
    form: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[StudentStatus] = mapped_column(
        _enum(StudentStatus, "student_status"), default=StudentStatus.ACTIVE
    )
    left_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("year_group BETWEEN 1 AND 14", name="year_group_range"),
        Index("ix_students_name", "last_name", "first_name"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[StaffRole] = mapped_column(_enum(StaffRole, "staff_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # signing in (0006): argon2id strings, never the password or PIN itself
    password_hash: Mapped[str | None] = mapped_column(String(255))
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    badge: Mapped[str | None] = mapped_column(String(64))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("uq_staff_badge", "badge", unique=True),)


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_tag: Mapped[str] = mapped_column(String(64), unique=True)
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    make: Mapped[str] = mapped_column(String(64), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[DeviceKind] = mapped_column(_enum(DeviceKind, "device_kind"))
    pool: Mapped[DevicePool] = mapped_column(_enum(DevicePool, "device_pool"))
    status: Mapped[DeviceStatus] = mapped_column(
        _enum(DeviceStatus, "device_status"), default=DeviceStatus.IN_STOCK, index=True
    )
    purchased_on: Mapped[date | None] = mapped_column(Date)
    warranty_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    # where it is kept (a room, a cart, a cupboard): what a stocktake counts (0007)
    location: Mapped[str | None] = mapped_column(String(64), index=True)


class Assignment(Base):
    """The 1:1 allocation of a device to a student; open while ``ended_at`` is empty."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the hand-over agreement (0007): 'paper' (a tick for the signed sheet) or 'screen' (a
    # typed name); when it was signed and when it was printed
    agreement: Mapped[str | None] = mapped_column(String(8))
    agreement_name: Mapped[str | None] = mapped_column(String(100))
    agreement_at: Mapped[datetime | None] = mapped_column(DateTime)
    agreement_printed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # at hand-in (0007): the condition it came back in and the accessories not handed back
    returned_condition: Mapped[Condition | None] = mapped_column(
        _enum(Condition, "returned_condition")
    )
    returned_missing: Mapped[str | None] = mapped_column(String(64))

    device: Mapped[Device] = relationship(lazy="joined")
    student: Mapped[Student] = relationship(lazy="joined")

    __table_args__ = (
        Index(
            "uq_assignments_active_device",
            "device_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_assignments_device", "device_id"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ended_after_start"),
        CheckConstraint("agreement IN ('paper', 'screen')", name="agreement_kind"),
    )


class Loan(Base):
    """A loan laptop (or accessory) out to a student; open while ``returned_at`` is empty."""

    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    loan_type: Mapped[LoanType] = mapped_column(_enum(LoanType, "loan_type"))
    accessories: Mapped[str] = mapped_column(String(200), default="")
    # what went out with the loan and has not come back yet (comma-separated, like accessories)
    accessories_missing: Mapped[str] = mapped_column(String(200), default="", server_default="")
    condition_out: Mapped[Condition] = mapped_column(
        _enum(Condition, "condition_out"), default=Condition.GOOD
    )
    condition_in: Mapped[Condition | None] = mapped_column(_enum(Condition, "condition_in"))
    notes: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    due_at: Mapped[datetime] = mapped_column(DateTime)
    returned_at: Mapped[datetime | None] = mapped_column(DateTime)
    returned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)

    device: Mapped[Device] = relationship(lazy="joined")
    student: Mapped[Student] = relationship(lazy="joined")
    issued_by: Mapped[Staff] = relationship(foreign_keys=[issued_by_id])
    returned_to: Mapped[Staff | None] = relationship(foreign_keys=[returned_to_id])
    ticket: Mapped[Ticket | None] = relationship()  # the repair ticket of a swap loan

    __table_args__ = (
        Index(
            "uq_loans_open_device",
            "device_id",
            unique=True,
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        Index("ix_loans_device", "device_id", "issued_at"),
        Index(  # a student's open loans: the loan limit and the student's card
            "ix_loans_open_student",
            "student_id",
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        Index(
            "ix_loans_open_due",
            "due_at",
            sqlite_where=text("returned_at IS NULL"),
            postgresql_where=text("returned_at IS NULL"),
        ),
        CheckConstraint("due_at >= issued_at", name="due_after_issue"),
        CheckConstraint(
            "(returned_at IS NULL) = (condition_in IS NULL)", name="returned_has_condition"
        ),
    )


class Ticket(Base):
    """A repair ticket for a device, optionally tied to the student who brought it in."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    student_id: Mapped[int | None] = mapped_column(ForeignKey("students.id"), index=True)
    damage_category: Mapped[DamageCategory] = mapped_column(
        _enum(DamageCategory, "damage_category")
    )
    fault: Mapped[str] = mapped_column(Text, default="")
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[TicketState] = mapped_column(
        _enum(TicketState, "ticket_state"), default=TicketState.LOGGED, index=True
    )
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    vendor: Mapped[str] = mapped_column(String(100), default="")
    rma_number: Mapped[str] = mapped_column(String(64), default="")
    warranty: Mapped[bool] = mapped_column(Boolean, default=False)
    deliberate: Mapped[bool] = mapped_column(Boolean, default=False)
    in_case: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes_spent: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    state_changed_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)

    device: Mapped[Device] = relationship(lazy="joined")
    student: Mapped[Student | None] = relationship(lazy="joined")
    technician: Mapped[Staff | None] = relationship(foreign_keys=[technician_id])
    opened_by: Mapped[Staff] = relationship(foreign_keys=[opened_by_id])
    parts: Mapped[list[TicketPart]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketPart.id"
    )
    photos: Mapped[list[TicketPhoto]] = relationship(
        back_populates="ticket", cascade="all, delete-orphan", order_by="TicketPhoto.id"
    )

    __table_args__ = (
        Index("ix_tickets_device", "device_id", "opened_at"),
        CheckConstraint("minutes_spent >= 0", name="minutes_not_negative"),
    )


class TicketPart(Base):
    __tablename__ = "ticket_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    description: Mapped[str] = mapped_column(String(200))
    part_number: Mapped[str] = mapped_column(String(64), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost_pence: Mapped[int] = mapped_column(Integer, default=0)

    ticket: Mapped[Ticket] = relationship(back_populates="parts")

    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_cost_pence >= 0", name="cost_not_negative"),
    )


class TicketPhoto(Base):
    """A photo of the damage, kept in the database: ``data`` the image as it was taken (None: the
    file was missing when the photos moved into the database), ``thumbnail`` a small JPEG;
    ``path`` the file's name. The bytes load only when asked for (deferred)."""

    __tablename__ = "ticket_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    path: Mapped[str] = mapped_column(String(400))
    caption: Mapped[str] = mapped_column(String(200), default="")
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    media_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    size: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    ticket: Mapped[Ticket] = relationship(back_populates="photos")


class Scheme(Base):
    """An insurance scheme: claims allowed per period and the rules for charges."""

    __tablename__ = "schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    claims_allowed: Mapped[int] = mapped_column(Integer, default=2)
    report_within_days: Mapped[int | None] = mapped_column(Integer)
    excludes_no_case: Mapped[bool] = mapped_column(Boolean, default=False)
    excludes_deliberate: Mapped[bool] = mapped_column(Boolean, default=True)

    fee_rules: Mapped[list[FeeRule]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="FeeRule.id"
    )


class FeeRule(Base):
    """One row of a scheme's fee schedule: incident type (or any) x claim numbers -> charge."""

    __tablename__ = "fee_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"), index=True)
    incident_type: Mapped[IncidentType | None] = mapped_column(
        _enum(IncidentType, "fee_incident_type")
    )
    claim_from: Mapped[int] = mapped_column(Integer, default=1)
    claim_to: Mapped[int | None] = mapped_column(Integer)
    charge_pence: Mapped[int] = mapped_column(Integer)

    scheme: Mapped[Scheme] = relationship(back_populates="fee_rules")

    __table_args__ = (
        CheckConstraint("claim_from >= 1", name="claim_from_positive"),
        CheckConstraint("claim_to IS NULL OR claim_to >= claim_from", name="claim_range"),
        CheckConstraint("charge_pence >= 0", name="charge_not_negative"),
    )


class UninsuredPrice(Base):
    """What a repair costs a family without cover, by damage category."""

    __tablename__ = "uninsured_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    damage_category: Mapped[DamageCategory] = mapped_column(
        _enum(DamageCategory, "price_damage_category"), unique=True
    )
    charge_pence: Mapped[int] = mapped_column(Integer)

    __table_args__ = (CheckConstraint("charge_pence >= 0", name="price_not_negative"),)


class CoverPeriod(Base):
    __tablename__ = "cover_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("schemes.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CoverStatus] = mapped_column(_enum(CoverStatus, "cover_status"))
    claims_allowed: Mapped[int] = mapped_column(Integer)

    student: Mapped[Student] = relationship()
    scheme: Mapped[Scheme] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("claims_allowed >= 0", name="claims_not_negative"),
    )


class Claim(Base):
    """An insurance claim (or an uninsured charge) raised from a ticket."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id"), index=True)
    cover_period_id: Mapped[int | None] = mapped_column(ForeignKey("cover_periods.id"), index=True)
    incident_type: Mapped[IncidentType] = mapped_column(_enum(IncidentType, "incident_type"))
    occurred_on: Mapped[date] = mapped_column(Date)
    reported_on: Mapped[date] = mapped_column(Date)
    crime_reference: Mapped[str] = mapped_column(String(64), default="")
    claim_number: Mapped[int | None] = mapped_column(Integer)
    charge_pence: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(300))
    charge_status: Mapped[ChargeStatus] = mapped_column(_enum(ChargeStatus, "charge_status"))
    waiver_reason: Mapped[str] = mapped_column(String(300), default="")
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    ticket: Mapped[Ticket] = relationship()
    student: Mapped[Student] = relationship()
    cover_period: Mapped[CoverPeriod | None] = relationship()

    __table_args__ = (
        CheckConstraint("charge_pence >= 0", name="claim_charge_not_negative"),
        CheckConstraint(
            "incident_type <> 'theft' OR crime_reference <> ''", name="theft_needs_crime_ref"
        ),
        CheckConstraint(
            "charge_status <> 'waived' OR waiver_reason <> ''", name="waiver_needs_reason"
        ),
        CheckConstraint("reported_on >= occurred_on", name="reported_after_occurred"),
    )


class Closure(Base):
    """A day the school is closed (holidays, INSET): loans are never due on one."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(100), default="")


class Setting(Base):
    """School-wide settings as key and JSON text (school name, end of day, loan rules...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class LabelPrint(Base):
    """One asset label printed for a device: which template, when, by whom."""

    __tablename__ = "label_prints"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    template_id: Mapped[str] = mapped_column(String(64))
    printed_at: Mapped[datetime] = mapped_column(DateTime)
    printed_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))


# 'refuse': a refusal at the counter; the sign-in events (0006) are rows of their own too
AUDIT_ACTIONS = (
    "insert",
    "update",
    "delete",
    "refuse",
    "sign-in",
    "sign-out",
    "sign-in-refused",
    "lock-out",
)
AUDIT_ACTIONS_CHECK = "action IN ({})".format(", ".join(f"'{a}'" for a in AUDIT_ACTIONS))


class AuditEntry(Base):
    """Append-only: who changed what, when, with the values before and after (JSON)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    # the computer (or named counter) the change was made at; None for rows older than 0004
    station: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_station_at", "station", "at"),  # the day at one counter
        # 'refuse': a refusal at the counter (entity 'counter'), kept with the changes
        CheckConstraint(AUDIT_ACTIONS_CHECK, name="audit_action"),
    )


# the scan sessions' tables share this metadata (imported last: they refer to the tables above)
from helpdesk.domain.scan_sessions import (  # noqa: E402, F401  (re-exported)
    PlannedAllocation,
    ScanSession,
    SessionItem,
    SessionScan,
)
