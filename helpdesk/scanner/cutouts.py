"""Cutting candidate patches out of a picture for the decoders to try again.

A bar-like patch (:class:`.locate.Candidate`) is cut out along the code's axis with its bars
upright, a quiet zone each side, enlarged when its bars are fine and sharpened by one camera
pixel; a busy square patch is cut out with a margin and enlarged. Each cut-out comes with the
2x3 matrix mapping its pixels back to the picture, so a read's corners land where the code is.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from helpdesk.scanner.locate import SHRINK, Candidate

SHARPEN = 1.5  # the unsharp mask's amount on 1-D cut-outs (see sharpened)
STRONG_EDGE = 0.2  # edges this share of the strongest count in judging polarity
UNIFORM = 1.3  # bars this alike in width are no code (see uniform_bars)
AVERAGED_ROWS = 24  # rows of the averaged band kept for the decoders (see along_bars)
DEBLUR_SIGMA = 0.8  # camera pixels: the spread of a webcam's blur taken out (see deblurred)
DEBLUR_STEPS = 5  # Richardson-Lucy steps (see deblurred)
LEAN_WINDOWS = 8  # windows along a band in which its bars' lean is measured (see straightened)


def cut_upright(
    grey: np.ndarray,
    candidate: Candidate,
    *,
    target_length: int = 640,
    max_zoom: float = 3.0,
    across: float | None = None,
    sharpen: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The candidate with its bars upright and its axis level, a quiet zone each side, and the
    2x3 matrix that maps the cut-out's pixels back to ``grey``'s coordinates.

    Columns follow the bars and rows the code's axis: for a label seen at a slant (a sheared
    candidate) both at once, so each row crosses every bar and each column stays on one bar.
    Enlarged along the code when its bars are fine (up to ``max_zoom``, towards
    ``target_length`` pixels); ``across``: the enlargement along the bars, the same by default
    (the pipeline keeps the picture's own rows: a row-scanning decoder then costs a third as
    much and read as many of the tuning frames). ``sharpen``: the picture under the cut-out is
    sharpened first (:func:`sharpened`, one camera pixel), which costs a fraction of sharpening
    the enlarged cut-out."""
    zoom = min(max_zoom, max(1.0, target_length / max(candidate.length, 1.0)))
    tall = zoom if across is None else across
    margin = 0.2 * candidate.length + 16
    out_w = int(round((candidate.length + 2 * margin) * zoom))
    out_h = int(round((max(candidate.height, 0.15 * candidate.length) + 16) * tall))
    out_w, out_h = max(out_w, 32), max(out_h, 24)
    theta = math.radians(candidate.angle)
    ux, uy = math.cos(theta), math.sin(theta)
    ax, ay = ux - candidate.shear * uy, uy + candidate.shear * ux  # along the code's axis
    cx, cy = candidate.centre
    # output (u, v) -> source: centre + (u - out_w / 2) * (ax, ay) / zoom
    #                                   + (v - out_h / 2) * (-uy, ux) / tall
    back = np.array(
        [
            [ax / zoom, -uy / tall, cx - out_w / 2 * ax / zoom + out_h / 2 * uy / tall],
            [ay / zoom, ux / tall, cy - out_w / 2 * ay / zoom - out_h / 2 * ux / tall],
        ],
        dtype=np.float64,
    )
    source, matrix = grey, back
    if sharpen:
        x0, y0, x1, y1 = _under(back, out_w, out_h, grey.shape)
        source = sharpened(grey[y0:y1, x0:x1], 1.0)
        matrix = back.copy()
        matrix[:, 2] -= (x0, y0)
    crop = cv2.warpAffine(
        source,
        matrix,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return crop, back


def _under(back: np.ndarray, width: int, height: int, shape) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) of the picture that a cut-out covers, with a few pixels for the
    sharpening's reach; the whole picture if the cut-out lies outside it."""
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]]) @ back.T
    rows, cols = shape[:2]
    x0 = max(0, int(math.floor(corners[:, 0].min())) - 4)
    y0 = max(0, int(math.floor(corners[:, 1].min())) - 4)
    x1 = min(cols, int(math.ceil(corners[:, 0].max())) + 5)
    y1 = min(rows, int(math.ceil(corners[:, 1].max())) + 5)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return 0, 0, cols, rows
    return x0, y0, x1, y1


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


