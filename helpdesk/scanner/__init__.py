"""Reading codes from images: decoding pipeline, frame sources, debouncing. No Qt here.

Public API::

    DecodePipeline(ScannerConfig(formats=...)).decode(image, roi=None, whole_frame=True) -> [Read]
    CodeClassifier(asset_tag_pattern, card_pattern).classify(text) -> Classified
    load_image(path) -> ndarray             (raises ImageUnreadable)
"""

from helpdesk.scanner.classify import Classified, CodeClassifier, CodeKind, PatternError
from helpdesk.scanner.formats import DEFAULT_FORMATS, FORMAT_NAMES, Read, UnknownFormat
from helpdesk.scanner.images import ImageUnreadable, load_image
from helpdesk.scanner.pipeline import Box, DecodePipeline, ScannerConfig, centred_roi

__all__ = [
    "DEFAULT_FORMATS",
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
