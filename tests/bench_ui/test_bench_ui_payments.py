"""Payments on the ticket page: the dialog asks for amount, method and receipt number before it
records anything; part payments show in the list; a technician's reversal is refused, a
manager's is recorded with its reason and the payment stays in the list, marked reversed."""

from __future__ import annotations

import pytest

from helpdesk.ui.bench.payment_dialog import PaymentDetails, PaymentDialog


@pytest.fixture
def open_page(bench_ctx, bench_school, qtbot):  # noqa: ANN001
    from helpdesk.ui.bench.ticket_page import TicketPage

    pages = []

    def make(ticket_id: int, ctx=None) -> TicketPage:  # noqa: ANN001
        page = TicketPage(ctx or bench_ctx, ticket_id)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.page is not None, timeout=10000)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


def _act(page, qtbot, action) -> str:  # noqa: ANN001
    before = page.page
    page.message.hide()
    action()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=10000)
    if page.message.property("tone") == "good":
        qtbot.waitUntil(lambda: page.page is not before, timeout=10000)
    return page.message.text()


def test_the_dialog_needs_a_method_and_a_receipt_and_no_more_than_is_owed(qtbot) -> None:
    dialog = PaymentDialog("TKT-000001", 9000, 6000)
    qtbot.addWidget(dialog)
    assert dialog.amount_pence == 6000
    assert not dialog.ok_button.isEnabled()
    assert dialog.confirm.text() == "Choose how it was paid: cash, card, online or cheque."
    dialog.method.setCurrentIndex(dialog.method.findData("cheque"))
    assert not dialog.ok_button.isEnabled()
    assert dialog.confirm.text() == "Type the receipt number."
    dialog.receipt.setText("  CHQ-12 ")
    dialog.amount.setValue(25.50)
    assert dialog.ok_button.isEnabled()
    assert dialog.confirm.text() == (
        "Record £25.50 paid by cheque (receipt CHQ-12) for TKT-000001; £34.50 will still be owed."
    )
    dialog.amount.setValue(75.00)  # more than is owed: the box stops at the balance
    assert dialog.amount_pence == 6000
    dialog.amount.setValue(0)
    assert not dialog.ok_button.isEnabled()
    dialog.accept()
    assert dialog.result() != PaymentDialog.DialogCode.Accepted
    dialog.amount.setValue(60)
    dialog.ok_button.click()
    assert dialog.result() == PaymentDialog.DialogCode.Accepted
    assert dialog.details() == PaymentDetails(6000, "cheque", "CHQ-12")


def test_part_payments_and_a_managers_reversal(open_page, manager_ctx, bench_school, qtbot) -> None:  # noqa: ANN001
    page = open_page(bench_school.ben_ticket, manager_ctx)  # £90.00 due
    said = _act(
        page, qtbot, lambda: page.ticket_actions.record_payment(PaymentDetails(4000, "cash", "R-1"))
    )
    assert said == "Payment of £40.00 by cash recorded."
    ticket = page.page.ticket
    assert (ticket.charge_status, ticket.balance_pence) == ("due", 5000)
    assert "Paid so far £40.00; still to pay £50.00." in page.charge_box.cover_text.text()
    assert page.charge_box.pay_button.isEnabled()
    assert page.charge_box.payments_table.rowCount() == 1
    assert page.charge_box.payments_table.item(0, 1).text() == "£40.00"
    assert page.charge_box.payments_table.item(0, 3).text() == "R-1"

    # the technician sees the payment but not the money controls, and the service refuses
    # a reversal all the same
    tech = open_page(bench_school.ben_ticket)
    assert tech.charge_box.payments_table.rowCount() == 1
    for control in ("pay_button", "waive_button", "waive_reason", "reverse_button"):
        assert not getattr(tech.charge_box, control).isVisible(), control
    tech.charge_box.payments_table.selectRow(0)
    said = _act(tech, qtbot, lambda: tech.ticket_actions.reverse_payment("Typed the wrong ticket"))
    assert said == "Reversing a payment needs a manager."
    assert tech.message.property("tone") == "bad"

    # the manager may, and the payment stays in the list, marked reversed
    for control in ("pay_button", "waive_button", "waive_reason", "reverse_button"):
        assert getattr(page.charge_box, control).isVisible(), control
    page.charge_box.payments_table.selectRow(0)
    assert page.charge_box.reverse_button.isEnabled()
    said = _act(page, qtbot, lambda: page.ticket_actions.reverse_payment("Typed the wrong ticket"))
    assert said == "Payment of £40.00 reversed."
    ticket = page.page.ticket
    assert (ticket.charge_status, ticket.balance_pence) == ("due", 9000)
    assert page.charge_box.payments_table.rowCount() == 1
    assert "Typed the wrong ticket" in page.charge_box.payments_table.item(0, 5).text()
    page.charge_box.payments_table.selectRow(0)
    assert not page.charge_box.reverse_button.isEnabled()


def test_the_student_owing_money_shows_on_the_ticket_page(open_page, bench_school) -> None:
    page = open_page(bench_school.ben_ticket)
    assert "Unpaid charges £90.00" in page.title.text()
