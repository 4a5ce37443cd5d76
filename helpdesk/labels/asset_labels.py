"""Asset labels: layout on a template's cells and rendering to PDF with vector barcodes.

A label reads: the header ("Property of ..."), the asset tag as Code 128 with the tag in text
under it, optionally a QR or Data Matrix beside it (or instead of it, for small stock), and the
model and serial when there is room. Labels taller than wide (roll stock fed lengthwise) are
laid out along their length.

Every label of a batch is laid out before anything is drawn, so a tag that does not fit
legibly stops the batch with a message that suggests what would work.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from helpdesk.labels import symbols
from helpdesk.labels.errors import code_too_long, code_too_long_class, invalid, is_expected
from helpdesk.labels.fonts import fonts_for
from helpdesk.labels.symbols import MIN_MODULE_MM, MM
from helpdesk.labels.templates import LabelTemplate, Rect

SYMBOLOGIES = ("code128", "code128+qr", "code128+datamatrix", "qr", "datamatrix")
EDGE_MM = 0.5  # white kept at every label edge: die cuts wander by about this much
MAX_MODULE_MM = 0.5  # wider bars only make the code longer, not easier to scan
MIN_BAR_HEIGHT_MM = 5.0
MAX_BAR_HEIGHT_MM = 15.0
GAP_MM = 0.35
FONT = "Helvetica"
BOLD = "Helvetica-Bold"


@dataclass(frozen=True)
class AssetLabel:
    tag: str
    model: str = ""
    serial: str = ""


@dataclass(frozen=True)
class LabelDesign:
    header: str = ""
    symbology: str = "code128"
    show_model: bool = True
    show_serial: bool = True
    font: str = ""  # the regular font; "" = one that holds every letter of the batch


@dataclass(frozen=True)
class Offset:
    """A printer's misalignment correction in mm: positive x moves right, positive y down."""

    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Placement:
    """Where one label went: page (0-based), position on that page (0-based), its cell on the
    page as the template puts it, and the module width of its barcode."""

    tag: str
    page: int
    position: int
    cell: Rect
    module: float
    symbology: str


@dataclass(frozen=True)
class LabelSheets:
    pdf: bytes
    pages: int
    placements: tuple[Placement, ...]


@dataclass(frozen=True)
class _Frame:
    """A label in its reading orientation: width along the text, height across it (mm)."""

    rotated: bool
    width: float
    height: float
    content: Rect  # u (from the left), v (from the BOTTOM), width, height in reading orientation


@dataclass(frozen=True)
class _Text:
    text: str
    font: str
    size: float  # points
    u: float  # centre (or left when ``left``) in mm
    v: float  # baseline in mm
    left: bool = False


@dataclass(frozen=True)
class _Layout:
    tag: str
    module: float
    texts: tuple[_Text, ...]
    linear: tuple[float, float, float] | None  # u, v, bar height
    matrix: tuple[float, float, float] | None  # u, v (bottom left, no quiet zone), module
    matrix_kind: str


def frame_of(template: LabelTemplate, cell: Rect) -> _Frame:
    """The label's reading frame; its content box is the label less the markup margin and the
    printer's unprintable margins."""
    m = template.markup_margin
    inner = cell.inset(m)
    area = template.printable_area()
    x0, y0 = max(inner.x, area.x), max(inner.y, area.y)
    x1 = min(inner.x + inner.width, area.x + area.width)
    y1 = min(inner.y + inner.height, area.y + area.height)
    rotated = template.label_height > template.label_width * 1.05
    if not rotated:
        content = Rect(x0 - cell.x, cell.y + cell.height - y1, x1 - x0, y1 - y0)
        return _Frame(False, cell.width, cell.height, content)
    content = Rect(cell.y + cell.height - y1, cell.x + cell.width - x1, y1 - y0, x1 - x0)
    return _Frame(True, cell.height, cell.width, content)


@lru_cache(maxsize=8192)
def _width(text: str, font: str, size: float) -> float:
    """The width of ``text`` in mm."""
    return stringWidth(text, font, size) / MM


@lru_cache(maxsize=1024)
def _fit_font(text: str, font: str, size: float, width_mm: float, minimum: float) -> float:
    width = _width(text, font, size)
    if width <= width_mm:
        return size
    return max(minimum, size * width_mm / width)


@lru_cache(maxsize=1024)
def _clip(text: str, font: str, size: float, width_mm: float) -> str:
    if _width(text, font, size) <= width_mm + 1e-6:
        return text
    while text and _width(text + "…", font, size) > width_mm:
        text = text[:-1]
    return text.rstrip() + "…"


