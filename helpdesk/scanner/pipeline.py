"""The decoding pipeline: several passes, cheapest first, stopping at the first that reads.

1. zxing-cpp on the region of interest (the guide box the counter shows), when there is one;
2. zxing-cpp on the whole frame (when the box found nothing, or there is no box). These plain
   passes skip zxing-cpp's own 90-degree and inverted retries, which double their cost on a
   1280x720 frame; the rescues below cover those cases on small cut-outs instead.
3. the gate: when a kind of code (1-D or 2-D) is still missing, the structure map of the picture
   (:class:`.locate.StructureMap`, made from a half-size copy of a large picture) says where
   bar-like and busy square patches are. A picture with neither gets no rescue: it costs the
   plain pass and the gate only, which is what most frames at a counter are.
4. the rescues, on those patches only, likeliest first, the two kinds taking turns, within a
   per-frame CPU budget (``ScannerConfig.budget_ms``; the likeliest patch of each kind is always
   tried; bar-like patches whose bars are all of one width are tried last): a bar-like patch is
   cut out along its axis with its bars upright, enlarged along it when its bars are fine, and
   decoded in the polarity its outermost edges suggest (zxing-cpp's inversion covers 2-D codes
   only); the likeliest also with its bars averaged along their length and sharpened harder (by
   zxing-cpp, then zbar) and deblurred, again with its bars stood straight when perspective
   fans them out, then in the other polarity. A busy square patch is cut out, enlarged
   and decoded with zxing-cpp's rotation and inversion on; the likeliest again with noise taken
   out (3x3 median);
5. when nothing at all was read in a small picture (a 640x480 camera, or the guide box of one):
   zxing-cpp again on the picture enlarged twice, for codes whose modules are under two pixels.

Only reads that pass the symbology's own checks come back (zxing-cpp and zbar check the checksum
and format); a read lying inside a larger read of another text is a phantom of the same bars and
is dropped. :class:`DecodeStats` counts the passes run. Every decoder is guarded
(:mod:`.decoders`): a library failure on one frame is no read, never an exception.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace

import cv2
import numpy as np

from helpdesk.scanner.cutouts import (
    along_bars,
    cut_box,
    cut_upright,
    deblurred,
    looks_inverted,
    pixel_size,
    sharpened,
    uniform_bars,
)
from helpdesk.scanner.decoders import ZbarDecoder, ZxingDecoder
from helpdesk.scanner.formats import DEFAULT_FORMATS, LINEAR_FORMATS, Read, normalise_format_name
from helpdesk.scanner.images import to_grey
from helpdesk.scanner.locate import Candidate, StructureMap
from helpdesk.scanner.reads import drop_nested, inside_any, mapped, shifted, unique, unshift_band

Box = tuple[int, int, int, int]  # x, y, width, height in pixels
SMALL_SIDE = 960  # pictures whose longer side is at most this are also tried enlarged
AVERAGED_SHARPEN = 3.0  # unsharp amount on 1-D bars averaged along their length (less noise)
# A still frame's rescues stop once they have cost this many times its plain passes. zxing-cpp
# alone (its defaults: turned, inverted and shrunk retries) costs about 4.7 plain passes (4.8
# on the moderate 1280x720 tuning frames, about 4.5 at 640x480 and on empty desks), so a rescued
# frame costs at most about 1.5 times what zxing-cpp alone would (7 plain passes), the cost the
# scanner allows itself, on any machine and at any size; and never more than ``budget_ms``.
RESCUE_SHARE = 6.0
REACH = 1.5  # a fanned code's likeliest patch cut out again this much longer along its axis
SAME = 0.25  # share of a map's code-like cells that changed, under which the picture is the same


@dataclass(frozen=True)
class ScannerConfig:
    """What the pipeline reads and how hard it tries.

    ``formats``: settings names of the symbologies to read (see :data:`.formats.FORMAT_NAMES`).
    ``rescue_skewed``: look for turned or light-on-dark 1-D codes when no 1-D code was read.
    ``rescue_matrix``: look for small, turned or light-on-dark 2-D codes when none was read.
    ``enlarge_small``: when nothing was read in a small picture, try it again enlarged twice.
    ``use_zbar``: let zbar try the likeliest rescued 1-D patch too. ``max_candidates`` and
    ``max_matrix_candidates``: 1-D and 2-D patches tried per frame. ``budget_ms``: CPU
    milliseconds after a still frame's start (its plain passes included) past which no further
    rescue is started (a started one finishes; the likeliest patch of each kind is always
    tried): a camera at 30 frames a second sends one every 33 ms, and the rescue step still
    running at the deadline took at most 4.3 ms over the tuning frames at 1280x720 (1 ms at
    the median). ``rescue_share``: nor once the rescues have cost this many times the frame's
    plain passes (``RESCUE_SHARE``: about 1.5 times what zxing-cpp alone would spend on the
    frame; ``math.inf``: the budget alone). The live scanner keeps its own, earlier deadline
    (``live.BUDGET_MS``): frame fusion shares its frames. ``rescue_every``: run the rescues on
    one frame in this many of those that would need them (a live camera sends the same tag 30
    times a second, so 3 costs a read at most two frames later; stills keep 1).
    """

    formats: tuple[str, ...] = DEFAULT_FORMATS
    rescue_skewed: bool = True
    rescue_matrix: bool = True
    enlarge_small: bool = True
    use_zbar: bool = True
    max_candidates: int = 3
    max_matrix_candidates: int = 2
    zbar_min_quality: int = 2
    budget_ms: float = 26.0
    rescue_share: float = RESCUE_SHARE
    rescue_every: int = 1
    extra: dict = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "formats", tuple(dict.fromkeys(normalise_format_name(f) for f in self.formats))
        )


@dataclass
class DecodeStats:
    """How often each pass ran, counted over the frames decoded since :meth:`clear`.

    ``plain``: zxing-cpp passes on the box or the whole frame; ``mapped``: frames whose structure
    map (the gate) was made; ``gated_out``: of those, the frames with no code-like structure, on
    which no rescue ran; ``rescue_1d`` / ``rescue_2d`` / ``zbar``: cut-outs decoded;
    ``enlarged``: small pictures tried enlarged; ``over_budget``: frames whose rescues stopped at
    the time budget; ``waited``: frames that skipped the gate and the rescues
    (``ScannerConfig.rescue_every``); ``unchanged``: live frames whose map was much as on the
    last rescued frame, whose rescue had read nothing, so no rescue ran.
    """

    frames: int = 0
    plain: int = 0
    mapped: int = 0
    gated_out: int = 0
    rescue_1d: int = 0
    rescue_2d: int = 0
    zbar: int = 0
    enlarged: int = 0
    over_budget: int = 0
    waited: int = 0
    unchanged: int = 0

    def clear(self) -> None:
        for f in fields(self):
            setattr(self, f.name, 0)

    @property
    def rescues(self) -> int:
        return self.rescue_1d + self.rescue_2d + self.zbar + self.enlarged

    def summary(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))


class DecodePipeline:
    """Decodes frames; one instance per thread (the decoders keep no shared state, but zbar's
    scanner objects are made per call, so sharing is safe, only slower)."""

    def __init__(self, config: ScannerConfig | None = None) -> None:
        self.config = config or ScannerConfig()
        self.stats = DecodeStats()
        self._deadline, self._over = 0.0, False
        self._since_rescue = 0  # frames wanting a rescue, counted modulo rescue_every
        self._live = self._strict = self._unchanged = False
        self._last_map: StructureMap | None = None  # the last rescued map, if it read nothing
        self._last_regions: list[Box] = []
        # the likeliest 1-D patch: the picture, the patch, its cut-out, matrix and pixel size
        self._likeliest: tuple[np.ndarray, Candidate, np.ndarray, np.ndarray, float] | None = None
        formats = self.config.formats
        # The whole-frame pass leaves turning and inverting to the rescues: on a 1280x720 frame
        # zxing-cpp's own rotation and inversion passes cost more than the rescues that replace them.
        self._zxing = ZxingDecoder(formats, try_rotate=False, try_invert=False)
        linear = [f for f in formats if f in LINEAR_FORMATS]
        matrix = [f for f in formats if f not in LINEAR_FORMATS]
        self._zxing_level = ZxingDecoder(linear, try_rotate=False) if linear else None
        self._zxing_matrix = ZxingDecoder(matrix) if matrix else None
        self._linear = bool(linear)
        use_zbar = bool(linear) and self.config.use_zbar
        self._zbar = (
            ZbarDecoder(linear, min_quality=self.config.zbar_min_quality, rows_only=True)
            if use_zbar
            else None
        )
        # The libraries' first call sets them up (tens of ms): done here, not on the first frame,
        # whose budget it would eat.
        bars = np.full((64, 1024), 255, np.uint8)
        bars[16:48, 256:768:6] = 0
        self._zxing(bars)
        warm = StructureMap(bars)
        for candidate in warm.linear(1):
            crop, back = cut_upright(bars, candidate, sharpen=True)
            looks_inverted(crop, candidate.length * pixel_size(back), pixel_size(back))
            uniform_bars(bars, candidate)
        warm.matrix(1)
        self._regions: list[Box] = []

    def decode(
        self,
        image: np.ndarray,
        roi: Box | None = None,
        *,
        whole_frame: bool = True,
        rescue: bool | None = None,
        deadline: float | None = None,
    ) -> list[Read]:
        """The codes in ``image`` (BGR or grey), corners in ``image``'s pixels.

        With a ``roi`` the box is read first and the whole frame only if the box gave nothing and
        ``whole_frame`` is true (the counter passes ``whole_frame`` on idle frames only).
        ``rescue``: None keeps the config's cadence (``rescue_every``); the live scanner decides
        itself (False: plain passes only; True: the gate, which skips the rescues when its map is
        much as on the last rescued frame and that rescue read nothing). ``deadline``: the
        ``time.thread_time()`` after which no rescue starts, not even the likeliest (the live
        scanner's budget for the whole frame); default: ``budget_ms`` after the frame's start.
        """
        self._regions = []
        if image is None or image.size == 0:
            return []
        started = time.thread_time()
        self._over = False
        self.stats.frames += 1
        grey = to_grey(image)
        area = _clip(roi, grey.shape) if roi is not None else None
        reads: list[Read] = []
        if area is not None:
            x, y, w, h = area
            self.stats.plain += 1
            reads = shifted(self._zxing(grey[y : y + h, x : x + w]), x, y)
        if not reads and (area is None or whole_frame):
            self.stats.plain += 1
            reads = self._zxing(grey)
        if area is not None and not (whole_frame and not reads):
            x, y, w, h = area
            region, dx, dy = grey[y : y + h, x : x + w], x, y
        else:
            region, dx, dy = grey, 0, 0
        if rescue is False:
            return drop_nested(unique(reads))
        self._live = rescue is not None
        self._strict, self._unchanged = deadline is not None, False
        if deadline is None:  # a still: the budget, and no more than rescue_share plain passes
            plain = time.thread_time() - started
            spend = min(self.config.budget_ms / 1000, (1 + self.config.rescue_share) * plain)
            deadline = started + spend
        self._deadline = deadline
        reads += shifted(self._rescue(region, reads, dx, dy), dx, dy)
        small = max(region.shape[:2]) <= SMALL_SIDE
        if (
            not reads and self.config.enlarge_small and small and self._may_enlarge()
        ):  # small pictures only: not budgeted
            self.stats.enlarged += 1
            reads = shifted(self._enlarged(region), dx, dy)
        return drop_nested(unique(reads))

    def _may_enlarge(self) -> bool:
        """Not after a live frame's unchanged map (nothing new to read), nor past its deadline."""
        return not self._unchanged and (not self._strict or self._in_budget())

    def _in_budget(self) -> bool:
        """Whether the frame has CPU time left for one more rescue (counted once per frame)."""
        if time.thread_time() < self._deadline:
            return True
        if not self._over:
            self._over = True
            self.stats.over_budget += 1
        return False

    def candidate_regions(self) -> list[Box]:
        """The code-like patches (bars first, best first) the last :meth:`decode` searched, as
        boxes in its image's pixels; empty when that search did not run."""
        return list(self._regions)

    def _enlarged(self, region: np.ndarray) -> list[Read]:
        """A small picture (a 640x480 camera) enlarged twice: fine modules get the two pixels
        or more the decoders need."""
        big = cv2.resize(region, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        back = np.array([[0.5, 0, 0], [0, 0.5, 0]], dtype=np.float64)
        return [mapped(r, back, "enlarged frame") for r in self._zxing(big)]

    def _rescue(self, grey: np.ndarray, known: list[Read], dx: int = 0, dy: int = 0) -> list[Read]:
        """Skewed or light-on-dark 1-D codes when no 1-D code was read; small, turned or
        light-on-dark 2-D codes when no 2-D code was read."""
        want_linear = (
            self.config.rescue_skewed
            and self._zxing_level is not None
            and not any(r.key in LINEAR_FORMATS for r in known)
        )
        # 2-D patches when no 2-D code was read and the search runs anyway (or nothing was read)
        want_matrix = (
            self.config.rescue_matrix
            and self._zxing_matrix is not None
            and not any(r.key not in LINEAR_FORMATS for r in known)
            and (want_linear or not known)
        )
        if not (want_linear or want_matrix):
            return []
        every = 1 if self._live else max(1, self.config.rescue_every)
        self._since_rescue = (self._since_rescue + 1) % every
        if every > 1 and self._since_rescue != 1:
            self.stats.waited += 1
            return []
        self.stats.mapped += 1
        found_map = StructureMap(grey)
        if not found_map.has_structure:
            self.stats.gated_out += 1  # nothing code-like: the frame costs the plain pass only
            self._last_map = None
            return []
        if self._live and self._last_map is not None and found_map.changed(self._last_map) < SAME:
            # the same picture but for noise, and its rescue read nothing: fusion's turn
            self.stats.unchanged += 1
            self._unchanged = True
            self._regions = self._last_regions
            return []
        linear = found_map.linear(self.config.max_candidates if want_linear else 0)
        matrix = found_map.matrix(self.config.max_matrix_candidates if want_matrix else 0)
        linear = [c for c in linear if not inside_any(c.centre, known, dx, dy)]
        linear.sort(key=lambda c: uniform_bars(grey, c))  # bars all of one width: tried last
        self._regions = [c.bounds(dx, dy) for c in linear]
        self._regions += [(x + dx, y + dy, w, h) for x, y, w, h in matrix]
        big = any(w * h > grey.size / 2 for _, _, w, h in self._regions)
        if self._live and big:  # noise taken for a code: its strongest patches, for fusion
            self._regions += [(x + dx, y + dy, w, h) for x, y, w, h in found_map.peaks(2)]
        # Likeliest first, the two kinds taking turns: the budget leaves neither kind untried;
        # the likeliest bar-like patch is tried harder once every patch has had its first try.
        order: list[tuple[str, int]] = []
        for rank in range(max(len(linear), len(matrix))):
            order += [("1d", rank)] if rank < len(linear) else []
            order += [("2d", rank)] if rank < len(matrix) else []
        order += [("1d+", 0)] if linear else []
        reads: list[Read] = []
        got_linear = got_matrix = False
        for kind, rank in order:
            if (kind != "2d" and got_linear) or (kind == "2d" and got_matrix):
                continue
            if (rank > 0 or kind == "1d+" or self._strict) and not self._in_budget():
                break  # the likeliest patch of each kind is always tried; the budget stops the rest
            if kind == "1d":
                found = self._rescue_linear(grey, linear[rank], rank)
                got_linear = bool(found)
            elif kind == "1d+":
                found = self._rescue_linear_harder()
                got_linear = bool(found)
            else:
                found = self._rescue_matrix(grey, matrix[rank], rank)
                got_matrix = bool(found)
            reads += found
        if self._live:  # nothing read: the next frames' rescues wait for the map to change
            self._last_map, self._last_regions = (None, []) if reads else (found_map, self._regions)
        return reads

    def _rescue_linear(self, grey: np.ndarray, candidate, rank: int) -> list[Read]:
        """One bar-like patch cut out along its axis with its bars upright, decoded in the
        polarity its outermost edges suggest; the likeliest patch's cut-out is kept for
        :meth:`_rescue_linear_harder`."""
        assert self._zxing_level is not None  # 1-D candidates only when it reads them
        crop, back = cut_upright(grey, candidate, across=1.0, sharpen=True)
        pixel = pixel_size(back)
        if looks_inverted(crop, candidate.length * pixel, pixel):
            crop = 255 - crop
        if rank == 0:
            self._likeliest = (grey, candidate, crop, back, pixel)
        self.stats.rescue_1d += 1
        return [mapped(r, back, "rotated") for r in self._linear_reads(self._zxing_level(crop))]

    def _rescue_linear_harder(self) -> list[Read]:
        """The likeliest bar-like patch again: its bars averaged along their length (noise fades
        and blur does not grow), sharpened harder and then deblurred (:meth:`_averaged`), each
        by zxing-cpp and then by zbar while the budget lasts; then the same on a cut-out
        reaching further along the code (``REACH``): bars fanned out by perspective fall into
        more than one of the map's angle windows, and the patch may hold only the part of the
        code in one of them; then in the other polarity."""
        assert self._zxing_level is not None and self._likeliest is not None
        grey, candidate, crop, back, pixel = self._likeliest
        for longer in (False, True):
            if longer:
                further = replace(candidate, length=candidate.length * REACH)
                crop, back = cut_upright(grey, further, across=1.0, sharpen=True)
                pixel = pixel_size(back)
                if looks_inverted(crop, candidate.length * pixel, pixel):
                    crop = 255 - crop
            for clear, method, top, step in self._averaged(crop, pixel):
                self.stats.rescue_1d += 1
                found = self._linear_reads(self._zxing_level(clear))
                if not found and self._zbar is not None:
                    self.stats.zbar += 1
                    method += "+zbar"
                    found = self._zbar(clear)
                if found:
                    return [mapped(unshift_band(r, top, step), back, method) for r in found]
                if not self._in_budget():
                    return []
        grey, candidate, crop, back, pixel = self._likeliest
        self.stats.rescue_1d += 1
        found = self._linear_reads(self._zxing_level(255 - crop))
        return [mapped(r, back, "rotated") for r in found]

    @staticmethod
    def _averaged(crop: np.ndarray, pixel: float) -> Iterator[tuple[np.ndarray, str, int, int]]:
        """Pictures of an upright 1-D cut-out's bars averaged along their length, with their
        method and (first row, row step) in the cut-out: sharpened harder (the averaged noise
        allows it), then deblurred (:func:`.cutouts.deblurred`: narrow bars given back their
        depth); when its bars lean, fanned out by perspective, the same again with each bar
        stood straight first (:func:`.cutouts.straightened`)."""
        for straighten, name in ((False, "averaged"), (True, "straightened")):
            band = along_bars(crop, straighten)
            if band is None:  # its bars do not lean: the same pictures again
                return
            rows, top, step = band
            yield sharpened(rows, pixel, AVERAGED_SHARPEN), name, top, step
            yield deblurred(rows, pixel), name + "+deblurred", top, step

    def _rescue_matrix(self, grey: np.ndarray, box, rank: int) -> list[Read]:
        """A busy square patch cut out and enlarged, decoded with rotation and inversion on. The
        likeliest patch is tried again with sensor noise and JPEG speckle taken out (a 3x3
        median keeps the modules' edges, which a blur would soften)."""
        assert self._zxing_matrix is not None  # 2-D candidates only when it reads them
        crop, back = cut_box(grey, box)
        self.stats.rescue_2d += 1
        method = "enlarged"
        found = [r for r in self._zxing_matrix(crop) if r.key not in LINEAR_FORMATS]
        if not found and rank == 0 and self._in_budget():
            self.stats.rescue_2d += 1
            method = "enlarged+denoised"
            denoised = cv2.medianBlur(crop, 3)
            found = [r for r in self._zxing_matrix(denoised) if r.key not in LINEAR_FORMATS]
        return [mapped(r, back, method) for r in found]

    @staticmethod
    def _linear_reads(reads: list[Read]) -> list[Read]:
        return [r for r in reads if r.key in LINEAR_FORMATS]


def _clip(roi: Box, shape) -> Box | None:
    x, y, w, h = (int(v) for v in roi)
    height, width = shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(width, x + w), min(height, y + h)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    return (x0, y0, x1 - x0, y1 - y0)


def centred_roi(width: int, height: int, fraction: float = 0.6) -> Box:
    """The guide box: a centred box covering ``fraction`` of each side of a frame."""
    w, h = int(width * fraction), int(height * fraction)
    return ((width - w) // 2, (height - h) // 2, w, h)
