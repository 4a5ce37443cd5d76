"""Reading what no single frame can: the last few frames of one candidate region, combined.

A webcam gives 30 frames a second of a tag that is held nearly still. When the pipeline finds
something code-like in a frame (:meth:`.DecodePipeline.candidate_regions`) but reads nothing,
:class:`FrameFusion` keeps a padded cut-out of that region from each frame (a copy, nothing more)
in a short ring. Every few frames it

1. registers each cut-out to the newest by phase correlation (a hand moves a tag by a pixel or two
   between frames; a cut-out that does not match well, because the tag moved or turned too much,
   is left out);
2. averages the registered cut-outs: sensor noise is independent from frame to frame, so the mean
   of n frames has 1/sqrt(n) of the noise while the code stays put. A dark picture's few grey
   levels are spread again after averaging (the mean of noisy frames has the in-between levels a
   single 8-bit frame lacks);
3. keeps the sharpest single cut-out too (variance of the Laplacian): averaging cannot undo blur,
   and when the camera hunts for focus one frame in a few is sharper than the rest;

and decodes both with the pipeline itself (so small modules are enlarged as usual).

:class:`Agreement` stands between reads and the debouncer: two different texts of one format read
from overlapping places within a second mean at least one is a misread, so neither is acted on.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np

from helpdesk.scanner.formats import Read
from helpdesk.scanner.images import to_grey
from helpdesk.scanner.pipeline import Box, DecodePipeline

RING = 8  # cut-outs kept
EVERY = 3  # frames between fusions
MIN_FRAMES = 3  # registered cut-outs a fused read needs before it may count
MIN_RESPONSE = 0.15  # phase correlation peak below which a cut-out does not match the newest
MAX_SIDE = 840  # longest side of a cut-out; bigger regions are not fused
COARSE_SIDE = 320  # cut-outs longer than this are registered on a shrunk copy


@dataclass(frozen=True)
class Fusion:
    """The outcome of one fusion: reads (corners in frame pixels) and how many cut-outs the
    average was made of."""

    reads: tuple[Read, ...]
    frames: int


def register(reference: np.ndarray, moving: np.ndarray) -> tuple[float, float, float]:
    """The shift (dx, dy) that carries ``moving`` onto ``reference``, and the phase correlation's
    peak (near 1 for the same picture shifted, near 0 for unrelated pictures)."""
    step = max(1, -(-max(reference.shape[:2]) // COARSE_SIDE))
    ref, mov = _prepared(reference, step), _prepared(moving, step)
    window = cv2.createHanningWindow((ref.shape[1], ref.shape[0]), cv2.CV_32F)
    (sx, sy), response = cv2.phaseCorrelate(mov, ref, window)
    return float(sx) * step, float(sy) * step, float(response)


def _prepared(crop: np.ndarray, step: int = 1) -> np.ndarray:
    # A light blur keeps the registration on the code's shapes rather than on the noise; a big
    # cut-out is shrunk first (the peak's sub-pixel fit keeps the shift within a pixel or so).
    grey: np.ndarray = crop.astype(np.float32)
    if step > 1:
        size = (grey.shape[1] // step, grey.shape[0] // step)
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(grey, (0, 0), 1.0)
    return grey - float(grey.mean())


def shifted(crop: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """``crop`` moved by (dx, dy) pixels, sub-pixel, as float32."""
    matrix = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float64)
    return cv2.warpAffine(
        crop.astype(np.float32),
        matrix,
        (crop.shape[1], crop.shape[0]),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def sharpness(crop: np.ndarray) -> float:
    """Variance of the Laplacian (after a light blur, so noise counts less than edges)."""
    smooth = cv2.GaussianBlur(crop, (0, 0), 1.0)
    return float(cv2.Laplacian(smooth, cv2.CV_32F).var())


def stretched(image: np.ndarray) -> np.ndarray:
    """The 1st-99th percentile of ``image`` spread over 0-255 (contrast lifted after averaging)."""
    low, high = (float(v) for v in np.percentile(image, (1, 99)))
    if high - low < 1e-3:
        return np.clip(image, 0, 255).astype(np.uint8)
    return np.clip((image - low) * (255.0 / (high - low)), 0, 255).astype(np.uint8)


def average(
    crops: list[np.ndarray], max_shift: float = 0.2, sharp: list[float] | None = None
) -> tuple[np.ndarray, int]:
    """The crops registered to the last one and averaged; the number of crops used. Left out:
    those whose registration is poor or whose shift is over ``max_shift`` of the crop, and (with
    ``sharp``, each crop's :func:`sharpness`) those less than half as sharp as the sharpest."""
    newest = crops[-1]
    total = newest.astype(np.float32)
    used = 1
    h, w = newest.shape[:2]
    floor = 0.5 * max(sharp) if sharp else 0.0
    for index, crop in enumerate(crops[:-1]):
        if sharp and sharp[index] < floor:
            continue
        dx, dy, response = register(newest, crop)
        if response < MIN_RESPONSE or abs(dx) > max_shift * w or abs(dy) > max_shift * h:
            continue
        total += shifted(crop, dx, dy)
        used += 1
    return total / used, used


class FrameFusion:
    """Follows one candidate region across frames and decodes the combination of its last
    ``ring`` cut-outs every ``every`` frames while the single frames read nothing there."""

    def __init__(
        self,
        pipeline: DecodePipeline,
        *,
        ring: int = RING,
        every: int = EVERY,
        min_frames: int = MIN_FRAMES,
        forget_after: float = 0.5,
    ) -> None:
        self.pipeline = pipeline
        self.every = every
        self.min_frames = min_frames
        self.forget_after = forget_after
        self._crops: deque[np.ndarray] = deque(maxlen=ring)
        self._sharp: deque[float] = deque(maxlen=ring)
        self._box: Box | None = None
        self._seen_at = -math.inf
        self._since = 0
        self.last: Fusion | None = None  # the last fusion run (for the bench and tests)
        self.settled = False  # the followed region's code was acted on: no more fusing

    @property
    def box(self) -> Box | None:
        """The region being followed, in frame pixels."""
        return self._box

    def reset(self) -> None:
        self._crops.clear()
        self._sharp.clear()
        self._box = None
        self._since = 0
        self.settled = False

    def settle(self) -> None:
        """The code of the followed region has been acted on: stop combining its frames until
        the region is left (the debouncer would not act on it again anyway)."""
        self._crops.clear()
        self._sharp.clear()
        self.settled = True

    def feed(
        self,
        image: np.ndarray,
        at: float,
        reads: list[Read],
        regions: list[Box],
        *,
        limit: float | None = None,
        fuse: bool = True,
        deadline: float | None = None,
    ) -> list[Read]:
        """One frame, after the single-frame pass gave ``reads`` and found candidate ``regions``
        (in frame pixels, best first). Returns the fused reads of this frame: empty unless a
        fusion ran. The region followed is the best of area at most ``limit`` pixels (a larger
        one is the noise of a whole picture, not a code). With ``fuse`` false, or past
        ``deadline`` (``time.thread_time()``), the cut-out is kept and the fusion waits."""
        self.last = None
        fitting = [r for r in regions if limit is None or r[2] * r[3] <= limit]
        if fitting:
            self._follow(fitting[0], image.shape, at)
        elif self._box is not None and at - self._seen_at > self.forget_after:
            self.reset()
        if self._box is None or self.settled:
            return []
        if reads and any(_inside(r.centre(), self._box) for r in reads):
            self._crops.clear()  # read by the single frame: nothing to combine
            self._sharp.clear()
            self._since = 0
            return []
        x, y, w, h = self._box
        crop = to_grey(image[y : y + h, x : x + w]).copy()
        self._crops.append(crop)
        self._sharp.append(sharpness(crop))
        self._since += 1
        if self._since < self.every or len(self._crops) < self.min_frames or not fuse:
            return []
        if deadline is not None and time.thread_time() >= deadline:
            return []  # the frame's budget is spent: the next frame fuses
        self._since = 0
        self.last = self.fuse(deadline)
        return list(self.last.reads)

    def fuse(self, deadline: float | None = None) -> Fusion:
        """Decode the average of the ring and, failing that, its sharpest cut-out. Nothing is
        decoded while fewer than ``min_frames`` cut-outs register (the tag is still moving)."""
        if self._box is None or not self._crops:
            return Fusion((), 0)
        crops, sharp = list(self._crops), list(self._sharp)
        mean, used = average(crops, sharp=sharp)
        if used < self.min_frames:
            return Fusion((), used)
        x, y = self._box[0], self._box[1]
        reads = self.pipeline.decode(stretched(mean), deadline=deadline)
        if reads:
            return Fusion(tuple(_moved(r, x, y, "fused") for r in reads), used)
        # The sharpest cut-out, enlarged when small, unless it is the frame just decoded.
        best = max(range(len(crops)), key=sharp.__getitem__)
        if best == len(crops) - 1 or (deadline is not None and time.thread_time() >= deadline):
            return Fusion((), used)
        reads = self.pipeline.decode(crops[best], deadline=deadline)
        return Fusion(tuple(_moved(r, x, y, "sharpest") for r in reads), used)

    def _follow(self, region: Box, shape: tuple[int, ...], at: float) -> None:
        """Keep following the current box while the region's centre stays in its middle half;
        otherwise start again on the new region."""
        self._seen_at = at
        cx, cy = region[0] + region[2] / 2, region[1] + region[3] / 2
        if self._box is not None:
            bx, by, bw, bh = self._box
            if abs(cx - (bx + bw / 2)) < bw / 4 and abs(cy - (by + bh / 2)) < bh / 4:
                return
        self.reset()
        self._box = padded(region, shape)
        self._seen_at = at


def padded(region: Box, shape: tuple[int, ...], *, max_side: int = MAX_SIDE) -> Box | None:
    """The region with a margin for the hand's motion and the code's quiet zone, inside the
    frame; None when it is too big to combine cheaply or too small to hold a code."""
    x, y, w, h = region
    margin = min(int(0.15 * max(w, h)) + 12, 32)
    height, width = shape[:2]
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(width, x + w + margin), min(height, y + h + margin)
    if x1 - x0 < 24 or y1 - y0 < 24 or max(x1 - x0, y1 - y0) > max_side:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def _inside(point: tuple[float, float], box: Box) -> bool:
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


def _moved(read: Read, dx: int, dy: int, method: str) -> Read:
    corners = tuple((px + dx, py + dy) for px, py in read.corners)
    return Read(read.text, read.format, corners, method, read.data)


class Agreement:
    """Holds back reads that the frames disagree on: a read is let through unless another text of
    the same format was read from an overlapping place within ``window`` seconds (then neither is,
    until the other has not been seen for ``window`` seconds)."""

    def __init__(self, window: float = 1.0) -> None:
        self.window = window
        self._recent: deque[tuple[float, Read]] = deque()

    def admit(self, reads: Iterable[Read], at: float) -> list[Read]:
        while self._recent and at - self._recent[0][0] > self.window:
            self._recent.popleft()
        reads = list(reads)
        for read in reads:
            self._recent.append((at, read))
        return [r for r in reads if not self._disputed(r)]

    def _disputed(self, read: Read) -> bool:
        return any(
            other.text != read.text and other.key == read.key and _overlap(other, read)
            for _, other in self._recent
        )

    def reset(self) -> None:
        self._recent.clear()


def _overlap(a: Read, b: Read) -> bool:
    if not a.corners or not b.corners:
        return True  # no place known: assume the same one
    ax, ay = zip(*a.corners, strict=True)
    bx, by = zip(*b.corners, strict=True)
    pad = 8
    return not (
        max(ax) + pad < min(bx)
        or max(bx) + pad < min(ax)
        or max(ay) + pad < min(by)
        or max(by) + pad < min(ay)
    )
