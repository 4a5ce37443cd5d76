"""Loan slips, repair receipts and hand-over agreements as PDF.

A slip is a list of blocks (heading, fields, barcode, terms, signature lines) drawn into a box:
half an A4 page (two copies to a sheet: the student's above, the school's below, with a cut line)
or an 80 mm receipt roll, whose page is as long as the slip. The barcode is the loan's
(``LOAN-000123``) or the ticket's (``TKT-000045``), so the return or the collection is scanned
off the paper. Terms come from the school's settings, or the shipped text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from helpdesk.domain.errors import ValidationError
from helpdesk.labels import symbols
from helpdesk.labels.fonts import fonts_for
from helpdesk.labels.symbols import MM
from helpdesk.resource_files import resource
from helpdesk.services.reporting.slip_data import HandoverData, LoanSlipData, RepairReceiptData

FORMATS = ("half-a4", "receipt-80mm")
ROLL_WIDTH_MM = 80.0
ROLL_PRINT_WIDTH_MM = 72.0  # an 80 mm receipt printer prints 72 mm (576 dots at 203 dpi)
ROLL_DPI = 203
HALF_A4_MARGIN_MM = 10.0


def default_terms(kind: str) -> str:
    """The shipped terms for ``kind`` ('loan', 'handover', 'repair')."""
    return resource("terms", f"{kind}.txt").read_text(encoding="utf-8").strip()


@dataclass(frozen=True)
class Block:
    kind: str  # heading, subheading, fields, barcode, text, signatures, gap
    text: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    names: tuple[str, ...] = ()
    strong: bool = False


@dataclass(frozen=True)
class _Style:
    width: float  # mm
    scale: float
    columns: int
    dpi: int | None
    regular: str
    bold: str


def _when(at: datetime) -> str:
    return at.strftime("%a %d %b %Y, %H:%M")


def _money(pence: int | None) -> str:
    return "to be confirmed" if pence is None else f"£{pence / 100:,.2f}"


# --- contents -----------------------------------------------------------------------------------


def loan_slip_blocks(slip: LoanSlipData) -> list[Block]:
    terms = slip.terms or default_terms("loan")
    return [
        Block("heading", slip.school_name or "ICT support"),
        Block("subheading", f"Loan slip: {slip.loan_type} loan"),
        Block("barcode", slip.code),
        Block(
            "fields",
            fields=(
                ("Student", slip.student),
                ("Form", f"{slip.form} (year {slip.year_group})"),
                ("Device", slip.asset_tag),
                ("Model", slip.model or "-"),
                ("Serial", slip.serial),
                ("Accessories", slip.accessories or "none"),
                ("Condition", slip.condition),
                ("Loan type", slip.loan_type),
                ("Issued", f"{_when(slip.issued_at)} by {slip.issued_by}"),
                ("Due back", _when(slip.due_at)),
            ),
        ),
        Block("text", terms),
        Block("signatures", names=("Student's signature", "Date")),
    ]


# A loan laptop returned damaged is repaired and goes back to the loan pool: the student never
# collects it, so the repair terms (which speak of collecting the laptop) do not apply.
LOANER_TERMS = (
    "This is one of the school's loan laptops, handed back damaged. After the repair it goes "
    "back to the loan laptops; the student does not collect it.\n"
    "Keep this receipt: it records the damage reported and any charge for it.\n"
    "The charge shown is a quote; it is confirmed once the laptop has been diagnosed."
)


def repair_receipt_blocks(receipt: RepairReceiptData) -> list[Block]:
    terms = LOANER_TERMS if receipt.loaner else (receipt.terms or default_terms("repair"))
    charge = _money(receipt.charge_pence)
    if receipt.charge_pence is not None:
        charge += f" ({receipt.charge_basis})"
    student = receipt.student + (f", {receipt.form}" if receipt.form else "")
    return [
        Block("heading", receipt.school_name or "ICT support"),
        Block("subheading", "Repair receipt: loan laptop" if receipt.loaner else "Repair receipt"),
        Block("barcode", receipt.code),
        Block(
            "fields",
            fields=(
                ("Student", student or "-"),
                ("Device", receipt.asset_tag),
                ("Model", receipt.model or "-"),
                ("Serial", receipt.serial),
                ("Damage", receipt.damage),
                ("Fault", receipt.fault or "-"),
                ("In its case", "yes" if receipt.in_case else "no"),
                ("Booked in", f"{_when(receipt.opened_at)} by {receipt.opened_by}"),
                ("Cover", receipt.cover),
                ("Charge quoted", charge),
            ),
        ),
        Block("text", terms),
        Block("signatures", names=("Signature", "Date")),
    ]


def handover_blocks(item: HandoverData) -> list[Block]:
    terms = item.terms or default_terms("handover")
    return [
        Block("heading", item.school_name or "ICT support"),
        Block("subheading", "Laptop hand-over agreement"),
        Block("barcode", item.asset_tag),
        Block(
            "fields",
            fields=(
                ("Student", item.student),
                ("Form", f"{item.form} (year {item.year_group})"),
                ("Student card", item.card_code),
                ("Device", item.asset_tag),
                ("Model", item.model or "-"),
                ("Serial", item.serial),
            ),
        ),
        Block("text", terms),
        Block("signatures", names=("Student", "Parent or carer", "Staff")),
    ]


# --- drawing ------------------------------------------------------------------------------------


def _all_text(blocks: Sequence[Block]) -> list[str]:
    out = []
    for b in blocks:
        out.append(b.text)
        out.extend(v for pair in b.fields for v in pair)
        out.extend(b.names)
    return out


def _flow(
    canvas: Canvas | None, blocks: Sequence[Block], x: float, top: float, st: _Style
) -> float:
    """Draw (or with ``canvas`` None, measure) ``blocks``; returns the height used in mm."""
    s = st.scale
    y = top
    for block in blocks:
        if block.kind in ("heading", "subheading"):
            size = (13 if block.kind == "heading" else 11) * s
            font = st.bold if block.kind == "heading" else st.regular
            if canvas:
                canvas.setFont(font, size)
                canvas.drawString(x * MM, (y - size * 0.8 / MM) * MM, block.text)
            y -= size * 1.3 / MM
        elif block.kind == "barcode":
            y -= _barcode(canvas, block.text, x, y, st)
        elif block.kind == "fields":
            y -= 1.5 * s
            y -= _fields(canvas, block.fields, x, y, st)
        elif block.kind == "text":
            size = 7.5 * s
            y -= 2.0 * s
            for paragraph in block.text.splitlines() or [""]:
                for line in simpleSplit(paragraph, st.regular, size, st.width * MM) or [""]:
                    if canvas:
                        canvas.setFont(st.regular, size)
                        canvas.drawString(x * MM, (y - size / MM) * MM, line)
                    y -= size * 1.22 / MM
        elif block.kind == "signatures":
            y -= _signatures(canvas, block.names, x, y, st)
    return top - y


def _barcode(canvas: Canvas | None, code: str, x: float, top: float, st: _Style) -> float:
    linear = symbols.code128(code)
    module = symbols.snap_module(
        st.width / (linear.modules + 2 * symbols.CODE128_QUIET), st.dpi, maximum=0.4
    )
    if module < symbols.MIN_MODULE_MM:
        raise ValidationError(f"The code {code} is too long to print on this slip.")
    height = 10.0 * st.scale
    size = 8 * st.scale
    if canvas:
        left = x + symbols.CODE128_QUIET * module
        if st.dpi:
            dot = 25.4 / st.dpi
            left = round(left / dot) * dot
        symbols.draw_linear(canvas, linear, left, top - 1 - height, module, height)
        canvas.setFont(st.bold, size)
        canvas.drawCentredString(
            (left + linear.modules * module / 2) * MM,
            (top - 1 - height - size * 1.05 / MM) * MM,
            code,
        )
    return 1 + height + size * 1.3 / MM


def _fields(
    canvas: Canvas | None, fields: Sequence[tuple[str, str]], x: float, top: float, st: _Style
) -> float:
    size = 9 * st.scale
    line = size * 1.25 / MM
    column_w = st.width / st.columns
    label_w = max(stringWidth(k, st.regular, size * 0.9) for k, _ in fields) / MM + 2
    value_w = column_w - label_w - 2
    rows = -(-len(fields) // st.columns)
    heights = []
    for row in range(rows):
        tallest = 1
        for col in range(st.columns):
            i = col * rows + row
            if i < len(fields):
                lines = simpleSplit(fields[i][1], st.bold, size, value_w * MM) or [""]
                tallest = max(tallest, len(lines))
        heights.append(tallest * line)
    if canvas:
        y = top
        for row in range(rows):
            for col in range(st.columns):
                i = col * rows + row
                if i >= len(fields):
                    continue
                key, value = fields[i]
                cx = x + col * column_w
                canvas.setFont(st.regular, size * 0.9)
                canvas.drawString(cx * MM, (y - size / MM) * MM, key)
                canvas.setFont(st.bold, size)
                ly = y
                for text in simpleSplit(value, st.bold, size, value_w * MM) or [""]:
                    canvas.drawString((cx + label_w) * MM, (ly - size / MM) * MM, text)
                    ly -= line
            y -= heights[row]
    return sum(heights)


def _signatures(
    canvas: Canvas | None, names: Sequence[str], x: float, top: float, st: _Style
) -> float:
    gap = 4.0
    width = (st.width - gap * (len(names) - 1)) / len(names)
    space = 11.0 * st.scale
    size = 7.5 * st.scale
    if canvas:
        canvas.setLineWidth(0.5)
        for i, name in enumerate(names):
            lx = x + i * (width + gap)
            canvas.line(lx * MM, (top - space) * MM, (lx + width) * MM, (top - space) * MM)
            canvas.setFont(st.regular, size)
            canvas.drawString(lx * MM, (top - space - size * 1.2 / MM) * MM, name)
    return space + size * 1.5 / MM


def _style(
    blocks: Sequence[Block], width: float, scale: float, columns: int, dpi: int | None
) -> _Style:
    regular, bold = fonts_for(_all_text(blocks))
    return _Style(width, scale, columns, dpi, regular, bold)


def _half_a4(documents: Sequence[list[Block]], copies: Sequence[str], title: str) -> bytes:
    """Each document on its own A4 sheet, once per name in ``copies`` (one per half page)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("Helpdesk")
    page_w, page_h = A4[0] / MM, A4[1] / MM
    half = page_h / 2
    width = page_w - 2 * HALF_A4_MARGIN_MM
    room = half - 2 * 8.0
    for blocks in documents:
        scale = 1.0
        style = _style(blocks, width, scale, 2, None)
        while _flow(None, blocks, 0, 0, style) > room - 4:
            scale -= 0.05
            if scale < 0.6:
                raise ValidationError(
                    "The terms are too long for half an A4 page; shorten them in the settings "
                    "or print on the receipt roll."
                )
            style = _style(blocks, width, scale, 2, None)
        for i, copy in enumerate(copies):
            top = page_h - 8.0 - i * half
            _flow(canvas, blocks, HALF_A4_MARGIN_MM, top, style)
            if copy:
                canvas.setFont(style.regular, 7)
                canvas.drawRightString((page_w - HALF_A4_MARGIN_MM) * MM, (top - 3) * MM, copy)
        if len(copies) > 1:
            canvas.setDash(3, 3)
            canvas.setLineWidth(0.3)
            canvas.line(5 * MM, half * MM, (page_w - 5) * MM, half * MM)
            canvas.setDash()
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _roll(documents: Sequence[list[Block]], title: str) -> bytes:
    """Each document as one page of an 80 mm roll, as long as its contents."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(ROLL_WIDTH_MM * MM, 100 * MM), invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("Helpdesk")
    margin = (ROLL_WIDTH_MM - ROLL_PRINT_WIDTH_MM) / 2
    for blocks in documents:
        style = _style(blocks, ROLL_PRINT_WIDTH_MM, 0.85, 1, ROLL_DPI)
        height = _flow(None, blocks, 0, 0, style) + 10
        canvas.setPageSize((ROLL_WIDTH_MM * MM, height * MM))
        _flow(canvas, blocks, margin, height - 4, style)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _render(documents: Sequence[list[Block]], fmt: str, copies: Sequence[str], title: str) -> bytes:
    if fmt not in FORMATS:
        raise ValidationError(f"'{fmt}' is not a slip format; choose {' or '.join(FORMATS)}.")
    if not documents:
        raise ValidationError("There is nothing to print.")
    if fmt == "receipt-80mm":
        return _roll(documents, title)
    return _half_a4(documents, copies, title)


def loan_slip_pdf(slip: LoanSlipData, fmt: str = "half-a4") -> bytes:
    """The loan slip: on A4, the student's copy above and the school's copy below the cut."""
    return _render(
        [loan_slip_blocks(slip)], fmt, ("Student's copy", "School's copy"), f"Loan slip {slip.code}"
    )


def repair_receipt_pdf(receipt: RepairReceiptData, fmt: str = "half-a4") -> bytes:
    return _render(
        [repair_receipt_blocks(receipt)],
        fmt,
        ("Student's copy", "School's copy"),
        f"Repair receipt {receipt.code}",
    )


def handover_pdf(items: Sequence[HandoverData], fmt: str = "half-a4") -> bytes:
    """Hand-over agreements for pickup day, one sheet per student: the copy the family keeps
    above, the signed copy the school keeps below."""
    return _render(
        [handover_blocks(item) for item in items],
        fmt,
        ("Family's copy", "School's copy"),
        "Laptop hand-over agreements",
    )


@dataclass(frozen=True)
class HandinReceiptData:
    """What the hand-in receipt shows: the laptop handed back, by whom, in what state."""

    school_name: str
    student: str
    form: str
    card_code: str
    asset_tag: str
    serial: str
    model: str
    condition: str  # good / fair / damaged
    missing: tuple[str, ...]  # accessories not handed back
    at: datetime
    session_code: str
    ticket_code: str = ""  # damaged: the bench ticket it went to


def handin_receipt_blocks(item: HandinReceiptData) -> list[Block]:
    back = "everything" if not item.missing else "not: " + ", ".join(item.missing)
    fields = [
        ("Student", f"{item.student} ({item.form})" if item.form else item.student),
        ("Student card", item.card_code or "-"),
        ("Device", item.asset_tag),
        ("Model", item.model or "-"),
        ("Serial", item.serial or "-"),
        ("Condition", item.condition),
        ("Accessories back", back),
        ("Handed in", _when(item.at)),
        ("Session", item.session_code),
    ]
    if item.ticket_code:
        fields.append(("Repair ticket", item.ticket_code))
    return [
        Block("heading", item.school_name or "ICT support"),
        Block("subheading", "Laptop hand-in receipt"),
        Block("barcode", item.asset_tag),
        Block("fields", fields=tuple(fields)),
        Block(
            "text",
            "The allocation of this laptop has ended. Keep this receipt: it shows the laptop "
            "and what came back with it.",
        ),
        Block("signatures", names=("Student", "Staff")),
    ]


def handin_receipt_pdf(item: HandinReceiptData, fmt: str = "half-a4") -> bytes:
    """The hand-in receipt: the student's copy above, the school's copy below the cut."""
    return _render(
        [handin_receipt_blocks(item)],
        fmt,
        ("Student's copy", "School's copy"),
        f"Hand-in receipt {item.asset_tag}",
    )
