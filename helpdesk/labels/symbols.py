"""Barcodes as vector drawings: Code 128 bars, QR and Data Matrix modules as filled rectangles.

The patterns come from well-kept encoders (zxing-cpp's writer for Code 128 with the shortest
mix of code sets, and Data Matrix; segno for QR); this module turns them into rectangles on a
reportlab canvas, so the PDF holds exact vector shapes at any printer resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import zxingcpp

from helpdesk.labels.errors import invalid

MIN_MODULE_MM = 0.25  # below this, label printers and scanners do not reproduce bars reliably
CODE128_QUIET = 10  # modules of white each side of a Code 128 symbol
QR_QUIET = 4
DATAMATRIX_QUIET = 1
MM = 72.0 / 25.4  # points per millimetre


@dataclass(frozen=True)
class Linear:
    """A Code 128 symbol: ``bars`` are (start, width) in modules; ``modules`` its whole width
    without quiet zones."""

    text: str
    modules: int
    bars: tuple[tuple[int, int], ...]

    @property
    def path(self) -> str:
        """The bars as PDF rectangles in units of one module wide, one bar high."""
        return _linear_path(self.bars)


@dataclass(frozen=True)
class Matrix:
    """A 2D symbol: ``runs`` are (row, start, length) of dark modules; ``size`` modules a side
    without quiet zone."""

    text: str
    kind: str
    size: int
    quiet: int
    runs: tuple[tuple[int, int, int], ...]

    @property
    def path(self) -> str:
        """The dark modules as PDF rectangles in module units, origin at the bottom left."""
        return _matrix_path(self.runs, self.size)


@lru_cache(maxsize=4096)
def _linear_path(bars: tuple[tuple[int, int], ...]) -> str:
    return " ".join(f"{start} 0 {width} 1 re" for start, width in bars)


@lru_cache(maxsize=4096)
def _matrix_path(runs: tuple[tuple[int, int, int], ...], size: int) -> str:
    return " ".join(f"{start} {size - 1 - row} {length} 1 re" for row, start, length in runs)


def _encoded(text: str, kind: str, make):  # noqa: ANN001, ANN202
    """``make()``'s symbol, or CodeTooLong in one sentence when the encoder refuses ``text`` (a
    symbology holds so many characters: Code 128 at most 256 here, a QR code or a Data Matrix a
    few hundred more)."""
    try:
        return make()
    except (ValueError, RuntimeError) as exc:
        from helpdesk.labels.errors import code_too_long

        raise code_too_long(
            f"the code '{text[:20]}...' ({len(text)} characters) is longer than a {kind} can hold"
        ) from exc


def _check_text(text: str) -> None:
    if not text:
        raise invalid("An empty code cannot be printed.")
    if not text.isascii() or not text.isprintable():
        raise invalid(
            f"'{text}' has characters a Code 128 label cannot hold (use letters, digits and "
            "punctuation only)."
        )


@lru_cache(maxsize=4096)
def code128(text: str) -> Linear:
    _check_text(text)
    symbol = _encoded(
        text, "Code 128", lambda: zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    )
    (row,) = _dark_rows(symbol, first_only=True)
    return Linear(text=text, modules=len(row), bars=tuple(_row_runs(row)))


def _dark_rows(symbol, *, first_only: bool = False) -> list[list[bool]]:
    """The symbol's modules, one list per row, True where dark (zxing-cpp draws dark as 0).
    A linear symbol's rows are all alike: ``first_only`` reads one."""
    view = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    assert view.shape is not None  # the symbol's image is two-dimensional
    height, width = view.shape
    data = view.tobytes()
    rows = 1 if first_only else height
    return [[data[r * width + c] == 0 for c in range(width)] for r in range(rows)]


def _row_runs(row: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of dark modules in a row."""
    runs, start = [], None
    for i, dark in enumerate([*row, False]):
        if dark and start is None:
            start = i
        elif not dark and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


def _runs(dark: list[list[bool]]) -> tuple[tuple[int, int, int], ...]:
    return tuple((r, s, n) for r, row in enumerate(dark) for s, n in _row_runs(row))


@lru_cache(maxsize=4096)
def qr(text: str) -> Matrix:
    import segno  # only labels with a QR code need it

    _check_text(text)
    code = _encoded(text, "QR code", lambda: segno.make_qr(text, error="m", boost_error=False))
    dark = [[bool(v) for v in row] for row in code.matrix]
    return Matrix(text, "QR", len(dark), QR_QUIET, _runs(dark))


@lru_cache(maxsize=4096)
def datamatrix(text: str) -> Matrix:
    _check_text(text)
    symbol = _encoded(
        text,
        "Data Matrix",
        lambda: zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix),
    )
    dark = _dark_rows(symbol)
    return Matrix(text, "Data Matrix", len(dark), DATAMATRIX_QUIET, _runs(dark))


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


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def draw_linear(canvas, symbol: Linear, x: float, y: float, module: float, height: float) -> None:
    """Bars with the symbol's left edge at (x, y) (mm, bottom left; canvas units in points).

    The bars go into the page as one filled path of whole-module rectangles scaled by the
    module width: exact, compact and quick to write."""
    matrix = " ".join(_number(v) for v in (module * MM, 0, 0, height * MM, x * MM, y * MM))
    canvas.addLiteral(f"q {matrix} cm {symbol.path} f Q")


def draw_matrix(canvas, symbol: Matrix, x: float, y: float, module: float) -> None:
    """Modules with the symbol's bottom left corner (without quiet zone) at (x, y)."""
    matrix = " ".join(_number(v) for v in (module * MM, 0, 0, module * MM, x * MM, y * MM))
    canvas.addLiteral(f"q {matrix} cm {symbol.path} f Q")
