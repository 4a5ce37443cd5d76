"""The "ready for collection" notice for form tutors as an A4 PDF: one page per form. No Qt.

Each page lists the form's students whose repaired laptops wait at the ICT support centre, with
the repair reference and, where a swap loaner is still out, the loan laptop to bring back first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
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
    from helpdesk.services.reporting.notices import FormNotice

HEADERS = ("Student", "Laptop", "Repair", "Ready since", "Bring back first")


def collection_notices_pdf(
    notices: Sequence[FormNotice],
    target: str | Path,
    *,
    school_name: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write one page per form to ``target``; refused when nothing is ready."""
    if not notices:
        raise NotFound("No repaired laptops are ready for collection.")
    target = Path(target)
    printed_at = printed_at or datetime.now()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontSize=10.5, leading=14)
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=12.5)
    story: list[Any] = []
    for n, notice in enumerate(notices):
        if n:
            story.append(PageBreak())
        story += [
            Paragraph(escape(school_name or "School ICT support"), base["Heading3"]),
            Paragraph(f"Ready for collection — Form {escape(notice.form)}", base["Title"]),
            Paragraph(
                f"For the form tutor of {escape(notice.form)} · printed "
                f"{printed_at:%d/%m/%Y %H:%M} · {len(notice.rows)} "
                f"{'laptop' if len(notice.rows) == 1 else 'laptops'}",
                body,
            ),
            Spacer(1, 4 * mm),
            Paragraph(
                "Please send these students to the ICT support centre to collect their repaired "
                "laptops. A student with a loan laptop brings it back, with its charger, before "
                "collecting their own.",
                body,
            ),
            Spacer(1, 5 * mm),
        ]
        data: list[list[Any]] = [list(HEADERS)]
        for row in notice.rows:
            data.append(
                [
                    Paragraph(escape(row.student), cell),
                    Paragraph(f"{escape(row.asset_tag)}<br/>{escape(row.model)}", cell),
                    Paragraph(f"{escape(row.ticket)}<br/>{escape(row.category)}", cell),
                    f"{row.ready_since:%a %d/%m}",
                    Paragraph(f"<b>{escape(row.loaner_to_return)}</b>", cell)
                    if row.loaner_to_return
                    else "",
                ]
            )
        table = Table(data, colWidths=[50 * mm, 38 * mm, 32 * mm, 26 * mm, 30 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 10),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f2f4f7")],
                    ),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]  # fmt: skip
            )
        )
        story.append(table)
    doc = SimpleDocTemplate(
        str(target),
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title="Ready for collection",
    )
    doc.build(story)
    return target
