"""The overdue loans list as an A4 PDF (for form tutors, or the noticeboard). No Qt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HEADERS = ("Student", "Form", "Device", "Loan", "Due", "Days over")


def overdue_pdf(
    rows: Sequence[Any],
    target: str | Path,
    *,
    school_name: str = "",
    filter_text: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write the overdue list to ``target``; ``rows`` are :class:`browse.OverdueRow` records."""
    target = Path(target)
    printed_at = printed_at or datetime.now()
    styles = getSampleStyleSheet()
    title = "Overdue loans" + (f" — {school_name}" if school_name else "")
    subtitle = (
        f"{filter_text or 'All forms'} · printed {printed_at:%d/%m/%Y %H:%M} · {len(rows)} loans"
    )
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(subtitle, styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    if not rows:
        story.append(Paragraph("No loans are overdue.", styles["Normal"]))
    else:
        data = [list(HEADERS)]
        for r in rows:
            data.append(
                [
                    r.student,
                    r.form,
                    r.asset_tag,
                    r.loan_type,
                    r.due_at.strftime("%a %d/%m %H:%M"),
                    str(r.days_overdue),
                ]
            )
        table = Table(
            data,
            colWidths=[55 * mm, 16 * mm, 32 * mm, 16 * mm, 34 * mm, 20 * mm],
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                    ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f2f4f7")],
                    ),
                    ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                ]
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
        title=title,
    )
    doc.build(story)
    return target
