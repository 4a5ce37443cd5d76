"""Per-printer X/Y offsets and the alignment test page that measures them.

Label sheets and printers disagree by about a millimetre. The test page is printed on plain
paper and held against a sheet of labels in front of a light: each cross should sit at the centre
of its label. The offset is how far to move the print to bring the crosses there: right (X) and
down (Y), negative for left and up (crosses 1 mm right of the centres need X = -1). It is entered
with ``helpdesk labels --calibrate --printer NAME --offset X Y`` and applied to every later print
to that printer. Offsets are kept in ``<data dir>/labels/offsets.json``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from helpdesk.labels.asset_labels import MM, Offset, draw_outline
from helpdesk.labels.errors import invalid
from helpdesk.labels.templates import LabelTemplate
from helpdesk.logs import data_dir

MAX_OFFSET_MM = 10.0
PDF_TARGET = "(PDF file)"
NO_OFFSET = Offset()


def offsets_path() -> Path:
    return data_dir() / "labels" / "offsets.json"


def _load() -> dict[str, dict[str, float]]:
    path = offsets_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a damaged file means no corrections, never a failed print
    return data if isinstance(data, dict) else {}


def get_offset(printer: str | None) -> Offset:
    """The correction for ``printer`` (none for a PDF file or an unknown printer)."""
    entry = _load().get(printer or PDF_TARGET)
    if not isinstance(entry, dict):
        return Offset()
    try:
        return Offset(float(entry.get("x_mm", 0.0)), float(entry.get("y_mm", 0.0)))
    except (TypeError, ValueError):
        return Offset()


def set_offset(printer: str, x_mm: float, y_mm: float) -> Offset:
    if not printer.strip():
        raise invalid("Give the printer's name to keep its offset for.")
    for value in (x_mm, y_mm):
        if not -MAX_OFFSET_MM <= value <= MAX_OFFSET_MM:
            raise invalid(
                f"An offset of {value:g} mm is more than a label's misalignment; offsets go up to "
                f"{MAX_OFFSET_MM:g} mm. Check the printer's paper size and scaling instead."
            )
    data = _load()
    data[printer] = {"x_mm": round(x_mm, 2), "y_mm": round(y_mm, 2)}
    path = offsets_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
    return Offset(x_mm, y_mm)


def alignment_page(template: LabelTemplate, offset: Offset = NO_OFFSET, printer: str = "") -> bytes:
    """One page of the stock with every label's outline, a cross at each label's centre and a
    100 mm scale, drawn with ``offset`` applied (so a second test page shows the correction)."""
    buffer = io.BytesIO()
    w, h = template.page_width, template.page_height
    canvas = Canvas(buffer, pagesize=(w * MM, h * MM), invariant=1)
    canvas.setTitle(f"Alignment test page for {template.name}")
    canvas.setCreator("Helpdesk")
    canvas.saveState()
    canvas.translate(offset.x * MM, -offset.y * MM)
    arm = min(template.label_width, template.label_height) * 0.3
    for position in range(template.per_page):
        cell = template.cell(position)
        draw_outline(canvas, template, cell)
        cx, cy = cell.x + cell.width / 2, h - (cell.y + cell.height / 2)
        canvas.setLineWidth(0.3)
        canvas.line((cx - arm) * MM, cy * MM, (cx + arm) * MM, cy * MM)
        canvas.line(cx * MM, (cy - arm) * MM, cx * MM, (cy + arm) * MM)
    canvas.restoreState()
    size = 1.8 if template.kind == "sheet" else 1.5
    canvas.setFont("Helvetica", size * MM)
    lines = [
        f"Alignment test: {template.id}"
        + (f" on {printer}" if printer else "")
        + f"; offset now X {offset.x:+.1f} mm, Y {offset.y:+.1f} mm",
    ]
    if template.kind == "sheet":
        lines.append(
            "Hold against a label sheet; measure how far the crosses sit right (X) and below (Y) "
            "the label centres: helpdesk labels --calibrate --printer NAME --offset X Y"
        )
        x, y = max(template.unprintable.left, 5.0), h - template.unprintable.top - size
    else:
        x, y = template.unprintable.left + 0.5, template.unprintable.bottom + 0.5 + size
    for line in lines:
        canvas.drawString(x * MM, y * MM, line)
        y -= size * 1.25
    if template.kind == "sheet":  # a scale to check the printer does not shrink the page
        sx, sy = max(template.unprintable.left, 10), template.unprintable.bottom + 3
        length = min(100.0, w - 2 * sx)
        canvas.setLineWidth(0.4)
        canvas.line(sx * MM, sy * MM, (sx + length) * MM, sy * MM)
        for tick in range(0, int(length) + 1, 10):
            canvas.line((sx + tick) * MM, sy * MM, (sx + tick) * MM, (sy + 2) * MM)
        canvas.drawString((sx + length + 2) * MM, sy * MM, f"{length:g} mm")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
