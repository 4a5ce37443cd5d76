"""Finding bars beside other edges, cutting out a label seen at a slant, judging polarity, and
reading fine, blurred bars.

Fine bars (a module about two camera pixels) under blur keep little of their contrast; the 1-D
cut-out is sharpened by an unsharp mask one camera pixel wide before it is decoded.

Bars touching a striped pattern, a box's edge or a label's outline at another angle are grouped
apart from them by their own angle, so the patch is measured at the bars' angle. A label seen at
a slant has its bars sheared along the code: the cut-out follows the code's axis with its bars
upright. A white label on a dark desk has dark ends to its cut-out: polarity is judged by the
code's own outermost edges, not by the cut-out's ends.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from scanner_drawing import code_image

from helpdesk.scanner import DecodePipeline, ScannerConfig
from helpdesk.scanner import pipeline as pipeline_module
from helpdesk.scanner.cutouts import (
    along_bars,
    cut_upright,
    deblurred,
    looks_inverted,
    pixel_size,
    sharpened,
    straightened,
    uniform_bars,
    width_spread,
)
from helpdesk.scanner.decoders import ZxingDecoder
from helpdesk.scanner.locate import Candidate, StructureMap

TEXT = "PER-004711"


def test_sharpening_leaves_wide_bars_and_flat_ground_alone():
    crop = np.full((40, 200), 200, np.uint8)
    assert np.array_equal(sharpened(crop, 2.0), crop)  # nothing to sharpen on a flat ground
    crop[:, 60:100] = 40  # one bar 40 px wide: its middle keeps its grey
    out = sharpened(crop, 2.0)
    assert np.array_equal(out[:, 70:90], crop[:, 70:90])
    assert out[:, 58].max() > 200 and out[:, 61].min() < 40  # its edges get steeper


def bars_only(text: str, fmt: str = "Code128", module: int = 2, height: int = 40) -> np.ndarray:
    """A code's bars ``height`` pixels tall with its quiet zones, black on white."""
    row = code_image(text, fmt, scale=1)[:1]
    return cv2.resize(row, (row.shape[1] * module, height), interpolation=cv2.INTER_NEAREST)


def paste(frame: np.ndarray, patch: np.ndarray, matrix: np.ndarray) -> None:
    """``patch`` warped into ``frame`` by the 2x3 ``matrix`` (patch -> frame pixels)."""
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpAffine(patch, matrix, size, flags=cv2.INTER_LINEAR)
    inside = cv2.warpAffine(np.full_like(patch, 255), matrix, size) > 127
    frame[inside] = warped[inside]


def turned(patch: np.ndarray, centre: tuple[float, float], angle: float) -> np.ndarray:
    h, w = patch.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    m[:, 2] += (centre[0] - w / 2, centre[1] - h / 2)
    return m


def test_bars_touching_stripes_at_another_angle_are_found_at_their_own_angle():
    frame = np.full((480, 640), 150, np.uint8)
    frame[150:330, 60:330:8] = 30  # a striped pattern (a vent) ...
    frame[150:330, 61:330:8] = 30
    label = cv2.copyMakeBorder(bars_only(TEXT), 8, 8, 8, 8, cv2.BORDER_CONSTANT, value=255)
    paste(frame, label, turned(label, (420, 240), 20))  # ... right beside a turned label
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)
    found = StructureMap(frame).linear(3)
    near = [c for c in found if math.hypot(c.centre[0] - 420, c.centre[1] - 240) < 40]
    assert near, found
    assert abs((near[0].angle + 20 + 90) % 180 - 90) < 3, near[0]  # place() turns the other way
    assert TEXT in [
        r.text
        for r in DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf)).decode(
            frame
        )
    ]


def test_a_label_seen_at_a_slant_is_cut_with_its_bars_upright_and_read():
    frame = np.full((480, 640), 120, np.uint8)
    label = cv2.copyMakeBorder(
        bars_only(TEXT, height=30), 10, 10, 10, 10, cv2.BORDER_CONSTANT, value=255
    )
    h, w = label.shape
    shear = math.tan(math.radians(12))  # the code's axis turns, its bars stay upright
    m = np.array([[1.0, 0.0, 320 - w / 2], [shear, 1.0, 240 - h / 2 - shear * w / 2]])
    paste(frame, label, m)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)
    plain = ZxingDecoder(try_rotate=False, try_invert=False)
    assert plain(frame) == []  # no row crosses every bar
    found = StructureMap(frame).linear(3)
    assert found and abs(found[0].shear - shear) < 0.05, found
    assert [
        r.text
        for r in DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf)).decode(
            frame
        )
    ] == [TEXT]


