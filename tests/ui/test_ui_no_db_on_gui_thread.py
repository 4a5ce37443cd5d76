"""The window never waits on the database: walking every area but the counter (a student's
record, a ticket page and the cover periods on the bench, the labels area, the overdue list, a
report saved as PDF, the audit trail and its CSV, a hand-in scanned in the Sessions area and its
missing list saved, the settings dialog saved, the print queue)
opens no database session on the GUI thread; a device's record and its place set there too. Real threads: the database jobs run on the window's
database thread.

The session factory is wrapped so that every session opened on the main thread is recorded with
the innermost frame of the window's code that asked for it. The counter panel, its actions and
the main window's own status bar are another piece of work: sessions they open are left out here
(by that frame's module) so this test is about the other areas.
"""

from __future__ import annotations

import threading
import traceback
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.orm import sessionmaker

from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs import tickets

UI = f"{Path('helpdesk', 'ui')}"
NOT_HERE: tuple[str, ...] = ()  # every file of the window is held to it


class WatchedFactory(sessionmaker):
    """A session factory that notes who opened a session on the GUI (main) thread."""

    def __init__(self, factory: sessionmaker) -> None:
        super().__init__(class_=factory.class_, **factory.kw)
        self.on_gui: list[str] = []  # the window's frame that asked, "file:line in function"
        self.elsewhere: list[str] = []  # the same, for the files left out (see NOT_HERE)
        self.on_db = 0  # sessions opened on the database thread: proves the watch sees them
        self.other_threads: list[str] = []  # sessions opened on the other worker's threads

    def __call__(self, **local_kw):  # noqa: ANN003, ANN204
        frames = [f for f in traceback.extract_stack()[:-1] if UI in f.filename]
        where = frames[-1] if frames else None
        text = f"{where.filename}:{where.lineno} in {where.name}" if where else "(no ui frame)"
        mine = where is None or not where.filename.endswith(NOT_HERE)
        thread = threading.current_thread()
        if thread is threading.main_thread():
            (self.on_gui if mine else self.elsewhere).append(text)
        elif thread.name == "helpdesk-db":
            self.on_db += 1
        elif mine:  # PDFs and printing run there: they get their data from the database thread
            self.other_threads.append(f"{thread.name}: {text}")
        return super().__call__(**local_kw)


@pytest.fixture
def watched(ctx, school):  # noqa: ANN001, ANN201
    """The small school with one repair ticket (Anna's laptop); then the watch is on."""
    tickets.open_ticket(
        ctx.factory,
        "admin",
        device_code=school.anna_laptop,
        damage=tickets.DamageReport("screen", "Screen cracked from the corner."),
        now=datetime.now().replace(microsecond=0),
    )
    anna = lookup(ctx.factory, school.anna).id
    spare = lookup(ctx.factory, school.spare).id
    factory = WatchedFactory(ctx.factory)
    ctx.factory = factory
    return factory, anna, spare


def settle(qtbot, ctx, condition) -> None:  # noqa: ANN001
    """Wait for the database thread and the answers it sends back by the event loop."""
    qtbot.waitUntil(lambda: ctx.db.wait(50) and condition(), timeout=20000)