def _details(label: AssetLabel, design: LabelDesign) -> str:
    parts = []
    if design.show_model and label.model:
        parts.append(label.model)
    if design.show_serial and label.serial:
        parts.append(f"S/N {label.serial}")
    return "  ·  ".join(parts)


def layout_label(
    template: LabelTemplate, frame: _Frame, label: AssetLabel, design: LabelDesign
) -> _Layout:
    """Where everything goes on one label; :func:`~helpdesk.labels.errors.code_too_long` when the tag cannot fit."""
    if design.symbology not in SYMBOLOGIES:
        raise invalid(
            f"'{design.symbology}' is not a code type; choose one of {', '.join(SYMBOLOGIES)}."
        )
    c = frame.content
    regular = design.font or FONT
    if design.symbology in ("qr", "datamatrix"):
        return _layout_matrix_only(template, frame, label, design)
    header_mm = min(max(c.height * 0.13, 1.6), 3.2)
    tag_mm = min(max(c.height * 0.16, 1.8), 4.2)
    detail_mm = min(max(c.height * 0.11, 1.5), 2.5)
    header_h = header_mm * 1.1 + GAP_MM if design.header else 0.0
    text_gap = max(GAP_MM, c.height * 0.025)  # between the bars and the tag under them
    tag_h = tag_mm * 0.95 + text_gap
    details = _details(label, design)
    detail_h = detail_mm * 1.1 + GAP_MM if details else 0.0
    if c.height - header_h - tag_h - detail_h < MIN_BAR_HEIGHT_MM + 3:
        details, detail_h = "", 0.0  # model and serial are extras: left out when short of room
    bar_h = min(c.height - header_h - tag_h - detail_h, MAX_BAR_HEIGHT_MM)
    if bar_h < MIN_BAR_HEIGHT_MM:
        raise code_too_long(
            f"{template.id} leaves {c.height:.1f} mm of height: too little for a readable "
            "Code 128 with its text"
        )
    linear = symbols.code128(label.tag)
    # the 2D symbol (if any) sits at the right, below the header
    mx = None
    right = c.x + c.width  # where the Code 128 strip ends
    quiet_right = frame.width - EDGE_MM  # how far its right quiet zone may reach
    kind = design.symbology.partition("+")[2]
    if kind:
        sym = symbols.matrix(label.tag, kind)
        side_room = min(c.height - header_h, c.width * 0.4)
        mq = symbols.snap_module(side_room / (sym.size + 2 * sym.quiet), template.dpi, maximum=1.0)
        if mq < MIN_MODULE_MM - 1e-9:
            raise code_too_long(
                f"a {sym.kind} of '{label.tag}' would have {mq:.2f} mm modules on {template.id}"
            )
        block = (sym.size + 2 * sym.quiet) * mq
        block_left = c.x + c.width - block
        body_top = c.y + c.height - header_h
        mv = c.y + (body_top - c.y - block) / 2 + sym.quiet * mq
        mx = (block_left + sym.quiet * mq, mv, mq)
        right = block_left
        quiet_right = block_left + sym.quiet * mq
    centre = (c.x + right) / 2
    half_quiet_room = min(centre - EDGE_MM, quiet_right - centre)
    module = min(
        (right - c.x) / linear.modules,
        2 * half_quiet_room / (linear.modules + 2 * symbols.CODE128_QUIET),
    )
    module = symbols.snap_module(module, template.dpi, maximum=MAX_MODULE_MM)
    if module < MIN_MODULE_MM - 1e-9:
        raise code_too_long(
            f"'{label.tag}' needs {linear.modules + 2 * symbols.CODE128_QUIET} Code 128 modules "
            f"with its quiet zones; on {template.id} that is {module:.2f} mm a module, below the "
            f"{MIN_MODULE_MM} mm a scanner reads reliably"
        )
    bars_w = linear.modules * module
    u = centre - bars_w / 2
    if template.dpi:  # start the bars on a printer dot
        dot = 25.4 / template.dpi
        u = round(u / dot) * dot
    used = header_h + bar_h + tag_h + detail_h
    top = c.y + c.height - max(0.0, (c.height - used) / 2)
    texts: list[_Text] = []
    if design.header:
        size = _fit_font(design.header, regular, header_mm * MM, right - c.x, 4.0)
        text = _clip(design.header, regular, size, right - c.x)
        texts.append(_Text(text, regular, size, centre, top - header_mm * 0.8))
    bar_v = top - header_h - bar_h
    size = _fit_font(label.tag, BOLD, tag_mm * MM, max(bars_w, right - c.x), 4.5)
    texts.append(_Text(label.tag, BOLD, size, centre, bar_v - text_gap - tag_mm * 0.72))
    if details:
        dsize = _fit_font(details, regular, detail_mm * MM, right - c.x, 4.0)
        dtext = _clip(details, regular, dsize, right - c.x)
        texts.append(_Text(dtext, regular, dsize, centre, bar_v - tag_h - detail_mm * 0.95))
    return _Layout(label.tag, module, tuple(texts), (u, bar_v, bar_h), mx, kind)


