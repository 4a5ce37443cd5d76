"""Frame sources behind one interface: a camera, a video file, a folder of images.

The camera is read with OpenCV's ``VideoCapture`` (opencv-python-headless), not QtMultimedia:
frames arrive as numpy arrays ready for the decoders with no copy out of a ``QVideoFrame``, the
same code reads video files, it runs in a plain thread with no event loop, and it keeps the
scanner free of Qt. The folder and video sources feed exactly the same consumers, which is how
tests and demos replay a presentation at the counter.

``read()`` returns the next :class:`Frame`, ``None`` at the end of a file or folder, and raises
:class:`SourceLost` when a camera stops delivering (unplugged); ``open()`` raises
:class:`SourceUnavailable` with a sentence when there is no such camera or file.
"""

from __future__ import annotations

import os
import sys
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from helpdesk.scanner.images import ImageUnreadable, load_image

DEFAULT_SIZE = (1280, 720)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})


class SourceError(Exception):
    """A frame source that cannot deliver; the message is fit for the counter's status line."""


class SourceUnavailable(SourceError):
    """The camera, file or folder cannot be opened."""


class SourceLost(SourceError):
    """The source stopped delivering frames while in use (a camera unplugged)."""


@dataclass(frozen=True)
class Frame:
    """One image from a source; ``at`` is its time in seconds on the source's clock."""

    image: np.ndarray
    at: float
    index: int

    @property
    def size(self) -> tuple[int, int]:
        return (self.image.shape[1], self.image.shape[0])


class FrameSource(ABC):
    """``open()``, then ``read()`` until it returns None, then ``close()`` (or use ``with``)."""

    name: str = "source"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def read(self) -> Frame | None: ...

    def close(self) -> None:  # noqa: B027 - nothing to free by default
        pass

    @property
    def fps(self) -> float:
        return 30.0

    @property
    def live(self) -> bool:
        """A camera: frames come at their own pace and older ones are worthless."""
        return False

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class CameraSource(FrameSource):
    """A camera by index (0 is the first), asked for ``size`` (1280x720 by default)."""

    def __init__(
        self,
        index: int = 0,
        size: tuple[int, int] = DEFAULT_SIZE,
        *,
        fps: float = 30.0,
        lost_after: float = 2.0,
    ) -> None:
        self.index = index
        self.size = size
        self._fps = fps
        self.lost_after = lost_after
        self.name = f"camera {index}"
        self._capture: cv2.VideoCapture | None = None
        self._count = 0
        self._last_good = 0.0

    def open(self) -> None:
        capture = cv2.VideoCapture(self.index, _camera_backend())
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(
                f"No camera {self.index} was found. Check it is plugged in and not in use by "
                "another program; scanning with a handheld scanner or the keyboard still works."
            )
        width, height = self.size
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_FPS, self._fps)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a queue of old ones
        self._capture = capture
        self._last_good = time.monotonic()

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceLost(f"{self.name} is not open")
        while True:
            try:
                ok, image = self._capture.read()
            except cv2.error:
                ok, image = False, None
            now = time.monotonic()
            if ok and image is not None and image.size:
                self._last_good = now
                self._count += 1
                return Frame(image, now, self._count - 1)
            if now - self._last_good > self.lost_after:
                self.close()
                raise SourceLost(
                    f"{self.name.capitalize()} stopped sending pictures (unplugged?). Plug it "
                    "back in and choose it again; the scan box still works."
                )
            time.sleep(0.02)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def live(self) -> bool:
        return True

    def actual_size(self) -> tuple[int, int] | None:
        """The size the camera agreed to (it may not offer the one asked for)."""
        if self._capture is None:
            return None
        return (
            int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        )


class _Replay(FrameSource):
    """Frames with times index / fps; with ``realtime`` they are also handed out at that pace."""

    def __init__(self, *, fps: float = 30.0, realtime: bool = False, loop: bool = False) -> None:
        self._fps = fps
        self.realtime = realtime
        self.loop = loop
        self._index = 0
        self._started = 0.0

    @property
    def fps(self) -> float:
        return self._fps

    @property
    def live(self) -> bool:
        return self.realtime

    def _stamp(self, image: np.ndarray) -> Frame:
        at = self._index / self._fps
        if self.realtime:
            if self._index == 0:
                self._started = time.monotonic()
            delay = self._started + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        frame = Frame(image, at, self._index)
        self._index += 1
        return frame