@pytest.mark.parametrize("desk", [30, 90])
def test_polarity_is_judged_by_the_codes_edges_not_the_desk_beyond_the_label(desk: int):
    frame = np.full((480, 640), desk, np.uint8)
    label = cv2.copyMakeBorder(bars_only(TEXT), 12, 12, 12, 12, cv2.BORDER_CONSTANT, value=255)
    paste(frame, label, turned(label, (320, 240), -25))
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    candidate = StructureMap(frame).linear(1)[0]
    crop, back = cut_upright(frame, candidate, sharpen=True)
    width = candidate.length * pixel_size(back)
    assert not looks_inverted(crop, width, pixel_size(back))  # dark ends: the desk, not the code
    assert looks_inverted(255 - crop, width, pixel_size(back))


@pytest.mark.parametrize(
    ("text", "fmt"), [(TEXT, "Code128"), ("0000000000", "Code128"), ("PER-000000", "Code39")]
)
def test_bars_all_of_one_width_are_no_code_and_codes_are_not_taken_for_them(text, fmt):
    frame = np.full((240, 640), 200, np.uint8)
    code = bars_only(text, fmt, module=3)
    h, w = code.shape
    frame[100 : 100 + h, 40 : 40 + w] = code
    at_code = Candidate((40 + w / 2, 100 + h / 2), w - 60, h, 0.0, 1.0)
    assert not uniform_bars(cv2.GaussianBlur(frame, (0, 0), 1.0), at_code)
    assert width_spread(cv2.GaussianBlur(frame, (0, 0), 1.0), at_code) >= 1.5
    grille = np.full((240, 640), 200, np.uint8)
    for x in range(60, 580, 9):
        grille[100:140, x : x + 4] = 40  # a vent: bars and gaps each of one width
    assert uniform_bars(
        cv2.GaussianBlur(grille, (0, 0), 1.0), Candidate((320, 120), 500, 40, 0.0, 1.0)
    )


def fan_out(bars: np.ndarray, left: float, right: float, room: int) -> np.ndarray:
    """Bars warped in perspective so that they lean by ``left`` degrees at the code's left end
    and ``right`` at its right end (lines meeting at a vanishing point), ``room`` pixels wider
    for the lean, on white."""
    h, w = bars.shape
    top = [h * math.tan(math.radians(left)), w + h * math.tan(math.radians(right))]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[top[0], 0], [top[1], 0], [w, h], [0, h]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(bars, matrix, (w + room, h), borderValue=255)


def fanned(text: str, lean_left: float, lean_right: float, seed: int = 0) -> np.ndarray:
    """A code's bars seen in perspective: lines that meet at a vanishing point, leaning by
    ``lean_left`` degrees at the code's left end and ``lean_right`` at its right end, with a
    quiet zone, a grey ground and sensor noise."""
    band = fan_out(bars_only(text, "Code39", module=3, height=60), lean_left, lean_right, 60)
    band = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 1.0)
    band = 60 + band * 0.6 + np.random.default_rng(seed).normal(0, 14, band.shape)
    return np.clip(band, 0, 255).astype(np.uint8)


def column_contrast(band: np.ndarray) -> float:
    """How much the mean of each column differs from its neighbours': high when every column
    follows one bar, low when the columns cross leaning bars and average them together."""
    return float(np.abs(np.diff(band.mean(axis=0))).mean())


