"""Cutting candidate patches out of a picture for the decoders to try again.

A bar-like patch (:class:`.locate.Candidate`) is cut out along the code's axis with its bars
upright, a quiet zone each side, enlarged when its bars are fine; a busy square patch is cut out with a margin and
enlarged. Each cut-out comes with the 2x3 matrix mapping its pixels back to the picture, so a
read's corners land where the code is.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from helpdesk.scanner.locate import Candidate

SHARPEN = 1.5  # the unsharp mask's amount on 1-D cut-outs (see sharpened)


def cut_upright(
    grey: np.ndarray, candidate: Candidate, *, target_length: int = 640, max_zoom: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate with its bars upright and its axis level, a quiet zone each side, and the
    2x3 matrix that maps the cut-out's pixels back to ``grey``'s coordinates.

    Columns follow the bars and rows the code's axis: for a label seen at a slant (a sheared
    candidate) both at once, so each row crosses every bar and each column stays on one bar.
    Enlarged when its bars are fine (up to ``max_zoom``, towards ``target_length`` pixels)."""
    zoom = min(max_zoom, max(1.0, target_length / max(candidate.length, 1.0)))
    margin = 0.2 * candidate.length + 16
    out_w = int(round((candidate.length + 2 * margin) * zoom))
    out_h = int(round((max(candidate.height, 0.15 * candidate.length) + 16) * zoom))
    out_w, out_h = max(out_w, 32), max(out_h, 24)
    theta = math.radians(candidate.angle)
    ux, uy = math.cos(theta), math.sin(theta)
    ax, ay = ux - candidate.shear * uy, uy + candidate.shear * ux  # along the code's axis
    cx, cy = candidate.centre
    # output (u, v) -> source: centre + ((u - out_w / 2) * (ax, ay) + (v - out_h / 2) * (-uy, ux))
    #                                    / zoom
    back = np.array(
        [
            [ax / zoom, -uy / zoom, cx - (out_w / 2 * ax - out_h / 2 * uy) / zoom],
            [ay / zoom, ux / zoom, cy - (out_w / 2 * ay + out_h / 2 * ux) / zoom],
        ],
        dtype=np.float64,
    )
    crop = cv2.warpAffine(
        grey,
        back,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return crop, back


def pixel_size(back: np.ndarray) -> float:
    """Cut-out pixels per picture pixel along the code (across its bars) of a 1-D cut-out's
    matrix: the columns' step projected on the bars' normal."""
    cross = float(back[0, 0] * back[1, 1] - back[1, 0] * back[0, 1])
    return float(np.hypot(back[0, 1], back[1, 1])) / abs(cross)


def cut_box(
    grey: np.ndarray, box: tuple[int, int, int, int], *, min_side: int = 200, max_zoom: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """A box with a margin, enlarged so its shorter side is about ``min_side`` pixels, and the
    2x3 matrix mapping the cut-out's pixels back to ``grey``'s coordinates."""
    x, y, w, h = box
    margin = int(0.3 * max(w, h)) + 8
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(grey.shape[1], x + w + margin), min(grey.shape[0], y + h + margin)
    crop = grey[y0:y1, x0:x1]
    zoom = min(max_zoom, max(1.0, min_side / max(1, min(crop.shape[:2]))))
    if zoom > 1.0:
        crop = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    back = np.array([[1 / zoom, 0, x0], [0, 1 / zoom, y0]], dtype=np.float64)
    return crop, back


def looks_inverted(crop: np.ndarray) -> bool:
    """Whether an upright cut-out holds light bars on a dark ground: the quiet zones at both ends
    of a printed code are the lightest part of it; here they are darker than the middle."""
    h, w = crop.shape[:2]
    band = crop[h // 3 : max(h // 3 + 1, 2 * h // 3)]
    end = max(1, w // 12)
    ends = float(np.median(np.concatenate([band[:, :end].ravel(), band[:, -end:].ravel()])))
    middle = float(np.mean(band[:, w // 4 : 3 * w // 4]))
    return ends < middle


def sharpened(crop: np.ndarray, zoom: float) -> np.ndarray:
    """An unsharp mask one camera pixel wide (``zoom`` cut-out pixels): blur and an enlargement
    both spread each edge over about a camera pixel; taking that spread back off restores the
    contrast of fine bars (bars 1.5 to 2 pixels wide lose most of theirs under blur), while
    wide bars, whose edges are far apart, barely change."""
    soft = cv2.GaussianBlur(crop, (0, 0), max(0.5, zoom))
    return cv2.addWeighted(crop, 1.0 + SHARPEN, soft, -SHARPEN, 0)


def along_bars(crop: np.ndarray) -> np.ndarray:
    """The middle half of an upright cut-out, each pixel averaged with its neighbours along the
    bars (a quarter of the band's height): a cleaner picture of a blurred, noisy 1-D code."""
    h = crop.shape[0]
    band = crop[h // 4 : max(h // 4 + 1, 3 * h // 4)]
    return cv2.blur(band, (1, max(3, band.shape[0] // 4)))


def map_points(back: np.ndarray, points) -> tuple[tuple[int, int], ...]:
    """Points of a cut-out mapped back to the image it was cut from."""
    out = []
    for x, y in points:
        sx = back[0, 0] * x + back[0, 1] * y + back[0, 2]
        sy = back[1, 0] * x + back[1, 1] * y + back[1, 2]
        out.append((int(round(sx)), int(round(sy))))
    return tuple(out)
