"""Small pieces the bench's windows share: money for people, the one-sentence message, tables,
photo thumbnails loaded off the GUI thread, and a snapshot from the camera."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
)
from shiboken6 import isValid

from helpdesk.services.repairs.photos import PhotoThumb
from helpdesk.ui.context import AppContext

THUMB = 96
SETTLE_FRAMES = 8  # frames read before the snapshot, so a webcam's exposure settles
RIGHT_WIDTH = 520
GROW_FROM = 1100  # a table wider than this (pixels) has room to spare for growing columns


def money(pence: int) -> str:
    """Pence as pounds, zero included: ``£0.00``, ``£1,250.00``."""
    return f"£{pence / 100:,.2f}"


def say(label: QLabel, sentence: str, tone: str) -> None:
    """Show one sentence in a ``QLabel#message`` with its tone (good, bad, info, warn)."""
    label.setText(sentence)
    label.setProperty("tone", tone)
    label.style().unpolish(label)
    label.style().polish(label)
    label.show()


def minutes_text(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if not total:
        return "none yet"
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


class HasContext(Protocol):
    """A page or panel: a widget that keeps what the panels share as ``ctx``."""

    ctx: AppContext


def load_thumbnails(
    photos: tuple[PhotoThumb, ...],
) -> list[tuple[PhotoThumb, QImage | None]]:
    """The thumbnails from the database as pictures, scaled down for the page (run off the GUI
    thread: QImage is thread-safe); None for a photo that is missing or cannot be read."""
    out: list[tuple[PhotoThumb, QImage | None]] = []
    for photo in photos:
        image = QImage.fromData(photo.thumbnail) if photo.thumbnail else QImage()
        if image.isNull():
            out.append((photo, None))
        else:
            out.append((photo, image.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation)))  # fmt: skip
    return out


class CameraFailed(Exception):
    """The camera gave no picture; the message is a sentence for the person at the bench."""


def camera_snapshot(source_spec: str, folder: Path, *, settle_frames: int = SETTLE_FRAMES) -> Path:
    """One picture from the counter's camera, saved as a JPEG in ``folder`` (off the GUI thread).

    A few frames are read first so the camera's exposure settles; a folder of images or a video
    file (the replay sources) gives its last frame within that count.
    """
    from helpdesk.scanner.sources import SourceError, open_source

    frame = None
    try:
        with open_source(source_spec, realtime=False) as source:
            for _ in range(max(1, settle_frames)):
                got = source.read()
                if got is None:
                    break
                frame = got
    except SourceError as exc:
        raise CameraFailed(str(exc)) from None
    if frame is None:
        raise CameraFailed(f"The camera '{source_spec}' gave no picture; try again.")
    image = np.ascontiguousarray(frame.image)
    height, width = image.shape[:2]
    if image.ndim == 2:
        qimage = QImage(
            image.data, width, height, image.strides[0], QImage.Format.Format_Grayscale8
        )
    else:
        qimage = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"camera-{datetime.now():%Y%m%d-%H%M%S-%f}.jpg"
    # PySide6 takes the format as a str (bytes raise ValueError); its stub says bytes.
    if not qimage.copy().save(str(path), "JPG", 90):  # type: ignore[call-overload]
        raise CameraFailed(f"The picture could not be saved in {folder}.")
    return path


def make_table(headers: list[str], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


def size_columns(
    view: QTableView,
    samples: dict[int, str],
    stretch: tuple[int, ...],
    growing: dict[int, float] | None = None,
) -> None:
    """Fixed widths for the short columns (each fits its sample text and its header), the
    ``stretch`` columns sharing the room left; longer text is elided, nothing overlaps. A
    ``growing`` column is as wide as its sample, plus its share of the room a table wider than
    :data:`GROW_FROM` pixels has to spare (so a narrow screen keeps the room for the stretch)."""
    header = view.horizontalHeader()
    metrics, titles = view.fontMetrics(), header.fontMetrics()
    header.setMinimumSectionSize(48)
    header.setStretchLastSection(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    model = view.model()
    widths: dict[int, int] = {}
    for column, sample in samples.items():
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        width = max(metrics.horizontalAdvance(sample), titles.horizontalAdvance(title) + 24) + 14
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column, width)
        widths[column] = width
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    if growing:
        shares = {c: (widths.get(c, 48), share) for c, share in growing.items()}
        view.viewport().installEventFilter(_GrowColumns(view, shares))


class _GrowColumns(QObject):
    """Widens the growing columns when the table is resized."""

    def __init__(self, view: QTableView, shares: dict[int, tuple[int, float]]) -> None:
        super().__init__(view)
        self.view = view
        self.shares = shares

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            room = self.view.viewport().width()
            for column, (least, share) in self.shares.items():
                spare = max(0, room - GROW_FROM)
                self.view.horizontalHeader().resizeSection(column, least + int(spare * share))
        return False


def fill_table(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c and value.startswith("£"):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def submit(
    widget: HasContext, fn, on_done=None, on_error=None, *, key: str | None = None, db: bool = True
) -> int:  # noqa: ANN001, E501
    """``widget.ctx.db.submit`` (the window's database thread; ``db=False``: ``ctx.runner``, for
    work that does not touch the database) whose answers are dropped once the widget is gone (a
    page closed while its ticket was still loading)."""

    def guard(callback):  # noqa: ANN001, ANN202
        if callback is None:
            return None

        def call(value: object) -> None:
            if isValid(widget):
                callback(value)

        return call

    worker = widget.ctx.db if db else widget.ctx.runner
    return worker.submit(fn, guard(on_done), guard(on_error), key=key)
