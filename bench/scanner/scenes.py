"""Images for the scanner bench: the real sample photos, the same pasted into cluttered frames,
and a synthetic webcam set of asset labels in three tiers of difficulty.

Everything is made from fixed seeds, so every run and every contender sees the same images.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "scanner-samples"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}
WORDS = "laptop charger ticket form 7A loan return student insurance excess claim swap".split()


@dataclass(frozen=True)
class Case:
    name: str
    image: np.ndarray
    text: str | None  # expected text; None with data None: no code at all
    data: bytes | None = None  # expected raw bytes when the sample has no .txt

    def is_right(self, text: str, data: bytes = b"") -> bool:
        if self.text is not None:
            return text == self.text
        return self.data is not None and (data == self.data or text.encode() == self.data)

    @property
    def has_code(self) -> bool:
        return self.text is not None or self.data is not None


# --- the tuning/test split ----------------------------------------------------------------------

PARTS = ("tuning", "test")
#: The synthetic sets of each part are drawn from disjoint seed ranges: tuning from ``--seed``
#: (default 1), test from ``--seed`` + TEST_SEED_OFFSET.
TEST_SEED_OFFSET = 1000


def part_of(name: str) -> str:
    """'tuning' or 'test' for a sample photo named "folder/file": half each, fixed by a hash of
    the name, so a photo never changes part and adding photos does not move the others."""
    return "tuning" if hashlib.sha256(name.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def split(cases: list[Case]) -> dict[str, list[Case]]:
    return {part: [c for c in cases if part_of(c.name) == part] for part in PARTS}


# --- real photos --------------------------------------------------------------------------------


def real_photos() -> tuple[list[Case], list[Case]]:
    """(photos with a code, photos with none) from ../shared/scanner-samples."""
    from helpdesk.scanner import load_image

    with_code, without = [], []
    for folder in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                continue
            image = load_image(path)
            name = f"{folder.name}/{path.name}"
            txt, binary = path.with_suffix(".txt"), path.with_suffix(".bin")
            if folder.name == "falsepositives-1":
                without.append(Case(name, image, None))
            elif txt.exists():
                with_code.append(Case(name, image, txt.read_bytes().decode("utf-8")))
            elif binary.exists():
                with_code.append(Case(name, image, None, binary.read_bytes()))
    return with_code, without


# --- clutter ------------------------------------------------------------------------------------


def desk(width: int, height: int, rng: np.random.Generator) -> np.ndarray:
    """A cluttered grey scene: shading, boxes, printed words, stripes (keyboards, vents, spines)."""
    base = cv2.GaussianBlur(
        (rng.random((height // 8, width // 8)) * 255).astype(np.uint8), (0, 0), 2
    )
    frame = cv2.resize(base, (width, height), interpolation=cv2.INTER_CUBIC)
    frame = cv2.normalize(
        frame, None, int(rng.integers(40, 90)), int(rng.integers(160, 220)), cv2.NORM_MINMAX
    )
    for _ in range(int(rng.integers(6, 14))):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(30, width // 4)), int(rng.integers(20, height // 4))
        cv2.rectangle(frame, (x, y), (x + w, y + h), int(rng.integers(20, 240)), -1)
    for _ in range(int(rng.integers(4, 10))):
        org = (int(rng.integers(0, width - 100)), int(rng.integers(20, height)))
        text = " ".join(rng.choice(WORDS, size=int(rng.integers(1, 4))))
        cv2.putText(
            frame,
            text,
            org,
            cv2.FONT_HERSHEY_SIMPLEX,
            float(rng.uniform(0.4, 1.2)),
            int(rng.integers(0, 255)),
            int(rng.integers(1, 3)),
            cv2.LINE_AA,
        )
    for _ in range(int(rng.integers(1, 4))):  # striped clutter
        x, y = int(rng.integers(0, width - 200)), int(rng.integers(0, height - 100))
        w, h = int(rng.integers(80, 220)), int(rng.integers(30, 100))
        period = int(rng.integers(3, 12))
        for sx in range(x, x + w, period):
            cv2.rectangle(frame, (sx, y), (sx + period // 2, y + h), int(rng.integers(0, 80)), -1)
    return frame


def paste(
    frame: np.ndarray,
    patch: np.ndarray,
    centre: tuple[float, float],
    angle: float = 0.0,
    perspective: float = 0.0,
    rng: np.random.Generator | None = None,
) -> None:
    """Paste ``patch`` turned by ``angle`` degrees with some perspective, centred at ``centre``."""
    h, w = patch.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = src.copy() - (w / 2, h / 2)
    if perspective and rng is not None:
        dst += rng.uniform(-perspective, perspective, size=(4, 2)).astype(np.float32) * (w, h)
    a = math.radians(angle)
    rot = np.float32([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    dst = (dst @ rot.T + np.float32(centre)).astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(patch, m, size, flags=cv2.INTER_LINEAR, borderValue=0)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, size, flags=cv2.INTER_LINEAR)
    alpha = mask.astype(np.float32) / 255
    frame[:] = (frame * (1 - alpha) + warped * alpha).astype(np.uint8)


def pasted(cases: list[Case], size: tuple[int, int], seed: int) -> list[Case]:
    """Each photo pasted whole, as it is (shrunk only to fit), into a cluttered frame."""
    rng = np.random.default_rng(seed)
    width, height = size
    out = []
    for case in cases:
        grey = case.image if case.image.ndim == 2 else cv2.cvtColor(case.image, cv2.COLOR_BGR2GRAY)
        h, w = grey.shape
        fit = min(1.0, 0.8 * width / w, 0.8 * height / h)
        if fit < 1.0:
            grey = cv2.resize(grey, None, fx=fit, fy=fit, interpolation=cv2.INTER_AREA)
        h, w = grey.shape
        frame = desk(width, height, rng)
        cx = rng.uniform(w / 2 + 2, width - w / 2 - 2) if width > w + 4 else width / 2
        cy = rng.uniform(h / 2 + 2, height - h / 2 - 2) if height > h + 4 else height / 2
        paste(frame, grey, (cx, cy))
        out.append(Case(case.name, frame, case.text, case.data))
    return out


def empty_desks(count: int, size: tuple[int, int], seed: int) -> list[Case]:
    """Cluttered frames with no code at all: what a counter's camera sees most of the day."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(count):
        frame = desk(size[0], size[1], rng)
        t = TIERS[("mild", "moderate")[i % 2]]
        frames.append(Case(f"empty-{i}", degrade(frame, t, rng), None))
    return frames


