"""A session's missing list as an A4 PDF: "Still to collect, by form" for a pickup or a hand-in
(names grouped by form, a box to tick beside each), "Not found" for a stocktake (tags grouped by
the place they were recorded at). No Qt, no database: it draws the session's status as read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from itertools import groupby
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from helpdesk.services.sessions import MissingItem, SessionInfo

LINE = colors.HexColor("#d9e2ec")
MUTED = colors.HexColor("#616e7c")
NO_GROUP = "(no form)"


def list_title(kind: str) -> str:
    """The printed list's title for a session of ``kind``."""
    if kind == "stocktake":
        return "Not found"
    if kind == "handin":
        return "Still to hand in, by form"
    return "Still to collect, by form"


def _group_name(kind: str, group: str) -> str:
    if group:
        return group
    return "(no place recorded)" if kind == "stocktake" else NO_GROUP


def missing_list_pdf(
    session: SessionInfo,
    missing: Sequence[MissingItem],
    *,
    school_name: str = "",
    printed_at: datetime | None = None,
) -> bytes:
    """The missing list of ``session``: one heading per group (form or place), its names or tags
    under it in the order given, with a count on each heading and in the summary line."""
    when = printed_at or datetime.now().replace(microsecond=0)
    styles = getSampleStyleSheet()
    title_style = styles["Title"]
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=9, textColor=MUTED)
    heading = ParagraphStyle("group", parent=styles["Heading3"], spaceBefore=8, spaceAfter=3)
    cell = ParagraphStyle("cell", parent=styles["Normal"], fontSize=10, leading=12)

    title = list_title(session.kind)
    about = session.name or session.code
    story: list = [Paragraph(escape(title), title_style)]
    lines = [
        f"{escape(about)} ({escape(session.code)})" if session.name else escape(session.code),
        f"{session.done} of {session.expected} done; {len(missing)} still to do",
        f"printed {when:%d/%m/%Y %H:%M}",
    ]
    if school_name:
        lines.insert(0, escape(school_name))
    story.append(Paragraph(" · ".join(lines), small))
    story.append(Spacer(1, 4 * mm))
    if not missing:
        story.append(Paragraph("Nothing is missing: every item on the list is done.", cell))
    ordered = sorted(missing, key=lambda item: (item.group or "~", item.label, item.code))
    for group, items in groupby(ordered, key=lambda item: item.group):
        rows = list(items)
        table = Table(
            [["", Paragraph(escape(r.label or r.code), cell), r.code] for r in rows],
            colWidths=(8 * mm, 110 * mm, 50 * mm),
            repeatRows=0,
        )
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (0, -1), 0.6, colors.black),
                    ("INNERGRID", (0, 0), (0, -1), 0.6, colors.black),
                    ("LINEBELOW", (1, 0), (-1, -1), 0.3, LINE),
                    ("FONTNAME", (2, 0), (2, -1), "Courier"),
                    ("FONTSIZE", (2, 0), (2, -1), 9),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (1, 0), (1, -1), 6),
                ]
            )
        )
        head = Paragraph(f"{escape(_group_name(session.kind, group))} ({len(rows)})", heading)
        story.append(KeepTogether([head, table]) if len(rows) <= 12 else head)
        if len(rows) > 12:
            story.append(table)

    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title}: {about}",
        author=school_name or "Helpdesk",
    )
    document.build(story)
    return out.getvalue()
