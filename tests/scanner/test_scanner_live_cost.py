"""What the live scanner spends per frame: rescues one frame in N, fusion between, one budget.

A noisy clip makes the gate take the whole guide box for code-like structure; the live path must
still cost about what its plain passes cost, and never pay a rescue and a fusion on one frame.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from helpdesk.scanner import Debouncer, DecodePipeline, Frame, FrameWorker
from helpdesk.scanner.live import RESCUE_EVERY
from helpdesk.scanner.locate import StructureMap
from helpdesk.scanner.pipeline import centred_roi

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "scanner"))
from clips import make_clip  # noqa: E402

NOISY = 0  # bench/scanner/clips.py: a Code 128 tag under heavy sensor noise (asserted below)


class CountingPipeline(DecodePipeline):
    """The real pipeline, noting per call whether the frame's rescues were asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bool | None]] = []

    def decode(self, image, roi=None, *, whole_frame=True, rescue=None, deadline=None):
        # the live scanner says whether a frame is rescued; fusion leaves it to the pipeline
        self.calls.append(("frame" if rescue is not None else "fusion", rescue))
        return super().decode(image, roi, whole_frame=whole_frame, rescue=rescue, deadline=deadline)


@pytest.fixture(scope="module")
def noisy_clip():
    clip = make_clip(NOISY, hold=1.0)
    assert clip.condition == "noise"
    return clip


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def test_a_noisy_clip_costs_about_its_plain_passes(noisy_clip):
    worker = FrameWorker(DecodePipeline(), Debouncer())
    plain = DecodePipeline()
    roi = centred_roi(1280, 720)
    live, passes, acted = [], [], []
    for index, image in enumerate(noisy_clip.frames):
        started = time.thread_time()
        outcome = worker.step(Frame(image, index / noisy_clip.fps, index))
        live.append(time.thread_time() - started)
        acted += [e.read.text for e in outcome.events]
        started = time.thread_time()
        plain.decode(image, roi, whole_frame=True, rescue=False)  # box and whole frame, no rescue
        passes.append(time.thread_time() - started)
    assert acted == [noisy_clip.text]  # still read, once
    # The frame budget stops new work once a frame's plain passes and rescues have used about a
    # frame's time; one started cut-out decode may finish. Before it, p95 was 4-5x the passes.
    assert _p95(live) < 1.6 * _p95(passes)
    assert plain.stats.mapped == 0  # the plain passes alone never reach the gate


def test_the_rescues_run_on_one_frame_in_n_and_fusion_on_the_others(noisy_clip):
    pipeline = CountingPipeline()
    worker = FrameWorker(pipeline, Debouncer())
    frames: list[list[tuple[str, bool | None]]] = []
    for index, image in enumerate(noisy_clip.frames):
        before = len(pipeline.calls)
        worker.step(Frame(image, index / noisy_clip.fps, index))
        frames.append(pipeline.calls[before:])
    rescued = [i for i, calls in enumerate(frames) if ("frame", True) in calls]
    fused = [i for i, calls in enumerate(frames) if any(kind == "fusion" for kind, _ in calls)]
    assert rescued == list(range(RESCUE_EVERY - 1, len(frames), RESCUE_EVERY))
    assert all(("frame", False) in frames[i] for i in set(range(len(frames))) - set(rescued))
    assert fused and not set(fused) & set(rescued)  # fusion ran, never on a rescued frame
    # a picture that stays the same but for noise, whose rescue read nothing, is not rescued
    # again until it changes: some rescued frames only made the map
    assert pipeline.stats.unchanged > 0


def test_the_gate_tells_a_code_arriving_from_noise(noisy_clip):
    x, y, w, h = centred_roi(1280, 720)
    rest = round(noisy_clip.rest_at * noisy_clip.fps)
    empty, held, later = (
        StructureMap(noisy_clip.frames[i][y : y + h, x : x + w]) for i in (0, rest + 5, rest + 8)
    )
    assert empty.matrix(1) == [(0, 0, w, h)]  # the noise alone: the whole box looks busy
    assert held.changed(later) < 0.5 < held.changed(empty)
    peak = held.peaks(1)[0]  # the tag's own edges stand above the noise
    assert peak[2] * peak[3] < w * h / 4
