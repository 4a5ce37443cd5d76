"""A subject access request's answer as one zip file: a CSV file per kind of record (every column
held, by its name in the database), the photos as image files under ``photos/``, and
``summary.pdf``: the student, then a section per kind with its count and its rows, in the house
style of the report PDFs. No Qt and no database: it is handed the records."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from helpdesk.labels.report_pdf import _grid
from helpdesk.services.csv.cells import SafeWriter

if TYPE_CHECKING:
    from helpdesk.services.care.subject_access import Section, SubjectAccess

# the columns the PDF shows of each kind, in order (the CSV files have every column)
PDF_COLUMNS = {
    "student": ("card_code", "first_name", "last_name", "year_group", "form", "status", "left_on"),
    "cover_periods": ("scheme", "starts_on", "ends_on", "status", "claims_allowed"),
    "allocations": ("asset_tag", "serial", "started_at", "ended_at"),
    "loans": ("slip", "asset_tag", "loan_type", "issued_at", "due_at", "returned_at",
              "condition_in", "accessories_missing", "notes"),
    "tickets": ("receipt", "asset_tag", "damage_category", "fault", "diagnosis", "state",
                "opened_at", "closed_at"),
    "ticket_parts": ("ticket_id", "description", "quantity", "unit_cost_pence"),
    "photos": ("file", "caption", "taken_at"),
    "claims": ("ticket_id", "incident_type", "occurred_on", "reported_on", "claim_number",
               "crime_reference", "rule"),
    "charges": ("ticket_id", "charge_pence", "charge_status", "paid_pence", "waiver_reason"),
    "payments": ("claim_id", "amount_pence", "method", "receipt_number", "taken_at",
                 "reversed_at", "reversal_reason"),
    "audit": ("at", "staff", "action", "entity", "entity_id", "before", "after", "station"),
}  # fmt: skip
PDF_CELL = 90  # characters of a long cell shown in the PDF (the CSV has it all)


def csv_bytes(section: Section) -> bytes:
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    writer.writerow(section.columns)
    writer.writerows(section.rows)
    return out.getvalue().encode("utf-8-sig")


class _Table:
    """What report_pdf's grid needs of a table: headings, rows and no alert column."""

    alert_column = None

    def __init__(self, headings: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
        self.headings = headings
        self.rows = rows


def _short(text: str) -> str:
    return text if len(text) <= PDF_CELL else text[: PDF_CELL - 1] + "…"


def _pdf_cell(column: str, value: str) -> str:
    if column.endswith("_pence") and value.lstrip("-").isdigit():
        return f"£{int(value) / 100:,.2f}"
    return _short(value)


def _heading(column: str) -> str:
    return column.removesuffix("_pence").replace("_", " ").capitalize()


def _pdf_table(section: Section) -> _Table:
    wanted = PDF_COLUMNS.get(section.name, section.columns)
    keep = [section.columns.index(c) for c in wanted if c in section.columns]
    headings = tuple(_heading(section.columns[i]) for i in keep)
    rows = [tuple(_pdf_cell(section.columns[i], row[i]) for i in keep) for row in section.rows]
    return _Table(headings, rows)


def summary_pdf(answer: SubjectAccess, target: Path | io.BytesIO) -> None:
    styles = getSampleStyleSheet()
    cell_style = ParagraphStyle("cell", parent=styles["Normal"], fontSize=7.5, leading=9.5)
    head_style = ParagraphStyle("head", parent=cell_style, fontName="Helvetica-Bold")
    page = landscape(A4)
    margin = 12 * mm
    usable = page[0] - 2 * margin
    story: list[Any] = [
        Paragraph(escape(f"Subject access: {answer.student_name}"), styles["Title"]),
        Paragraph(
            escape(
                f"Card {answer.card_code} · form {answer.form} · made "
                f"{answer.made_at:%d/%m/%Y %H:%M} by {answer.made_by}"
            ),
            styles["Normal"],
        ),
        Paragraph(
            escape(
                "Everything the ICT support desk holds about this student. The CSV files beside "
                "this summary hold every column in full; the photos are in the photos folder."
            ),
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    for section in answer.sections:
        count = len(section.rows)
        story.append(
            Paragraph(
                escape(f"{section.title}: {count} row{'' if count == 1 else 's'}"),
                styles["Heading2"],
            )  # fmt: skip
        )
        if section.rows:
            story += _grid(_pdf_table(section), usable, head_style, cell_style)  # type: ignore[arg-type]
        else:
            story.append(Paragraph("None held.", styles["Normal"]))
        story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(escape(f"Photos: {len(answer.photos)} image files"), styles["Heading2"]))
    doc = SimpleDocTemplate(
        target if isinstance(target, io.BytesIO) else str(target),
        pagesize=page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"Subject access: {answer.student_name}",
    )
    doc.build(story)


def write_subject_access(answer: SubjectAccess, target: Path) -> Path:
    """The zip at ``target``, written beside it first and put in place only when complete."""
    pdf = io.BytesIO()
    summary_pdf(answer, pdf)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for section in answer.sections:
                archive.writestr(f"{section.name}.csv", csv_bytes(section))
            for photo in answer.photos:
                archive.writestr(f"photos/{photo.name}", photo.data)
            archive.writestr("summary.pdf", pdf.getvalue())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target
