"""The charge letter to parents as an A4 PDF: one page per charge. No Qt.

Each letter names the student, form, device and incident, the rule of the school's scheme (or
uninsured price list) that produced the charge, the amount in pounds and how to pay, quoting the
repair's reference. A paid or waived charge says so instead of asking for payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from helpdesk.domain.errors import NotFound

if TYPE_CHECKING:
    from helpdesk.services.reporting.notices import ChargeLetter

SENDER = "ICT Support Centre"


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontSize=10.5, leading=14.5)
    return {
        "school": ParagraphStyle("school", parent=base["Title"], fontSize=18, spaceAfter=2),
        "sender": ParagraphStyle("sender", parent=body, alignment=1, textColor=colors.grey),
        "heading": ParagraphStyle("heading", parent=base["Heading2"], spaceBefore=8),
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, fontSize=10, leading=13),
        "amount": ParagraphStyle("amount", parent=body, fontSize=14, leading=18),
    }


def _facts(letter: ChargeLetter, styles: dict[str, ParagraphStyle]) -> Table:
    cover = "none (uninsured)"
    if letter.scheme:
        cover = letter.scheme + (
            f", claim {letter.claim_number} in this cover period" if letter.claim_number else ""
        )
    incident = f"{letter.damage} ({letter.incident})"
    rows: list[tuple[str, str]] = [
        ("Student", f"{letter.student} ({letter.form})"),
        ("Device", letter.device),
        ("Incident", incident),
        (
            "Date of incident",
            f"{letter.occurred_on:%d/%m/%Y}, reported {letter.reported_on:%d/%m/%Y}",
        ),
    ]
    if letter.fault:
        rows.append(("Reported fault", letter.fault))
    if letter.crime_reference:
        rows.append(("Crime reference", letter.crime_reference))
    rows += [
        ("Cover", cover),
        ("Rule applied", letter.rule),
        ("Amount", letter.amount),
        ("Reference", letter.reference),
    ]
    data = [
        [Paragraph(f"<b>{escape(k)}</b>", styles["cell"]), Paragraph(escape(v), styles["cell"])]
        for k, v in rows
    ]
    table = Table(data, colWidths=[42 * mm, 128 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#d9e2ec")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f7fa")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _letter_story(
    letter: ChargeLetter, styles: dict[str, ParagraphStyle], printed_on: date
) -> list[Any]:
    school = escape(letter.school_name or "School ICT support")
    student = escape(letter.student)
    story: list[Any] = [
        Paragraph(school, styles["school"]),
        Paragraph(SENDER, styles["sender"]),
        Spacer(1, 8 * mm),
        Paragraph(f"{printed_on:%d %B %Y}", styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph(f"To the parent or carer of {student} ({escape(letter.form)})", styles["body"]),
        Paragraph(f"Reference: <b>{escape(letter.reference)}</b>", styles["body"]),
        Paragraph("Charge for a school laptop repair", styles["heading"]),
        Paragraph(
            f"Dear parent or carer,<br/><br/>The school laptop used by {student} was booked in "
            f"to the ICT support centre on {letter.raised_on:%d/%m/%Y} with "
            f"{escape(letter.damage)} damage ({escape(letter.incident)}). Under the school's "
            "laptop scheme a charge applies, worked out as below.",
            styles["body"],
        ),
        Spacer(1, 4 * mm),
        _facts(letter, styles),
        Spacer(1, 5 * mm),
    ]
    if letter.status == "paid":
        story.append(
            Paragraph(
                f"This charge of <b>{letter.amount}</b> has been paid. Thank you.",
                styles["amount"],
            )
        )
    elif letter.status == "waived":
        story.append(
            Paragraph(
                f"This charge of {letter.amount} has been <b>waived</b>: "
                f"{escape(letter.waiver_reason)}. Nothing is to be paid.",
                styles["amount"],
            )
        )
    else:
        story += [
            Paragraph(
                f"Amount to pay: <b>{letter.to_pay}</b>"
                + (f" ({letter.paid} of {letter.amount} paid so far)" if letter.paid_pence else ""),
                styles["amount"],
            ),
            Paragraph("How to pay", styles["heading"]),
            Paragraph(escape(letter.how_to_pay), styles["body"]),
        ]
    story += [
        Spacer(1, 10 * mm),
        Paragraph("Yours sincerely,", styles["body"]),
        Spacer(1, 8 * mm),
        Paragraph(f"{SENDER}<br/>{school}", styles["body"]),
    ]
    return story


def charge_letters_pdf(
    letters: Sequence[ChargeLetter],
    target: str | Path,
    *,
    printed_on: date | None = None,
) -> Path:
    """Write one A4 page per letter to ``target`` (nothing to write is refused by the caller)."""
    if not letters:
        raise NotFound("There are no charges due, so there are no letters to print.")
    target = Path(target)
    printed_on = printed_on or date.today()
    styles = _styles()
    story: list[Any] = []
    for n, letter in enumerate(letters):
        if n:
            story.append(PageBreak())
        story += _letter_story(letter, styles, printed_on)
    title = f"Charge letter {letters[0].reference}" if len(letters) == 1 else "Charge letters"
    doc = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=letters[0].school_name or SENDER,
    )
    doc.build(story)
    return target
