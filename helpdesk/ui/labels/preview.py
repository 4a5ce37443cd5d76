"""A label batch before it is printed: which devices, laid out and checked against the stock,
each sheet as a picture (the first at once, the others when asked for), and the sheet as a small
grid of positions to choose where printing starts on a partly used sheet.

:func:`make_preview` and :func:`make_sheets` run on a worker thread. The preview lays out every
label of the batch (so a tag that cannot fit the stock is refused before anything is printed),
draws only the first sheet, and QtPdf renders that page with the label cells drawn over it (used
positions shaded, cells left empty outlined), so the picture reads like the real sheet.
:func:`sheet_image` draws any other sheet the same way, on a worker thread, when it is paged to.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QSizePolicy, QWidget

from helpdesk.domain.errors import ValidationError
from helpdesk.labels.asset_labels import (
    AssetLabel,
    LabelDesign,
    LabelSheets,
    Offset,
    expand,
    plan_labels,
    render_labels,
)
from helpdesk.labels.templates import LabelTemplate
from helpdesk.services.reporting import documents
from helpdesk.services.reporting.documents import LabelDevice
from helpdesk.ui.style import ACCENT, INFO_BG, LINE, MUTED

SOURCES = {
    "form": "A form, in hand-out order",
    "year": "A year group, form by form",
    "tags": "Tags typed or scanned",
    "range": "A range of tags",
    "unlabelled": "Every device not yet labelled",
    "reprint": "The last batch again (reprint)",
}


PLAN_STEP = 50  # labels laid out at a time when checking a batch against its stock


class NothingToLabel(ValidationError):
    """The batch chosen has no devices (or none left without a label)."""


@dataclass(frozen=True)
class BatchRequest:
    """Everything that decides a batch's sheets, read from the panel on the GUI thread."""

    source: str
    template_id: str
    start: int = 1
    copies: int = 1
    design: LabelDesign = LabelDesign()
    outline: bool = False
    only_unlabelled: bool = False
    form: str = ""
    year: int | None = None
    tags: tuple[str, ...] = ()
    first: str = ""
    last: str = ""
    reprint: tuple[LabelDevice, ...] = ()

    def describe(self) -> str:
        if self.source == "form":
            return f"form {self.form}"
        if self.source == "year":
            return f"year {self.year}"
        if self.source == "tags":
            return "the tags typed"
        if self.source == "range":
            return f"tags {self.first} to {self.last}"
        if self.source == "unlabelled":
            return "the devices not yet labelled"
        return "the last batch"


@dataclass(frozen=True)
class BatchPreview:
    request: BatchRequest
    template: LabelTemplate
    devices: tuple[LabelDevice, ...]
    count: int  # labels, copies included
    pages: int
    image: QImage
    labelled_before: int = 0  # devices of the batch with a label printed before (form, year)

    def device_ids(self) -> list[int]:
        """One id per label printed (copies included), for the print record."""
        return [d.device_id for d in self.devices for _ in range(self.request.copies)]


def find_devices(factory: Any, request: BatchRequest) -> tuple[list[LabelDevice], int]:
    """The devices of the batch, in the order their labels print, and how many of the form's or
    year group's devices had a label printed before (left out with 'only not yet labelled')."""
    what = request.describe()
    if request.source == "form":
        if not request.form:
            raise NothingToLabel("Choose a form.")
        rows = documents.devices_for_form(factory, request.form)
    elif request.source == "year":
        if request.year is None:
            raise NothingToLabel("Choose a year group.")
        rows = documents.devices_for_year(factory, request.year)
    elif request.source == "tags":
        if not request.tags:
            raise NothingToLabel("Type or scan the asset tags, one a line.")
        rows = documents.devices_by_tags(factory, request.tags)
    elif request.source == "range":
        if not request.first.strip() or not request.last.strip():
            raise NothingToLabel("Type the first and the last tag of the range.")
        rows = documents.devices_in_tag_range(factory, request.first, request.last)
    elif request.source == "unlabelled":
        rows = documents.unlabelled_devices(factory)
    else:
        if not request.reprint:
            raise NothingToLabel(
                "Nothing has been printed here yet. To replace a worn label, choose "
                "'Tags typed or scanned' and scan its tag."
            )
        rows = list(request.reprint)
    labelled = 0
    filtering = request.only_unlabelled and request.source not in ("unlabelled", "reprint")
    if rows and (filtering or request.source in ("form", "year")):
        fresh = {d.device_id for d in documents.unlabelled_devices(factory)}
        kept = [d for d in rows if d.device_id in fresh]
        labelled = len(rows) - len(kept)
        if filtering and not kept:
            raise NothingToLabel(
                f"Every device of {what} has a label already. Untick 'Only devices not yet "
                "labelled' to print them again."
            )
        if filtering:
            rows = kept
    if not rows:
        raise NothingToLabel(f"There are no devices to label in {what}.")
    bad = [d.asset_tag for d in rows if not (d.asset_tag.isascii() and d.asset_tag.isprintable())]
    if bad:
        raise ValidationError(
            "These asset tags have characters a Code 128 label cannot hold: "
            + ", ".join(map(repr, bad[:5]))
            + ". Correct them in the device records first."
        )
    return rows, labelled


