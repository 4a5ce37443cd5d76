"""Scanning a live source off the GUI thread, always on the newest frame.

Two threads: one reads frames as fast as the source gives them and keeps only the newest (a camera
is never left to queue up stale pictures); the other decodes the newest frame not yet decoded,
so a slow frame is skipped, never queued behind. The decoder reads the guide box, or the whole
frame on every other empty frame without a rescue (:class:`FrameWorker`). Each read passes through the debouncer
(once per presentation) and the classifier (the school's patterns); what is to be acted on is
queued as :class:`ScanEvent`. The preview polls :meth:`LiveScanner.state` and drains
:meth:`LiveScanner.events`; no callbacks cross threads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from helpdesk.scanner.classify import Classified, CodeClassifier
from helpdesk.scanner.debounce import Debouncer
from helpdesk.scanner.formats import Read
from helpdesk.scanner.fusion import Agreement, FrameFusion
from helpdesk.scanner.pipeline import Box, DecodePipeline, centred_roi
from helpdesk.scanner.sources import Frame, FrameSource, SourceError

# A camera sends the same tag 30 times a second: the rescues run on one frame in three (a read
# comes at most two frames later) and fusion on the frames between, so no frame pays for both.
RESCUE_EVERY = 3
# CPU milliseconds after a frame's start past which no rescue or fusion starts: a frame at 30
# frames a second lasts 33 ms, less about 10 for the one cut-out decode that may still be running.
BUDGET_MS = 22.0
# The largest share of the guide box a followed region may cover: a code held at the counter so
# that it fills more than half the box has modules the plain pass reads; a region that size on a
# frame with nothing read is the noise the gate took for structure.
REGION_SHARE = 0.5


@dataclass(frozen=True)
class ScanEvent:
    """A code to act on (or refused): ``at`` is the frame's time, ``latency`` the seconds from
    that frame's capture to the decision."""

    read: Read
    classified: Classified | None
    at: float
    latency: float

    @property
    def accepted(self) -> bool:
        return self.classified is None or self.classified.accepted

    @property
    def message(self) -> str:
        return self.classified.message if self.classified is not None else ""


@dataclass(frozen=True)
class LiveState:
    """What the preview shows: the newest frame, the reads of the last decoded frame (with the
    frame they came from), frames per second captured and decoded, and any error."""

    frame: Frame | None
    reads: tuple[Read, ...]
    reads_frame_index: int
    roi: Box | None
    capture_fps: float
    decode_fps: float
    decode_ms: float
    running: bool
    finished: bool
    error: str | None


class _Rate:
    def __init__(self, span: float = 2.0) -> None:
        self.span = span
        self.times: deque[float] = deque()

    def tick(self, now: float) -> None:
        self.times.append(now)
        while self.times and now - self.times[0] > self.span:
            self.times.popleft()

    def value(self, now: float) -> float:
        while self.times and now - self.times[0] > self.span:
            self.times.popleft()
        if len(self.times) < 2:
            return 0.0
        return (len(self.times) - 1) / max(self.times[-1] - self.times[0], 1e-6)


