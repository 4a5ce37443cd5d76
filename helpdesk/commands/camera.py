"""`helpdesk camera`: check the camera and choose the one the counter uses.

``helpdesk camera`` opens a small window with the live picture and the scanner running;
``--list`` prints the cameras of this computer instead; ``--source`` tries a camera index, a
video file or a folder of images.
"""

from __future__ import annotations

import argparse
import sys

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "camera",
        help=summary("camera"),
        description="Open a small window showing the camera live with the scanner running, to "
        "check that labels read and to choose the counter's camera and resolution.",
    )
    parser.add_argument(
        "--source",
        default=None,
        metavar="SOURCE",
        help="camera index, video file or folder of images to show first",
    )
    parser.add_argument(
        "--size", default=None, metavar="WxH", help="resolution to ask for (default 1280x720)"
    )
    parser.add_argument(
        "--list", action="store_true", help="print this computer's cameras and exit"
    )
    parser.set_defaults(handler=run)


def _size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        width, height = (int(v) for v in text.lower().replace(" ", "").split("x"))
    except ValueError:
        raise CommandError(f"--size must look like 1280x720, not {text!r}") from None
    if not (160 <= width <= 7680 and 120 <= height <= 4320):
        raise CommandError(f"--size {text} is not a camera resolution")
    return (width, height)


def run(args: argparse.Namespace) -> int:
    size = _size(args.size)
    if args.list:
        from helpdesk.scanner import list_cameras

        cameras = list_cameras()
        if not cameras:
            print("no camera found")
        for camera in cameras:
            print(f"{camera.index}: {camera.name}")
        return 0
    from PySide6.QtWidgets import QApplication

    from helpdesk.logs import configure_logging
    from helpdesk.ui.camera_window import CameraWindow
    from helpdesk.ui.style import apply_style

    configure_logging()
    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Helpdesk")
    app.setOrganizationName("Helpdesk")
    apply_style(app)
    window = CameraWindow(source=args.source, size=size)
    window.show()
    return app.exec()