def _labels(devices: Sequence[LabelDevice]) -> list[AssetLabel]:
    return [AssetLabel(d.asset_tag, d.model_name, d.serial) for d in devices]


def _template(templates: Sequence[LabelTemplate], template_id: str) -> LabelTemplate:
    for template in templates:
        if template.id == template_id:
            return template
    raise ValidationError(f"There is no label stock '{template_id}'.")


def _plain(message: str) -> str:
    """The engine's refusal in the panel's words (it names the command-line option)."""
    return message.replace(" (--code qr)", " (choose 'QR only' under Code)")


def make_preview(
    request: BatchRequest,
    templates: Sequence[LabelTemplate],
    found: tuple[list[LabelDevice], int],
) -> BatchPreview:
    """Lay out every label of the batch's devices (``found`` by :func:`find_devices` on the
    database thread), refusing the batch when a tag cannot fit, and picture the first sheet.
    Runs on the other worker: it does not touch the database."""
    template = _template(templates, request.template_id)
    if not 1 <= request.start <= template.per_page:
        raise ValidationError(
            f"The start position must be between 1 and {template.per_page} on {template.id}."
        )
    devices, labelled = found
    batch = expand(_labels(devices), request.copies)
    unique = list(dict.fromkeys(batch))
    try:
        # in small steps, so the layouts of a big batch never pile up (a long garbage
        # collection would hold up the window)
        for at in range(0, len(unique), PLAN_STEP):
            plan_labels(template, unique[at : at + PLAN_STEP], request.design, others=templates)
    except ValidationError as exc:
        raise type(exc)(_plain(str(exc))) from exc
    image = _sheet_image(template, batch, request, 0)
    return BatchPreview(
        request,
        template,
        tuple(devices),
        len(batch),
        sheet_count(template, request, len(batch)),
        image,
        labelled,
    )


def sheet_count(template: LabelTemplate, request: BatchRequest, count: int) -> int:
    """How many sheets (pages of a roll) ``count`` labels take from ``request.start`` on."""
    room = template.per_page - (request.start - 1)
    extra = max(0, count - room)
    return 1 + (extra + template.per_page - 1) // template.per_page


def sheet_image(preview: BatchPreview, index: int) -> QImage:
    """Sheet ``index`` (0 = the first) of the batch as it will print, drawn like the first
    sheet of the preview. Off the GUI thread."""
    if not 0 <= index < preview.pages:
        raise ValueError(f"the batch has {preview.pages} sheets, not a sheet {index + 1}")
    if index == 0:
        return preview.image
    r = preview.request
    batch = expand(_labels(preview.devices), r.copies)
    return _sheet_image(preview.template, batch, r, index)


def _sheet_image(
    template: LabelTemplate, batch: Sequence[AssetLabel], request: BatchRequest, index: int
) -> QImage:
    """Sheet ``index`` of ``batch``: the first starts at ``request.start``, the rest at the top."""
    room = template.per_page - (request.start - 1)
    if index == 0:
        labels, start = batch[:room], request.start
    else:
        at = room + (index - 1) * template.per_page
        labels, start = batch[at : at + template.per_page], 1
    sheet = render_labels(template, labels, request.design, start=start, outline=request.outline)
    return first_page_image(sheet.pdf, template, start, len(labels))


def make_sheets(preview: BatchPreview, offset: Offset | None = None) -> LabelSheets:
    """The whole batch as a PDF, the printer's alignment offset applied. Off the GUI thread."""
    r = preview.request
    return render_labels(
        preview.template,
        _labels(preview.devices),
        r.design,
        start=r.start,
        copies=r.copies,
        offset=offset or Offset(),
        outline=r.outline,
    )


PREVIEW_LONG_SIDE = 1200  # pixels of the rendered first page along its longer side
USED = QColor("#cfd6de")