class VideoFileSource(_Replay):
    """A video file (anything OpenCV's FFmpeg reads: MP4, AVI, MKV...)."""

    def __init__(self, path: str | Path, *, realtime: bool = False, loop: bool = False) -> None:
        super().__init__(realtime=realtime, loop=loop)
        self.path = Path(path)
        self.name = self.path.name
        self._capture: cv2.VideoCapture | None = None
        self._pending: np.ndarray | None = None

    def open(self) -> None:
        if not self.path.is_file():
            raise SourceUnavailable(f"There is no video file {self.path}.")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceUnavailable(f"{self.path} is not a video that can be played.")
        ok, first = capture.read()
        if not ok or first is None:
            capture.release()
            raise SourceUnavailable(f"{self.path} is not a video that can be played.")
        fps = capture.get(cv2.CAP_PROP_FPS)
        if fps and 1 <= fps <= 240:
            self._fps = float(fps)
        self._capture = capture
        self._pending = first

    def read(self) -> Frame | None:
        if self._capture is None:
            raise SourceLost(f"{self.name} is not open")
        if self._pending is not None:
            image, self._pending = self._pending, None
            return self._stamp(image)
        ok, image = self._capture.read()
        if not ok and self.loop and self._index:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        if not ok or image is None:
            return None
        return self._stamp(image)

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource(_Replay):
    """The images of a folder in name order, as frames ``fps`` apart; unreadable files skipped."""

    def __init__(
        self, folder: str | Path, *, fps: float = 30.0, realtime: bool = False, loop: bool = False
    ) -> None:
        super().__init__(fps=fps, realtime=realtime, loop=loop)
        self.folder = Path(folder)
        self.name = self.folder.name
        self._paths: list[Path] = []
        self._next = 0

    def open(self) -> None:
        if not self.folder.is_dir():
            raise SourceUnavailable(f"There is no folder {self.folder}.")
        self._paths = sorted(
            p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
        )
        if not self._paths:
            raise SourceUnavailable(f"The folder {self.folder} holds no images.")
        self._next = 0

    def read(self) -> Frame | None:
        while True:
            if self._next >= len(self._paths):
                if not (self.loop and self._paths):
                    return None
                self._next = 0
            path = self._paths[self._next]
            self._next += 1
            try:
                return self._stamp(load_image(path))
            except ImageUnreadable:
                continue


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


def list_cameras(limit: int = 8) -> list[CameraInfo]:
    """The cameras of this computer. On Linux from /sys (no camera is opened); elsewhere by
    trying the first ``limit`` indexes."""
    sys_dir = Path("/sys/class/video4linux")
    if sys.platform.startswith("linux"):
        found = []
        if sys_dir.is_dir():
            for entry in sorted(sys_dir.iterdir(), key=lambda p: _number(p.name)):
                index = _number(entry.name)
                if index < 0 or not _is_capture_node(entry):
                    continue
                name = _read_text(entry / "name") or f"camera {index}"
                found.append(CameraInfo(index, name))
        return found
    found = []
    for index in range(limit):
        capture = cv2.VideoCapture(index, _camera_backend())
        if capture.isOpened():
            found.append(CameraInfo(index, f"camera {index}"))
        capture.release()
    return found


def open_source(
    spec: str | int, *, size: tuple[int, int] = DEFAULT_SIZE, realtime: bool = True
) -> FrameSource:
    """A source from what a user typed: a camera index, a folder of images or a video file."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec), size)
    path = Path(os.path.expanduser(str(spec)))
    if path.is_dir():
        return ImageFolderSource(path, realtime=realtime)
    return VideoFileSource(path, realtime=realtime)


def _camera_backend() -> int:
    if sys.platform.startswith("linux"):
        return cv2.CAP_V4L2
    if sys.platform == "win32":
        return cv2.CAP_DSHOW
    return cv2.CAP_ANY


def _number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else -1


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _is_capture_node(entry: Path) -> bool:
    """A V4L2 node that delivers pictures (a webcam also lists a metadata node: index 1)."""
    index = _read_text(entry / "index")
    return index in ("", "0")
