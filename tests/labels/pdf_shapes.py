"""Reading a PDF back: the rectangles its pages stroke and fill (in mm from the page's top left),
and its pages rendered to images with pdftoppm and decoded with zxing-cpp."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pypdf import PdfReader
from pypdf.generic import ContentStream

MM = 72.0 / 25.4


@dataclass(frozen=True)
class Box:
    """A path's bounding box in mm from the page's top left; ``op`` 'S' stroked, 'f' filled."""

    op: str
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


def _mul(a, b):
    a1, b1, c1, d1, e1, f1 = a
    a2, b2, c2, d2, e2, f2 = b
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def page_boxes(pdf: bytes | Path, page_number: int = 0) -> tuple[list[Box], float, float]:
    """Every painted path of a page as a box, and the page's width and height in mm."""
    reader = PdfReader(pdf if isinstance(pdf, Path) else __import__("io").BytesIO(pdf))
    page = reader.pages[page_number]
    width = float(page.mediabox.width) / MM
    height = float(page.mediabox.height) / MM
    content = ContentStream(page.get_contents(), reader)
    ctm = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = []
    points: list[tuple[float, float]] = []
    boxes: list[Box] = []

    def add(x: float, y: float) -> None:
        a, b, c, d, e, f = ctm
        points.append((a * x + c * y + e, b * x + d * y + f))

    for operands, op in content.operations:
        op = op.decode() if isinstance(op, bytes) else op
        nums = [float(v) for v in operands] if op in ("cm", "re", "m", "l", "c", "v", "y") else []
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul(tuple(nums), ctm)
        elif op == "re":
            x, y, w, h = nums
            add(x, y)
            add(x + w, y + h)
        elif op in ("m", "l"):
            add(*nums)
        elif op in ("c", "v", "y"):
            for i in range(0, len(nums), 2):
                add(nums[i], nums[i + 1])
        elif op in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
            if points and op != "n":
                xs = [p[0] for p in points]
                ys = [p[1] for p in points]
                boxes.append(
                    Box(
                        "S" if op in ("S", "s") else "f",
                        min(xs) / MM,
                        height - max(ys) / MM,
                        (max(xs) - min(xs)) / MM,
                        (max(ys) - min(ys)) / MM,
                    )
                )
            points = []
    return boxes, width, height


def render(pdf: bytes | Path, dpi: int) -> list[np.ndarray]:
    """Every page as an 8-bit grey image at ``dpi`` (pdftoppm)."""
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm (poppler-utils) is needed: scripts/setup.sh installs it")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        if isinstance(pdf, Path):
            source = pdf
        else:
            source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(source), str(Path(folder) / "p")],
            check=True,
            timeout=120,
        )
        return [
            np.asarray(Image.open(path).convert("L"))
            for path in sorted(Path(folder).glob("p-*.png"), key=lambda p: int(p.stem[2:]))
        ]


_PIPELINE = None


def decode(image: np.ndarray) -> list[str]:
    """The texts of every code the project's scanner finds in ``image``."""
    global _PIPELINE
    from helpdesk.scanner import DecodePipeline, ScannerConfig

    if _PIPELINE is None:
        _PIPELINE = DecodePipeline(ScannerConfig(formats=("code128", "qrcode", "datamatrix")))
    return sorted({r.text for r in _PIPELINE.decode(image)})


def crop(image: np.ndarray, x: float, y: float, w: float, h: float, dpi: int, pad: float = 0.0):
    """The part of ``image`` under the rectangle (mm from the top left), padded by ``pad`` mm."""
    px = dpi / 25.4
    top, left = max(0, int((y - pad) * px)), max(0, int((x - pad) * px))
    bottom, right = int((y + h + pad) * px), int((x + w + pad) * px)
    return np.ascontiguousarray(image[top:bottom, left:right])
