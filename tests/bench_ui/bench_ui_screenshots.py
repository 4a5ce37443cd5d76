"""Screenshots of the bench for docs/: the queue and a ticket page on the demo school.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench_ui/bench_ui_screenshots.py [DB_FILE]

Builds the demo school into DB_FILE (a temporary file when not given, or when it is empty), adds
parts, time and two photos to a ticket awaiting payment through the services, and saves
docs/bench-queue.png, docs/ticket-page.png and docs/cover-periods.png.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "scanner-samples"


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from helpdesk.db import open_database
    from helpdesk.demo.build import build_demo
    from helpdesk.services.records.browse import database_is_empty
    from helpdesk.services.repairs import bench_actions, ticket_queue, tickets
    from helpdesk.ui.bench.panel import BenchPanel
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.models.queue_model import COLUMNS
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
    panel.resize(1280, 860)
    panel.show()
    panel.activated()

    def settle() -> None:
        for _ in range(50):
            runner.wait(5000)
            app.processEvents()
            if not runner.busy():
                return

    settle()
    # newest first, so the picture shows fresh, amber and red ages together
    logged = [name for name, *_ in COLUMNS].index("Logged")
    panel.view.sortByColumn(logged, Qt.SortOrder.DescendingOrder)
    settle()
    (ROOT / "docs").mkdir(exist_ok=True)
    panel.grab().save(str(ROOT / "docs" / "bench-queue.png"))
    queue = ticket_queue.ticket_queue(factory)
    waiting = [r for r in queue.rows if r.state == "awaiting_payment" and r.category == "screen"]
    ticket = (waiting or list(queue.rows))[0]
    if not tickets.get_ticket(factory, ticket.id).parts:
        tickets.add_part(factory, "mwright", ticket.id, 'LCD panel 11.6" HD touch',
                         part_number="5D10T45069", unit_cost_pence=6450)  # fmt: skip
        tickets.add_part(factory, "mwright", ticket.id, "Bezel clips", part_number="5B40S18",
                         quantity=4, unit_cost_pence=75)  # fmt: skip
        tickets.add_time(factory, "mwright", ticket.id, 35)
        for sample in ("code128-1/1.png", "code128-1/4.png"):
            if (SAMPLES / sample).is_file():
                bench_actions.add_photo(factory, "mwright", ticket.id, SAMPLES / sample)
    page = panel.open_ticket(ticket.id)
    settle()
    page.grab().save(str(ROOT / "docs" / "ticket-page.png"))
    page.ticket_actions.edit_cover()
    settle()
    page.ticket_actions.cover_dialog.choose(0)
    settle()
    page.ticket_actions.cover_dialog.grab().save(str(ROOT / "docs" / "cover-periods.png"))
    print(f"saved docs/bench-queue.png, ticket-page.png and cover-periods.png from {path}")


if __name__ == "__main__":
    main()
