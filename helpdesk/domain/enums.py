"""The fixed vocabularies of the school's records. Plain Python: safe to import from the UI."""

from __future__ import annotations

from enum import StrEnum


class StudentStatus(StrEnum):
    ACTIVE = "active"
    LEFT = "left"


class StaffRole(StrEnum):
    COUNTER = "counter"
    TECHNICIAN = "technician"
    MANAGER = "manager"
    ADMIN = "admin"


class DeviceKind(StrEnum):
    LAPTOP = "laptop"
    CHARGER = "charger"
    CASE = "case"
    OTHER = "other"


class DevicePool(StrEnum):
    ALLOCATION = "allocation"
    LOAN = "loan"


class DeviceStatus(StrEnum):
    IN_STOCK = "in_stock"
    ASSIGNED = "assigned"
    ON_LOAN = "on_loan"
    IN_REPAIR = "in_repair"
    LOST = "lost"
    STOLEN = "stolen"
    RETIRED = "retired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class LoanType(StrEnum):
    DAY = "day"
    SWAP = "swap"
    LONG = "long"


class Condition(StrEnum):
    GOOD = "good"
    FAIR = "fair"
    DAMAGED = "damaged"


class DamageCategory(StrEnum):
    SCREEN = "screen"
    KEYBOARD = "keyboard"
    TRACKPAD = "trackpad"
    LIQUID = "liquid"
    CHASSIS = "chassis"
    HINGE_PORTS = "hinge_ports"
    BATTERY = "battery"
    CHARGER = "charger"
    CASE = "case"
    SOFTWARE = "software"
    LOST = "lost"
    STOLEN = "stolen"
    OTHER = "other"

    @property
    def label(self) -> str:
        return "hinge / ports" if self is DamageCategory.HINGE_PORTS else self.value


class TicketState(StrEnum):
    LOGGED = "logged"
    DIAGNOSING = "diagnosing"
    AWAITING_PAYMENT = "awaiting_payment"
    AWAITING_PARTS = "awaiting_parts"
    WITH_VENDOR = "with_vendor"
    REPAIRED = "repaired"
    READY_FOR_COLLECTION = "ready_for_collection"
    COLLECTED = "collected"
    WRITTEN_OFF = "written_off"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_TICKET_STATES


CLOSED_TICKET_STATES = frozenset(
    {TicketState.COLLECTED, TicketState.WRITTEN_OFF, TicketState.CANCELLED}
)

# The lifecycle: which states a ticket may move to from each state. Written off and cancelled
# are reachable from every open state.
_FORWARD: dict[TicketState, set[TicketState]] = {
    TicketState.LOGGED: {TicketState.DIAGNOSING, TicketState.AWAITING_PAYMENT},
    TicketState.DIAGNOSING: {
        TicketState.AWAITING_PAYMENT,
        TicketState.AWAITING_PARTS,
        TicketState.WITH_VENDOR,
        TicketState.REPAIRED,
    },
    TicketState.AWAITING_PAYMENT: {
        TicketState.DIAGNOSING,
        TicketState.AWAITING_PARTS,
        TicketState.WITH_VENDOR,
        TicketState.REPAIRED,
    },
    TicketState.AWAITING_PARTS: {TicketState.DIAGNOSING, TicketState.REPAIRED},
    TicketState.WITH_VENDOR: {TicketState.DIAGNOSING, TicketState.REPAIRED},
    TicketState.REPAIRED: {TicketState.READY_FOR_COLLECTION},
    TicketState.READY_FOR_COLLECTION: {TicketState.COLLECTED},
}

ALLOWED_TRANSITIONS: dict[TicketState, frozenset[TicketState]] = {
    state: frozenset(
        _FORWARD.get(state, set())
        | ({TicketState.WRITTEN_OFF, TicketState.CANCELLED} if state.is_open else set())
    )
    for state in TicketState
}


class CoverStatus(StrEnum):
    INSURED = "insured"
    UNINSURED = "uninsured"
    LAPSED = "lapsed"
    PENDING_PAYMENT = "pending_payment"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class IncidentType(StrEnum):
    ACCIDENTAL_DAMAGE = "accidental_damage"
    LIQUID = "liquid"
    THEFT = "theft"
    LOSS = "loss"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")

    @classmethod
    def for_damage(cls, category: DamageCategory) -> IncidentType:
        return {
            DamageCategory.LIQUID: cls.LIQUID,
            DamageCategory.STOLEN: cls.THEFT,
            DamageCategory.LOST: cls.LOSS,
        }.get(category, cls.ACCIDENTAL_DAMAGE)


class ChargeStatus(StrEnum):
    DUE = "due"
    PAID = "paid"
    WAIVED = "waived"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    ONLINE = "online"
    CHEQUE = "cheque"
