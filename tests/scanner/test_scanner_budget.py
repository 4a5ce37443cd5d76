"""Spending effort where it pays: the structure gate, the per-frame budget and the pass counts.

A frame with nothing code-like in it gets the plain zxing-cpp pass and the gate, and no rescue; a
frame with a turned code gets the rescue that reads it; a frame out of time starts no rescue.
"""

from __future__ import annotations

import math
import statistics
import time

import cv2
import numpy as np
import pytest
from scanner_drawing import clutter, code_image, place

from helpdesk.scanner import DecodePipeline, ScannerConfig
from helpdesk.scanner.decoders import ZxingDecoder
from helpdesk.scanner.locate import StructureMap


def plain_wall(seed: int = 3, width: int = 1280, height: int = 720) -> np.ndarray:
    """A smooth wall in uneven light with sensor noise: nothing with edges at all."""
    rng = np.random.default_rng(seed)
    base = cv2.GaussianBlur(
        (rng.random((height // 16, width // 16)) * 255).astype(np.uint8), (0, 0), 3
    )
    frame = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
    frame = cv2.normalize(frame, None, 90, 170, cv2.NORM_MINMAX)
    frame += rng.normal(0, 3, frame.shape).astype(np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def turned_code(angle: float = 30, seed: int = 4, *, busy: bool = True) -> np.ndarray:
    frame = clutter(seed=seed) if busy else plain_wall(seed)
    place(frame, code_image("PER-000321", scale=3), (640, 360), angle)
    return cv2.GaussianBlur(frame, (0, 0), 0.8)


@pytest.mark.parametrize("size", [(1280, 720), (640, 480)])
def test_a_frame_with_no_structure_runs_no_rescue(size):
    pipeline = DecodePipeline()
    assert pipeline.decode(plain_wall(width=size[0], height=size[1])) == []
    stats = pipeline.stats
    assert stats.frames == 1 and stats.plain == 1
    assert stats.mapped == 1 and stats.gated_out == 1
    assert stats.rescue_1d == stats.rescue_2d == stats.zbar == 0
    if size == (1280, 720):
        assert stats.rescues == 0
    else:  # a small picture with nothing read is still tried enlarged (codes under 2 px)
        assert stats.enlarged == 1


def test_a_turned_code_passes_the_gate_and_the_rescue_reads_it():
    frame = turned_code()
    assert ZxingDecoder(try_rotate=False, try_invert=False)(frame) == []
    pipeline = DecodePipeline()
    assert [r.text for r in pipeline.decode(frame)] == ["PER-000321"]
    stats = pipeline.stats
    assert stats.mapped == 1 and stats.gated_out == 0
    assert stats.rescue_1d >= 1  # read by a rescue (the 2-D tries after it may meet the budget)


def test_a_frame_out_of_time_tries_only_the_likeliest_patches():
    frame = clutter(seed=3)  # boxes and lines: bar-like and busy patches, no code
    patient = DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf))
    hurried = DecodePipeline(ScannerConfig(budget_ms=0.0))
    assert patient.decode(frame) == [] and hurried.decode(frame) == []
    assert hurried.stats.over_budget == 1 and patient.stats.over_budget == 0
    # out of time: the likeliest cut-out of each kind (the 1-D one in both polarities), no zbar
    assert hurried.stats.rescue_1d <= 2 and hurried.stats.rescue_2d <= 1
    assert hurried.stats.zbar == 0
    assert patient.stats.rescues > hurried.stats.rescues
    hurried.stats.clear()
    assert hurried.stats.frames == 0 and hurried.stats.over_budget == 0


def test_a_read_on_the_plain_pass_needs_no_search():
    frame = clutter(seed=8)
    place(frame, code_image("PER-000654", scale=3), (640, 360))
    place(frame, code_image("LOAN-000654", "QRCode", scale=4), (250, 250))
    pipeline = DecodePipeline()
    assert sorted(r.text for r in pipeline.decode(frame)) == ["LOAN-000654", "PER-000654"]
    assert pipeline.stats.mapped == 0 and pipeline.stats.rescues == 0


@pytest.mark.parametrize("angle", [-35, -20, 12, 25, 38])
def test_the_half_size_map_finds_turned_bars_at_their_angle(angle: float):
    frame = turned_code(angle, seed=abs(angle), busy=False)
    found = StructureMap(frame).linear(3)
    near = [c for c in found if abs(c.centre[0] - 640) < 60 and abs(c.centre[1] - 360) < 60]
    assert near, found
    # place() turns counter-clockwise in image terms: the bars' axis is at -angle
    diff = (near[0].angle + angle + 90) % 180 - 90
    assert abs(diff) < 4, (near[0].angle, angle)


def test_the_gate_costs_less_than_the_plain_pass():
    frame = clutter(seed=9)
    plain = ZxingDecoder(try_rotate=False, try_invert=False)

    def cpu_ms(work) -> float:
        times = []
        for _ in range(7):
            started = time.thread_time()
            work()
            times.append((time.thread_time() - started) * 1000)
        return statistics.median(times)

    assert cpu_ms(lambda: StructureMap(frame)) < cpu_ms(lambda: plain(frame))


def test_a_live_camera_can_rescue_one_frame_in_three():
    frame = turned_code(33)
    pipeline = DecodePipeline(
        ScannerConfig(rescue_every=3, budget_ms=1000.0, rescue_share=math.inf)
    )
    texts = [[r.text for r in pipeline.decode(frame)] for _ in range(6)]
    assert texts == [["PER-000321"], [], [], ["PER-000321"], [], []]
    assert pipeline.stats.mapped == 2 and pipeline.stats.waited == 4
    every = DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf))
    assert all(every.decode(frame) for _ in range(3)) and every.stats.waited == 0


def test_a_still_frames_rescues_cost_at_most_a_few_plain_passes():
    """However long the budget, a still frame's rescues stop once they have cost RESCUE_SHARE
    times its plain passes: about what zxing-cpp alone would spend, on any machine."""
    frame = clutter(seed=3)  # bar-like and busy patches, no code
    hurried = DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=0.0))
    assert hurried.decode(frame) == []
    assert hurried.stats.over_budget == 1
    assert hurried.stats.rescue_1d <= 2 and hurried.stats.rescue_2d <= 1
    patient = DecodePipeline(ScannerConfig(budget_ms=1000.0, rescue_share=math.inf))
    assert patient.decode(frame) == [] and patient.stats.over_budget == 0
    assert patient.stats.rescues > hurried.stats.rescues
