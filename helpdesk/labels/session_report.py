"""A session's report as an A4 PDF (``helpdesk session report SES -o FILE.pdf``), drawn from its
status as read (``session_status``). A stocktake's report has its four groups, each with its
count: found here, belongs elsewhere (where it is recorded and who has it), missing and unknown
tags. A pickup's or a hand-in's report has done / expected by form, then who is still to come by
form, then what was unexpected or refused. No Qt, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from helpdesk.services.sessions import MissingItem, ScanLine, SessionStatus

HEAD_BG = colors.HexColor("#e9eef5")
LINE = colors.HexColor("#d9e2ec")
MUTED = colors.HexColor("#616e7c")
WIDTH = 174 * mm  # A4 less the margins
TITLES = {"pickup": "Pickup report", "handin": "Hand-in report", "stocktake": "Stocktake report"}

_styles = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=_styles["Normal"], fontSize=9, textColor=MUTED)
HEADING = ParagraphStyle("group", parent=_styles["Heading2"], spaceBefore=10, spaceAfter=4)
CELL = ParagraphStyle("cell", parent=_styles["Normal"], fontSize=9, leading=11)
NONE = ParagraphStyle("none", parent=CELL, textColor=MUTED)


def _table(header: Sequence[str], rows: list[list[str]], widths: Sequence[float]) -> Table:
    body = [[Paragraph(escape(text), CELL) for text in row] for row in rows]
    table = Table([list(header), *body], colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, 0), 9),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _section(title: str, count: int, table: Table | None, empty: str) -> list[Flowable]:
    head = Paragraph(f"{escape(title)} ({count})", HEADING)
    if not count or table is None:
        return [head, Paragraph(escape(empty), NONE)]
    return [head, table]


def _where(line: ScanLine) -> str:
    """Where a device scanned here is recorded and who has it, from the scan's sentence
    ("LAP-0104 belongs elsewhere: recorded at Cupboard, in stock.")."""
    _tag, sep, rest = line.sentence.partition(": ")
    return (rest if sep else line.sentence).rstrip(".")


def _at(line: ScanLine) -> str:
    return f"{line.at:%d/%m %H:%M}"


def _items(items: Sequence[MissingItem], group_title: str) -> Table:
    return _table(
        ("Code", "What", group_title),
        [[i.code, i.label, i.group or "-"] for i in items],
        (40 * mm, 90 * mm, 44 * mm),
    )


def _tags_grid(codes: Sequence[str], columns: int = 5) -> Table:
    """Tags across then down, in plain text: a long found-here list stays a few pages."""
    rows = [list(codes[i : i + columns]) for i in range(0, len(codes), columns)]
    rows[-1] += [""] * (columns - len(rows[-1]))
    table = Table(rows, colWidths=[WIDTH / columns] * columns)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Courier"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, LINE),
            ]
        )
    )
    return table


def _stocktake(status: SessionStatus) -> list[Flowable]:
    story: list[Flowable] = []
    found = _tags_grid([i.code for i in status.found]) if status.found else None
    story += _section("Found here", len(status.found), found,
                      "Nothing on the list was found here.")  # fmt: skip
    elsewhere = _table(
        ("Tag", "Recorded at, and who has it", "Scanned"),
        [[s.code, _where(s), f"{_at(s)} {s.station or ''}".strip()] for s in status.elsewhere],
        (34 * mm, 100 * mm, 40 * mm),
    )
    story += _section("Belongs elsewhere", len(status.elsewhere), elsewhere,
                      "Nothing from another place was scanned here.")  # fmt: skip
    story += _section("Missing", len(status.missing), _items(status.missing, "Recorded at"),
                      "Everything on the list was found.")  # fmt: skip
    unknown = _table(
        ("Tag", "Scanned", "Station"),
        [[s.code, _at(s), s.station or ""] for s in status.unknown],
        (60 * mm, 40 * mm, 74 * mm),
    )
    story += _section("Unknown tags", len(status.unknown), unknown,
                      "Every tag scanned belongs to a device.")  # fmt: skip
    return story


def _by_form(status: SessionStatus) -> list[Flowable]:
    story: list[Flowable] = []
    groups = _table(
        ("Form", "Expected", "Done", "Missing"),
        [[g.group or "(no form)", str(g.expected), str(g.done), str(g.expected - g.done)]
         for g in status.groups],
        (70 * mm, 34 * mm, 34 * mm, 36 * mm),
    )  # fmt: skip
    story += _section("Done and missing by form", len(status.groups), groups, "No forms.")
    missing = _items(status.missing, "Form")
    story += _section("Missing", len(status.missing), missing, "Nobody is missing.")
    for title, lines in (("Unexpected", status.unexpected), ("Problems", status.problems)):
        if lines:
            table = _table(
                ("Code", "What the station said", "Scanned"),
                [[s.code, s.sentence, f"{_at(s)} {s.station or ''}".strip()] for s in lines],
                (34 * mm, 100 * mm, 40 * mm),
            )
            story += _section(title, len(lines), table, "")
    return story


def session_report_pdf(
    status: SessionStatus, *, school_name: str = "", printed_at: datetime | None = None
) -> bytes:
    """The report of the session whose status is ``status`` (see the module's docstring)."""
    info = status.session
    when = printed_at or datetime.now().replace(microsecond=0)
    title = TITLES.get(info.kind, "Session report")
    state = "open" if info.closed_at is None else f"closed {info.closed_at:%d/%m/%Y %H:%M}"
    about = [
        f"{escape(info.name)} ({escape(info.code)})",
        f"started {info.started_at:%d/%m/%Y %H:%M}"
        + (f" by {escape(info.started_by)}" if info.started_by else ""),
        state,
        f"printed {when:%d/%m/%Y %H:%M}",
    ]
    if school_name:
        about.insert(0, escape(school_name))
    if info.kind == "stocktake":
        summary = (
            f"{len(status.found)} found here, {len(status.elsewhere)} belong elsewhere, "
            f"{len(status.missing)} missing, {len(status.unknown)} unknown tags "
            f"({info.expected} expected"
            + (f" at {escape(info.location)})" if info.location else ")")
        )
    else:
        summary = f"{info.done} of {info.expected} done, {len(status.missing)} missing"
    story: list[Flowable] = [
        Paragraph(escape(title), _styles["Title"]),
        Paragraph(" · ".join(about), SMALL),
        Spacer(1, 2 * mm),
        Paragraph(summary, ParagraphStyle("summary", parent=CELL, fontSize=11, leading=14)),
    ]
    story += _stocktake(status) if info.kind == "stocktake" else _by_form(status)
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{title}: {info.name or info.code}",
        author=school_name or "Helpdesk",
    )
    document.build(story)
    return out.getvalue()
