"""The decoding pipeline: several passes, cheapest first, stopping at the first that reads.

1. zxing-cpp on the region of interest (the guide box the counter shows), when there is one;
2. zxing-cpp on the whole frame (when the box found nothing, or there is no box);
3. when no 1-D code was read: the rescue of skewed and light-on-dark 1-D codes. Bar-like patches
   found at any angle (:mod:`.locate`) are turned level and decoded again, as they are and
   inverted (zxing-cpp's own inversion covers 2-D codes only), by zxing-cpp and then by zbar,
   which reads some blurred or damaged 1-D codes zxing-cpp gives up on.

zxing-cpp reads turned and inverted 2-D codes by itself. Every decoder is guarded
(:mod:`.decoders`): a library failure on one frame is no read, never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import cv2
import numpy as np

from helpdesk.scanner.decoders import ZbarDecoder, ZxingDecoder
from helpdesk.scanner.formats import DEFAULT_FORMATS, LINEAR_FORMATS, Read, normalise_format_name
from helpdesk.scanner.images import to_grey
from helpdesk.scanner.locate import cut_upright, find_linear_candidates, map_points

Box = tuple[int, int, int, int]  # x, y, width, height in pixels


@dataclass(frozen=True)
class ScannerConfig:
    """What the pipeline reads and how hard it tries.

    ``formats``: settings names of the symbologies to read (see :data:`.formats.FORMAT_NAMES`).
    ``rescue_skewed``: look for turned 1-D codes when the plain passes read nothing.
    ``use_zbar``: let zbar try the rescued patches too. ``max_candidates``: patches tried per frame.
    """

    formats: tuple[str, ...] = DEFAULT_FORMATS
    rescue_skewed: bool = True
    use_zbar: bool = True
    max_candidates: int = 3
    zbar_min_quality: int = 2
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "formats", tuple(dict.fromkeys(normalise_format_name(f) for f in self.formats))
        )


class DecodePipeline:
    """Decodes frames; one instance per thread (the decoders keep no shared state, but zbar's
    scanner objects are made per call, so sharing is safe, only slower)."""

    def __init__(self, config: ScannerConfig | None = None) -> None:
        self.config = config or ScannerConfig()
        formats = self.config.formats
        self._zxing = ZxingDecoder(formats)
        self._zxing_level = ZxingDecoder(formats, try_rotate=False)
        linear = [f for f in formats if f in LINEAR_FORMATS]
        self._linear = bool(linear)
        self._zbar = (
            ZbarDecoder(linear, min_quality=self.config.zbar_min_quality) if linear else None
        )

    def decode(
        self, image: np.ndarray, roi: Box | None = None, *, whole_frame: bool = True
    ) -> list[Read]:
        """The codes in ``image`` (BGR or grey), corners in ``image``'s pixels.

        With a ``roi`` the box is read first and the whole frame only if the box gave nothing and
        ``whole_frame`` is true (the counter passes ``whole_frame`` on idle frames only).
        """
        if image is None or image.size == 0:
            return []
        grey = to_grey(image)
        area = _clip(roi, grey.shape) if roi is not None else None
        reads: list[Read] = []
        if area is not None:
            x, y, w, h = area
            reads = _shift(self._zxing(grey[y : y + h, x : x + w]), x, y)
        if not reads and (area is None or whole_frame):
            reads = self._zxing(grey)
        if self._wants_rescue(reads):
            if area is not None and not (whole_frame and not reads):
                x, y, w, h = area
                reads += _shift(self._rescue(grey[y : y + h, x : x + w], reads, x, y), x, y)
            else:
                reads += self._rescue(grey, reads)
        return _unique(reads)

    def _wants_rescue(self, reads: list[Read]) -> bool:
        """Skewed or light-on-dark 1-D codes are looked for when no 1-D code was read."""
        if not (self.config.rescue_skewed and self._linear):
            return False
        return not any(r.key in LINEAR_FORMATS for r in reads)

    def _rescue(self, grey: np.ndarray, known: list[Read], dx: int = 0, dy: int = 0) -> list[Read]:
        reads: list[Read] = []
        for candidate in find_linear_candidates(grey, limit=self.config.max_candidates):
            if _inside_any(candidate.centre, known, dx, dy):
                continue  # a code read already (a QR code's modules look like bars too)
            crop, back = cut_upright(grey, candidate)
            found = self._linear_reads(self._zxing_level(crop)) or self._linear_reads(
                self._zxing_level(255 - crop)
            )
            method = "rotated"
            if not found and self._zbar is not None:
                found = self._zbar(crop) or self._zbar(255 - crop)
                method = "rotated+zbar"
            for read in found:
                reads.append(
                    Read(read.text, read.format, map_points(back, read.corners), method, read.data)
                )
        return reads

    @staticmethod
    def _linear_reads(reads: list[Read]) -> list[Read]:
        return [r for r in reads if r.key in LINEAR_FORMATS]


def _inside_any(point: tuple[float, float], reads: list[Read], dx: int, dy: int) -> bool:
    px, py = point[0] + dx, point[1] + dy
    for read in reads:
        if len(read.corners) >= 3:
            outline = np.array(read.corners, np.float32).reshape(-1, 1, 2)
            if cv2.pointPolygonTest(outline, (float(px), float(py)), False) >= 0:
                return True
    return False


def _clip(roi: Box, shape) -> Box | None:
    x, y, w, h = (int(v) for v in roi)
    height, width = shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def _shift(reads: Iterable[Read], dx: int, dy: int) -> list[Read]:
    if not dx and not dy:
        return list(reads)
    return [
        Read(r.text, r.format, tuple((px + dx, py + dy) for px, py in r.corners), r.method, r.data)
        for r in reads
    ]


def _unique(reads: list[Read]) -> list[Read]:
    seen: set[tuple[str, str]] = set()
    out = []
    for read in reads:
        if (read.text, read.key) not in seen:
            seen.add((read.text, read.key))
            out.append(read)
    return out


def centred_roi(width: int, height: int, fraction: float = 0.6) -> Box:
    """The guide box: a centred box covering ``fraction`` of each side of a frame."""
    w, h = int(width * fraction), int(height * fraction)
    return ((width - w) // 2, (height - h) // 2, w, h)
