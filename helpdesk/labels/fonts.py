"""Fonts for printed documents: the PDF base fonts, or DejaVu Sans when a name needs letters
outside Western European (the base fonts only hold those)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

BASE = ("Helvetica", "Helvetica-Bold")
DEJAVU_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)


def _fits_base(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _dejavu() -> tuple[str, str] | None:
    for folder in DEJAVU_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return ("DejaVuSans", "DejaVuSans-Bold")
    return None


def fonts_for(texts: Iterable[str]) -> tuple[str, str]:
    """(regular, bold) font names able to show every text (as far as the machine's fonts go)."""
    if all(_fits_base(t) for t in texts if t):
        return BASE
    return _dejavu() or BASE
