"""Test images: the real sample photos with their expected texts, and codes drawn into frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "scanner-samples"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}


@dataclass(frozen=True)
class Sample:
    path: Path
    text: str | None  # None: a photo with no code (falsepositives)
    data: bytes | None = None  # expected raw bytes when the sample gives a .bin instead of text

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.name}"

    def matches(self, read) -> bool:
        if self.text is not None:
            return read.text == self.text
        return self.data is not None and read.data == self.data


def samples() -> list[Sample]:
    found = []
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            txt, binary = path.with_suffix(".txt"), path.with_suffix(".bin")
            if txt.exists():
                found.append(Sample(path, txt.read_bytes().decode("utf-8")))
            elif binary.exists():
                found.append(Sample(path, None, binary.read_bytes()))
            else:
                found.append(Sample(path, None))
    return found


def code_image(text: str, fmt: str = "Code128", scale: int = 3) -> np.ndarray:
    """A clean black-on-white code with its quiet zone, as a grey array."""
    barcode = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, fmt))
    image = np.asarray(barcode.to_image(scale=scale, add_quiet_zones=True))
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return image.copy()


def clutter(width: int = 1280, height: int = 720, seed: int = 0) -> np.ndarray:
    """A grey desk-like background: smooth blotches, a few rectangles and lines."""
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur((rng.random((height, width)) * 255).astype(np.uint8), (0, 0), 12)
    frame = cv2.normalize(base, None, 70, 190, cv2.NORM_MINMAX)
    for _ in range(12):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(20, 200)), int(rng.integers(20, 120))
        cv2.rectangle(frame, (x, y), (x + w, y + h), int(rng.integers(40, 220)), -1)
    for _ in range(8):
        p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        p2 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        cv2.line(frame, p1, p2, int(rng.integers(0, 255)), int(rng.integers(1, 4)))
    return frame


def place(
    frame: np.ndarray, label: np.ndarray, centre: tuple[int, int], angle: float = 0.0
) -> None:
    """Paste ``label`` (with a white border) into ``frame`` turned by ``angle`` degrees."""
    label = cv2.copyMakeBorder(label, 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
    h, w = label.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * s + w * c) + 2, int(h * c + w * s) + 2
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    turned = cv2.warpAffine(label, m, (nw, nh), borderValue=0)
    mask = cv2.warpAffine(np.full_like(label, 255), m, (nw, nh)) > 127
    x0, y0 = centre[0] - nw // 2, centre[1] - nh // 2
    region = frame[y0 : y0 + nh, x0 : x0 + nw]
    region[mask] = turned[mask]
