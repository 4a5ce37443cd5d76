"""Frame sources: folder, video file, camera (missing or unplugged), and the live scanner."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from scanner_drawing import write_clip_folder, write_clip_video

from helpdesk.scanner import (
    CameraSource,
    CodeClassifier,
    Debouncer,
    DecodePipeline,
    ImageFolderSource,
    LiveScanner,
    SourceLost,
    SourceUnavailable,
    VideoFileSource,
    centred_roi,
    list_cameras,
    open_source,
)


@pytest.fixture(scope="module")
def clip_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip")
    return folder, write_clip_folder(folder)


def _replay(source, pipeline: DecodePipeline) -> list[tuple[float, str]]:
    """Every frame of a source, decoded as the live scanner does (box, whole frame when idle)."""
    debouncer = Debouncer()
    acted, empty = [], 0
    with source:
        while (frame := source.read()) is not None:
            roi = centred_roi(*frame.size)
            reads = pipeline.decode(frame.image, roi, whole_frame=empty % 2 == 1)
            empty = 0 if reads else empty + 1
            acted += [(frame.at, r.text) for r in debouncer.feed(reads, frame.at)]
    return acted


def test_replayed_presentation_is_acted_on_twice_and_promptly(clip_folder):
    folder, clip = clip_folder
    acted = _replay(ImageFolderSource(folder, fps=clip.fps), DecodePipeline())
    assert [text for _, text in acted] == [clip.text, clip.text]
    for (at, _), readable in zip(acted, clip.readable_from, strict=True):
        assert 0 <= at - readable <= 0.3


def test_video_file_gives_the_same_frames(tmp_path):
    path = tmp_path / "clip.avi"
    clip = write_clip_video(path)
    source = VideoFileSource(path)
    with source:
        assert source.fps == pytest.approx(clip.fps)
        first = source.read()
        assert first is not None and first.size == (1280, 720) and first.at == 0.0
    scanner = LiveScanner(VideoFileSource(path), DecodePipeline())
    scanner.start()
    assert scanner.wait_until_done(60)
    scanner.stop()
    events = scanner.events()
    assert [e.read.text for e in events] == [clip.text, clip.text]
    assert scanner.state().error is None


def test_live_scanner_in_real_time_drops_stale_frames_and_acts_twice(clip_folder):
    folder, clip = clip_folder
    classifier = CodeClassifier(r"PER-\d{6}", r"S\d{6}")
    scanner = LiveScanner(
        ImageFolderSource(folder, fps=clip.fps, realtime=True), classifier=classifier
    )
    scanner.start()
    assert scanner.wait_until_done(60)
    state = scanner.state()
    scanner.stop()
    events = scanner.events()
    assert [e.read.text for e in events] == [clip.text, clip.text]
    assert all(e.accepted and e.classified.kind == "asset tag" for e in events)
    assert state.frame is not None and state.frame.index == clip.frames - 1
    assert state.error is None and state.finished


def test_refused_codes_are_events_with_the_reason(clip_folder):
    folder, _ = clip_folder
    scanner = LiveScanner(
        ImageFolderSource(folder), classifier=CodeClassifier(r"ABC\d+", r"S\d{6}")
    )
    scanner.start()
    assert scanner.wait_until_done(60)
    scanner.stop()
    events = scanner.events()
    assert len(events) == 2 and not any(e.accepted for e in events)
    assert "not an asset tag" in events[0].message


def test_folder_skips_unreadable_files_and_reports_missing(tmp_path):
    cv2.imwrite(str(tmp_path / "a.png"), np.full((48, 64, 3), 200, np.uint8))
    (tmp_path / "b.png").write_text("broken")
    cv2.imwrite(str(tmp_path / "c.png"), np.full((48, 64, 3), 100, np.uint8))
    with ImageFolderSource(tmp_path, fps=10) as source:
        frames = [source.read(), source.read(), source.read()]
    assert [f.index for f in frames[:2]] == [0, 1] and frames[1].at == pytest.approx(0.1)
    assert frames[2] is None
    with pytest.raises(SourceUnavailable, match="no folder"):
        ImageFolderSource(tmp_path / "nope").open()
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceUnavailable, match="holds no images"):
        ImageFolderSource(tmp_path / "empty").open()
    with pytest.raises(SourceUnavailable, match="no video file"):
        VideoFileSource(tmp_path / "missing.mp4").open()
    with pytest.raises(SourceUnavailable, match="not a video"):
        VideoFileSource(tmp_path / "b.png").open()


def test_open_source_understands_what_is_typed(tmp_path):
    assert isinstance(open_source("0"), CameraSource)
    assert isinstance(open_source(2), CameraSource)
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)
    assert isinstance(open_source(str(tmp_path / "x.mp4")), VideoFileSource)
    assert CameraSource().size == (1280, 720)


def test_no_camera_is_a_clear_message_not_a_crash():
    missing = CameraSource(63)
    with pytest.raises(SourceUnavailable, match="No camera 63 was found"):
        missing.open()
    scanner = LiveScanner(CameraSource(63))
    scanner.start()
    scanner.wait_until_done(5)
    scanner.stop()
    assert "No camera 63" in scanner.state().error
    assert isinstance(list_cameras(), list)


class _UnpluggedAfter:
    """The edge of the world: a capture device that delivers a few frames, then nothing."""

    def __init__(self, frames: int) -> None:
        self.left = frames

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's names
        return True

    def set(self, *args) -> bool:
        return True

    def get(self, prop) -> float:
        return 0.0

    def read(self):
        if self.left <= 0:
            return False, None
        self.left -= 1
        return True, np.full((720, 1280, 3), 120, np.uint8)

    def release(self) -> None:
        pass


def test_camera_unplugged_mid_use_is_reported(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cv2, "VideoCapture", lambda *a, **k: _UnpluggedAfter(3))
    camera = CameraSource(0, lost_after=0.2)
    camera.open()
    assert camera.read().index == 0
    camera.read(), camera.read()
    with pytest.raises(SourceLost, match="stopped sending pictures"):
        camera.read()
    scanner = LiveScanner(CameraSource(0, lost_after=0.2))
    scanner.start()
    scanner.wait_until_done(5)
    scanner.stop()
    state = scanner.state()
    assert "stopped sending pictures" in state.error and state.frame.index == 2