# --- synthetic webcam set -----------------------------------------------------------------------

TIERS = {
    # module size (px), angle (deg), blur sigma, motion blur (px), noise sigma, contrast,
    # perspective, JPEG quality, glare and uneven light probabilities
    "mild": dict(
        module=(2.6, 4.0),
        angle=15,
        blur=(0.0, 0.8),
        motion=(0, 2),
        noise=(1, 3),
        contrast=(0.75, 1.0),
        perspective=0.03,
        jpeg=(85, 95),
        glare=0.0,
        uneven=0.3,
    ),
    "moderate": dict(
        module=(2.0, 3.2),
        angle=40,
        blur=(0.5, 1.2),
        motion=(0, 4),
        noise=(3, 7),
        contrast=(0.4, 0.75),
        perspective=0.08,
        jpeg=(60, 85),
        glare=0.3,
        uneven=0.6,
    ),
    # at the edge of what a webcam can resolve: many of these are beyond any decoder
    "harsh": dict(
        module=(1.6, 2.6),
        angle=40,
        blur=(0.9, 1.6),
        motion=(2, 6),
        noise=(6, 10),
        contrast=(0.25, 0.5),
        perspective=0.12,
        jpeg=(40, 65),
        glare=0.5,
        uneven=0.8,
    ),
}
SYMBOLOGIES = ("Code128", "Code39", "QRCode", "DataMatrix")


def label(text: str, symbology: str, module: float, rng: np.random.Generator) -> np.ndarray:
    """A white asset label: the code with its quiet zone and the school's name printed over it."""
    barcode = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, symbology))
    code = np.asarray(barcode.to_image(scale=1, add_quiet_zones=True))
    if code.ndim == 3:
        code = cv2.cvtColor(code, cv2.COLOR_RGB2GRAY)
    linear = symbology in ("Code128", "Code39")
    if linear:
        bar_height = max(12, int(code.shape[1] * rng.uniform(0.15, 0.3)))
        code = cv2.resize(code[:1], (code.shape[1], bar_height), interpolation=cv2.INTER_NEAREST)
    code = cv2.resize(code, None, fx=module, fy=module, interpolation=cv2.INTER_AREA)
    pad = int(8 * module)
    h, w = code.shape
    lab = np.full((h + 2 * pad + int(14 * module), w + 2 * pad), 255, np.uint8)
    lab[pad + int(10 * module) : pad + int(10 * module) + h, pad : pad + w] = code
    cv2.putText(
        lab,
        "HILLSIDE ACADEMY IT",
        (pad, pad + int(7 * module)),
        cv2.FONT_HERSHEY_SIMPLEX,
        0.09 * module,
        60,
        1,
        cv2.LINE_AA,
    )
    return lab


