"""Test images: the real sample photos with their expected texts, and codes drawn into frames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from needs import SCANNER_SAMPLES as SAMPLES

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
    """Every sample photo with what it should read (ask for the ``scanner_samples`` fixture
    first: it skips, or fails under .ci/run, when the folder is missing)."""
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


@dataclass(frozen=True)
class Clip:
    """A replayed presentation: frame times at ``fps``; the tag is held still (readable) from
    each time in ``readable_from``."""

    text: str
    fps: float
    frames: int
    readable_from: tuple[float, ...]


def presentation_frames(text: str = "PER-000123", *, fps: float = 30.0, size=(1280, 720)):
    """Frames of a tag brought into view, held, taken away, shown again and taken away.

    Moving, the tag is smeared by motion blur as a webcam would; held, it jitters by a pixel or
    two and every frame has fresh sensor noise. Yields grey frames; ``Clip`` describes them.
    """
    width, height = size
    label = code_image(text, scale=3)
    rng = np.random.default_rng(42)
    desk = clutter(width, height, seed=42)
    centre_x, centre_y = width // 2, height // 2
    off_x = width + label.shape[1]  # fully out of view to the right
    # (start, end, from_x, to_x) in seconds; x of the label's centre
    plan = [
        (0.0, 0.5, off_x, off_x),
        (0.5, 0.8, off_x, centre_x),
        (0.8, 2.0, centre_x, centre_x),
        (2.0, 2.3, centre_x, off_x),
        (2.3, 3.3, off_x, off_x),
        (3.3, 3.6, off_x, centre_x),
        (3.6, 4.3, centre_x, centre_x),
        (4.3, 4.5, centre_x, off_x),
        (4.5, 4.8, off_x, off_x),
    ]
    count = int(round(plan[-1][1] * fps))
    clip = Clip(text, fps, count, (0.8, 3.6))
    frames = []
    for i in range(count):
        t = i / fps
        start, end, x0, x1 = next(p for p in plan if p[0] <= t < p[1])
        k = (t - start) / (end - start)
        x = x0 + (x1 - x0) * k
        speed = abs(x1 - x0) / (end - start) / fps  # pixels per frame
        frame = desk.copy()
        if x - label.shape[1] // 2 < width:
            jitter = rng.integers(-2, 3, size=2) if speed == 0 else (0, 0)
            big = np.concatenate([desk, np.zeros((height, 2 * label.shape[1]), np.uint8)], axis=1)
            place(big, label, (int(x) + int(jitter[0]), centre_y + int(jitter[1])))
            frame = big[:, :width].copy()
            if speed > 1:
                length = int(min(speed, 60))
                kernel = np.zeros((1, length), np.float32)
                kernel[0, :] = 1.0 / length
                frame = cv2.filter2D(frame, -1, kernel)
        noise = rng.normal(0, 3, frame.shape)
        frame = np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8)
        frames.append(frame)
    return clip, frames


def write_clip_folder(folder: Path, **kwargs) -> Clip:
    folder.mkdir(parents=True, exist_ok=True)
    clip, frames = presentation_frames(**kwargs)
    for i, frame in enumerate(frames):
        cv2.imwrite(str(folder / f"frame-{i:04d}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return clip


def write_clip_video(path: Path, **kwargs) -> Clip:
    clip, frames = presentation_frames(**kwargs)
    height, width = frames[0].shape
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), clip.fps, (width, height))
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR))
    writer.release()
    return clip