def first_page_image(pdf: bytes, template: LabelTemplate, start: int, filled: int) -> QImage:
    """The first page of ``pdf`` as an image, with the cells of ``template`` drawn over it:
    positions before ``start`` (1-based) shaded as used, cells after the ``filled`` labels of
    this batch outlined as left empty. Safe to call off the GUI thread."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-preview-") as folder:
        path = Path(folder) / "preview.pdf"
        path.write_bytes(pdf)
        document = QPdfDocument()
        if document.load(str(path)) != QPdfDocument.Error.None_ or document.pageCount() == 0:
            raise ValueError("the label PDF could not be read back for the preview")
        points = document.pagePointSize(0)
        scale = PREVIEW_LONG_SIDE / max(points.width(), points.height())
        size = QSize(round(points.width() * scale), round(points.height() * scale))
        rendered = document.render(0, size)
        document.close()
    image = QImage(size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.drawImage(0, 0, rendered)
    px = size.width() / template.page_width  # pixels per mm
    for index in range(template.per_page):
        cell = template.cell(index)
        rect = QRectF(cell.x * px, cell.y * px, cell.width * px, cell.height * px)
        radius = template.corner_radius * px
        if index < start - 1:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(USED)
            painter.drawRoundedRect(rect, radius, radius)
            painter.setPen(QPen(QColor(MUTED), max(1.0, px * 0.2)))
            painter.drawLine(rect.topLeft(), rect.bottomRight())
            painter.drawLine(rect.topRight(), rect.bottomLeft())
        else:
            empty = index >= start - 1 + filled
            painter.setPen(QPen(QColor("#b8c2cc" if empty else "#d9e2ec"), max(1.0, px * 0.15)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, radius, radius)
    painter.end()
    return image


class SheetGrid(QWidget):
    """The label positions of one sheet, drawn to scale: click a position to start there.

    Positions before the start are shown as used (already peeled off), the ones this batch
    fills on the first sheet in the accent colour, the rest empty.
    """

    start_changed = Signal(int)  # 1-based position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.template: LabelTemplate | None = None
        self.start = 1
        self.filled = 0
        self.setMinimumSize(120, 150)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click the first free label on a partly used sheet")

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(150, 200)

    def set_template(self, template: LabelTemplate) -> None:
        self.template = template
        self.start = min(self.start, template.per_page)
        self.update()

    def set_start(self, start: int) -> None:
        if self.template is not None:
            start = max(1, min(start, self.template.per_page))
        if start != self.start:
            self.start = start
            self.update()
            self.start_changed.emit(start)

    def set_filled(self, count: int) -> None:
        self.filled = count
        self.update()

    def _scale(self) -> tuple[float, QPointF]:
        t = self.template
        assert t is not None
        scale = min((self.width() - 2) / t.page_width, (self.height() - 2) / t.page_height)
        origin = QPointF(
            (self.width() - t.page_width * scale) / 2, (self.height() - t.page_height * scale) / 2
        )
        return scale, origin

    def cell_rect(self, index: int) -> QRectF:
        """Where position ``index`` (0-based) is drawn, in widget pixels."""
        assert self.template is not None
        scale, origin = self._scale()
        c = self.template.cell(index)
        return QRectF(
            origin.x() + c.x * scale, origin.y() + c.y * scale, c.width * scale, c.height * scale
        )

    def position_at(self, point: QPointF) -> int | None:
        """The 1-based position under ``point``, or None."""
        if self.template is None:
            return None
        for index in range(self.template.per_page):
            if self.cell_rect(index).adjusted(-1, -1, 1, 1).contains(point):
                return index + 1
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        position = self.position_at(event.position())
        if position is not None:
            self.set_start(position)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        if self.template is None:
            return
        t = self.template
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        scale, origin = self._scale()
        page = QRectF(origin.x(), origin.y(), t.page_width * scale, t.page_height * scale)
        painter.setPen(QPen(QColor(LINE), 1))
        painter.setBrush(QColor("white"))
        painter.drawRect(page)
        radius = t.corner_radius * scale
        for index in range(t.per_page):
            rect = self.cell_rect(index)
            if index < self.start - 1:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(USED)
            elif index < self.start - 1 + self.filled:
                painter.setPen(QPen(QColor(ACCENT), 1))
                painter.setBrush(QColor(INFO_BG))
            else:
                painter.setPen(QPen(QColor("#9aa5b1"), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, radius, radius)
            if index == self.start - 1:
                painter.setPen(QPen(QColor(ACCENT), 2))
                painter.setBrush(QColor(ACCENT))
                painter.drawRoundedRect(rect, radius, radius)
        painter.end()
