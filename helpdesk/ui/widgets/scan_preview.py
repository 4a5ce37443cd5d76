"""The live camera preview: the picture, the guide box, an outline on each code found, the last
code read and the frames per second.

Capture and decoding run in the scanner's own threads (:class:`helpdesk.scanner.LiveScanner`,
always on the newest frame); this widget only polls the newest state on a timer and paints it, so
a slow decode never stalls the preview or the window. Codes to act on come out as signals, once
per presentation: ``codeScanned(text, format)`` for a code that matches the school's patterns
(or any code when no classifier is set), ``codeRefused(text, message)`` for one that does not.
A camera that is missing or unplugged gives ``sourceFailed(message)`` and the message on screen.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from helpdesk.scanner import (
    CodeClassifier,
    Debouncer,
    DecodePipeline,
    FrameSource,
    LiveScanner,
    LiveState,
    ScannerConfig,
)

OUTLINE_FRAMES = 12  # an outline stays on screen this many frames after its read
ENDED_TEXT = "Camera: ended"  # a video file or folder played to its end: no frames, no fps


def frame_to_qimage(image: np.ndarray) -> QImage:
    """A QImage copy of a BGR or grey OpenCV frame."""
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    if image.ndim == 2:
        qimage = QImage(
            image.data, width, height, image.strides[0], QImage.Format.Format_Grayscale8
        )
    else:
        qimage = QImage(image.data, width, height, image.strides[0], QImage.Format.Format_BGR888)
    return qimage.copy()


class ScanPreview(QWidget):
    codeScanned = Signal(str, str)  # text, format
    codeRefused = Signal(str, str)  # text, the sentence saying why
    sourceFailed = Signal(str)  # message for the counter's status line
    sourceFinished = Signal()  # a video file or folder has been played to its end
    # The latest frame as a picture for the damage dialog; set by the counter that shows it.
    snapshot_pixmap: Callable[[], QPixmap | None]

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        config: ScannerConfig | None = None,
        classifier: CodeClassifier | None = None,
        roi_fraction: float | None = 0.6,
        poll_ms: int = 30,
    ) -> None:
        super().__init__(parent)
        self.config = config or ScannerConfig()
        self.classifier = classifier
        self.roi_fraction = roi_fraction
        self.scanner: LiveScanner | None = None
        self.last_text = ""
        self.last_accepted = True
        self._image: QImage | None = None
        self._image_index = -1
        self._state: LiveState | None = None
        self._reported_error: str | None = None
        self._finished_sent = False
        self.ended = False  # the source has been played to its end (a replayed camera)
        self._message = "No camera chosen"
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self._poll)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # --- control ------------------------------------------------------------------------------

    def start(self, source: FrameSource) -> None:
        """Show and scan ``source`` (stopping any source shown before)."""
        self.stop()
        self._image, self._image_index, self._state = None, -1, None
        self._reported_error, self._finished_sent = None, False
        self.ended = False
        self._message = f"Opening {source.name}..."
        self.scanner = LiveScanner(
            source,
            DecodePipeline(self.config),
            debouncer=Debouncer(),
            classifier=self.classifier,
            roi_fraction=self.roi_fraction,
        )
        self.scanner.start()
        self._timer.start()
        self.update()

    def stop(self) -> None:
        self._timer.stop()
        if self.scanner is not None:
            self.scanner.stop()
            self._poll_events()
            self.scanner = None
        self._message = "Camera off"
        self.update()

    def set_classifier(self, classifier: CodeClassifier | None) -> None:
        self.classifier = classifier
        if self.scanner is not None:
            self.scanner.set_classifier(classifier)

    def snapshot(self) -> QImage | None:
        """A copy of the newest frame shown (for a photo of a device), or None before the first."""
        return None if self._image is None else self._image.copy()

    @property
    def state(self) -> LiveState | None:
        return self._state

    @property
    def error(self) -> str | None:
        return self._state.error if self._state is not None else None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.stop()
        super().closeEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(640, 360)

    # --- polling (GUI thread) ---------------------------------------------------------------

    def _poll(self) -> None:
        if self.scanner is None:
            return
        state = self.scanner.state()
        self._state = state
        if state.frame is not None and state.frame.index != self._image_index:
            self._image = frame_to_qimage(state.frame.image)
            self._image_index = state.frame.index
        self._poll_events()
        if state.error and state.error != self._reported_error:
            self._reported_error = state.error
            self._message = state.error
            self.sourceFailed.emit(state.error)
        if state.finished and not state.running and not self._finished_sent:
            self._finished_sent = True
            self.ended = True
            self._timer.stop()
            self.sourceFinished.emit()
        self.update()

    def _poll_events(self) -> None:
        if self.scanner is None:
            return
        for event in self.scanner.events():
            self.last_text = event.read.text
            self.last_accepted = event.accepted
            if event.accepted:
                self.codeScanned.emit(event.read.text, event.read.format)
            else:
                self.codeRefused.emit(event.read.text, event.message)

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202124"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        state = self._state
        if self._image is None:
            self._centre_text(painter, self._message)
            return
        img_w, img_h = self._image.width(), self._image.height()
        scale = min(self.width() / img_w, self.height() / img_h)
        off_x = (self.width() - img_w * scale) / 2
        off_y = (self.height() - img_h * scale) / 2
        target = QRectF(off_x, off_y, img_w * scale, img_h * scale)
        painter.drawImage(target, self._image)

        def to_view(x: float, y: float) -> QPointF:
            return QPointF(off_x + x * scale, off_y + y * scale)

        if state is not None and state.roi is not None:
            x, y, w, h = state.roi
            pen = QPen(QColor(255, 255, 255, 200), 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(QRectF(to_view(x, y), to_view(x + w, y + h)))
        if state is not None and self._image_index - state.reads_frame_index <= OUTLINE_FRAMES:
            painter.setPen(QPen(QColor("#00e676"), 3))
            for read in state.reads:
                if len(read.corners) >= 3:
                    painter.drawPolygon(QPolygonF([to_view(px, py) for px, py in read.corners]))
        self._overlay(painter, state)
        if state is not None and state.error:
            self._centre_text(painter, state.error, shade=True)

    def overlay_text(self) -> str:
        """What the top label says: the frame rates, or that the camera has ended."""
        state = self._state
        if self.ended:
            return ENDED_TEXT
        if state is None:
            return ""
        return f"{state.capture_fps:.0f} fps · decoding {state.decode_fps:.0f}/s · {state.decode_ms:.0f} ms"

    def _overlay(self, painter: QPainter, state: LiveState | None) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        painter.setFont(font)
        text = self.overlay_text()
        if text:
            self._label(painter, text, top=True)
        if self.last_text:
            mark = "✓" if self.last_accepted else "✗"
            self._label(painter, f"{mark} {self.last_text}", top=False)

    def _label(self, painter: QPainter, text: str, *, top: bool) -> None:
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text) + 12
        height = metrics.height() + 6
        y = 4 if top else self.height() - height - 4
        painter.fillRect(QRectF(4, y, width, height), QColor(0, 0, 0, 160))
        painter.setPen(QColor("white"))
        painter.drawText(QRectF(10, y, width, height), Qt.AlignmentFlag.AlignVCenter, text)

    def _centre_text(self, painter: QPainter, text: str, *, shade: bool = False) -> None:
        if shade:
            painter.fillRect(self.rect(), QColor(0, 0, 0, 150))
        painter.setPen(QColor("white"))
        box = self.rect().adjusted(16, 16, -16, -16)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