@pytest.mark.threaded
def test_no_area_but_the_counter_opens_a_session_on_the_gui_thread(
    qtbot, ctx, school, watched, tmp_path
):  # noqa: ANN001
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.records.detail_dialog import DetailDialog
    from helpdesk.ui.settings_dialog import SettingsDialog

    factory, anna, spare = watched

    ctx.machine.sounds = False
    win = MainWindow(ctx, school_name="Northfield")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)

    # the counter: a student, a loaner lent with Enter (its slip made and printed), then the
    # loaner back with damage (the damage dialog's cover check)
    counter = win.panel("counter")
    settle(qtbot, ctx, counter.idle)
    for code in (school.anna, "LNR-001", ""):
        qtbot.keyClicks(counter.scan_box, code)
        qtbot.keyClick(counter.scan_box, Qt.Key.Key_Return)
        settle(qtbot, ctx, counter.idle)
    assert "LNR-001 lent to Anna Smith" in counter.last_message
    settle(qtbot, ctx, lambda: ctx.runner.wait(50))

    # Students & devices: the search list, then one student's record
    win.show_area("records")
    records = win.panel("records")
    settle(qtbot, ctx, lambda: records.students.model.total >= 3)
    records.open_detail("student", anna)
    settle(
        qtbot, ctx, lambda: any(d.detail is not None for d in records.findChildren(DetailDialog))
    )
    # a device's record, and its place set with "Place…"
    records.open_detail("device", spare)
    settle(qtbot, ctx, lambda: any(d.kind == "device" for d in records.findChildren(DetailDialog)))
    device = next(d for d in records.findChildren(DetailDialog) if d.kind == "device")
    settle(qtbot, ctx, lambda: device.detail is not None and device.place_button.isVisible())
    device.set_place("Cart A")
    settle(qtbot, ctx, lambda: device.status.text() == f"{school.spare} is now at Cart A.")

    # Overdue loans
    win.show_area("overdue")
    overdue = win.panel("overdue")
    settle(qtbot, ctx, lambda: overdue.count.text() != "")

    # the bench: the queue, a ticket page, the student's cover periods
    win.show_area("bench")
    bench = win.panel("bench")
    settle(qtbot, ctx, lambda: bench.model.rowCount() == 1)
    page = bench.open_ticket(bench.model.rows[0].id)
    settle(qtbot, ctx, lambda: page.page is not None)
    page.close()
    bench.open_code(school.anna)
    settle(qtbot, ctx, lambda: bench.cover_student is not None)
    cover = bench.open_cover()
    settle(qtbot, ctx, lambda: cover.cover is not None)
    cover.close()

    # the labels area: the choices, then the preview of a form's labels
    win.show_area("labels")
    labels = win.panel("labels")
    settle(qtbot, ctx, labels.is_settled)
    labels.set_source("form", "7A")
    settle(qtbot, ctx, labels.is_ready)

    # a report, saved as a PDF (read on the database thread, drawn on the other worker)
    win.show_area("reports")
    reports = win.panel("reports")
    settle(qtbot, ctx, lambda: reports.table is not None)
    saved: list[Path] = []
    reports.save_pdf(str(tmp_path / "report.pdf"), on_done=saved.append)
    settle(qtbot, ctx, lambda: bool(saved))

    # the audit trail: its first page read, a record's trail, and the CSV export (read on the
    # database thread, written on the other worker)
    win.show_area("audit")
    audit = win.panel("audit")
    settle(qtbot, ctx, lambda: audit.model.total > 0 and not audit.model.searching)
    audit.show_record("LNR-001")
    settle(qtbot, ctx, lambda: not audit.model.searching and audit.model.total > 0)
    exported: list[str] = []
    audit.exported.connect(exported.append)
    audit.export_csv(str(tmp_path / "audit.csv"))
    settle(qtbot, ctx, lambda: bool(exported))

    # Sessions: the open sessions, a hand-in started and joined, a laptop scanned into it (its
    # receipt drawn on the other worker), the progress read, the missing list saved as a PDF
    from helpdesk.ui.sessions.start_dialog import StartChoice

    win.show_area("sessions")
    desk = win.panel("sessions")
    settle(qtbot, ctx, lambda: desk.may_move)
    desk.start(StartChoice("handin", {"form": "8B"}))
    screen = desk.scan_screen
    settle(qtbot, ctx, lambda: screen.session is not None)
    qtbot.keyClicks(screen.scan_box, school.ben_laptop)
    qtbot.keyClick(screen.scan_box, Qt.Key.Key_Return)
    settle(qtbot, ctx, lambda: screen.idle() and screen.outcome == "done")
    settle(qtbot, ctx, lambda: screen.progress.status is not None and desk.paper.jobs_sent > 0)
    desk.save_missing(str(tmp_path / "missing.pdf"))
    settle(qtbot, ctx, lambda: (tmp_path / "missing.pdf").exists())
    settle(qtbot, ctx, lambda: ctx.runner.wait(50))

    # the settings dialog: opens at once, fills, saves
    dialog = SettingsDialog(ctx, win)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, ctx, lambda: dialog.school is not None)
    dialog.school.school_name.setText("Northfield Academy")
    dialog.save()
    settle(qtbot, ctx, lambda: dialog.result() == dialog.DialogCode.Accepted)

    # the print queue
    queue = win.open_print_queue()
    queue.print_all()  # nothing kept: nothing to do, and no database either
    queue.close()
    settle(qtbot, ctx, lambda: True)

    assert factory.on_db > 10  # the watch sees the sessions the areas open
    assert factory.on_gui == [], "\n".join(factory.on_gui)
    assert factory.other_threads == [], "\n".join(factory.other_threads)
    win.close()
