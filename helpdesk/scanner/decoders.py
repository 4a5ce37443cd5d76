"""The decoding libraries behind one small interface: ``decoder(grey) -> list[Read]``.

- :class:`ZxingDecoder`: zxing-cpp, the main decoder (all four school symbologies, any rotation
  for 2-D codes, inverted codes).
- :class:`ZbarDecoder`: zbar through pyzbar's ctypes bindings. pyzbar 0.1.9's own ``decode()``
  raises ``ValueError: -1 is not a valid ZBarOrientation`` with some libzbar builds (Debian's
  0.23.92) and loses every read of the frame; this class walks zbar's symbol list itself, never asks
  for the orientation, and keeps each symbol that can be read.
- :class:`OpenCvDecoder`: OpenCV's QR and 1-D detectors. Its QR decoder raises on payloads that are
  not UTF-8; each detector is guarded on its own so one failure never loses the other's reads.

No decoder here raises for a bad frame: a library failure is logged once and counts as no read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from ctypes import c_void_p, cast, string_at
from typing import Any

import cv2
import numpy as np
import zxingcpp

from helpdesk.scanner.formats import DEFAULT_FORMATS, Read, normalise_format_name, zxing_formats

log = logging.getLogger(__name__)
_warned: set[str] = set()


def _warn_once(what: str, exc: BaseException) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("%s failed on a frame and was skipped: %s: %s", what, type(exc).__name__, exc)


def _corners(points: Iterable[Sequence[float]], dx: float = 0, dy: float = 0):
    return tuple((int(round(x + dx)), int(round(y + dy))) for x, y in points)


class ZxingDecoder:
    """zxing-cpp with the chosen formats; text is the code's content as a scanner would type it."""

    name = "zxing"

    def __init__(
        self,
        formats: Iterable[str] = DEFAULT_FORMATS,
        *,
        try_rotate: bool = True,
        try_downscale: bool = True,
        try_invert: bool = True,
        defaults: bool = False,
    ) -> None:
        self._kwargs: dict = {}
        if not defaults:
            self._kwargs = {
                "formats": zxing_formats(formats),
                "try_rotate": try_rotate,
                "try_downscale": try_downscale,
                "try_invert": try_invert,
                "text_mode": zxingcpp.TextMode.Plain,
            }

    def __call__(self, grey: np.ndarray, *, pure: bool = False) -> list[Read]:
        try:
            found = zxingcpp.read_barcodes(grey, is_pure=pure, **self._kwargs)
        except Exception as exc:  # noqa: BLE001 - a library failure is no read, never a crash
            _warn_once("zxing-cpp", exc)
            return []
        reads = []
        for barcode in found:
            if not barcode.valid:
                continue
            pos = barcode.position
            corners = _corners(
                (p.x, p.y) for p in (pos.top_left, pos.top_right, pos.bottom_right, pos.bottom_left)
            )
            reads.append(Read(barcode.text, str(barcode.format), corners, self.name, barcode.bytes))
        return reads


# --- zbar ---------------------------------------------------------------------------------------

_ZBAR_NAMES = {
    "CODE128": "Code 128",
    "CODE39": "Code 39",
    "QRCODE": "QR Code",
    "CODE93": "Code 93",
    "CODABAR": "Codabar",
    "I25": "ITF",
    "EAN13": "EAN-13",
    "EAN8": "EAN-8",
    "UPCA": "UPC-A",
    "UPCE": "UPC-E",
    "PDF417": "PDF417",
}
_ZBAR_SYMBOLS = {
    "code128": "CODE128",
    "code39": "CODE39",
    "qrcode": "QRCODE",
    "code93": "CODE93",
    "codabar": "CODABAR",
    "itf": "I25",
    "ean13": "EAN13",
    "ean8": "EAN8",
    "upca": "UPCA",
    "upce": "UPCE",
    "pdf417": "PDF417",
}


