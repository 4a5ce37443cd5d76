"""Screenshots of every screen for the README, taken offscreen on a demo school.

    .venv/bin/python scripts/screenshots.py [--db URL] [--out docs]

Without --db it makes a demo school in a temporary SQLite file first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def settle(app, seconds: float = 1.0) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def camera_frames(folder: Path, code: str) -> Path:
    """A student card held up to the webcam: a Code 128 card on a desk, for a few seconds."""
    import barcode
    from barcode.writer import ImageWriter
    from PIL import Image, ImageDraw

    folder.mkdir(parents=True, exist_ok=True)
    card = barcode.get("code128", code, writer=ImageWriter()).render(
        {"module_width": 0.35, "module_height": 12, "font_size": 8, "quiet_zone": 4}
    )
    frame = Image.new("RGB", (1280, 720), (92, 84, 74))
    draw = ImageDraw.Draw(frame)
    draw.rectangle((360, 200, 920, 540), fill=(238, 240, 236))
    draw.text((390, 220), "STUDENT CARD", fill=(40, 60, 110))
    frame.paste(card, (640 - card.width // 2, 370 - card.height // 2))
    for n in range(200):
        frame.save(folder / f"{n:04d}.jpg", quality=85)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--areas", help="comma-separated area keys (default: every area)")
    parser.add_argument(
        "--password",
        default=os.environ.get("HELPDESK_PASSWORD", "demo-admin"),
        help="the admin's password (default: $HELPDESK_PASSWORD, else the demo's)",
    )
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="helpdesk-shots-"))
    os.environ.setdefault("HELPDESK_DATA_DIR", str(tmp / "data"))

    from PySide6.QtWidgets import QApplication

    from helpdesk.db import describe, open_database
    from helpdesk.demo.build import build_demo
    from helpdesk.services.core.settings import get_settings
    from helpdesk.services.counter.lookup import StudentCard, lookup
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.signin.gate import SignInGate
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    url = args.db or f"sqlite:///{tmp / 'demo.sqlite3'}"
    factory = open_database(url)
    if not args.db:
        build_demo(factory, seed=7)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)
    ctx = AppContext(
        factory=factory, actor="", database=describe(factory.kw["bind"]), runner=Runner(app)
    )
    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    # a student with an open loan and cover, shown to the "camera" on a card
    with factory() as session:
        from sqlalchemy import text

        codes = [row[0] for row in session.execute(text("SELECT card_code FROM students"))]
    chosen = codes[0]
    for code in codes:
        card = lookup(factory, code)
        if isinstance(card, StudentCard) and card.open_loans and card.cover.status == "insured":
            chosen = code
            break
    ctx.camera_source = str(camera_frames(tmp / "frames", chosen))
    window = MainWindow(ctx, school_name=get_settings(factory).school_name)
    window.resize(1400, 860)
    gate = SignInGate(window)
    window.show()
    gate.start()  # the sign-in screen (with the demo's accounts on the demo school)
    settle(app, 1.0)
    window.grab().save(str(out / "sign-in.png"))
    print(out / "sign-in.png")
    gate.screen.username.setText("admin")
    gate.screen.password.setText(args.password)
    gate.screen.submit()
    end = time.monotonic() + 15
    while gate.locked() and time.monotonic() < end:
        settle(app, 0.1)
    if gate.locked():
        raise SystemExit(f"screenshots: cannot sign in as admin: {gate.screen.message.text()}")
    counter = window.panel("counter")
    end = time.monotonic() + 15
    while counter.card.view is None and time.monotonic() < end:
        settle(app, 0.1)
    settle(app, 0.3)
    settle(app)
    window.grab().save(str(out / "counter.png"))
    print(out / "counter.png")

    wanted = set(args.areas.split(",")) if args.areas else set(window._area_keys)
    for key in window._area_keys:
        if key == "counter" or key not in wanted:
            continue
        window.show_area(key)
        settle(app, 2.0)
        ctx.runner.wait(20000)
        settle(app, 1.0)
        path = out / f"{key}.png"
        window.grab().save(str(path))
        print(path)
    from helpdesk.ui.first_run import FirstRunDialog
    from helpdesk.ui.settings_dialog import SettingsDialog

    for name, dialog in (
        ("settings", SettingsDialog(ctx, window)),
        ("first-run", FirstRunDialog(ctx)),
    ):
        if args.areas and name not in wanted:
            continue
        dialog.show()
        settle(app, 0.5)
        path = out / f"{name}.png"
        dialog.grab().save(str(path))
        print(path)
        dialog.close()
    window.close()
    ctx.runner.wait(5000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
