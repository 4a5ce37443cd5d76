"""Bookkeeping of reads: moving their corners between a cut-out and its picture, and keeping one
read per code (no duplicates, no phantoms of the same bars)."""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from helpdesk.scanner.cutouts import map_points
from helpdesk.scanner.formats import Read


def unshift_band(read: Read, top: int, step: int) -> Read:
    """A read's corners in the averaged band's rows (see ``along_bars``) back in its cut-out."""
    corners = tuple((x, top + y * step) for x, y in read.corners)
    return Read(read.text, read.format, corners, read.method, read.data)


def mapped(read: Read, back: np.ndarray, method: str) -> Read:
    """A read in a cut-out, its corners mapped back to the picture by the cut-out's matrix."""
    return Read(read.text, read.format, map_points(back, read.corners), method, read.data)


def inside_any(point: tuple[float, float], reads: list[Read], dx: int, dy: int) -> bool:
    """Whether ``point`` shifted by (dx, dy) lies inside one of the reads' outlines."""
    px, py = point[0] + dx, point[1] + dy
    for read in reads:
        if len(read.corners) >= 3:
            outline = np.array(read.corners, np.float32).reshape(-1, 1, 2)
            if cv2.pointPolygonTest(outline, (float(px), float(py)), False) >= 0:
                return True
    return False


def _area(read: Read) -> float:
    if len(read.corners) < 3:
        return 0.0
    return abs(float(cv2.contourArea(np.array(read.corners, np.float32).reshape(-1, 1, 2))))


def drop_nested(reads: list[Read]) -> list[Read]:
    """One place holds one code: a read whose centre lies inside a larger read of another text
    is a phantom from a few scan lines of the same bars (a checksum passes by chance now and
    then), and is dropped."""
    if len(reads) < 2:
        return reads
    areas = [_area(r) for r in reads]
    keep = []
    for i, read in enumerate(reads):
        nested = any(
            j != i
            and other.text != read.text
            and areas[j] > areas[i]
            and inside_any(read.centre(), [other], 0, 0)
            for j, other in enumerate(reads)
        )
        if not nested:
            keep.append(read)
    return keep


def shifted(reads: Iterable[Read], dx: int, dy: int) -> list[Read]:
    """The reads with their corners moved by (dx, dy): from a part of a picture to the whole."""
    if not dx and not dy:
        return list(reads)
    return [
        Read(r.text, r.format, tuple((px + dx, py + dy) for px, py in r.corners), r.method, r.data)
        for r in reads
    ]


def unique(reads: list[Read]) -> list[Read]:
    """The first read of each text and format."""
    seen: set[tuple[str, str]] = set()
    out = []
    for read in reads:
        if (read.text, read.key) not in seen:
            seen.add((read.text, read.key))
            out.append(read)
    return out
