"""A bench report as an A4 PDF: title, dates, the bar chart, the table and its summary line (for
the head of ICT or the governors). Wide tables go landscape. No Qt.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

if TYPE_CHECKING:
    from helpdesk.services.reporting.report_tables import Chart, ReportTable

# The same colours as the window: age bands good / warning / bad, otherwise the palette.
AGE_COLOURS = ("#1f8a4c", "#b26b00", "#c62828")
PALETTE = ("#2f6fde", "#f0a202", "#2a9d8f", "#e76f51", "#7b61ff", "#8d99ae", "#43aa8b",
           "#f94144", "#577590", "#f3722c", "#90be6d", "#b5838d", "#264653")  # fmt: skip
ALERT = colors.HexColor("#c62828")
ALERT_BG = colors.HexColor("#fde8e8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return f"{value:,.2f}"
    return str(value)


def _is_number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _chart(spec: Chart, name: str, width: float, height: float) -> Drawing:
    palette = AGE_COLOURS if name == "open-tickets" else PALETTE
    per_row = max(1, int((width - 60) // 90))
    legend_rows = math.ceil(len(spec.series) / per_row) if len(spec.series) > 1 else 0
    many = len(spec.categories) > 8
    drawing = Drawing(width, height)
    drawing.add(String(width / 2, height - 12, spec.title, textAnchor="middle",
                       fontName="Helvetica-Bold", fontSize=10))  # fmt: skip
    chart = VerticalBarChart()
    chart.x = 40
    chart.y = 14 + 10 * legend_rows + (30 if many else 16)
    chart.width, chart.height = width - 60, height - chart.y - 34
    chart.data = [list(s.values) for s in spec.series]
    chart.categoryAxis.categoryNames = list(spec.categories)
    chart.categoryAxis.labels.fontSize = 7 if many else 8
    chart.categoryAxis.labels.angle = 30 if many else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if many else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#d9e2ec")
    if spec.stacked:
        chart.categoryAxis.style = "stacked"
    chart.barSpacing = 1
    chart.groupSpacing = 8
    for n in range(len(spec.series)):
        chart.bars[n].fillColor = colors.HexColor(palette[n % len(palette)])
        chart.bars[n].strokeColor = None
    drawing.add(chart)
    drawing.add(String(chart.x - 30, chart.y + chart.height + 6, spec.unit, fontSize=8))
    if legend_rows:
        legend = Legend()
        legend.x, legend.y = chart.x, 8 + 10 * legend_rows
        legend.dx, legend.dy = 7, 7
        legend.fontSize = 8
        legend.alignment = "right"
        legend.columnMaximum = legend_rows
        legend.deltax = 90
        legend.deltay = 10
        legend.colorNamePairs = [
            (colors.HexColor(palette[n % len(palette)]), s.name) for n, s in enumerate(spec.series)
        ]
        drawing.add(legend)
    return drawing


def _widths(table: ReportTable, texts: list[list[str]], usable: float) -> list[float]:
    """Each column as wide as its longest cell (and its longest heading word), the widest ones
    narrowed (their text wraps) until the table fits the page."""
    natural = []
    for i, heading in enumerate(table.headings):
        longest_word = max((stringWidth(w, "Helvetica-Bold", 8.5) for w in heading.split()),
                           default=0)  # fmt: skip
        cells = max((stringWidth(row[i], "Helvetica", 8.5) for row in texts), default=0)
        natural.append(max(longest_word, cells) + 14)  # cell padding 6 + 6, and a little
    if sum(natural) <= usable:
        return natural
    widths = list(natural)
    flexible = set(range(len(natural)))
    while flexible:
        fixed = sum(widths[i] for i in range(len(widths)) if i not in flexible)
        share = (usable - fixed) / len(flexible)
        narrow = {i for i in flexible if natural[i] <= share}
        if not narrow:  # the wide columns share what is left, in proportion to their text
            total = sum(natural[i] for i in flexible)
            for i in flexible:
                widths[i] = (usable - fixed) * natural[i] / total
            break
        flexible -= narrow  # these keep their natural width
    return widths


CHUNK = 80  # rows per table block: long reports lay out in linear time


def _grid(
    table: ReportTable, usable: float, head_style: ParagraphStyle, cell_style: ParagraphStyle
) -> list[Table]:
    """The rows as table blocks with the headings on each; text wraps only where it must."""
    numeric = [
        all(_is_number(row[i]) or row[i] is None for row in table.rows)
        for i in range(len(table.headings))
    ]
    texts = [[_cell(v) for v in row] for row in table.rows]
    widths = _widths(table, texts, usable)
    fits = [w - 12 for w in widths]

    def cell(text: str, i: int) -> Any:
        if numeric[i] or stringWidth(text, "Helvetica", 8.5) <= fits[i]:
            return text
        return Paragraph(escape(text), cell_style)

    heading = [Paragraph(escape(h), head_style) for h in table.headings]
    blocks = []
    for start in range(0, len(texts), CHUNK):
        part = texts[start : start + CHUNK]
        grid = Table(
            [heading] + [[cell(t, i) for i, t in enumerate(row)] for row in part],
            colWidths=widths,
            repeatRows=1,
            hAlign="LEFT",
        )
        style: list[tuple] = [
            ("FONTSIZE", (0, 1), (-1, -1), 8.5),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f2f4f7")]),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        for i, is_number in enumerate(numeric):
            if is_number:
                style.append(("ALIGN", (i, 1), (i, -1), "RIGHT"))
        column = table.alert_column
        if column is not None:
            for r, row in enumerate(table.rows[start : start + CHUNK], start=1):
                value = row[column]
                if _is_number(value) and value > 0:
                    style += [
                        ("TEXTCOLOR", (column, r), (column, r), ALERT),
                        ("BACKGROUND", (column, r), (column, r), ALERT_BG),
                        ("FONTNAME", (column, r), (column, r), "Helvetica-Bold"),
                    ]
        grid.setStyle(TableStyle(style))
        blocks.append(grid)
    return blocks


def report_pdf(
    table: ReportTable,
    target: str | Path,
    *,
    school_name: str = "",
    printed_at: datetime | None = None,
) -> Path:
    """Write ``table`` (with its chart) to ``target`` as a PDF."""
    target = Path(target)
    printed_at = printed_at or datetime.now()
    wide = len(table.headings) > 6
    page = landscape(A4) if wide else A4
    margin = 14 * mm
    usable = page[0] - 2 * margin
    styles = getSampleStyleSheet()
    cell_style = ParagraphStyle("cell", parent=styles["Normal"], fontSize=8.5, leading=10.5)
    head_style = ParagraphStyle("head", parent=cell_style, fontName="Helvetica-Bold")
    story: list[Any] = [
        Paragraph(
            escape(table.title + (f" — {school_name}" if school_name else "")), styles["Title"]
        ),  # fmt: skip
        Paragraph(
            escape(f"Dates: {table.period} · printed {printed_at:%d/%m/%Y %H:%M}"), styles["Normal"]
        ),  # fmt: skip
        Paragraph(escape(table.summary), styles["Normal"]),
        Spacer(1, 4 * mm),
    ]
    if table.chart.categories and table.chart.series:
        story += [_chart(table.chart, table.name, usable, 75 * mm), Spacer(1, 4 * mm)]
    if table.rows:
        story += _grid(table, usable, head_style, cell_style)
    doc = SimpleDocTemplate(
        str(target),
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=table.title,
    )
    doc.build(story)
    return target
