"""Barcodes as vector drawings: Code 128 bars, QR and Data Matrix modules as filled rectangles.

The patterns come from well-kept encoders (zxing-cpp's writer for Code 128 with the shortest
mix of code sets, and Data Matrix; segno for QR); this module turns them into rectangles on a
reportlab canvas, so the PDF holds exact vector shapes at any printer resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import segno
import zxingcpp

from helpdesk.domain.errors import ValidationError

MIN_MODULE_MM = 0.25  # below this, label printers and scanners do not reproduce bars reliably
CODE128_QUIET = 10  # modules of white each side of a Code 128 symbol
QR_QUIET = 4
DATAMATRIX_QUIET = 1
MM = 72.0 / 25.4  # points per millimetre


class CodeTooLong(ValidationError):
    """The code cannot be printed legibly in the space the stock gives."""


@dataclass(frozen=True)
class Linear:
    """A Code 128 symbol: ``bars`` are (start, width) in modules; ``modules`` its whole width
    without quiet zones."""

    text: str
    modules: int
    bars: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Matrix:
    """A 2D symbol: ``runs`` are (row, start, length) of dark modules; ``size`` modules a side
    without quiet zone."""

    text: str
    kind: str
    size: int
    quiet: int
    runs: tuple[tuple[int, int, int], ...]


def _check_text(text: str) -> None:
    if not text:
        raise ValidationError("An empty code cannot be printed.")
    if not text.isascii() or not text.isprintable():
        raise ValidationError(
            f"'{text}' has characters a Code 128 label cannot hold (use letters, digits and "
            "punctuation only)."
        )


@lru_cache(maxsize=4096)
def code128(text: str) -> Linear:
    _check_text(text)
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    row = np.asarray(symbol.to_image(scale=1, add_quiet_zones=False))[0] == 0
    edges = np.flatnonzero(np.diff(np.concatenate(([False], row, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    bars = tuple((int(s), int(e - s)) for s, e in zip(starts, ends, strict=True))
    return Linear(text=text, modules=int(row.size), bars=bars)


def _runs(dark: np.ndarray) -> tuple[tuple[int, int, int], ...]:
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(dark):
        edges = np.flatnonzero(np.diff(np.concatenate(([False], row, [False])).astype(np.int8)))
        runs.extend((r, int(s), int(e - s)) for s, e in zip(edges[0::2], edges[1::2], strict=True))
    return tuple(runs)


@lru_cache(maxsize=4096)
def qr(text: str) -> Matrix:
    _check_text(text)
    code = segno.make_qr(text, error="m", boost_error=False)
    dark = np.array([[bool(v) for v in row] for row in code.matrix], dtype=bool)
    return Matrix(text, "QR", dark.shape[0], QR_QUIET, _runs(dark))


@lru_cache(maxsize=4096)
def datamatrix(text: str) -> Matrix:
    _check_text(text)
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix)
    dark = np.asarray(symbol.to_image(scale=1, add_quiet_zones=False)) == 0
    return Matrix(text, "Data Matrix", dark.shape[0], DATAMATRIX_QUIET, _runs(dark))


def matrix(text: str, kind: str) -> Matrix:
    return qr(text) if kind == "qr" else datamatrix(text)


def snap_module(module_mm: float, dpi: int | None, *, maximum: float) -> float:
    """The module width to print: at most ``module_mm`` and ``maximum``, and a whole number of
    printer dots when the printer's resolution is known."""
    module = min(module_mm, maximum)
    if dpi:
        dot = 25.4 / dpi
        dots = int(module / dot + 1e-9)
        module = dots * dot
    return module


def draw_linear(canvas, symbol: Linear, x: float, y: float, module: float, height: float) -> None:
    """Bars with the symbol's left edge at (x, y) (mm, bottom left, canvas units in points)."""
    path = canvas.beginPath()
    h = height * MM
    y0 = y * MM
    for start, width in symbol.bars:
        path.rect((x + start * module) * MM, y0, width * module * MM, h)
    canvas.drawPath(path, stroke=0, fill=1)


def draw_matrix(canvas, symbol: Matrix, x: float, y: float, module: float) -> None:
    """Modules with the symbol's top left corner (without quiet zone) at (x, y + size*module)."""
    path = canvas.beginPath()
    top = y + symbol.size * module
    for row, start, length in symbol.runs:
        path.rect(
            (x + start * module) * MM,
            (top - (row + 1) * module) * MM,
            length * module * MM,
            module * MM,
        )
    canvas.drawPath(path, stroke=0, fill=1)
