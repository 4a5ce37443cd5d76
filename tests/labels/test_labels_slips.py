"""Loan slips, repair receipts and hand-over agreements: the right words, and a barcode that
scans back to the loan or ticket, on half an A4 page and on an 80 mm roll."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from pdf_shapes import decode, render
from pypdf import PdfReader

from helpdesk.domain.errors import ValidationError
from helpdesk.labels import slips
from helpdesk.services.reporting import slip_data


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _halves(pdf: bytes, dpi: int = 300):
    page = render(pdf, dpi)[0]
    middle = page.shape[0] // 2
    return page[:middle], page[middle:]


def test_loan_slip_on_half_a4_has_two_copies_that_scan(school):
    factory, ids = school
    data = slip_data.loan_slip(factory, ids["loan"])
    pdf = slips.loan_slip_pdf(data)
    top, bottom = _halves(pdf)
    assert decode(top) == [data.code] and decode(bottom) == [data.code]
    text = _text(pdf)
    for words in (
        "Northfield Academy",
        "Amir Ahmed",
        "7A (year 7)",
        "LNR-001",
        "Dell Latitude 3140",
        "charger",
        "Fri 27 Nov 2026, 15:30",
        "by Admin",
        "remains the property of the school",
        "Student's signature",
        "School's copy",
    ):
        assert words in text, words


def test_loan_slip_on_a_receipt_roll(school):
    factory, ids = school
    data = slip_data.loan_slip(factory, ids["loan"])
    pdf = slips.loan_slip_pdf(data, "receipt-80mm")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert float(page.mediabox.width) == pytest.approx(80 * 72 / 25.4)
    assert 80 < float(page.mediabox.height) * 25.4 / 72 < 250
    assert decode(render(pdf, 203)[0]) == [data.code]


def test_school_terms_replace_the_shipped_ones_and_too_long_terms_are_refused(school):
    factory, ids = school
    data = slip_data.loan_slip(factory, ids["loan"])
    ours = replace(data, terms="Bring it back on time.\nNo stickers on the lid.")
    text = _text(slips.loan_slip_pdf(ours))
    assert "No stickers on the lid." in text and "remains the property" not in text
    huge = replace(data, terms="\n".join(["A very long rule about the loan laptop."] * 80))
    with pytest.raises(ValidationError, match="too long for half an A4 page"):
        slips.loan_slip_pdf(huge)
    assert decode(render(slips.loan_slip_pdf(huge, "receipt-80mm"), 203)[0]) == [data.code]


def test_repair_receipt_quotes_the_charge_and_scans(school):
    factory, ids = school
    receipt = slip_data.repair_receipt(factory, ids["ticket"])
    pdf = slips.repair_receipt_pdf(receipt)
    text = _text(pdf)
    assert "£85.00" in text and "Cracked screen" in text and "no cover on record" in text
    top, _ = _halves(pdf)
    assert decode(top) == [receipt.code]


def test_hand_over_agreements_one_sheet_per_student_in_order(school):
    factory, _ = school
    items = slip_data.handover_agreements(factory, form="7A")
    pdf = slips.handover_pdf(items)
    pages = render(pdf, 200)
    assert len(pages) == 3
    for item, page in zip(items, pages, strict=True):
        assert decode(page[: page.shape[0] // 2]) == [item.asset_tag]
    text = _text(pdf)
    assert text.index("Amir Ahmed") < text.index("Bea Baker") < text.index("Cara Cole")
    assert "Parent or carer" in text


def test_names_beyond_western_european_letters_are_printed(school):
    factory, ids = school
    data = replace(slip_data.loan_slip(factory, ids["loan"]), student="Łukasz Wójcik")
    assert "Łukasz Wójcik" in _text(slips.loan_slip_pdf(data))


def test_unknown_format_is_refused(school):
    factory, ids = school
    with pytest.raises(ValidationError, match="not a slip format"):
        slips.loan_slip_pdf(slip_data.loan_slip(factory, ids["loan"]), "a3")


def test_a_damaged_loaners_receipt_says_it_goes_back_to_the_loan_laptops(school):
    from helpdesk.services.counter.loans import return_loan
    from helpdesk.services.repairs.tickets import DamageReport

    factory, ids = school
    back = return_loan(
        factory,
        "admin",
        loan_id=ids["loan"],
        damage=DamageReport(category="screen", description="Screen cracked on return"),
    )
    receipt = slip_data.repair_receipt(factory, back.ticket.id)
    assert receipt.loaner
    text = " ".join(_text(slips.repair_receipt_pdf(receipt)).split())
    assert "Repair receipt: loan laptop" in text and "LNR-001" in text
    assert "goes back to the loan laptops; the student does not collect it." in text
    assert "collected" not in text
    # a student's own laptop still speaks of collecting it
    own = " ".join(
        _text(slips.repair_receipt_pdf(slip_data.repair_receipt(factory, ids["ticket"]))).split()
    )
    assert "when the laptop is collected" in own
    assert "Repair receipt: loan laptop" not in own


def test_reportlab_draws_with_its_c_accelerator():
    """rl_accel is installed and reportlab uses it (not its pure-Python fallbacks), so a pickup
    station's agreement costs a few ms of processor, not ten."""
    from reportlab.lib import rl_accel

    for name in ("fp_str", "unicode2T1", "instanceStringWidthT1", "escapePDF", "asciiBase85Encode"):
        function = getattr(rl_accel, name)
        assert type(function).__name__ == "builtin_function_or_method", (name, function)
