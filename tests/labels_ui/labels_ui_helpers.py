"""Reading the labels panel's results back: the label prints recorded, and the PDF's pages
rendered with pdftoppm and decoded cell by cell with the project's scanner."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HAND_OUT_7A = ["PER-000202", "PER-000203", "PER-000201"]  # Ahmed, Baker, Cole
HAND_OUT_8B = ["PER-000205", "PER-000204"]  # Davies, Evans


def label_prints(factory) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(asset tag, template, staff username) of every label print recorded."""
    from sqlalchemy import select

    from helpdesk.domain.models import Device, LabelPrint, Staff

    with factory() as session:
        rows = session.execute(
            select(Device.asset_tag, LabelPrint.template_id, Staff.username)
            .join(Device, Device.id == LabelPrint.device_id)
            .join(Staff, Staff.id == LabelPrint.printed_by_id)
            .order_by(LabelPrint.id)
        )
        return [tuple(r) for r in rows]


def render_pages(path: Path, dpi: int = 300) -> list[np.ndarray]:
    """Every page of a PDF file as a grey image, rendered by pdftoppm."""
    from PIL import Image

    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed"
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), f"{folder}/p"],
            check=True,
            timeout=120,
        )
        files = sorted(Path(folder).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [np.asarray(Image.open(f).convert("L")) for f in files]


def decode_cell(page: np.ndarray, cell, dpi: int = 300) -> list[str]:  # noqa: ANN001
    """The codes the project's scanner reads inside one label cell (mm) of a page."""
    from helpdesk.scanner import DecodePipeline, ScannerConfig

    px = dpi / 25.4
    top, left = int(cell.y * px), int(cell.x * px)
    bottom, right = int((cell.y + cell.height) * px), int((cell.x + cell.width) * px)
    crop = np.ascontiguousarray(page[top:bottom, left:right])
    pipeline = DecodePipeline(ScannerConfig(formats=("code128", "qrcode", "datamatrix")))
    return sorted({r.text for r in pipeline.decode(crop)})


def ink_centre_x(page: np.ndarray, x: float, y: float, w: float, h: float, dpi: int = 300) -> float:
    """The middle (mm from the page's left) of the dark marks inside a rectangle (mm)."""
    px = dpi / 25.4
    x, y = max(0.0, x), max(0.0, y)
    part = page[int(y * px) : int((y + h) * px), int(x * px) : int((x + w) * px)]
    columns = np.nonzero((part < 128).any(axis=0))[0]
    assert columns.size, "no ink there"
    return x + (columns[0] + columns[-1]) / 2 / px
