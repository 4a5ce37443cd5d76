"""Webcam clips of a tag held up to the camera, hard enough that single frames fail.

Each clip is drawn from one seed: a school label (Code 128, Code 39, QR or Data Matrix of a text
like PER-000123 or STU-12345) on a cluttered desk is brought into view with motion blur, then held
for about a second and a half with small hand motion (sub-pixel shifts, a fraction of a degree of
turn). Every frame goes through a webcam's faults at one of three conditions:

- ``noise``: sensor noise at normal light, strong enough to break the code's edges;
- ``low light``: a dark scene (a few grey levels of contrast) amplified by the camera's gain, so the
  noise and the coarse steps of the dark picture are amplified with it;
- ``blur``: the camera's focus hunting (defocus that changes from frame to frame) with noise.

Seeds are split into a tuning set (what the fusion's settings were chosen on) and a test set
(never looked at while tuning). Used by ``bench/scanner/clips_run.py`` and the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scenes import desk, label, paste

TUNING_SEEDS = tuple(range(0, 40))
TEST_SEEDS = tuple(range(1000, 1040))
CONDITIONS = ("noise", "low light", "blur")
SYMBOLOGIES = ("Code128", "Code39", "QRCode", "DataMatrix")
FPS = 30.0


@dataclass(frozen=True)
class Clip:
    """The frames (grey, 1280x720 unless asked), what the tag says, and the time in seconds at
    which the tag comes to rest in view."""

    seed: int
    frames: list[np.ndarray]
    text: str
    symbology: str
    condition: str
    rest_at: float
    fps: float = FPS


def school_text(symbology: str, rng: np.random.Generator) -> str:
    number = int(rng.integers(0, 99999))
    if symbology == "QRCode":
        return f"LOAN-{number:06d}"
    if symbology == "Code39":
        return f"STU-{number:05d}"
    return f"PER-{number:06d}"


def make_clip(
    seed: int,
    *,
    size: tuple[int, int] = (1280, 720),
    condition: str | None = None,
    symbology: str | None = None,
    enter: float = 0.4,
    hold: float = 1.5,
    fps: float = FPS,
) -> Clip:
    """One clip: ``enter`` seconds of the tag moving in, ``hold`` seconds held still by hand."""
    rng = np.random.default_rng(seed)
    symbology = symbology or SYMBOLOGIES[seed % len(SYMBOLOGIES)]
    condition = condition or CONDITIONS[(seed // len(SYMBOLOGIES)) % len(CONDITIONS)]
    width, height = size
    text = school_text(symbology, rng)
    module = rng.uniform(2.4, 3.2) * height / 720
    if symbology in ("QRCode", "DataMatrix"):
        module *= 1.5
    tag = label(text, symbology, module, rng)
    background = desk(width, height, rng)
    rest = (width / 2 + rng.uniform(-60, 60), height / 2 + rng.uniform(-40, 40))
    start = (rest[0] + rng.choice([-1, 1]) * rng.uniform(250, 350), rest[1] + rng.uniform(-60, 60))
    angle = float(rng.uniform(-12, 12))
    faults = _faults(condition, rng)
    if symbology in ("QRCode", "DataMatrix"):  # error correction makes 2-D codes hardier
        faults["noise"] *= 2.0
    frames = []
    moving = int(round(enter * fps))
    still = int(round(hold * fps))
    hand = np.zeros(3)
    for i in range(moving + still):
        if i < moving:
            f = (i + 1) / moving
            ease = 1 - (1 - f) ** 2
            x = start[0] + (rest[0] - start[0]) * ease
            y = start[1] + (rest[1] - start[1]) * ease
            speed = math.hypot(rest[0] - start[0], rest[1] - start[1]) * 2 * (1 - f) / moving
            turn = angle + 4 * (1 - ease)
        else:
            # a hand holding a tag: a slow random walk of a pixel or two and a fraction of a degree
            hand = 0.85 * hand + rng.normal(0, (0.35, 0.35, 0.08))
            x, y, turn, speed = rest[0] + hand[0], rest[1] + hand[1], angle + hand[2], 0.0
        frame = background.copy()
        paste(frame, tag, (x, y), turn)
        frames.append(_camera(frame, speed, faults, rng))
    return Clip(seed, frames, text, symbology, condition, moving / fps, fps)


def _faults(condition: str, rng: np.random.Generator) -> dict[str, float]:
    if condition == "noise":
        return {"gain": 1.0, "noise": rng.uniform(26, 34), "blur": rng.uniform(0.6, 0.9), "hunt": 0}
    if condition == "low light":
        return {
            "gain": rng.uniform(0.05, 0.075),
            "noise": rng.uniform(2.2, 3.0),
            "blur": 0.7,
            "hunt": 0,
        }
    if condition == "blur":
        return {
            "gain": 1.0,
            "noise": rng.uniform(8, 11),
            "blur": rng.uniform(1.0, 1.3),
            "hunt": 0.8,
        }
    raise ValueError(f"unknown condition {condition!r}")


def _camera(
    frame: np.ndarray, speed: float, faults: dict[str, float], rng: np.random.Generator
) -> np.ndarray:
    """What the webcam makes of a scene: defocus, motion blur, exposure, noise, gain, 8 bits."""
    img = frame.astype(np.float32)
    sigma = faults["blur"] + faults["hunt"] * float(rng.random())
    img = cv2.GaussianBlur(img, (0, 0), sigma)
    if speed >= 1.5:
        n = int(min(speed, 40))
        img = cv2.filter2D(img, -1, np.full((1, n), 1.0 / n, np.float32))
    gain = faults["gain"]
    img = img * gain + rng.normal(0, faults["noise"], img.shape).astype(np.float32)
    img = np.clip(np.round(img), 0, 255)  # the sensor's 8 bits, before the camera's gain
    if gain < 1.0:
        img = np.clip(img * (0.8 / gain), 0, 255)
    return img.astype(np.uint8)
