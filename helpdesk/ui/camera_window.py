"""`helpdesk camera`: a small window to check the camera and choose the one the counter uses.

It lists this computer's cameras, shows the chosen one live at the chosen resolution with the
scanner running (every code read is listed with its format), and "Use for the counter" saves the
choice in this computer's settings. A video file or a folder of images can be tried the same way.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from helpdesk.scanner import DEFAULT_SIZE, SourceUnavailable, list_cameras, open_source
from helpdesk.ui.machine_settings import MachineSettings
from helpdesk.ui.widgets.feedback import Feedback
from helpdesk.ui.widgets.scan_preview import ScanPreview

SIZES = [(1280, 720), (1920, 1080), (640, 480)]


def saved_size(machine: MachineSettings) -> tuple[int, int]:
    """The resolution chosen for the counter's camera (1280x720 by default)."""
    return machine.camera_size or DEFAULT_SIZE


class CameraWindow(QWidget):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        source: str | None = None,
        size: tuple[int, int] | None = None,
        machine: MachineSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Helpdesk camera")
        self.machine = machine or MachineSettings()
        self.size_wanted = size or saved_size(self.machine)
        self.feedback = Feedback(self, enabled=self.machine.sounds)

        self.choice = QComboBox()
        self.resolution = QComboBox()
        for width, height in dict.fromkeys([self.size_wanted, *SIZES]):
            self.resolution.addItem(f"{width} x {height}", (width, height))
        self.other = QPushButton("Video or folder...")
        self.use = QPushButton("Use for the counter")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.preview = ScanPreview(self)
        self.reads = QListWidget()
        self.reads.setMaximumHeight(120)

        top = QHBoxLayout()
        top.addWidget(QLabel("Camera"))
        top.addWidget(self.choice, 1)
        top.addWidget(self.resolution)
        top.addWidget(self.other)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.preview, 1)
        layout.addWidget(QLabel("Codes read (hold a label inside the dashed box):"))
        layout.addWidget(self.reads)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.use)
        layout.addLayout(bottom)

        self._fill_cameras(source if source is not None else self.machine.camera)
        self.choice.currentIndexChanged.connect(self._restart)
        self.resolution.currentIndexChanged.connect(self._restart)
        self.other.clicked.connect(self._pick_file)
        self.use.clicked.connect(self._save)
        self.preview.codeScanned.connect(self._read)
        self.preview.sourceFailed.connect(self._failed)
        self.resize(820, 640)
        self._restart()

    # --- choices ------------------------------------------------------------------------------

    def _fill_cameras(self, wanted: str | None) -> None:
        self.choice.blockSignals(True)
        self.choice.clear()
        for camera in list_cameras():
            self.choice.addItem(f"{camera.index}: {camera.name}", str(camera.index))
        if wanted and self.choice.findData(wanted) < 0:
            self.choice.addItem(wanted, wanted)
        if self.choice.count() == 0:
            self.choice.addItem("No camera found", "")
        index = self.choice.findData(wanted) if wanted else 0
        self.choice.setCurrentIndex(max(0, index))
        self.choice.blockSignals(False)

    def current_source(self) -> str:
        return str(self.choice.currentData() or "")

    def _pick_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Video file (or an image inside a folder)")
        if not path:
            return
        from pathlib import Path

        chosen = Path(path)
        spec = (
            str(chosen.parent)
            if chosen.suffix.lower() in {".png", ".jpg", ".jpeg", ".webp"}
            else str(chosen)
        )
        if self.choice.findData(spec) < 0:
            self.choice.addItem(spec, spec)
        self.choice.setCurrentIndex(self.choice.findData(spec))

    # --- running ------------------------------------------------------------------------------

    def _restart(self) -> None:
        self.preview.stop()
        self.reads.clear()
        spec = self.current_source()
        if not spec:
            self.status.setText(
                "No camera was found on this computer. Plug one in and reopen this window; "
                "the counter's scan box works without one."
            )
            self.use.setEnabled(False)
            return
        size = self.resolution.currentData() or DEFAULT_SIZE
        try:
            source = open_source(spec, size=size)
        except SourceUnavailable as exc:
            self._failed(str(exc))
            return
        self.use.setEnabled(True)
        self.status.setText(f"Showing {source.name}. Hold a label inside the dashed box.")
        self.preview.start(source)

    def _read(self, text: str, fmt: str) -> None:
        self.reads.insertItem(0, f"{text}    ({fmt})")
        self.feedback.good(self.reads)

    def _failed(self, message: str) -> None:
        self.status.setText(message)

    def _save(self) -> None:
        spec = self.current_source()
        self.machine.camera = spec
        width, height = self.resolution.currentData() or DEFAULT_SIZE
        self.machine.camera_size = (width, height)
        self.status.setText(
            f"The counter will use {self.choice.currentText()} at {width} x {height}."
        )

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.preview.stop()
        super().closeEvent(event)
