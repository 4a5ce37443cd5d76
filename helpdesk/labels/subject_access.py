"""A subject access request's answer as one zip file: a CSV file per kind of record (every column
held, by its name in the database), the photos as image files under ``photos/``, and
``summary.pdf``: the student, then a section per kind with its count and its rows, in the house
style of the report PDFs. No Qt and no database: it is handed the records."""

from __future__ import annotations

import csv
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

if TYPE_CHECKING:
    from helpdesk.services.care.subject_access import Section, SubjectAccess

# in the PDF, columns a reader needs no help with are left to the CSV files
PDF_LEAVES_OUT = {"id", "student_id", "before", "after"}
PDF_CELL = 60  # characters of a long cell shown in the PDF (the CSV has it all)


def csv_bytes(section: Section) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
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


def _pdf_table(section: Section) -> _Table:
    keep = [i for i, c in enumerate(section.columns) if c not in PDF_LEAVES_OUT]
    if section.name == "audit":  # what changed, readable, instead of the JSON
        keep = [i for i, c in enumerate(section.columns) if c not in {"id", "entity_id"}]
    headings = tuple(section.columns[i].replace("_", " ") for i in keep)
    rows = [tuple(_short(row[i]) for i in keep) for row in section.rows]
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
