"""`helpdesk decode [--json] IMAGE...`: the codes in image files, read by the scanner's pipeline.

All images are read in this one process. With ``--json`` each image gives one line
``{"path": ..., "codes": [{"text": ..., "format": ...}], "ms": ...}`` (an empty list when nothing
is found) or ``{"path": ..., "error": ...}`` for a missing or unreadable file; the run goes on
either way and exits 0. Only wrong arguments give a non-zero exit.
"""

from __future__ import annotations

import argparse
import json
import time

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError
from helpdesk.scanner import (
    DEFAULT_FORMATS,
    DecodePipeline,
    ImageUnreadable,
    ScannerConfig,
    UnknownFormat,
    load_image,
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
        "images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, WebP...)"
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
        raise CommandError("--formats needs at least one symbology", code=2)
    try:
        pipeline = DecodePipeline(ScannerConfig(formats=tuple(names)))
    except UnknownFormat as exc:
        raise CommandError(str(exc), code=2) from None
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


def _human(result: dict) -> str:
    if "error" in result:
        return f"{result['path']}: error: {result['error']}"
    if not result["codes"]:
        return f"{result['path']}: no code found ({result['ms']} ms)"
    found = "; ".join(f"{c['text']!r} ({c['format']})" for c in result["codes"])
    return f"{result['path']}: {found} ({result['ms']} ms)"
