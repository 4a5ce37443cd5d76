"""Finding 1-D barcodes at any angle (:mod:`.cutouts` cuts them out for the decoders).

Plain 1-D decoders scan along rows (and columns): a bar code turned 15-40 degrees gives no clean
scan line and is missed. Bars are a patch of strong edges that all point the same way, so the
structure tensor of the image gradient (its energy and its coherence) marks them whatever the
angle, while text, faces and clutter, whose edges point every way, are low in coherence. Each
patch is turned so its bars stand upright and cut out with a quiet zone, ready to decode again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

SHRINK = 4  # the search map has one cell per SHRINK x SHRINK pixels
GATE_SIDE = 960  # pictures with a longer side than this are mapped at half size
# 2x2 differences, both at the same point and kept on one-pixel bars
_DX = np.array([[-1.0, 1.0], [-1.0, 1.0]], np.float32)
_DY = _DX.T.copy()


@dataclass(frozen=True)
class Candidate:
    """A patch that looks like bars: centre, size (along the code, across it) and the angle in
    degrees of the code's long axis, in full-resolution pixels; ``score`` orders candidates."""

    centre: tuple[float, float]
    length: float
    height: float
    angle: float
    score: float


def find_linear_candidates(
    grey: np.ndarray, *, limit: int = 4, min_coherence: float = 0.6, min_energy: float = 2500.0
) -> list[Candidate]:
    """The most bar-like patches of ``grey``, best first."""
    return find_candidates(
        grey, linear_limit=limit, matrix_limit=0, min_energy=min_energy, min_coherence=min_coherence
    )[0]


def find_candidates(
    grey: np.ndarray,
    *,
    linear_limit: int = 4,
    matrix_limit: int = 3,
    min_coherence: float = 0.6,
    min_energy: float = 2500.0,
) -> tuple[list[Candidate], list[tuple[int, int, int, int]]]:
    """Bar-like patches (1-D codes, best first) and busy square patches (boxes x, y, w, h that
    may hold a small or light-on-dark 2-D code, largest first)."""
    found = StructureMap(grey, min_coherence=min_coherence, min_energy=min_energy)
    return found.linear(linear_limit), found.matrix(matrix_limit)


