"""`helpdesk decode [--json] IMAGE...`: the codes in image files, read by the scanner's pipeline.

All images are read in this one process. With ``--json`` each image gives one line
``{"path": ..., "codes": [{"text": ..., "format": ...}], "ms": ...}`` (an empty list when nothing
is found) or ``{"path": ..., "error": ...}`` for a missing or unreadable file; the run goes on
either way and exits 0. Only wrong arguments give a non-zero exit.

``--video`` takes each path as a clip (a video file, or a folder of frames in name order) and
replays it through the live scanner's own per-frame work (:class:`helpdesk.scanner.FrameWorker`:
the guide box, frame fusion, the agreement check and the debouncer), printing one line per code
it would act on, ``{"path", "frame", "text", "format", "ms"}``, then the clip's
``{"path", "frames", "ms_per_frame_median", "ms_per_frame_p95"}``. A clip that cannot be
opened is one line on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError
from helpdesk.scanner import (
    DEFAULT_FORMATS,
    Debouncer,
    DecodePipeline,
    FrameWorker,
    ImageUnreadable,
    ScannerConfig,
    SourceError,
    UnknownFormat,
    load_image,
    open_source,
)


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "decode",
        help=summary("decode"),
        description="Read the codes in each IMAGE with the scanner's decoding pipeline "
        "(the same one the counter's camera uses). A missing or unreadable file is reported "
        "and the run goes on.",
    )
    parser.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="image files (PNG, JPEG, WebP...); with --video, clips",
    )
    parser.add_argument(
        "--video",
        action="store_true",
        help="each path is a clip (a video file, or a folder of frames in name order) replayed "
        "as the counter's camera: one line per code acted on, with its frame, then the clip's "
        "frame count and milliseconds per frame",
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line for each image"
    )
    parser.add_argument(
        "--formats",
        default=",".join(DEFAULT_FORMATS),
        metavar="LIST",
        help="comma-separated symbologies to read (default: %(default)s; also ean13, upca, "
        "code93, codabar, itf, pdf417, aztec...)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    names = [name.strip() for name in args.formats.split(",") if name.strip()]
    if not names:
        raise CommandError("--formats needs at least one symbology")
    try:
        pipeline = DecodePipeline(ScannerConfig(formats=tuple(names)))
    except UnknownFormat as exc:
        raise CommandError(str(exc)) from None
    if args.video:
        for path in args.images:
            for line in decode_clip(pipeline, path):
                print(json.dumps(line, ensure_ascii=False) if args.json else _clip_human(line))
        return 0
    for path in args.images:
        result = decode_file(pipeline, path)
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            print(_human(result), flush=True)
    return 0


def decode_file(pipeline: DecodePipeline, path: str) -> dict:
    started = time.perf_counter()
    try:
        image = load_image(path)
    except ImageUnreadable as exc:
        return {"path": path, "error": str(exc)}
    try:
        reads = pipeline.decode(image)
    except Exception as exc:  # noqa: BLE001 - one bad image never stops the run
        return {"path": path, "error": f"could not be decoded: {type(exc).__name__}: {exc}"}
    ms = (time.perf_counter() - started) * 1000
    return {"path": path, "codes": [r.as_json() for r in reads], "ms": round(ms, 1)}


def decode_clip(pipeline: DecodePipeline, path: str):
    """The lines for one clip, as they happen: each code acted on, then the clip's summary.
    Raises CommandError (exit 1) when the clip cannot be opened."""
    if not Path(path).exists():
        raise CommandError(f"There is no video file or folder {path}.")
    source = open_source(path, realtime=False)
    worker = FrameWorker(pipeline, Debouncer())
    times: list[float] = []
    try:
        source.open()
    except SourceError as exc:
        raise CommandError(str(exc)) from None
    try:
        while (frame := source.read()) is not None:
            outcome = worker.step(frame)
            times.append(outcome.ms)
            for event in outcome.events:
                yield {
                    "path": path,
                    "frame": frame.index,
                    "text": event.read.text,
                    "format": event.read.format,
                    "ms": round(outcome.ms, 1),
                }
    except SourceError as exc:
        raise CommandError(str(exc)) from None
    finally:
        source.close()
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0
    yield {
        "path": path,
        "frames": len(times),
        "ms_per_frame_median": round(statistics.median(times), 1) if times else 0.0,
        "ms_per_frame_p95": round(p95, 1),
    }


def _clip_human(line: dict) -> str:
    if "frames" in line:
        return (
            f"{line['path']}: {line['frames']} frames, {line['ms_per_frame_median']} ms per "
            f"frame (median), {line['ms_per_frame_p95']} ms (p95)"
        )
    return f"{line['path']}: frame {line['frame']}: {line['text']!r} ({line['format']})"


def _human(result: dict) -> str:
    if "error" in result:
        return f"{result['path']}: error: {result['error']}"
    if not result["codes"]:
        return f"{result['path']}: no code found ({result['ms']} ms)"
    found = "; ".join(f"{c['text']!r} ({c['format']})" for c in result["codes"])
    return f"{result['path']}: {found} ({result['ms']} ms)"
