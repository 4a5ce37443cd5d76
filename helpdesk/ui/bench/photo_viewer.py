"""A damage photo in full, from the bytes kept in the database: a window of its own, the photo
scaled to fit (never enlarged), Esc or Enter closes it. Nothing is written to disk, so a
student's photo does not linger in a temporary folder of a shared computer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from helpdesk.services.repairs.photos import PhotoData

MARGIN = 160  # pixels of the screen left around the photo for the window's frame and buttons


def decode_photo(photo: PhotoData) -> tuple[PhotoData, QImage | None]:
    """The photo and its picture (run off the GUI thread: QImage is thread-safe); None when Qt
    cannot read that kind of image."""
    image = QImage.fromData(photo.data)
    return photo, None if image.isNull() else image


class PhotoViewer(QDialog):
    """One photo, as large as the screen allows."""

    def __init__(self, photo: PhotoData, image: QImage | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self.setWindowTitle(f"Photo: {photo.name}")
        self.photo = photo
        self.picture = QLabel()
        self.picture.setObjectName("photo")
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if image is None:
            self.picture.setText(
                f"{photo.name} ({photo.media_type or 'unknown kind'}) cannot be shown here."
            )
        else:
            screen = QGuiApplication.primaryScreen()
            room = screen.availableSize() if screen is not None else image.size()
            width = max(200, room.width() - MARGIN)
            height = max(200, room.height() - MARGIN)
            if image.width() > width or image.height() > height:
                image = image.scaled(
                    width,
                    height,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            self.picture.setPixmap(QPixmap.fromImage(image))
        caption = QLabel(f"{photo.name} · {len(photo.data) / 1024:,.0f} KB")
        caption.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(caption)
        layout.addWidget(buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Return), self, self.accept)