class StructureMap:
    """The structure tensor of a picture's gradient, one cell per SHRINK x SHRINK pixels.

    A cell is bar-like when its edges are strong (energy) and mostly point one way (coherence); a
    2-D code's cells are strong with edges both ways. Making the map is the scanner's gate: a
    picture with no bar-like patch and no busy square patch holds no code worth a rescue.

    A large picture (longer side over ``GATE_SIDE``) is mapped from a copy at half size: the
    gradients cost a quarter, and each cell still covers SHRINK x SHRINK of the full picture.
    Bars two pixels wide in the full picture are one pixel wide in the copy, still edges; finer
    codes than that are beyond the rescues anyway. The copy's gradients are 2x2 differences,
    which keep one-pixel bars (a centred difference cancels on them).
    """

    def __init__(
        self, grey: np.ndarray, *, min_coherence: float = 0.6, min_energy: float = 2500.0
    ) -> None:
        h, w = grey.shape[:2]
        self.min_coherence = min_coherence
        self._hot_cells: np.ndarray | None = None
        self.empty = h < 4 * SHRINK or w < 4 * SHRINK
        if self.empty:
            return
        size = (w // SHRINK, h // SHRINK)
        step = 2 if max(h, w) > GATE_SIDE else 1
        if step == 1:
            gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
            gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
            gain = 1.0
        else:
            small = cv2.resize(grey, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
            gx = cv2.filter2D(small, cv2.CV_32F, _DX, borderType=cv2.BORDER_REPLICATE)
            gy = cv2.filter2D(small, cv2.CV_32F, _DY, borderType=cv2.BORDER_REPLICATE)
            # a step edge then gives a quarter of a 3x3 Sobel's cell energy at full size, for
            # which the thresholds are set
            gain = 4.0
        jxx = cv2.resize(cv2.multiply(gx, gx, scale=gain), size, interpolation=cv2.INTER_AREA)
        jyy = cv2.resize(cv2.multiply(gy, gy, scale=gain), size, interpolation=cv2.INTER_AREA)
        jxy = cv2.resize(cv2.multiply(gx, gy, scale=gain), size, interpolation=cv2.INTER_AREA)
        win = (3, 3)
        self.jxx, self.jyy, self.jxy = cv2.blur(jxx, win), cv2.blur(jyy, win), cv2.blur(jxy, win)
        energy = self.jxx + self.jyy
        self.coherence = np.sqrt((self.jxx - self.jyy) ** 2 + 4 * self.jxy * self.jxy) / (
            energy + 1e-3
        )
        self.strong = energy > min_energy
        # (A test that a window's edges alternate, to keep a label's outline out of its bars, was
        # tried and withdrawn: bars wider than the window are lone edges to it, and the labels
        # the school prints at 203 and 300 dpi were no longer found.)
        self._bars = self._close(self.strong & (self.coherence > min_coherence))
        self._busy = self._close(self.strong & (self.coherence < 0.55))

    @staticmethod
    def _close(mask: np.ndarray) -> np.ndarray:
        return cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))

    @property
    def has_structure(self) -> bool:
        """Whether any cell is bar-like or busy: without one no rescue can find anything."""
        return not self.empty and bool(self._bars.any() or self._busy.any())

    def changed(self, other: StructureMap) -> float:
        """The share of the strongest code-like cells (:meth:`peaks`) of either map that are
        strong in one only (0: the same cells, 1: none in common or maps of different pictures).
        Judged on the strongest cells, not all code-like ones: under heavy noise every cell is."""
        if self.empty or other.empty or self._bars.shape != other._bars.shape:
            return 1.0
        mine, theirs = self._hot(), other._hot()
        union = int(np.count_nonzero(mine | theirs))
        return int(np.count_nonzero(mine ^ theirs)) / union if union else 0.0

    def _hot(self) -> np.ndarray:
        """Code-like cells of twice the median energy of all code-like cells."""
        if self._hot_cells is None:
            cells = (self._bars | self._busy).astype(bool)
            energy = self.jxx + self.jyy
            floor = 2.0 * float(np.median(energy[cells])) if cells.any() else 0.0
            self._hot_cells = self._close(cells & (energy > floor))
        return self._hot_cells

    def peaks(self, limit: int) -> list[tuple[int, int, int, int]]:
        """Boxes (x, y, w, h) around the code-like cells of twice the median energy of all
        code-like cells, strongest first: when heavy noise makes a whole picture code-like,
        it raises every cell's energy alike, and a code's own edges stand above it."""
        if self.empty or not limit:
            return []
        energy, hot = self.jxx + self.jyy, self._hot()
        contours, _ = cv2.findContours(hot, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours:
            x, y, bw, bh = cv2.boundingRect(contour)
            if bw >= 3 and bh >= 3:
                weight = float(
                    energy[y : y + bh, x : x + bw][hot[y : y + bh, x : x + bw] > 0].sum()
                )
                # grown by 4 cells each way: a code's weaker edges are beside its strongest
                x0, y0 = max(0, x - 4), max(0, y - 4)
                x1, y1 = min(hot.shape[1], x + bw + 4), min(hot.shape[0], y + bh + 4)
                boxes.append(
                    (weight, (x0 * SHRINK, y0 * SHRINK, (x1 - x0) * SHRINK, (y1 - y0) * SHRINK))
                )
        boxes.sort(key=lambda b: b[0], reverse=True)
        return [box for _, box in boxes[:limit]]

    def linear(self, limit: int) -> list[Candidate]:
        """The most bar-like patches, best first (the area of the patch times its coherence)."""
        if self.empty or not limit:
            return []
        contours, _ = cv2.findContours(self._bars, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blobs = [(cv2.contourArea(c), c) for c in contours]
        blobs = [b for b in blobs if b[0] >= 12]
        blobs.sort(key=lambda b: b[0], reverse=True)
        out: list[Candidate] = []
        for area, contour in blobs[: limit * 3]:
            candidate = _measure(self.jxx, self.jyy, self.jxy, contour, area)
            if candidate is not None:
                out.append(candidate)
        out.sort(key=lambda c: c.score, reverse=True)
        return out[:limit]

    def matrix(self, limit: int) -> list[tuple[int, int, int, int]]:
        """Busy square patches that may hold a 2-D code, largest first."""
        if self.empty or not limit:
            return []
        contours, _ = cv2.findContours(self._busy, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours:
            x, y, bw, bh = cv2.boundingRect(contour)
            if bw < 3 or bh < 3 or max(bw, bh) > 3 * min(bw, bh):
                continue  # too small to hold a code, or a line of text
            fill = cv2.contourArea(contour) / (bw * bh)
            if fill < 0.4:
                continue
            boxes.append((bw * bh, (x * SHRINK, y * SHRINK, bw * SHRINK, bh * SHRINK)))
        boxes.sort(key=lambda b: b[0], reverse=True)
        return [box for _, box in boxes[:limit]]


def _measure(jxx, jyy, jxy, contour: np.ndarray, area: float) -> Candidate | None:
    """The angle (the patch's summed structure tensor) and extent of one bar-like patch."""
    x, y, bw, bh = cv2.boundingRect(contour)
    inside = np.zeros((bh, bw), np.uint8)
    cv2.drawContours(inside, [contour - (x, y)], -1, 1, thickness=-1)
    sel = inside.astype(bool)
    sxx = float(jxx[y : y + bh, x : x + bw][sel].sum())
    syy = float(jyy[y : y + bh, x : x + bw][sel].sum())
    sxy = float(jxy[y : y + bh, x : x + bw][sel].sum())
    coherence = math.hypot(sxx - syy, 2 * sxy) / (sxx + syy + 1e-3)
    if coherence < 0.5:
        return None
    theta = 0.5 * math.atan2(2 * sxy, sxx - syy)  # the gradient's direction: along the code
    ux, uy = math.cos(theta), math.sin(theta)
    # Only the cells whose own edges point the same way (a line crossing the label does not).
    cxx = jxx[y : y + bh, x : x + bw]
    cyy = jyy[y : y + bh, x : x + bw]
    cxy = jxy[y : y + bh, x : x + bw]
    cell_theta = 0.5 * np.arctan2(2 * cxy, cxx - cyy)
    diff = np.abs(np.angle(np.exp(2j * (cell_theta - theta)))) / 2
    keep = sel & (diff < math.radians(12))
    if keep.sum() < 6:
        return None
    ys, xs = np.nonzero(keep)
    px = (xs + x).astype(np.float32) * SHRINK + SHRINK / 2
    py = (ys + y).astype(np.float32) * SHRINK + SHRINK / 2
    cx, cy = float(px.mean()), float(py.mean())
    along = (px - cx) * ux + (py - cy) * uy
    across = -(px - cx) * uy + (py - cy) * ux
    a0, a1 = (float(v) for v in np.percentile(along, (1, 99)))
    c0, c1 = (float(v) for v in np.percentile(across, (1, 99)))
    mid_a, mid_c = (a0 + a1) / 2, (c0 + c1) / 2
    centre = (cx + mid_a * ux - mid_c * uy, cy + mid_a * uy + mid_c * ux)
    length, height = a1 - a0 + SHRINK, c1 - c0 + SHRINK
    if length < 32 or height < 8:
        return None  # a line or the edge of a box: long across its gradient, thin along it
    return Candidate(centre, length, height, math.degrees(theta), area * coherence)