def looks_inverted(crop: np.ndarray, code_width: float, pixel: float = 1.0) -> bool:
    """Whether an upright cut-out holds light bars on a dark ground.

    Judged on the mean of the middle third of its rows, within the code's measured extent
    (``code_width`` cut-out pixels about the middle, two map cells more each side for the
    measure's error; ``pixel``: cut-out pixels per camera pixel), so that a label's outline or a
    dark desk beyond the quiet zones has no say. Every 1-D symbology starts and ends with a bar:
    going in from a quiet zone a printed code's first strong edge darkens and its last one
    lightens, light on dark the other way round. When the two do not agree (a faint bar at one
    end), the quiet zones just outside the outermost strong edges are judged: lighter than the
    code between them for a printed code."""
    h, w = crop.shape[:2]
    band = crop[h // 3 : max(h // 3 + 1, 2 * h // 3)]
    profile = band.mean(axis=0, dtype=np.float32)[None, :]
    profile = cv2.GaussianBlur(profile, (0, 0), max(0.7, 0.5 * pixel))[0]
    reach = code_width / 2 + 2 * SHRINK * pixel
    start = max(0, int(w / 2 - reach))
    steps = np.diff(profile)[start : int(w / 2 + reach)]
    if steps.size < 4:
        return False
    strong = np.flatnonzero(np.abs(steps) >= STRONG_EDGE * float(np.abs(steps).max()))
    first, last = float(steps[strong[0]]), float(steps[strong[-1]])
    if first < 0 < last or first > 0 > last:
        return first > 0
    inner0, inner1 = start + int(strong[0]), start + int(strong[-1]) + 1
    zone = int(max(2, 2 * SHRINK * pixel))
    quiet = np.concatenate(
        (profile[max(0, inner0 - zone) : inner0], profile[inner1 : inner1 + zone])
    )
    return quiet.size > 0 and float(quiet.mean()) < float(profile[inner0:inner1].mean())


def sharpened(crop: np.ndarray, zoom: float, amount: float = SHARPEN) -> np.ndarray:
    """An unsharp mask one camera pixel wide (``zoom`` cut-out pixels): blur and an enlargement
    both spread each edge over about a camera pixel; taking that spread back off restores the
    contrast of fine bars (bars 1.5 to 2 pixels wide lose most of theirs under blur), while
    wide bars, whose edges are far apart, barely change."""
    soft = cv2.GaussianBlur(crop, (0, 0), max(0.5, zoom))
    return cv2.addWeighted(crop, 1.0 + amount, soft, -amount, 0)


def deblurred(rows: np.ndarray, pixel: float, iterations: int = DEBLUR_STEPS) -> np.ndarray:
    """Rows of bars averaged along their length (:func:`along_bars`) with the camera's blur
    taken back out across them: Richardson-Lucy deconvolution with a Gaussian spread of
    ``DEBLUR_SIGMA`` camera pixels (``pixel``: cut-out pixels per camera pixel).

    Bars a module or two wide under a webcam's blur keep too little contrast for a decoder to
    tell narrow from wide; an unsharp mask steepens edges but cannot give a narrow bar back its
    depth, and on a single noisy row deconvolution would mostly raise the noise. Averaged along
    the bars the noise is low, and a few Richardson-Lucy steps, which keep every value positive
    and do not ring the way a sharpening filter does, bring narrow bars and spaces back
    towards their printed widths."""
    sigma = max(0.5, DEBLUR_SIGMA * pixel)
    observed = rows.astype(np.float32) + 1.0
    estimate = observed.copy()
    for _ in range(iterations):
        blurred = cv2.GaussianBlur(estimate, (0, 0), sigmaX=sigma, sigmaY=0.01)
        ratio = observed / np.maximum(blurred, 1e-3)
        estimate *= cv2.GaussianBlur(ratio, (0, 0), sigmaX=sigma, sigmaY=0.01)
    return np.clip(estimate - 1.0, 0, 255).astype(np.uint8)


def along_bars(crop: np.ndarray, straighten: bool = False) -> tuple[np.ndarray, int, int] | None:
    """The middle half of an upright cut-out (``straighten``: its bars stood straight first, see
    :func:`straightened`), each pixel averaged with its neighbours along the bars (a quarter of
    the band's height): a cleaner picture of a blurred, noisy 1-D code. Rows that close are all
    but the same after the averaging, so about ``AVERAGED_ROWS`` of them, evenly spaced, are kept (the decoders scan
    every row). Returns (rows, first row, row step) in ``crop``; with ``straighten``, None when
    no bar leans (the picture would be the same as without)."""
    h = crop.shape[0]
    top = h // 4
    band = crop[top : max(top + 1, 3 * h // 4)]
    if straighten:
        upright = straightened(band)
        if upright is None:
            return None
        band = upright
    band = cv2.blur(band, (1, max(3, band.shape[0] // 4)))
    step = max(1, band.shape[0] // AVERAGED_ROWS)
    return np.ascontiguousarray(band[::step]), top, step


def straightened(band: np.ndarray) -> np.ndarray | None:
    """An upright 1-D band with each bar made to stand straight up.

    A single cut keeps only bars that all lean alike. Seen in perspective, a label's bars are
    lines that meet at a vanishing point, so they fan out along the code: how far a bar leans
    (the tangent of its angle from upright) changes in step with its place along the code.
    Their lean is measured in windows along the band, from the structure tensor of the
    gradient (each window weighted by how strongly one direction rules it), a straight line is
    fitted to it, and each row is shifted by lean times its distance from the middle row, so
    that every column then follows one bar and averaging along the columns adds up the same bar
    instead of smearing neighbours together. None when no bar leans by half a pixel or more
    between the middle row and the band's edge (or the band is too small to tell): the band as
    it is."""
    h, w = band.shape[:2]
    if h < 4 or w < 8 * LEAN_WINDOWS:
        return None
    soft = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 1.0)
    gx = cv2.Sobel(soft, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(soft, cv2.CV_32F, 0, 1, ksize=3)
    half = w // (2 * LEAN_WINDOWS)
    cols = 2 * LEAN_WINDOWS * half
    xx = (gx * gx)[:, :cols].reshape(h, -1, half).sum(axis=(0, 2))
    xy = (gx * gy)[:, :cols].reshape(h, -1, half).sum(axis=(0, 2))
    yy = (gy * gy)[:, :cols].reshape(h, -1, half).sum(axis=(0, 2))
    # windows of two halves, every half window: neighbouring halves added
    xx, xy, yy = xx[:-1] + xx[1:], xy[:-1] + xy[1:], yy[:-1] + yy[1:]
    lean = -np.tan(0.5 * np.arctan2(2 * xy, xx - yy))  # columns per row down the bar
    weight = np.hypot(xx - yy, 2 * xy)  # coherence times energy
    if float(weight.sum()) <= 0:
        return None
    at = (np.arange(len(lean)) + 1.0) * half
    root = np.sqrt(weight)
    sides = np.vstack([at, np.ones_like(at)]).T * root[:, None]
    fit = np.linalg.lstsq(sides, lean * root, rcond=None)
    slope, offset = fit[0]
    if max(abs(offset), abs(offset + slope * w)) * (h - 1) / 2 < 0.5:
        return None
    columns = np.arange(w, dtype=np.float32)
    rows = np.arange(h, dtype=np.float32) - (h - 1) / 2
    map_x = columns[None, :] + (slope * columns[None, :] + offset) * rows[:, None]
    map_y = np.repeat((rows + (h - 1) / 2)[:, None], w, axis=1)
    return cv2.remap(
        band,
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )


def uniform_bars(grey: np.ndarray, candidate: Candidate) -> bool:
    """Whether a bar-like patch has bars (or spaces) all of one width: a vent, a keyboard, a
    striped pattern. Every 1-D symbology writes with bars and spaces of two widths or more, so
    such a patch holds no code (see :func:`width_spread`)."""
    return width_spread(grey, candidate) < UNIFORM


def width_spread(grey: np.ndarray, candidate: Candidate) -> float:
    """How much a bar-like patch's bars differ in width: the 90th over the 10th percentile of
    its bars' widths, or of its spaces' if larger. Judged on the mean of the middle third of its
    rows at the picture's own scale, each edge where it crosses the mean over an eighth of the
    patch (to a fraction of a pixel, so that fine bars are not rounded to whole pixels). A code
    gives 2 or more, blurred or not; a grating about 1. ``inf`` when there are too few bars."""
    crop, _ = cut_upright(grey, candidate, target_length=0, max_zoom=1.0)
    h, w = crop.shape[:2]
    margin = int(0.2 * candidate.length + 16)
    profile = crop[h // 3 : max(h // 3 + 1, 2 * h // 3), margin : w - margin]
    profile = profile.mean(axis=0, dtype=np.float32)[None, :]
    if profile.shape[1] < 16:
        return math.inf
    local = cv2.blur(profile, (max(3, profile.shape[1] // 8), 1), borderType=cv2.BORDER_REFLECT)
    above = (profile - local)[0]
    at = np.flatnonzero(np.signbit(above[:-1]) != np.signbit(above[1:]))
    edges = at + above[at] / (above[at] - above[at + 1])
    runs = np.diff(edges)  # bars and spaces in turn, the partial ones at the ends left out
    spread = 0.0
    for run in (runs[0::2], runs[1::2]):
        if len(run) < 3:
            return math.inf
        ordered = np.sort(run)
        last = len(ordered) - 1
        spread = max(spread, ordered[round(0.9 * last)] / max(0.5, ordered[round(0.1 * last)]))
    return float(spread)


def map_points(back: np.ndarray, points) -> tuple[tuple[int, int], ...]:
    """Points of a cut-out mapped back to the image it was cut from."""
    out = []
    for x, y in points:
        sx = back[0, 0] * x + back[0, 1] * y + back[0, 2]
        sy = back[1, 0] * x + back[1, 1] * y + back[1, 2]
        out.append((int(round(sx)), int(round(sy))))
    return tuple(out)
