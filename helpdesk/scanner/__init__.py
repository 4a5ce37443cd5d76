"""Reading codes from images: decoding pipeline, frame sources, debouncing. No Qt here.

Public API::

    DecodePipeline(ScannerConfig(formats=...)).decode(image, roi=None, whole_frame=True) -> [Read]
    CodeClassifier(asset_tag_pattern, card_pattern).classify(text) -> Classified
    load_image(path) -> ndarray             (raises ImageUnreadable)
    Debouncer(confirmations=2, release_after=0.6).feed(reads, at) -> [Read to act on]
    open_source("0" | folder | video) -> FrameSource; CameraSource, VideoFileSource,
        ImageFolderSource; list_cameras() -> [CameraInfo]
    LiveScanner(source, pipeline, debouncer=, classifier=, roi_fraction=0.6): start(), stop(),
        state() -> LiveState, events() -> [ScanEvent]
    FrameWorker(pipeline, debouncer).step(frame) -> FrameOutcome   (the live work on one frame,
        frame fusion included; ``helpdesk decode --video`` replays clips through it)
"""

from helpdesk.scanner.classify import Classified, CodeClassifier, CodeKind, PatternError
from helpdesk.scanner.debounce import Debouncer
from helpdesk.scanner.formats import DEFAULT_FORMATS, FORMAT_NAMES, Read, UnknownFormat
from helpdesk.scanner.images import ImageUnreadable, load_image
from helpdesk.scanner.live import FrameOutcome, FrameWorker, LiveScanner, LiveState, ScanEvent
from helpdesk.scanner.pipeline import Box, DecodePipeline, ScannerConfig, centred_roi
from helpdesk.scanner.sources import (
    DEFAULT_SIZE,
    CameraInfo,
    CameraSource,
    Frame,
    FrameSource,
    ImageFolderSource,
    SourceError,
    SourceLost,
    SourceUnavailable,
    VideoFileSource,
    list_cameras,
    open_source,
)

__all__ = [
    "DEFAULT_FORMATS",
    "DEFAULT_SIZE",
    "CameraInfo",
    "CameraSource",
    "Debouncer",
    "Frame",
    "FrameOutcome",
    "FrameSource",
    "FrameWorker",
    "ImageFolderSource",
    "LiveScanner",
    "LiveState",
    "ScanEvent",
    "SourceError",
    "SourceLost",
    "SourceUnavailable",
    "VideoFileSource",
    "list_cameras",
    "open_source",
    "FORMAT_NAMES",
    "Box",
    "Classified",
    "CodeClassifier",
    "CodeKind",
    "DecodePipeline",
    "ImageUnreadable",
    "PatternError",
    "Read",
    "ScannerConfig",
    "UnknownFormat",
    "centred_roi",
    "load_image",
]
