"""Finding 1-D barcodes at any angle (:mod:`.cutouts` cuts them out for the decoders).

Plain 1-D decoders scan along rows (and columns): a bar code turned 15-40 degrees gives no clean
scan line and is missed. Bars are a patch of strong edges that all point the same way, so the
structure tensor of the image gradient (its energy and its coherence) marks them whatever the
angle, while text, faces and clutter, whose edges point every way, are low in coherence. Bar-like
cells are grouped by their own angle before they are joined into patches, and each patch is
measured: its bars' angle, its extent and, for a label seen at a slant, the shear of its bars
along the code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height
SHRINK = 4  # the search map has one cell per SHRINK x SHRINK pixels
GATE_SIDE = 960  # pictures with a longer side than this are mapped at half size
ANGLE_STEPS = 12  # bar cells are grouped by angle in windows of two steps (30 degrees), every 15
FINE_STEPS = 90  # a patch's commonest angle is found in steps of 2 degrees
# cosines of twice an angle, for cells' doubled angles: within 12 and 6 degrees
KEEP_WITHIN = math.cos(math.radians(24))  # a patch's extent: its cells near the bars' angle
PEAK_WITHIN = math.cos(math.radians(12))  # its angle: the mean of its cells near the commonest
MAX_SHEAR = math.tan(math.radians(25))  # a code's axis this far off its bars' normal: not one code
MIN_SHEAR = math.tan(math.radians(3))  # and this close: the measure's own noise
# 2x2 differences, both at the same point and kept on one-pixel bars
_DX = np.array([[-1.0, 1.0], [-1.0, 1.0]], np.float32)
_DY = _DX.T.copy()


@dataclass(frozen=True)
class Candidate:
    """A patch that looks like bars: centre, size (along the code, across it) and the angle in
    degrees of the bars' normal (the code's long axis when seen square on), in full-resolution
    pixels; ``score`` orders candidates. ``shear``: the tangent of the angle between the code's
    long axis and the bars' normal, which a label seen at a slant has (perspective shears the
    bars along the code); 0 for a code seen square on."""

    centre: tuple[float, float]
    length: float
    height: float
    angle: float
    score: float
    shear: float = 0.0

    def corners(self) -> np.ndarray:
        """The patch's four corners (a parallelogram when sheared), in full-resolution pixels."""
        theta = math.radians(self.angle)
        ux, uy = math.cos(theta), math.sin(theta)
        ax, ay = ux - self.shear * uy, uy + self.shear * ux  # along the code's axis
        half_l, half_h = self.length / 2, self.height / 2
        cx, cy = self.centre
        return np.array(
            [
                (cx + i * half_l * ax - j * half_h * uy, cy + i * half_l * ay + j * half_h * ux)
                for i, j in ((-1, -1), (1, -1), (1, 1), (-1, 1))
            ],
            np.float32,
        )

    def bounds(self, dx: int = 0, dy: int = 0) -> Box:
        """The upright box (x, y, w, h) around the patch, shifted by (dx, dy)."""
        x, y, w, h = cv2.boundingRect(self.corners() + np.array((dx, dy), np.float32))
        return (x, y, w, h)


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
        """The most bar-like patches, best first (the area of the patch times its coherence).

        Cells are grouped by their own angle before they are joined into patches (windows 30
        degrees wide, every 15 degrees, so a code's cells all fall in one): bars touching a box's
        edge, a label's outline or a striped pattern at another angle would otherwise join them
        into one patch whose measured angle is that of neither, and the code is never cut out.
        """
        if self.empty or not limit:
            return []
        cells = self.strong & (self.coherence > self.min_coherence)
        tensor = _Tensor.of(self)
        # each bar cell's angle in ANGLE_STEPS steps (255: not a bar cell)
        step = (tensor.fine * ANGLE_STEPS // FINE_STEPS).astype(np.uint8)
        step[~cells] = 255
        blobs: list[tuple[float, Box, np.ndarray]] = []
        for k in range(ANGLE_STEPS):
            window = cv2.inRange(step, k, k + 1)
            if k == ANGLE_STEPS - 1:  # the last window wraps round to the first
                window = cv2.bitwise_or(window, cv2.inRange(step, 0, 0))
            contours, _ = cv2.findContours(
                self._close(window), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
            )
            for contour in contours:
                area = cv2.contourArea(contour)
                if area >= 12:
                    x, y, w, h = cv2.boundingRect(contour)
                    blobs.append((area, (x, y, w, h), contour))
        blobs.sort(key=lambda b: b[0], reverse=True)
        chosen: list[tuple[float, Box, np.ndarray]] = []
        for blob in blobs:  # the same bars in two neighbouring windows: the larger patch
            if len(chosen) == limit * 2:
                break
            if all(_overlap(blob[1], other[1]) < 0.5 for other in chosen):
                chosen.append(blob)
        out: list[Candidate] = []
        for area, _, contour in chosen:
            if len(out) >= limit and out[limit - 1].score >= area:
                break  # a score is at most the area (coherence at most 1): none can come in
            candidate = _measure(tensor, contour, area)
            if candidate is not None and not any(_same_place(candidate, o) for o in out):
                out.append(candidate)
                out = sorted(out, key=lambda c: c.score, reverse=True)[: limit + 2]
        return out[:limit]

    def matrix(self, limit: int) -> list[tuple[int, int, int, int]]:
        """Busy square patches that may hold a 2-D code, largest first: not much longer than
        wide, and filling most of their own (turned) box."""
        if self.empty or not limit:
            return []
        contours, _ = cv2.findContours(self._busy, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        boxes = []
        for contour in contours:
            x, y, bw, bh = cv2.boundingRect(contour)
            if bw < 3 or bh < 3:
                continue  # too small to hold a code
            # judged in the patch's own turned box: a square turned 45 degrees fills only half
            # of its upright box, and a turned code would be taken for a ragged patch
            side_a, side_b = cv2.minAreaRect(contour)[1]
            short, long_ = min(side_a, side_b), max(side_a, side_b)
            if short < 1 or long_ > 3 * short:
                continue  # a line of text
            if cv2.contourArea(contour) / (short * long_) < 0.4:
                continue
            boxes.append((bw * bh, (x * SHRINK, y * SHRINK, bw * SHRINK, bh * SHRINK)))
        boxes.sort(key=lambda b: b[0], reverse=True)
        return [box for _, box in boxes[:limit]]


def _overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (x, y, w, h)."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / float(a[2] * a[3] + b[2] * b[3] - w * h)


def _same_place(a: Candidate, b: Candidate) -> bool:
    """Whether ``a`` is centred inside ``b`` at a like angle: the same bars measured twice."""
    turn = abs((a.angle - b.angle + 90) % 180 - 90)
    return turn < 20 and cv2.pointPolygonTest(b.corners().reshape(-1, 1, 2), a.centre, False) >= 0


class _Tensor(NamedTuple):
    """Each cell's doubled gradient angle as a vector (a, b), as long as its oriented strength,
    its energy, and the doubled angle in FINE_STEPS steps over the circle."""

    a: np.ndarray
    b: np.ndarray
    energy: np.ndarray
    strength: np.ndarray
    fine: np.ndarray

    @classmethod
    def of(cls, found: StructureMap) -> _Tensor:
        a, b = found.jxx - found.jyy, 2 * found.jxy
        doubled = cv2.phase(a, b)  # 0 to 2 pi
        fine = (doubled * (FINE_STEPS / (2 * math.pi))).astype(np.int32) % FINE_STEPS
        return cls(a, b, found.jxx + found.jyy, cv2.magnitude(a, b), fine)


def _measure(tensor: _Tensor, contour: np.ndarray, area: float) -> Candidate | None:
    """The angle, extent and shear of one bar-like patch.

    The angle is the commonest among the patch's cells (weighted by their strength), not their
    mean: a patch that took in a stripe or an edge at another angle beside the bars keeps the
    bars' own angle. The extent is that of the cells at the bars' angle (within 12 degrees). The
    code's long axis is the cells' own (their positions' principal direction), which differs
    from the bars' normal when perspective shears a label seen at a slant.
    """
    x, y, bw, bh = cv2.boundingRect(contour)
    inside = np.zeros((bh, bw), np.uint8)
    cv2.drawContours(inside, [contour - (x, y)], -1, 1, thickness=-1)
    ys, xs = np.nonzero(inside)
    ys, xs = ys + y, xs + x
    a, b, strength = tensor.a[ys, xs], tensor.b[ys, xs], tensor.strength[ys, xs]
    coherence = math.hypot(float(a.sum()), float(b.sum())) / (
        float(tensor.energy[ys, xs].sum()) + 1e-3
    )
    if coherence < 0.5:
        return None
    theta = _commonest_angle(a, b, strength, tensor.fine[ys, xs])  # along the code
    ux, uy = math.cos(theta), math.sin(theta)
    # Only the cells whose own edges point the same way (a line crossing the label does not).
    keep = (a * math.cos(2 * theta) + b * math.sin(2 * theta)) > KEEP_WITHIN * strength
    if np.count_nonzero(keep) < 6:
        return None
    px = xs[keep].astype(np.float32) * SHRINK + SHRINK / 2
    py = ys[keep].astype(np.float32) * SHRINK + SHRINK / 2
    cx, cy = float(px.mean()), float(py.mean())
    along = (px - cx) * ux + (py - cy) * uy
    across = -(px - cx) * uy + (py - cy) * ux
    spread = float(np.dot(along, along))
    shear = float(np.dot(along, across)) / spread if spread > 0 else 0.0
    shear = shear if MIN_SHEAR <= abs(shear) <= MAX_SHEAR else 0.0
    across = across - shear * along
    a0, a1 = _percentiles(along)
    c0, c1 = _percentiles(across)
    mid_a, mid_c = (a0 + a1) / 2, (c0 + c1) / 2 + shear * (a0 + a1) / 2
    centre = (cx + mid_a * ux - mid_c * uy, cy + mid_a * uy + mid_c * ux)
    length, height = a1 - a0 + SHRINK, c1 - c0 + SHRINK
    if length < 32 or height < 8:
        return None  # a line or the edge of a box: long across its gradient, thin along it
    return Candidate(centre, length, height, math.degrees(theta), area * coherence, shear)


def _commonest_angle(a: np.ndarray, b: np.ndarray, strength: np.ndarray, fine: np.ndarray) -> float:
    """The cells' commonest gradient angle (radians): the peak of their doubled angles (``fine``,
    2 degrees of angle a step), weighted by strength and smoothed over 10 degrees, refined as the
    mean of the cells within 6 degrees of it."""
    counts = np.bincount(fine, weights=strength, minlength=FINE_STEPS)
    wrapped = np.concatenate((counts[-2:], counts, counts[:2]))
    counts = wrapped[:-4] + wrapped[1:-3] + wrapped[2:-2] + wrapped[3:-1] + wrapped[4:]
    peak = (int(np.argmax(counts)) + 0.5) * (2 * math.pi / FINE_STEPS)
    near = (a * math.cos(peak) + b * math.sin(peak)) > PEAK_WITHIN * strength
    if not near.any():
        return 0.5 * peak
    return 0.5 * math.atan2(float(b[near].sum()), float(a[near].sum()))


def _percentiles(values: np.ndarray) -> tuple[float, float]:
    """The 1st and 99th percentiles (nearest rank): the patch's extent, stray cells left out."""
    ordered = np.sort(values)
    last = len(ordered) - 1
    return float(ordered[int(round(0.01 * last))]), float(ordered[int(round(0.99 * last))])
