"""Notices: ready for collection per form, charge letters to parents, both as PDFs read back."""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from helpdesk.domain.errors import NotFound
from helpdesk.labels.charge_letter import charge_letters_pdf
from helpdesk.labels.collection_notice import collection_notices_pdf
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.reporting import notices


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _pages(pdf: Path) -> list[str]:
    return _text(pdf).split("\f")[:-1]


def test_ready_for_collection_grouped_by_form(bench, session_factory) -> None:  # noqa: ANN001
    found = notices.ready_for_collection(session_factory, "admin")
    assert [(n.form, n.year_group) for n in found] == [("7A", 7), ("10C", 10)]
    (cara,) = found[0].rows
    assert (cara.student, cara.asset_tag, cara.category, cara.loaner_to_return) == (
        "Cara Patel", "PER-000003", "trackpad", "",
    )  # fmt: skip
    (dev,) = found[1].rows
    assert dev.ticket == ticket_code(bench.tickets["t4"])
    assert dev.loaner_to_return == "LNR-001"  # the swap loaner comes back first
    assert notices.ready_for_collection(session_factory, "admin", form="8B") == ()
    assert [n.form for n in notices.ready_for_collection(session_factory, "admin", form="10C")] == [
        "10C"
    ]


def test_collection_notice_pdf_one_page_per_form(bench, session_factory, tmp_path) -> None:  # noqa: ANN001
    found = notices.ready_for_collection(session_factory, "admin")
    pdf = collection_notices_pdf(
        found,
        tmp_path / "ready.pdf",
        school_name=notices.school_name(session_factory),
        printed_at=datetime(2026, 11, 25, 8, 30),
    )
    pages = _pages(pdf)
    assert len(pages) == 2
    assert "Ready for collection — Form 7A" in pages[0] and "Cara Patel" in pages[0]
    assert "Dev Khan" not in pages[0]
    assert "Hillside Academy" in pages[1] and "Form 10C" in pages[1]
    assert "Dev Khan" in pages[1] and "LNR-001" in pages[1] and "1 laptop" in pages[1]
    with pytest.raises(NotFound, match="No repaired laptops are ready"):
        collection_notices_pdf((), tmp_path / "none.pdf")


def test_charge_letter_pdf_has_the_amount_rule_and_student(
    bench, session_factory, tmp_path
) -> None:  # noqa: ANN001
    letter = notices.charge_letter(session_factory, "admin", ticket_id=bench.tickets["t1"])
    assert (letter.student, letter.form, letter.amount, letter.status) == (
        "Anna Smith", "7A", "£50.00", "due",
    )  # fmt: skip
    assert letter.school_name == "Hillside Academy" and letter.claim_number == 2
    assert letter.reference in letter.how_to_pay
    pdf = charge_letters_pdf([letter], tmp_path / "letter.pdf", printed_on=date(2026, 11, 25))
    (page,) = _pages(pdf)
    flat = " ".join(page.split())
    assert "Hillside Academy" in flat
    assert "To the parent or carer of Anna Smith (7A)" in flat
    assert "PER-000001 (Lenovo 300e Gen 3)" in flat
    assert "Standard cover: claim 2 in a cover period costs £50.00" in flat
    assert "Amount to pay: £50.00" in flat
    assert f"quoting the reference {letter.reference}" in flat
    assert "How to pay" in flat and "25 November 2026" in flat


def test_letters_for_all_charges_due_and_settled_ones(bench, session_factory, tmp_path) -> None:  # noqa: ANN001
    due = notices.charge_letters_due(session_factory, "admin")
    assert [(x.student, x.amount) for x in due] == [
        ("Anna Smith", "£50.00"),
        ("Ben Jones", "£50.00"),
        ("Dev Khan", "£90.00"),
    ]  # by year group, form and name
    assert due[1].scheme == "Standard cover" and due[1].claim_number is None
    assert due[2].scheme == "" and due[2].claim_number is None
    pages = _pages(charge_letters_pdf(due, tmp_path / "due.pdf"))
    assert len(pages) == 3
    assert "Dev Khan" in pages[2] and "none (uninsured)" in pages[2] and "£90.00" in pages[2]
    assert "All 2 claims of the period with Standard cover are used" in " ".join(pages[1].split())
    assert [
        x.student for x in notices.charge_letters_due(session_factory, "admin", form="10C")
    ] == ["Dev Khan"]

    waived = notices.charge_letter(session_factory, "admin", claim_id=bench.claims["t10"])
    flat = " ".join(_text(charge_letters_pdf([waived], tmp_path / "w.pdf")).split())
    assert "has been waived: Family hardship fund" in flat and "How to pay" not in flat
    paid = notices.charge_letter(session_factory, "admin", ticket_id=bench.tickets["t3"])
    flat = " ".join(_text(charge_letters_pdf([paid], tmp_path / "p.pdf")).split())
    assert "This charge of £50.00 has been paid" in flat


def test_charge_letter_refusals(bench, session_factory, tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(NotFound, match=f"Ticket {ticket_code(bench.tickets['t11'])} has no claim"):
        notices.charge_letter(session_factory, "admin", ticket_id=bench.tickets["t11"])
    with pytest.raises(NotFound, match="There is no claim number 999"):
        notices.charge_letter(session_factory, "admin", claim_id=999)
    with pytest.raises(NotFound, match="no charges due"):
        charge_letters_pdf([], tmp_path / "none.pdf")


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], ""),
        ([("school_name", json.dumps("  "))], ""),
        ([("school", json.dumps({"name": "Oak Park School"}))], "Oak Park School"),
        ([("school_name", "Plain Text School")], "Plain Text School"),
        ([("school_name", "{broken json")], "{broken json"),
        ([("school_name", json.dumps(42)), ("school", json.dumps("Elm High"))], "Elm High"),
    ],
)
def test_school_name_read_tolerantly(session_factory, rows, expected) -> None:  # noqa: ANN001
    from helpdesk.domain.models import Setting

    with session_factory() as session, session.begin():
        session.add_all(Setting(key=k, value=v) for k, v in rows)
    assert notices.school_name(session_factory) == expected


def test_how_to_pay_from_the_settings(bench, session_factory) -> None:  # noqa: ANN001
    from helpdesk.domain.models import Setting

    with session_factory() as session, session.begin():
        session.add(
            Setting(key="payment_instructions", value=json.dumps("Pay on ParentPay: {reference}."))
        )
    letter = notices.charge_letter(session_factory, "admin", ticket_id=bench.tickets["t1"])
    assert letter.how_to_pay == f"Pay on ParentPay: {letter.reference}."
