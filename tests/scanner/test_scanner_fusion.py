"""Frame fusion: registration, averaging, clips no single frame reads, and frames that disagree."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import zxingcpp
from scanner_drawing import clutter, code_image, place

from helpdesk.cli import main
from helpdesk.scanner import Debouncer, DecodePipeline, Frame, FrameWorker
from helpdesk.scanner.fusion import MIN_RESPONSE, average, register, shifted

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "scanner"))
from clips import make_clip  # noqa: E402

# Seeds of bench/scanner/clips.py whose every frame zxing-cpp alone cannot read (asserted below).
HARD_CLIPS = {"QR code in low light": 6, "Data Matrix in low light": 7}


def _noisy_code(rng: np.random.Generator) -> np.ndarray:
    code = code_image("PER-000123", "QRCode", scale=4).astype(np.float32)
    code = cv2.copyMakeBorder(code, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    return code + rng.normal(0, 20, code.shape).astype(np.float32)


@pytest.mark.parametrize("shift", [(0.0, 0.0), (1.5, -0.75), (-2.25, 3.4), (6.6, 0.3)])
def test_registration_recovers_a_known_shift(shift):
    rng = np.random.default_rng(3)
    reference = _noisy_code(rng)
    moved = shifted(reference, -shift[0], -shift[1])  # the picture moved away by -shift
    moved += rng.normal(0, 20, moved.shape).astype(np.float32)
    dx, dy, response = register(reference, moved)
    assert dx == pytest.approx(shift[0], abs=0.2)
    assert dy == pytest.approx(shift[1], abs=0.2)
    assert response > MIN_RESPONSE


def test_unrelated_pictures_do_not_register():
    rng = np.random.default_rng(4)
    reference = _noisy_code(rng)
    other = clutter(reference.shape[1], reference.shape[0], seed=9).astype(np.float32)
    assert register(reference, other)[2] < MIN_RESPONSE
    # and averaging leaves it out
    _, used = average([other, reference.copy(), reference])
    assert used == 2


def test_averaging_registered_frames_lowers_the_noise_by_the_root_of_their_number():
    rng = np.random.default_rng(5)
    clean = code_image("PER-000123", "QRCode", scale=4).astype(np.float32)
    clean = cv2.copyMakeBorder(clean, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    clean = cv2.GaussianBlur(clean, (0, 0), 2.0)  # a lens's softness: no step edges
    crops = []
    for _ in range(8):
        dx, dy = rng.uniform(-2, 2, 2)
        crops.append(shifted(clean, dx, dy) + rng.normal(0, 20, clean.shape).astype(np.float32))
    crops.append(clean + rng.normal(0, 20, clean.shape).astype(np.float32))
    mean, used = average(crops)
    assert used == 9
    inner = (slice(8, -8), slice(8, -8))
    single = float(np.std(crops[-1][inner] - clean[inner]))
    fused = float(np.std(mean[inner] - clean[inner]))
    assert single == pytest.approx(20, rel=0.1)
    assert fused < single / 2.2  # sqrt(9) = 3, less the registration's interpolation error


def _run(frames, fps: float = 30.0, *, fusion: bool = True) -> list[tuple[int, str, str]]:
    worker = FrameWorker(DecodePipeline(), Debouncer(), fusion=fusion)
    acted = []
    for index, image in enumerate(frames):
        outcome = worker.step(Frame(image, index / fps, index))
        acted += [(index, e.read.text, e.read.method) for e in outcome.events]
    return acted


@pytest.fixture(scope="module", params=sorted(HARD_CLIPS), ids=sorted(HARD_CLIPS))
def hard_clip(request):
    return make_clip(HARD_CLIPS[request.param], hold=1.0)


def test_a_clip_no_single_frame_reads_is_read_from_its_combined_frames(hard_clip):
    for image in hard_clip.frames:
        assert not zxingcpp.read_barcodes(image)  # zxing-cpp alone: nothing, on every frame
    acted = _run(hard_clip.frames)
    assert [(text, method) for _, text, method in acted] == [(hard_clip.text, "fused")]
    rest = round(hard_clip.rest_at * hard_clip.fps)
    assert rest <= acted[0][0] <= rest + 30  # within a second of the tag coming to rest
    # the live pipeline frame by frame, without combining frames, acts on nothing
    assert _run(hard_clip.frames, fusion=False) == []


def _swapping_tags(count: int = 24) -> list[np.ndarray]:
    """Two different tags at the same place, one frame each in turn: frames that disagree."""
    frames = []
    for index in range(count):
        frame = clutter(1280, 720, seed=11)
        text = "PER-000123" if index % 2 == 0 else "PER-000128"
        place(frame, code_image(text, scale=3), (640, 360))
        frames.append(frame)
    return frames


def test_frames_that_disagree_are_never_acted_on():
    frames = _swapping_tags()
    worker = FrameWorker(DecodePipeline(), Debouncer())
    seen, acted = set(), []
    for index, image in enumerate(frames):
        outcome = worker.step(Frame(image, index / 30, index))
        seen |= {r.text for r in outcome.reads}
        acted += [e.read.text for e in outcome.events]
    assert seen == {"PER-000123", "PER-000128"}  # both read, frame after frame
    assert acted == []
    # the same tag held alone is acted on once, promptly
    steady = [f for i, f in enumerate(frames) if i % 2 == 0]
    assert [text for _, text, _ in _run(steady)] == ["PER-000123"]


def _write_folder(folder: Path, frames) -> Path:
    folder.mkdir()
    for index, image in enumerate(frames):
        cv2.imwrite(str(folder / f"frame-{index:04d}.png"), image)
    return folder


def test_decode_video_prints_each_act_with_its_frame_then_the_clip(tmp_path, capsys):
    clip = make_clip(HARD_CLIPS["QR code in low light"], hold=1.0)
    folder = _write_folder(tmp_path / "clip", clip.frames)
    video = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"FFV1"), 30.0, (1280, 720))
    for image in clip.frames:
        writer.write(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    writer.release()
    assert main(["decode", "--json", "--video", str(folder), str(video)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 4
    for path, (act, summary) in zip((folder, video), (lines[:2], lines[2:]), strict=True):
        assert set(act) == {"path", "frame", "text", "format", "ms"}
        assert act["path"] == str(path) and act["text"] == clip.text
        assert act["format"] == "QR Code"
        assert round(clip.rest_at * clip.fps) <= act["frame"] < len(clip.frames)
        assert isinstance(act["ms"], float) and act["ms"] > 0
        assert set(summary) == {"path", "frames", "ms_per_frame_median", "ms_per_frame_p95"}
        assert summary["path"] == str(path) and summary["frames"] == len(clip.frames)
        assert 0 < summary["ms_per_frame_median"] <= summary["ms_per_frame_p95"]


def test_decode_video_bad_input_is_one_line_and_exit_1(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.avi").write_text("not a video")
    cases = {
        tmp_path / "missing.mp4": "There is no video file or folder",
        tmp_path / "empty": "holds no images",
        tmp_path / "notes.avi": "is not a video that can be played",
    }
    for path, message in cases.items():
        assert main(["decode", "--json", "--video", str(path)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        errors = [line for line in captured.err.splitlines() if line.startswith("helpdesk")]
        assert len(errors) == 1 and message in errors[0]
    # images keep their old way: an error on the image's own line, exit 0
    assert main(["decode", "--json", str(tmp_path / "missing.png")]) == 0
    assert "no such file" in json.loads(capsys.readouterr().out)["error"]