def degrade(frame: np.ndarray, t: dict, rng: np.random.Generator) -> np.ndarray:
    img = frame.astype(np.float32)
    height, width = img.shape
    if rng.random() < t["uneven"]:
        gx = np.linspace(rng.uniform(0.5, 1.0), rng.uniform(1.0, 1.3), width, dtype=np.float32)
        gy = np.linspace(rng.uniform(0.7, 1.0), rng.uniform(1.0, 1.2), height, dtype=np.float32)
        img *= np.outer(gy, gx)
    if rng.random() < t["glare"]:
        glare = np.zeros_like(img)
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(30, 160)), int(rng.integers(20, 100)))
        cv2.ellipse(
            glare, centre, axes, float(rng.uniform(0, 180)), 0, 360, float(rng.uniform(80, 200)), -1
        )
        img += cv2.GaussianBlur(glare, (0, 0), 25)
    sigma = rng.uniform(*t["blur"])
    if sigma > 0.2:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    length = int(rng.uniform(*t["motion"]))
    if length >= 2:
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        rot = cv2.getRotationMatrix2D(
            (length / 2 - 0.5, length / 2 - 0.5), float(rng.uniform(0, 180)), 1
        )
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        img = cv2.filter2D(img, -1, kernel)
    img += rng.normal(0, rng.uniform(*t["noise"]), img.shape).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    quality = int(rng.integers(*t["jpeg"]))
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def synthetic(tier: str, count: int, size: tuple[int, int], seed: int) -> list[Case]:
    """``count`` webcam-like frames of one asset label each, drawn for ``size``.

    At 640x480 the same labels are seen by a camera with fewer pixels: module sizes are scaled by
    the frame's height (a 640x480 webcam sees a label with two thirds of the pixels).
    """
    t = TIERS[tier]
    rng = np.random.default_rng(seed)
    width, height = size
    px_scale = height / 720
    out = []
    for i in range(count):
        symbology = SYMBOLOGIES[i % len(SYMBOLOGIES)]
        number = int(rng.integers(0, 999999))
        text = {
            "Code128": f"PER-{number:06d}",
            "Code39": f"PER-{number:06d}",
            "QRCode": f"LOAN-{number:06d}",
            "DataMatrix": f"PER-{number:06d}",
        }[symbology]
        module = rng.uniform(*t["module"]) * px_scale
        if symbology in ("QRCode", "DataMatrix"):
            module *= 1.6  # 2-D labels are printed with bigger modules for the same label size
        lab = label(text, symbology, module, rng)
        frame = desk(width, height, rng)
        contrast = rng.uniform(*t["contrast"])
        ink = rng.uniform(10, 60)
        lab = (ink + lab.astype(np.float32) * (contrast * (255 - ink) / 255)).astype(np.uint8)
        lab = np.clip(
            lab.astype(np.int16) + int(255 * (1 - contrast) * rng.uniform(0, 0.7)), 0, 255
        ).astype(np.uint8)
        h, w = lab.shape
        diag = math.hypot(w, h) / 2
        margin_x, margin_y = min(diag, width / 2 - 1), min(diag, height / 2 - 1)
        centre = (rng.uniform(margin_x, width - margin_x), rng.uniform(margin_y, height - margin_y))
        angle = rng.uniform(-t["angle"], t["angle"])
        paste(frame, lab, centre, angle, t["perspective"], rng)
        out.append(Case(f"{tier}-{symbology}-{i}", degrade(frame, t, rng), text))
    return out


# --- the replayed clip --------------------------------------------------------------------------


def presentation_clip(fps: float = 30.0, size: tuple[int, int] = (1280, 720), seed: int = 7):
    """A tag brought into view (motion-blurred), held, taken away, shown again and taken away.

    Returns (frames, text, readable_from): the times at which the tag comes to rest in view.
    """
    rng = np.random.default_rng(seed)
    width, height = size
    text = "PER-000123"
    lab = label(text, "Code128", 3.0, rng)
    background = desk(width, height, rng)
    cx, cy = width / 2, height / 2
    out_x = width + lab.shape[1]
    plan = [
        (0.0, 0.5, out_x, out_x),
        (0.5, 0.8, out_x, cx),
        (0.8, 2.0, cx, cx),
        (2.0, 2.3, cx, out_x),
        (2.3, 3.3, out_x, out_x),
        (3.3, 3.6, out_x, cx),
        (3.6, 4.3, cx, cx),
        (4.3, 4.5, cx, out_x),
        (4.5, 4.8, out_x, out_x),
    ]
    frames = []
    for i in range(int(round(plan[-1][1] * fps))):
        t = i / fps
        start, end, x0, x1 = next(p for p in plan if p[0] <= t < p[1])
        x = x0 + (x1 - x0) * (t - start) / (end - start)
        speed = abs(x1 - x0) / (end - start) / fps
        frame = background.copy()
        if x - lab.shape[1] / 2 < width:
            wide = np.concatenate([frame, np.zeros((height, 2 * lab.shape[1]), np.uint8)], axis=1)
            jitter = rng.uniform(-1.5, 1.5, 2) if speed == 0 else (0, 0)
            paste(wide, lab, (x + jitter[0], cy + jitter[1]), float(rng.uniform(-2, 2)))
            frame = wide[:, :width].copy()
            if speed > 1:
                n = int(min(speed, 60))
                frame = cv2.filter2D(frame, -1, np.full((1, n), 1.0 / n, np.float32))
        noise = rng.normal(0, 3, frame.shape)
        frames.append(np.clip(frame + noise, 0, 255).astype(np.uint8))
    return frames, text, (0.8, 3.6)
