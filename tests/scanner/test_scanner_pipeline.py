"""The decoding pipeline on the real sample photos and on drawn frames (skew, inversion, ROI).
Only the tests of the real photos need the shared sample folder; the drawn frames are made here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scanner_drawing import Sample, clutter, code_image, place, samples

from helpdesk.scanner import DecodePipeline, ScannerConfig, load_image
from helpdesk.scanner.decoders import ZxingDecoder

FALSE = "falsepositives-1"  # the folder of photos with no code in them


@pytest.fixture(scope="module")
def pipeline() -> DecodePipeline:
    return DecodePipeline()


@pytest.fixture(scope="module")
def with_code(scanner_samples) -> list[Sample]:
    return [s for s in samples() if s.path.parent.name != FALSE]


@pytest.fixture(scope="module")
def false_positives(scanner_samples) -> list[Sample]:
    return [s for s in samples() if s.path.parent.name == FALSE]


def test_the_sample_set_is_there(with_code, false_positives):
    assert len(with_code) >= 90
    assert len(false_positives) >= 19


def test_real_photos_read_with_the_exact_text(pipeline: DecodePipeline, with_code):
    missed, wrong = [], []
    for sample in with_code:
        reads = pipeline.decode(load_image(sample.path))
        if not any(sample.matches(r) for r in reads):
            missed.append(sample.id)
        wrong.extend((sample.id, r.text) for r in reads if not sample.matches(r))
    assert wrong == []
    assert len(missed) <= 0.03 * len(with_code), missed


def test_photos_without_a_code_give_no_read(pipeline: DecodePipeline, false_positives):
    assert false_positives
    for sample in false_positives:
        assert pipeline.decode(load_image(sample.path)) == [], sample.id


@pytest.mark.parametrize("angle", [26, 33, 40, -32, 140])
def test_a_turned_code_128_in_clutter_is_read(pipeline: DecodePipeline, angle: float):
    frame = clutter(seed=angle % 97)
    place(frame, code_image("PER-000123", scale=3), (700, 380), angle)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.8)
    assert [r.text for r in ZxingDecoder()(frame)] == []  # plain decoding misses it
    reads = pipeline.decode(frame)
    assert [r.text for r in reads] == ["PER-000123"]
    cx, cy = reads[0].centre()
    assert abs(cx - 700) < 60 and abs(cy - 380) < 60  # the outline is where the code is


def test_a_turned_code_39_is_read(pipeline: DecodePipeline):
    frame = clutter(seed=5)
    place(frame, code_image("PER-000777", "Code39", scale=2), (500, 300), 30)
    assert [r.text for r in pipeline.decode(frame)] == ["PER-000777"]


def test_light_on_dark_codes_are_read(pipeline: DecodePipeline):
    frame = clutter(seed=3)
    place(frame, 255 - code_image("STU-04512", scale=3), (640, 360), 0)
    place(frame, 255 - code_image("TKT-000045", "QRCode", scale=5), (250, 200), 20)
    texts = sorted(r.text for r in pipeline.decode(frame))
    assert texts == ["STU-04512", "TKT-000045"]


def test_data_matrix_and_qr_at_any_angle(pipeline: DecodePipeline):
    frame = clutter(seed=9)
    place(frame, code_image("PER-000124", "DataMatrix", scale=6), (300, 360), 33)
    place(frame, code_image("LOAN-000017", "QRCode", scale=5), (900, 360), -38)
    texts = sorted(r.text for r in pipeline.decode(frame))
    assert texts == ["LOAN-000017", "PER-000124"]


def test_retail_codes_are_off_unless_asked_for():
    frame = np.full((300, 500), 255, np.uint8)
    place(frame, code_image("4006381333931", "EAN13", scale=3), (250, 150))
    assert DecodePipeline().decode(frame) == []
    asked = DecodePipeline(ScannerConfig(formats=("code128", "ean13")))
    assert [r.text for r in asked.decode(frame)] == ["4006381333931"]


def test_region_of_interest_first_then_whole_frame(pipeline: DecodePipeline):
    frame = clutter(seed=11)
    place(frame, code_image("PER-000200", scale=3), (1050, 150))
    box = (320, 180, 640, 360)  # the guide box, away from the code
    assert pipeline.decode(frame, box, whole_frame=False) == []
    reads = pipeline.decode(frame, box, whole_frame=True)
    assert [r.text for r in reads] == ["PER-000200"]
    place(frame, code_image("PER-000201", scale=3), (640, 360))
    inside = pipeline.decode(frame, box, whole_frame=False)
    assert [r.text for r in inside] == ["PER-000201"]
    cx, cy = inside[0].centre()
    assert abs(cx - 640) < 40 and abs(cy - 360) < 40  # corners in frame coordinates


def test_empty_and_tiny_images_give_no_read(pipeline: DecodePipeline):
    assert pipeline.decode(np.zeros((0, 0), np.uint8)) == []
    assert pipeline.decode(np.zeros((1, 1, 3), np.uint8)) == []
    assert pipeline.decode(np.full((720, 1280, 3), 128, np.uint8)) == []


@pytest.mark.parametrize("fmt,text", [("DataMatrix", "PER-000124"), ("Code128", "PER-000123")])
def test_fine_modules_in_a_small_picture_are_read_enlarged(fmt: str, text: str):
    frame = clutter(640, 480, seed=2)
    tiny = cv2.resize(
        code_image(text, fmt, scale=1), None, fx=1.2, fy=1.2, interpolation=cv2.INTER_AREA
    )
    place(frame, tiny, (320, 240))
    # the enlarged picture on its own (the cut-outs may read some of these too)
    alone = {"rescue_skewed": False, "rescue_matrix": False}
    assert DecodePipeline(ScannerConfig(enlarge_small=False, **alone)).decode(frame) == []
    reads = DecodePipeline(ScannerConfig(**alone)).decode(frame)
    assert [(r.text, r.method) for r in reads] == [(text, "enlarged frame")]
    assert [r.text for r in DecodePipeline().decode(frame)] == [text]
    cx, cy = reads[0].centre()
    assert abs(cx - 320) < 30 and abs(cy - 240) < 30  # outline back in the picture's pixels
