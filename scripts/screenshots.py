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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--out", default="docs")
    parser.add_argument("--areas", help="comma-separated area keys (default: every area)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="helpdesk-shots-"))
    os.environ.setdefault("HELPDESK_DATA_DIR", str(tmp / "data"))

    from PySide6.QtWidgets import QApplication

    from helpdesk.db import describe, open_database
    from helpdesk.services.demo import build_demo
    from helpdesk.services.lookup import StudentCard, lookup
    from helpdesk.services.settings import get_settings
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    url = args.db or f"sqlite:///{tmp / 'demo.sqlite3'}"
    factory = open_database(url)
    if not args.db:
        build_demo(factory, seed=7)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_style(app)
    ctx = AppContext(
        factory=factory, actor="admin", database=describe(factory.kw["bind"]), runner=Runner(app)
    )
    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    window = MainWindow(ctx, school_name=get_settings(factory).school_name)
    window.resize(1400, 860)
    window.show()
    settle(app)

    counter = window.panel("counter")
    # a student with an open loan and cover, as the counter shows them
    with factory() as session:
        from sqlalchemy import text

        codes = [row[0] for row in session.execute(text("SELECT card_code FROM students"))]
    for code in codes:
        card = lookup(factory, code)
        if isinstance(card, StudentCard) and card.open_loans and card.cover.status == "insured":
            counter.handle_code(code)
            break
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
    window.close()
    ctx.runner.wait(5000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
