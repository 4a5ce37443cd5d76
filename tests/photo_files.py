"""Real image files for the photo tests, drawn with Pillow (the library the app makes its
thumbnails with): a photo of a given size in pixels, and one padded out to a given size on disk."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw


def draw(width: int = 800, height: int = 600, colour: str = "#884422") -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    pen = ImageDraw.Draw(image)
    pen.line((0, 0, width, height), fill="white", width=max(2, width // 100))  # the crack
    return image


def write_photo(path: Path, width: int = 800, height: int = 600, colour: str = "#884422") -> Path:
    """A real photo file; the format follows the name (.jpg, .png, .webp ...)."""
    draw(width, height, colour).save(path)
    return path


def write_big_jpeg(path: Path, at_least: int) -> Path:
    """A real JPEG of at least ``at_least`` bytes (noise compresses badly)."""
    side = 1000
    while True:
        rng = random.Random(side)
        noise = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=100)
        if out.tell() >= at_least:
            path.write_bytes(out.getvalue())
            return path
        side += 600
