"""Finding bars that sit close inside a label's outline, and reading fine, blurred bars.

Fine bars (a module about two camera pixels) under blur keep little of their contrast; the 1-D
cut-out is sharpened by an unsharp mask one camera pixel wide before it is decoded.

A label's outline (white label, darker desk) is one strong edge: as coherent as bars, often
stronger than blurred bars. Taken for bars it joins them into one patch with the outline, whose
measured angle is that of neither, and the code is never cut out.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scanner_drawing import clutter, code_image, place

from helpdesk.scanner import DecodePipeline, ScannerConfig
from helpdesk.scanner.decoders import ZxingDecoder
from helpdesk.scanner.locate import StructureMap, cut_upright, sharpened

TEXT = "PER-004711"


def tight_label(angle: float, *, size=(1280, 720), ink: int = 100, seed: int = 5) -> np.ndarray:
    """A Code 128 label with a narrow white margin above and below its bars, grey ink, on a dark
    desk; blurred and noisy like a webcam's picture."""
    rng = np.random.default_rng(seed)
    frame = np.full((size[1], size[0]), 40, np.uint8)
    code = code_image(TEXT, scale=2)
    code = cv2.resize(code[:1], (code.shape[1], 40), interpolation=cv2.INTER_NEAREST)
    code = cv2.copyMakeBorder(code, 8, 8, 0, 0, cv2.BORDER_CONSTANT, value=255)
    code = (ink + code.astype(np.float32) * ((255 - ink) / 255)).astype(np.uint8)
    place(frame, code, (size[0] // 2, size[1] // 2), angle)
    blurred = cv2.GaussianBlur(frame, (0, 0), 1.0).astype(np.float32)
    blurred += rng.normal(0, 4, blurred.shape).astype(np.float32)
    return np.clip(blurred, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [-35, -20, 12, 25, 38])
def test_bars_inside_a_label_outline_are_found_at_their_angle(angle: float):
    frame = tight_label(angle)
    found = StructureMap(frame).linear(3)
    near = [c for c in found if abs(c.centre[0] - 640) < 30 and abs(c.centre[1] - 360) < 30]
    assert near, found
    diff = (near[0].angle + angle + 90) % 180 - 90  # place() turns counter-clockwise
    assert abs(diff) < 5, (near[0].angle, angle)
    # the patch is the bars (about 250 px with their quiet zones), not the whole label
    assert 200 < near[0].length < 300


def test_a_label_outline_alone_is_not_bars():
    frame = np.full((720, 1280), 40, np.uint8)
    cv2.rectangle(frame, (400, 300), (880, 420), 230, -1)
    frame = cv2.GaussianBlur(frame, (0, 0), 1.0)
    found = StructureMap(frame)
    assert found.linear(3) == []
    edges = found.edge[found.strong]
    assert edges.size and float(np.median(edges)) > 0.15


def fine_blurred_code(seed: int, *, module: float = 2.2, blur: float = 1.1) -> np.ndarray:
    """A 640x480 picture of a Code 128 with modules ``module`` pixels wide, turned 20 degrees on
    a cluttered desk, blurred and noisy."""
    rng = np.random.default_rng(seed)
    frame = clutter(640, 480, seed=seed)
    code = code_image(TEXT, scale=1)
    code = cv2.resize(code[:1], (code.shape[1], 25), interpolation=cv2.INTER_NEAREST)
    code = cv2.resize(code, None, fx=module, fy=module, interpolation=cv2.INTER_AREA)
    code = (90 + code.astype(np.float32) * (150 / 255)).astype(np.uint8)
    place(frame, code, (320, 240), 20)
    blurred = cv2.GaussianBlur(frame, (0, 0), blur).astype(np.float32)
    blurred += rng.normal(0, 4, blurred.shape).astype(np.float32)
    return np.clip(blurred, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("seed", [2, 3])
def test_fine_blurred_bars_are_read_once_sharpened(seed: int):
    frame = fine_blurred_code(seed)
    found = StructureMap(frame).linear(3)
    near = [c for c in found if abs(c.centre[0] - 320) < 30 and abs(c.centre[1] - 240) < 30]
    assert near, found
    crop, back = cut_upright(frame, near[0])
    zoom = 1 / float(np.hypot(back[0, 0], back[1, 0]))
    assert zoom > 1.5  # fine bars: the cut-out is enlarged
    level = ZxingDecoder(["code128"], try_rotate=False)
    assert level(crop) == []
    assert [r.text for r in level(sharpened(crop, zoom))] == [TEXT]
    assert [r.text for r in DecodePipeline(ScannerConfig(budget_ms=1000.0)).decode(frame)] == [TEXT]


def test_sharpening_leaves_wide_bars_and_flat_ground_alone():
    crop = np.full((40, 200), 200, np.uint8)
    assert np.array_equal(sharpened(crop, 2.0), crop)  # nothing to sharpen on a flat ground
    crop[:, 60:100] = 40  # one bar 40 px wide: its middle keeps its grey
    out = sharpened(crop, 2.0)
    assert np.array_equal(out[:, 70:90], crop[:, 70:90])
    assert out[:, 58].max() > 200 and out[:, 61].min() < 40  # its edges get steeper