class ZbarDecoder:
    """zbar (no Data Matrix). ``min_quality`` drops 1-D reads seen on fewer scan lines.
    ``rows_only``: scan the rows and not the columns, for pictures whose bars stand upright
    (half the work; no column crosses upright bars)."""

    name = "zbar"

    def __init__(
        self,
        formats: Iterable[str] = DEFAULT_FORMATS,
        *,
        min_quality: int = 1,
        rows_only: bool = False,
    ) -> None:
        from pyzbar import wrapper

        self._w = wrapper
        self.min_quality = min_quality
        self.rows_only = rows_only
        wanted = {
            _ZBAR_SYMBOLS[k] for k in map(normalise_format_name, formats) if k in _ZBAR_SYMBOLS
        }
        self._symbols = [wrapper.ZBarSymbol[n] for n in sorted(wanted)]
        self.available = bool(self._symbols)

    def _scanner(self):
        w = self._w
        scanner = w.zbar_image_scanner_create()
        for symbol in w.ZBarSymbol:
            w.zbar_image_scanner_set_config(scanner, symbol, w.ZBarConfig.CFG_ENABLE, 0)
        for symbol in self._symbols:
            w.zbar_image_scanner_set_config(scanner, symbol, w.ZBarConfig.CFG_ENABLE, 1)
        if self.rows_only:  # zbar's x density is that of its vertical scan lines
            w.zbar_image_scanner_set_config(scanner, 0, w.ZBarConfig.CFG_X_DENSITY, 0)
        return scanner

    def __call__(self, grey: np.ndarray) -> list[Read]:
        if not self.available or grey.size == 0:
            return []
        w = self._w
        pixels = np.ascontiguousarray(grey, dtype=np.uint8).tobytes()
        height, width = grey.shape[:2]
        reads: list[Read] = []
        scanner = self._scanner()
        image = w.zbar_image_create()
        try:
            w.zbar_image_set_format(image, 808466521)  # 'Y800': 8-bit grey
            w.zbar_image_set_size(image, width, height)
            # ctypes.cast takes bytes as a char pointer; its stub leaves bytes out.
            w.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)  # type: ignore[arg-type]
            if w.zbar_scan_image(scanner, image) < 0:
                return []
            symbol = w.zbar_image_first_symbol(image)
            while symbol:
                read = self._read_symbol(symbol)
                if read is not None:
                    reads.append(read)
                symbol = w.zbar_symbol_next(symbol)
        except Exception as exc:  # noqa: BLE001 - zbar failing on one frame is no read
            _warn_once("zbar", exc)
        finally:
            w.zbar_image_destroy(image)
            w.zbar_image_scanner_destroy(scanner)
        return reads

    def _read_symbol(self, symbol) -> Read | None:
        w = self._w
        try:
            data = string_at(w.zbar_symbol_get_data(symbol), w.zbar_symbol_get_data_length(symbol))
            try:
                kind = w.ZBarSymbol(symbol.contents.type).name
            except ValueError:
                return None
            quality = w.zbar_symbol_get_quality(symbol)
            if kind != "QRCODE" and quality < self.min_quality:
                return None
            points = [
                (w.zbar_symbol_get_loc_x(symbol, i), w.zbar_symbol_get_loc_y(symbol, i))
                for i in range(w.zbar_symbol_get_loc_size(symbol))
            ]
        except Exception as exc:  # noqa: BLE001 - one bad symbol does not lose the others
            _warn_once("zbar symbol", exc)
            return None
        text = _text_of(data)
        if text is None:
            return None
        return Read(text, _ZBAR_NAMES.get(kind, kind), _box(points), self.name, data)


def _text_of(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _box(points: list[tuple[float, float]]) -> tuple[tuple[int, int], ...]:
    if not points:
        return ()
    pts = np.array(points, dtype=np.float32).reshape(-1, 1, 2)
    box = cv2.boxPoints(cv2.minAreaRect(pts))
    return _corners(box)


# --- OpenCV -------------------------------------------------------------------------------------


class OpenCvDecoder:
    """OpenCV's own QR detector and 1-D barcode detector (for comparison in the bench)."""

    name = "opencv"

    def __init__(self, formats: Iterable[str] = DEFAULT_FORMATS) -> None:
        keys = {normalise_format_name(f) for f in formats}
        self._qr = cv2.QRCodeDetector() if "qrcode" in keys else None
        self._linear = None
        if keys & {"code128", "code39", "ean13", "ean8", "upca", "upce"}:
            try:
                self._linear = cv2.barcode.BarcodeDetector()
            except (AttributeError, cv2.error):
                self._linear = None

    def __call__(self, grey: np.ndarray) -> list[Read]:
        reads: list[Read] = []
        if self._qr is not None:
            reads.extend(self._qr_reads(grey))
        if self._linear is not None:
            try:
                ok, texts, kinds, points = self._linear_detect(grey)
                if ok:
                    for text, kind, pts in zip(texts, kinds, points, strict=False):
                        if text:
                            reads.append(Read(text, str(kind), _corners(pts), self.name))
            except (cv2.error, UnicodeDecodeError, ValueError) as exc:
                _warn_once("OpenCV barcode decoder", exc)
        return reads

    def _qr_reads(self, grey: np.ndarray) -> list[Read]:
        if self._qr is None:
            return []
        try:
            ok, texts, points, _ = self._qr.detectAndDecodeMulti(grey)
        except (cv2.error, UnicodeDecodeError, ValueError) as exc:
            # A payload that is not UTF-8 makes the whole call raise: decode code by code so
            # that only the offending one is lost.
            _warn_once("OpenCV QR decoder", exc)
            return self._qr_one_by_one(grey)
        if not ok:
            return []
        return [
            Read(text, "QR Code", _corners(pts), self.name)
            for text, pts in zip(texts, points, strict=False)
            if text
        ]

    def _qr_one_by_one(self, grey: np.ndarray) -> list[Read]:
        qr = self._qr
        if qr is None:
            return []
        try:
            ok, points = qr.detectMulti(grey)
        except cv2.error:
            return []
        reads = []
        for pts in points if ok else ():
            try:
                text, _ = qr.decode(grey, np.asarray(pts, np.float32).reshape(1, 4, 2))
            except (cv2.error, UnicodeDecodeError, ValueError):
                continue
            if text:
                reads.append(Read(text, "QR Code", _corners(pts), self.name))
        return reads

    def _linear_detect(self, grey: np.ndarray) -> tuple[Any, ...]:  # (ok, texts, kinds, points)
        if self._linear is None:
            return False, (), (), ()
        # Some builds leave out the flag, whatever OpenCV's stub says.
        result: tuple[Any, ...] = self._linear.detectAndDecodeWithType(grey)
        if len(result) == 4:
            return result
        texts, kinds, points = result
        return bool(texts), texts, kinds, points
