"""The batch's sheets as they will print, one at a time: "Sheet 3 of 17" with Previous and
Next (Page Up and Page Down in the labels area).

The first sheet comes with the preview; any other is drawn on a worker thread the first time it
is shown (:func:`helpdesk.ui.labels.preview.sheet_image`) and kept while the batch stays the same.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from helpdesk.ui.errors import describe_failure
from helpdesk.ui.labels.preview import BatchPreview, sheet_image
from helpdesk.ui.style import MUTED
from helpdesk.ui.workers import Runner


class PreviewView(QWidget):
    """One sheet of the batch, scaled to fit, on a grey desk; or a line of text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.text = ""
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage | None) -> None:
        self.image = image
        self.text = ""
        self.update()

    def set_text(self, text: str) -> None:
        self.image = None
        self.text = text
        self.update()

    def has_image(self) -> bool:
        return self.image is not None and not self.image.isNull()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#e4e7eb"))
        if not self.has_image():
            painter.setPen(QColor(MUTED))
            painter.drawText(
                self.rect().adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.text,
            )
            painter.end()
            return
        assert self.image is not None
        room = self.rect().adjusted(14, 14, -14, -14)
        size = self.image.size().scaled(room.size(), Qt.AspectRatioMode.KeepAspectRatio)
        x = room.x() + (room.width() - size.width()) // 2
        y = room.y() + (room.height() - size.height()) // 2
        painter.fillRect(x + 3, y + 3, size.width(), size.height(), QColor("#b9c0c8"))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        painter.end()


class SheetPager(QWidget):
    """The preview with its page row: Previous, "Sheet 3 of 17", Next."""

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.batch: BatchPreview | None = None
        self.index = 0  # the sheet shown, 0 = the first
        self.images: dict[int, QImage] = {}  # sheets drawn so far for this batch
        self.view = PreviewView()
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("The sheet before (Page Up)")
        self.previous_button.clicked.connect(self.previous_sheet)
        self.next_button = QPushButton("Next ▶")
        self.next_button.setToolTip("The next sheet (Page Down)")
        self.next_button.clicked.connect(self.next_sheet)
        for button in (self.previous_button, self.next_button):
            button.setAutoDefault(False)
        self.where = QLabel()
        self.where.setObjectName("hint")
        self.where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.previous_button)
        row.addWidget(self.where, 1)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        self._update_row()

    # --- what is shown -----------------------------------------------------------------------

    def set_batch(self, batch: BatchPreview) -> None:
        """A new batch: its first sheet, which the preview has drawn already."""
        self.batch = batch
        self.images = {0: batch.image}
        self.index = 0
        self.view.set_image(batch.image)
        self._update_row()

    def set_text(self, text: str) -> None:
        """No batch to show (yet): say why."""
        self.batch = None
        self.images = {}
        self.index = 0
        self.view.set_text(text)
        self._update_row()

    def sheet_count(self) -> int:
        return self.batch.pages if self.batch is not None else 0

    def is_drawn(self) -> bool:
        """The sheet asked for is the one shown."""
        return self.batch is not None and self.view.image is self.images.get(self.index)

    def page_word(self) -> str:
        roll = self.batch is not None and self.batch.template.kind != "sheet"
        return "Label" if roll else "Sheet"

    # --- paging --------------------------------------------------------------------------------

    def next_sheet(self) -> None:
        self.show_sheet(self.index + 1)

    def previous_sheet(self) -> None:
        self.show_sheet(self.index - 1)

    def last_sheet(self) -> None:
        self.show_sheet(self.sheet_count() - 1)

    def show_sheet(self, index: int) -> None:
        """Show sheet ``index`` (0-based), drawing it off the GUI thread the first time."""
        batch = self.batch
        if batch is None:
            return
        index = max(0, min(index, batch.pages - 1))
        self.index = index
        self._update_row()
        image = self.images.get(index)
        if image is not None:
            self.view.set_image(image)
            return
        self.where.setText(f"Drawing {self.page_word().lower()} {index + 1} of {batch.pages}…")
        self.runner.submit(
            lambda: sheet_image(batch, index),
            lambda image: self._drawn(batch, index, image),
            lambda exc: self._failed(batch, exc),
            key="labels-sheet",
        )

    def _drawn(self, batch: BatchPreview, index: int, image: object) -> None:
        if batch is not self.batch or not isinstance(image, QImage):
            return
        self.images[index] = image
        if index == self.index:
            self.view.set_image(image)
            self._update_row()

    def _failed(self, batch: BatchPreview, exc: BaseException) -> None:
        if batch is self.batch:
            self.where.setText(describe_failure("Drawing the sheet", exc))

    def _update_row(self) -> None:
        count = self.sheet_count()
        self.where.setText(f"{self.page_word()} {self.index + 1} of {count}" if count else "")
        self.previous_button.setEnabled(count > 1 and self.index > 0)
        self.next_button.setEnabled(count > 1 and self.index < count - 1)
        for widget in (self.previous_button, self.next_button, self.where):
            widget.setVisible(count > 0)
