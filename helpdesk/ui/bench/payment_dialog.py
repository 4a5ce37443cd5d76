"""Taking a payment at the ticket page: the amount (the balance to start with; a part payment is
fine, more than is owed is not), how it was paid and the receipt's number, confirmed in a
sentence before it is recorded. And the reason asked before a manager reverses a payment."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import PaymentMethod
from helpdesk.services.core.views import PaymentInfo, money


@dataclass(frozen=True)
class PaymentDetails:
    amount_pence: int
    method: str  # cash | card | online | cheque
    receipt_number: str


class PaymentDialog(QDialog):
    """Amount, method and receipt number; OK stays off until all three are given."""

    def __init__(
        self, code: str, charge_pence: int, balance_pence: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Payment for {code}")
        self.code, self.balance_pence = code, balance_pence
        self.amount = QDoubleSpinBox()
        self.amount.setObjectName("paymentAmount")
        self.amount.setPrefix("£")
        self.amount.setDecimals(2)
        self.amount.setRange(0.0, balance_pence / 100)
        self.amount.setValue(balance_pence / 100)
        self.method = QComboBox()
        self.method.setObjectName("paymentMethod")
        self.method.addItem("Choose how it was paid…", "")
        for method in PaymentMethod:
            self.method.addItem(method.value.capitalize(), method.value)
        self.receipt = QLineEdit()
        self.receipt.setObjectName("receiptNumber")
        self.receipt.setPlaceholderText("The number on the school's receipt")
        self.receipt.setMaxLength(64)
        self.confirm = QLabel()
        self.confirm.setObjectName("paymentConfirm")
        self.confirm.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("&Record payment")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        owed = QLabel(
            f"Charge {money(charge_pence)}; still to pay {money(balance_pence)}. A part payment "
            "is fine."
        )
        owed.setWordWrap(True)
        form.addRow(owed)
        for label, field in (("&Amount", self.amount), ("&Method", self.method),
                             ("Receipt &number", self.receipt)):  # fmt: skip
            caption = QLabel(label)
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.confirm)
        layout.addWidget(self.buttons)
        self.amount.valueChanged.connect(self._update)
        self.method.currentIndexChanged.connect(self._update)
        self.receipt.textChanged.connect(self._update)
        self._update()

    @property
    def amount_pence(self) -> int:
        return round(self.amount.value() * 100)

    def missing(self) -> str | None:
        """What is still to be given, as a sentence; None when the payment can be recorded."""
        if self.amount_pence <= 0:
            return "Give the amount paid."
        if self.amount_pence > self.balance_pence:
            return f"No more than {money(self.balance_pence)} is owed."
        if not self.method.currentData():
            return "Choose how it was paid: cash, card, online or cheque."
        if not self.receipt.text().strip():
            return "Type the receipt number."
        return None

    def _update(self) -> None:
        missing = self.missing()
        self.ok_button.setEnabled(missing is None)
        if missing is not None:
            self.confirm.setText(missing)
            return
        left = self.balance_pence - self.amount_pence
        after = "the charge is then paid" if left == 0 else f"{money(left)} will still be owed"
        self.confirm.setText(
            f"Record {money(self.amount_pence)} paid by {self.method.currentData()} "
            f"(receipt {self.receipt.text().strip()}) for {self.code}; {after}."
        )

    def accept(self) -> None:
        if self.missing() is None:
            super().accept()

    def details(self) -> PaymentDetails:
        return PaymentDetails(
            self.amount_pence, str(self.method.currentData()), self.receipt.text().strip()
        )


def payment_row(p: PaymentInfo) -> tuple[str, ...]:
    """One line of the ticket page's list of payments."""
    reversed_text = (
        f"reversed {p.reversed_at:%d/%m/%Y} by {p.reversed_by}: {p.reversal_reason}"
        if p.reversed_at is not None
        else ""
    )
    return (
        f"{p.taken_at:%d/%m/%Y %H:%M}",
        money(p.amount_pence),
        p.method,
        p.receipt_number or "—",
        p.taken_by,
        reversed_text,
    )


def ask_reversal_reason(parent: QWidget, p: PaymentInfo) -> str | None:
    """The reason for reversing a payment; None when the person thinks better of it."""
    text, ok = QInputDialog.getText(
        parent,
        "Reverse a payment",
        f"Why is the payment of {money(p.amount_pence)} ({p.method}, receipt "
        f"{p.receipt_number or 'none'}) being reversed? The payment stays on record, marked "
        "reversed.",
    )
    return text.strip() if ok and text.strip() else None