def _layout_matrix_only(
    template: LabelTemplate, frame: _Frame, label: AssetLabel, design: LabelDesign
) -> _Layout:
    c = frame.content
    regular = design.font or FONT
    sym = symbols.matrix(label.tag, design.symbology)
    side = min(c.height, c.width * 0.5)
    mq = symbols.snap_module(side / (sym.size + 2 * sym.quiet), template.dpi, maximum=1.0)
    if mq < MIN_MODULE_MM - 1e-9:
        raise code_too_long(
            f"a {sym.kind} of '{label.tag}' would have {mq:.2f} mm modules on {template.id}"
        )
    block = (sym.size + 2 * sym.quiet) * mq
    mu = c.x + sym.quiet * mq
    mv = c.y + (c.height - block) / 2 + sym.quiet * mq
    tx = c.x + block + GAP_MM
    tw = c.x + c.width - tx
    lines: list[tuple[str, str, float]] = []
    if design.header:
        lines.append((design.header, regular, min(max(c.height * 0.14, 1.6), 3.0)))
    lines.append((label.tag, BOLD, min(max(c.height * 0.2, 2.0), 5.0)))
    if design.show_model and label.model:
        lines.append((label.model, regular, min(max(c.height * 0.12, 1.5), 2.6)))
    if design.show_serial and label.serial:
        lines.append((f"S/N {label.serial}", regular, min(max(c.height * 0.12, 1.5), 2.6)))
    total = sum(size * 1.15 for _, _, size in lines)
    while total > c.height and len(lines) > 2:
        lines.pop()
        total = sum(size * 1.15 for _, _, size in lines)
    v = c.y + c.height - max(0.0, (c.height - total) / 2)
    texts = []
    for text, font, size_mm in lines:
        minimum = 4.5 if font == BOLD else 4.0
        size = _fit_font(text, font, size_mm * MM, tw, minimum)
        if font == BOLD and _width(text, font, size) > tw + 1e-6:
            raise code_too_long(f"the tag '{text}' does not fit beside its code on {template.id}")
        v -= size_mm * 1.15
        shown = text if font == BOLD else _clip(text, font, size, tw)
        texts.append(_Text(shown, font, size, tx, v + size_mm * 0.25, True))
    return _Layout(label.tag, mq, tuple(texts), None, (mu, mv, mq), design.symbology)


def _suggestion(
    tag: str, template: LabelTemplate, design: LabelDesign, others: Sequence[LabelTemplate]
) -> str:
    tips = []
    if design.symbology != "qr":
        try:
            layout_label(
                template,
                frame_of(template, template.cell(0)),
                AssetLabel(tag),
                LabelDesign(header=design.header, symbology="qr"),
            )
            tips.append("print it as a QR code (--code qr)")
        except Exception as exc:
            if not is_expected(exc):
                raise
    bigger = []
    ranked = sorted(
        others,
        key=lambda t: (t.page_name != template.page_name, t.label_width * t.label_height),
    )
    for other in ranked:
        if other.id == template.id:
            continue
        try:
            layout_label(other, frame_of(other, other.cell(0)), AssetLabel(tag), design)
        except Exception as exc:
            if not is_expected(exc):
                raise
            continue
        bigger.append(other.id)
    if bigger:
        tips.append("use a larger stock (" + ", ".join(bigger[:4]) + ")")
    return " or ".join(tips) if tips else "shorten the tag"


