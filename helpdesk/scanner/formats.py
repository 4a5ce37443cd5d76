"""The symbologies the scanner reads and the result of one read.

A school's labels use Code 128 and Code 39 (asset tags, student cards), QR and Data Matrix (small
labels, loan slips). EAN/UPC stay off unless asked for: striped clutter (book spines, keyboards,
vents) gives phantom retail reads. Format names are the ones zxing-cpp prints ("Code 128", "QR Code").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import zxingcpp

#: Names accepted in settings and on the command line, mapped to zxing-cpp's formats.
FORMAT_NAMES: dict[str, zxingcpp.BarcodeFormat] = {
    "code128": zxingcpp.BarcodeFormat.Code128,
    "code39": zxingcpp.BarcodeFormat.Code39,
    "qrcode": zxingcpp.BarcodeFormat.QRCode,
    "datamatrix": zxingcpp.BarcodeFormat.DataMatrix,
    "code93": zxingcpp.BarcodeFormat.Code93,
    "codabar": zxingcpp.BarcodeFormat.Codabar,
    "itf": zxingcpp.BarcodeFormat.ITF,
    "pdf417": zxingcpp.BarcodeFormat.PDF417,
    "aztec": zxingcpp.BarcodeFormat.Aztec,
    "ean13": zxingcpp.BarcodeFormat.EAN13,
    "ean8": zxingcpp.BarcodeFormat.EAN8,
    "upca": zxingcpp.BarcodeFormat.UPCA,
    "upce": zxingcpp.BarcodeFormat.UPCE,
}

DEFAULT_FORMATS: tuple[str, ...] = ("code128", "code39", "qrcode", "datamatrix")
LINEAR_FORMATS = frozenset(
    {"code128", "code39", "code93", "codabar", "itf", "ean13", "ean8", "upca", "upce"}
)


class UnknownFormat(ValueError):
    """A symbology name the scanner does not know."""


def normalise_format_name(name: str) -> str:
    key = "".join(ch for ch in name.lower() if ch.isalnum())
    aliases = {"qr": "qrcode", "dm": "datamatrix", "datamatrixcode": "datamatrix"}
    key = aliases.get(key, key)
    if key not in FORMAT_NAMES:
        known = ", ".join(FORMAT_NAMES)
        raise UnknownFormat(f"unknown barcode format {name!r}; known formats: {known}")
    return key


def zxing_formats(names: Iterable[str]) -> zxingcpp.BarcodeFormats:
    """The zxing-cpp format set for these names (Code 39 also covers Code 32 and PZN variants)."""
    return zxingcpp.BarcodeFormats([FORMAT_NAMES[normalise_format_name(n)] for n in names])


def format_key(zxing_format_name: str) -> str:
    """The settings name ("code128") of a format name as a decoder reports it ("Code 128")."""
    key = "".join(ch for ch in zxing_format_name.lower() if ch.isalnum())
    variants = {
        "code32": "code39",
        "pharmazentralnummer": "code39",
        "pzn": "code39",
        "code39ext": "code39",
        "code39std": "code39",
        "code128": "code128",
        "qr": "qrcode",
        "qrcodemodel2": "qrcode",
    }
    return variants.get(key, key)


@dataclass(frozen=True)
class Read:
    """One code read in one image.

    ``corners`` are four (x, y) points in the coordinates of the image given to the pipeline,
    clockwise from the symbol's top left; ``method`` says which stage found it (for the bench);
    ``data`` the raw bytes where the decoder gives them.
    """

    text: str
    format: str
    corners: tuple[tuple[int, int], ...] = ()
    method: str = "zxing"
    data: bytes = b""

    @property
    def key(self) -> str:
        return format_key(self.format)

    def centre(self) -> tuple[float, float]:
        if not self.corners:
            return (0.0, 0.0)
        xs = [p[0] for p in self.corners]
        ys = [p[1] for p in self.corners]
        return (sum(xs) / len(xs), sum(ys) / len(ys))

    def as_json(self) -> dict[str, str]:
        return {"text": self.text, "format": self.format}