@pytest.mark.parametrize(("left", "right"), [(30.0, 5.0), (-30.0, -8.0)])
def test_bars_fanned_out_by_perspective_are_stood_straight_before_they_are_averaged(left, right):
    text = "PER-000123"
    band = fanned(text, left, right)
    straight = straightened(band)
    assert straight is not None
    assert column_contrast(straight) > 2 * column_contrast(band)
    zxing = ZxingDecoder(["code39"], try_rotate=False)
    crop = cv2.copyMakeBorder(band, 30, 30, 0, 0, cv2.BORDER_REPLICATE)
    averaged = along_bars(crop)
    upright = along_bars(crop, straighten=True)
    assert averaged is not None and upright is not None
    assert text not in [r.text for r in zxing(crop)]  # no single row reads through the noise
    assert text not in [r.text for r in zxing(sharpened(averaged[0], 1.0, 3.0))]
    assert text in [r.text for r in zxing(sharpened(upright[0], 1.0, 3.0))]


def test_bars_that_stand_upright_are_left_as_they_are():
    assert straightened(fanned("PER-000123", 0.0, 0.0)) is None
    assert straightened(np.full((40, 400), 128, np.uint8)) is None  # no bars at all


@pytest.mark.parametrize(("fmt", "blur", "noise"), [("Code39", 1.4, 2.0), ("Code128", 1.2, 4.0)])
def test_narrow_bars_blurred_past_sharpening_are_read_once_deblurred(fmt, blur, noise):
    """Bars two pixels wide under a blur of more than a pixel, averaged along their length (a
    little noise left): sharpening steepens the edges but leaves narrow bars too shallow to
    tell from wide ones; deconvolution gives them their depth back."""
    text = "PER-000123"
    bars = cv2.GaussianBlur(
        bars_only(text, fmt, module=2, height=24).astype(np.float32), (0, 0), blur
    )
    rng = np.random.default_rng(1)
    band = np.clip(70 + bars * 0.5 + rng.normal(0, noise, bars.shape), 0, 255).astype(np.uint8)
    zxing = ZxingDecoder(["code39", "code128"], try_rotate=False)
    assert text not in [r.text for r in zxing(band)]
    assert text not in [r.text for r in zxing(sharpened(band, 1.0, 3.0))]
    assert text in [r.text for r in zxing(deblurred(band, 1.0))]


def test_a_turned_2d_code_with_text_beside_it_is_still_taken_for_a_code():
    """A square turned 40 degrees fills about half of its upright box, and the label's text
    beside it makes the patch more ragged still: the patch is judged in its own turned box."""
    code = code_image("PER-254177", "DataMatrix", scale=4)
    label = cv2.copyMakeBorder(code, 40, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    cv2.putText(label, "HILLSIDE ACADEMY", (8, 26), cv2.FONT_HERSHEY_SIMPLEX, 0.45, 70, 1)
    frame = np.full((480, 640), 120, np.uint8)
    paste(frame, label, turned(label, (320, 240), 40))
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    boxes = StructureMap(frame).matrix(2)
    assert any(x <= 320 <= x + w and y <= 240 <= y + h for x, y, w, h in boxes), boxes


def fanned_label_frame(left: float, right: float) -> np.ndarray:
    """A 1280x720 frame of a Code 39 label whose bars fan out from ``left`` to ``right``
    degrees (strong perspective), with blur and sensor noise."""
    band = fan_out(bars_only("PER-064512", "Code39", module=3, height=70), left, right, 80)
    label = cv2.copyMakeBorder(band, 24, 24, 24, 24, cv2.BORDER_CONSTANT, value=255)
    frame = np.full((720, 1280), 110, np.uint8)
    paste(frame, label, turned(label, (640, 360), 0))
    soft = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), 1.0)
    noisy = 40 + soft * 0.6 + np.random.default_rng(0).normal(0, 6, soft.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("left", "right"), [(40.0, 5.0), (-35.0, 0.0)])
def test_a_code_whose_bars_fan_out_past_one_patch_is_cut_out_whole(monkeypatch, left, right):
    """Bars fanned out over more than the map's 30-degree angle windows make a patch of part of
    the code only; the likeliest patch is tried again cut out further along its axis."""
    frame = fanned_label_frame(left, right)
    patch = StructureMap(frame).linear(1)[0]
    assert patch.length < 0.75 * 525  # the code with its quiet zones: 525 pixels; the patch: part
    assert [
        r.text
        for r in DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf)).decode(
            frame
        )
    ] == ["PER-064512"]
    monkeypatch.setattr(pipeline_module, "REACH", 1.0)
    assert (
        DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf)).decode(frame) == []
    )
