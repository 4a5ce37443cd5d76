"""Screenshots of the bench for docs/: the queue and a ticket page on the demo school.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench_ui/bench_ui_screenshots.py [DB_FILE]

Builds the demo school into DB_FILE (a temporary file when not given, or when it is empty) and
saves docs/bench-queue.png and docs/ticket-page.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    from PySide6.QtWidgets import QApplication

    from helpdesk.db import open_database
    from helpdesk.services import ticket_queue
    from helpdesk.services.browse import database_is_empty
    from helpdesk.services.demo import build_demo
    from helpdesk.ui.bench_panel import BenchPanel
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "demo.sqlite3"
    factory = open_database(f"sqlite:///{path}")
    if database_is_empty(factory):
        build_demo(factory)
    app = QApplication.instance() or QApplication([])
    apply_style(app)
    runner = Runner()
    ctx = AppContext(factory=factory, actor="admin", database=str(path), runner=runner)
    panel = BenchPanel(ctx)
    panel.resize(1360, 820)
    panel.show()
    panel.activated()

    def settle() -> None:
        for _ in range(50):
            runner.wait(5000)
            app.processEvents()
            if not runner.busy():
                return

    settle()
    (ROOT / "docs").mkdir(exist_ok=True)
    panel.grab().save(str(ROOT / "docs" / "bench-queue.png"))
    queue = ticket_queue.ticket_queue(factory)
    charged = [r for r in queue.rows if r.state == "awaiting_payment"] or list(queue.rows)
    page = panel.open_ticket(charged[0].id)
    settle()
    page.grab().save(str(ROOT / "docs" / "ticket-page.png"))
    print(f"saved docs/bench-queue.png and docs/ticket-page.png from {path}")


if __name__ == "__main__":
    main()