class LiveScanner:
    """Reads ``source`` and decodes it in two threads. ``roi_fraction`` sizes the guide box
    (None: whole frames only)."""

    def __init__(
        self,
        source: FrameSource,
        pipeline: DecodePipeline | None = None,
        *,
        debouncer: Debouncer | None = None,
        classifier: CodeClassifier | None = None,
        roi_fraction: float | None = 0.6,
    ) -> None:
        self.source = source
        self.pipeline = pipeline or DecodePipeline()
        self.debouncer = debouncer or Debouncer()
        self.classifier = classifier
        self.roi_fraction = roi_fraction
        self.worker = FrameWorker(self.pipeline, self.debouncer, roi_fraction=roi_fraction)
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._newest: Frame | None = None
        self._newest_received = 0.0
        self._decoded_index = -1
        self._reads: tuple[Read, ...] = ()
        self._reads_index = -1
        self._roi: Box | None = None
        self._events: deque[ScanEvent] = deque()
        self._error: str | None = None
        self._finished = False
        self._capture_rate = _Rate()
        self._decode_rate = _Rate()
        self._decode_ms = 0.0
        self._threads: list[threading.Thread] = []

    # --- control ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self._threads = [
            threading.Thread(target=self._capture_loop, name="scanner-capture", daemon=True),
            threading.Thread(target=self._decode_loop, name="scanner-decode", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        for thread in self._threads:
            thread.join(timeout)
        self._threads = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def set_classifier(self, classifier: CodeClassifier | None) -> None:
        self.classifier = classifier

    # --- what the GUI polls -------------------------------------------------------------------

    def state(self) -> LiveState:
        now = time.monotonic()
        with self._lock:
            return LiveState(
                frame=self._newest,
                reads=self._reads,
                reads_frame_index=self._reads_index,
                roi=self._roi,
                capture_fps=self._capture_rate.value(now),
                decode_fps=self._decode_rate.value(now),
                decode_ms=self._decode_ms,
                running=self.running,
                finished=self._finished,
                error=self._error,
            )

    def events(self) -> list[ScanEvent]:
        """The events since the last call, oldest first."""
        with self._lock:
            out = list(self._events)
            self._events.clear()
        return out

    def wait_until_done(self, timeout: float) -> bool:
        """For finite sources: wait until the last frame has been decoded."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not (self._finished and self._decoded_index >= self._newest_index()):
                if self._error or time.monotonic() > deadline:
                    return False
                self._lock.wait(0.05)
        return True

    def _newest_index(self) -> int:
        return self._newest.index if self._newest is not None else -1

    # --- threads ------------------------------------------------------------------------------

    def _capture_loop(self) -> None:
        try:
            self.source.open()
        except SourceError as exc:
            self._fail(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - an odd driver error is a message, not a crash
            self._fail(f"{self.source.name} could not be opened: {exc}")
            return
        try:
            while not self._stop.is_set():
                try:
                    frame = self.source.read()
                except SourceError as exc:
                    self._fail(str(exc))
                    return
                except Exception as exc:  # noqa: BLE001
                    self._fail(f"{self.source.name} failed: {exc}")
                    return
                if frame is None:
                    with self._lock:
                        self._finished = True
                        self._lock.notify_all()
                    return
                with self._lock:
                    self._newest = frame
                    self._newest_received = time.monotonic()
                    self._capture_rate.tick(self._newest_received)
                    self._lock.notify_all()
                if not self.source.live:
                    self._wait_for_decoder(frame.index)
        finally:
            self.source.close()

    def _wait_for_decoder(self, index: int) -> None:
        """A file replayed as fast as possible is not run ahead of the decoder."""
        with self._lock:
            while self._decoded_index < index and not self._stop.is_set():
                self._lock.wait(0.05)

    def _fail(self, message: str) -> None:
        with self._lock:
            self._error = message
            self._lock.notify_all()

    def _decode_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                while (
                    self._newest is None or self._newest.index <= self._decoded_index
                ) and not self._stop.is_set():
                    if self._error or (
                        self._finished and self._newest_index() <= self._decoded_index
                    ):
                        return
                    self._lock.wait(0.1)
                if self._stop.is_set():
                    return
                frame = self._newest
                received = self._newest_received
            assert frame is not None  # the wait above ends on a newer frame
            outcome = self.worker.step(frame, received, self.classifier)
            with self._lock:
                self._reads = outcome.reads
                self._reads_index = frame.index
                self._roi = outcome.roi
                self._decoded_index = frame.index
                self._decode_ms = outcome.ms
                self._decode_rate.tick(time.monotonic())
                self._events.extend(outcome.events)
                self._lock.notify_all()


@dataclass(frozen=True)
class FrameOutcome:
    """One frame decoded: its reads (single-frame and fused), the events to act on, the guide box
    and the milliseconds spent."""

    reads: tuple[Read, ...]
    events: tuple[ScanEvent, ...]
    roi: Box | None
    ms: float


class FrameWorker:
    """The live scanner's work on one frame, the same for a camera and a replayed clip:

    the pipeline reads the guide box (or, on every other empty frame without a rescue, the whole
    frame, which holds the box). The rescues run on one frame in ``rescue_every``, in the box
    only, and not even then while the gate's map is as on the last rescued frame whose rescue read
    nothing. While the gate finds a code-like region (no larger than half the box: a region that
    size is noise, and the gate's strongest patches stand in for it) that nothing read,
    :class:`.FrameFusion` keeps a cut-out of it from each frame, and on a frame between rescues
    every few frames decodes their combination. No rescue or fusion starts once the frame has
    used ``budget_ms`` of CPU time, counted from its start.
    A fused read needs at least ``MIN_FRAMES`` registered frames; when their average reads
    nothing, the sharpest cut-out is decoded alone and counts like a single-frame read. Reads the
    frames disagree on are held back (:class:`.Agreement`); the rest go to the debouncer, which acts on
    a code read twice: for a fused read, two fusions in a row that agree, or one fusion and one
    single-frame read.
    """

    def __init__(
        self,
        pipeline: DecodePipeline,
        debouncer: Debouncer,
        *,
        roi_fraction: float | None = 0.6,
        fusion: bool = True,
        rescue_every: int = RESCUE_EVERY,
        budget_ms: float = BUDGET_MS,
    ) -> None:
        self.pipeline = pipeline
        self.debouncer = debouncer
        self.roi_fraction = roi_fraction
        self.fusion = FrameFusion(pipeline) if fusion else None
        self.agreement = Agreement()
        self.rescue_every = max(1, rescue_every)
        self.budget_ms = budget_ms
        self._empty_frames = 0
        self._since_rescue = 0  # frames since the last frame that ran (or tried) the rescues
        self._regions: list[Box] = []  # the code-like regions of the last rescued frame

    def step(
        self, frame: Frame, received: float | None = None, classifier: CodeClassifier | None = None
    ) -> FrameOutcome:
        received = time.monotonic() if received is None else received
        roi = None
        if self.roi_fraction is not None:
            roi = centred_roi(frame.size[0], frame.size[1], self.roi_fraction)
        started = time.perf_counter()
        cpu = time.thread_time()  # the frame's budget counts all its work
        self._since_rescue += 1
        rescue = self._since_rescue >= self.rescue_every
        # every other empty frame that is not rescued reads the whole frame, which holds the box
        whole = not rescue and self._empty_frames % 2 == 1
        try:
            reads = self.pipeline.decode(
                frame.image,
                None if whole else roi,
                whole_frame=whole,
                rescue=rescue,
                deadline=cpu + self.budget_ms / 1000,
            )
        except Exception:  # noqa: BLE001 - a frame that cannot be decoded is skipped
            reads = []
        if rescue:
            self._since_rescue = 0
            self._regions = self.pipeline.candidate_regions()
        if self.fusion is not None:
            try:
                fused = self.fusion.feed(
                    frame.image,
                    frame.at,
                    reads,
                    self._regions,
                    limit=_region_limit(roi, frame.size),
                    fuse=not rescue,
                    deadline=cpu + self.budget_ms / 1000,
                )
            except Exception:  # noqa: BLE001 - a failed fusion is no fused read
                self.fusion.reset()
                fused = []
            reads = reads + [r for r in fused if (r.text, r.key) not in _keys(reads)]
        ms = (time.perf_counter() - started) * 1000
        done = time.monotonic()
        self._empty_frames = 0 if reads else self._empty_frames + 1
        events = []
        for read in self.debouncer.feed(self.agreement.admit(reads, frame.at), frame.at):
            classified = classifier.classify(read.text) if classifier else None
            events.append(ScanEvent(read, classified, frame.at, done - received))
            if self.fusion is not None and read.method in ("fused", "sharpest"):
                self.fusion.settle()
        return FrameOutcome(tuple(reads), tuple(events), roi, ms)


def _region_limit(roi: Box | None, size: tuple[int, int]) -> float:
    width, height = (roi[2], roi[3]) if roi is not None else size
    return REGION_SHARE * width * height


def _keys(reads: list[Read]) -> set[tuple[str, str]]:
    return {(r.text, r.key) for r in reads}