def plan_labels(
    template: LabelTemplate,
    labels: Sequence[AssetLabel],
    design: LabelDesign,
    *,
    others: Sequence[LabelTemplate] = (),
) -> list[_Layout]:
    """Lay out every label (one layout per label) or refuse the whole batch, before printing."""
    frame = frame_of(template, template.cell(0))
    layouts: list[_Layout] = []
    cache: dict[AssetLabel, _Layout] = {}
    for label in labels:
        layout = cache.get(label)
        if layout is None:
            try:
                layout = layout_label(template, frame, label, design)
            except Exception as exc:
                if not isinstance(exc, code_too_long_class()):
                    raise
                tip = _suggestion(label.tag, template, design, others)
                tag = label.tag if len(label.tag) <= 40 else f"{label.tag[:40]}..."
                raise code_too_long(
                    f"Cannot print the label for {tag}: {exc}. Nothing was printed; {tip}."
                ) from exc
            cache[label] = layout
        layouts.append(layout)
    return layouts


def expand(labels: Iterable[AssetLabel], copies: int) -> list[AssetLabel]:
    if copies < 1 or copies > 100:
        raise invalid("Copies per tag must be between 1 and 100.")
    return [label for label in labels for _ in range(copies)]


def render_labels(
    template: LabelTemplate,
    labels: Sequence[AssetLabel],
    design: LabelDesign = LabelDesign(),
    *,
    start: int = 1,
    copies: int = 1,
    offset: Offset = Offset(),
    outline: bool = False,
    others: Sequence[LabelTemplate] = (),
) -> LabelSheets:
    """The PDF of a batch. ``start`` is the first free position on the first sheet (1 = top
    left, across then down); ``outline`` draws each label's edge, for a preview on plain paper.
    ``others`` are the templates to suggest when a tag does not fit."""
    if not labels:
        raise invalid("There are no labels to print.")
    if not 1 <= start <= template.per_page:
        raise invalid(
            f"The start position must be between 1 and {template.per_page} on {template.id}."
        )
    batch = expand(labels, copies)
    if not design.font:
        texts = [design.header, *(lab.model for lab in labels), *(lab.serial for lab in labels)]
        design = replace(design, font=fonts_for(texts)[0])
    layouts = plan_labels(template, batch, design, others=others)
    buffer = io.BytesIO()
    page_w, page_h = template.page_width * MM, template.page_height * MM
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=1, pageCompression=1)
    canvas.setTitle(f"Asset labels on {template.name}")
    canvas.setCreator("Helpdesk")
    placements: list[Placement] = []
    page = 0
    position = start - 1
    page_open = False
    for label, layout in zip(batch, layouts, strict=True):
        if position >= template.per_page:
            canvas.restoreState()
            canvas.showPage()
            page += 1
            position = 0
            page_open = False
        if not page_open:
            canvas.saveState()
            canvas.translate(offset.x * MM, -offset.y * MM)
            page_open = True
        cell = template.cell(position)
        _draw_label(canvas, template, cell, layout, outline)
        placements.append(
            Placement(label.tag, page, position, cell, layout.module, design.symbology)
        )
        position += 1
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return LabelSheets(buffer.getvalue(), page + 1, tuple(placements))


def draw_outline(canvas: Canvas, template: LabelTemplate, cell: Rect) -> None:
    canvas.saveState()
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.25)
    x, y = cell.x * MM, (template.page_height - cell.y - cell.height) * MM
    w, h = cell.width * MM, cell.height * MM
    if template.corner_radius > 0:
        canvas.roundRect(x, y, w, h, template.corner_radius * MM, stroke=1, fill=0)
    else:
        canvas.rect(x, y, w, h, stroke=1, fill=0)
    canvas.restoreState()


def _draw_label(
    canvas: Canvas, template: LabelTemplate, cell: Rect, layout: _Layout, outline: bool
) -> None:
    if outline:
        draw_outline(canvas, template, cell)
    canvas.saveState()
    bottom = template.page_height - cell.y - cell.height
    if template.label_height > template.label_width * 1.05:
        canvas.translate((cell.x + cell.width) * MM, bottom * MM)
        canvas.rotate(90)
    else:
        canvas.translate(cell.x * MM, bottom * MM)
    if layout.linear is not None:
        u, v, h = layout.linear
        symbols.draw_linear(canvas, symbols.code128(layout.tag), u, v, layout.module, h)
    if layout.matrix is not None:
        u, v, mq = layout.matrix
        symbols.draw_matrix(canvas, symbols.matrix(layout.tag, layout.matrix_kind), u, v, mq)
    for t in layout.texts:
        canvas.setFont(t.font, t.size)
        u = t.u if t.left else t.u - _width(t.text, t.font, t.size) / 2
        canvas.drawString(u * MM, t.v * MM, t.text)
    canvas.restoreState()
