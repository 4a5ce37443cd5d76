"""Loading still images (any file name, PNG/JPEG/WebP/BMP/TIFF) into OpenCV arrays."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


class ImageUnreadable(Exception):
    """A file that is missing or is not an image this scanner can read; the message says which."""


def load_image(path: str | Path) -> np.ndarray:
    """The image at ``path`` as a BGR (or grey) array.

    OpenCV reads the bytes (so names with ``#`` or accents work everywhere); Pillow is the second
    chance for files OpenCV refuses (tiny WebP files, some palette PNGs).
    """
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except FileNotFoundError:
        raise ImageUnreadable(f"no such file: {path}") from None
    except IsADirectoryError:
        raise ImageUnreadable(f"{path} is a folder, not an image") from None
    except OSError as exc:
        raise ImageUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
    if data.size == 0:
        raise ImageUnreadable(f"{path} is empty")
    image = _decode_quietly(data)
    if image is None:
        image = _load_with_pillow(path)
    if image is None or image.size == 0:
        raise ImageUnreadable(f"{path} is not an image that can be read")
    return image


def _decode_quietly(data: np.ndarray) -> np.ndarray | None:
    """OpenCV's decoder without its console messages about files it cannot read."""
    logging = getattr(getattr(cv2, "utils", None), "logging", None)
    level = logging.getLogLevel() if logging is not None else None
    if logging is not None and level is not None:
        logging.setLogLevel(logging.LOG_LEVEL_SILENT)  # Pillow gets a second go; caller reports
    try:
        return cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error:
        return None
    finally:
        if logging is not None and level is not None:
            logging.setLogLevel(level)


def _load_with_pillow(path: Path) -> np.ndarray | None:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:  # pragma: no cover - Pillow is a dependency
        return None
    try:
        with Image.open(path) as img:
            rgb = np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)


def to_grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
