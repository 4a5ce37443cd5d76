"""The Sessions area on a real SQLite school: a pickup driven by keyboard-wedge bursts (each
outcome shown large, in its colour, with what to scan next), a hand-in's condition keys and
accessories, a stocktake's four groups and moving found devices, the missing list saved as a PDF,
two stations on one file seeing each other's progress within 2 s, and 50 students timed through
the scan screen (ready for the next student within 300 ms of the laptop scan, p95).

Screenshots of a pickup at two stations and of a stocktake go to docs/screens/ when
HELPDESK_SCREENS is set (``HELPDESK_SCREENS=1 pytest tests/ui/test_ui_sessions.py``).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from clocks import HandClock, type_keys
from PySide6.QtCore import Qt
from sqlalchemy import select

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus
from helpdesk.domain.models import Assignment, Device, Student

SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
FORM = "7P"


def add_pickup_form(factory, count: int, form: str = FORM) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """``count`` students of ``form`` with no laptop, and as many allocation laptops in stock:
    (card, "First Last", tag) each."""
    made = []
    with factory() as session, session.begin():
        for n in range(1, count + 1):
            first, last = f"Pupil{n:02d}", "Newman"
            card, tag = f"{form[-1]}{n:04d}", f"N{form[-1]}-{n:04d}"
            session.add(
                Student(card_code=card, first_name=first, last_name=last,
                        year_group=int(form[0]), form=form)
            )  # fmt: skip
            session.add(
                Device(asset_tag=tag, serial=f"{tag}-SN", make="Lenovo",
                       model="300e Gen 3", kind=DeviceKind.LAPTOP, pool=DevicePool.ALLOCATION,
                       status=DeviceStatus.IN_STOCK)
            )  # fmt: skip
            made.append((card, f"{first} {last}", tag))
    return made


def wedge_keys(qtbot, screen, code: str) -> None:  # noqa: ANN001
    """A keyboard-wedge scanner types ``code``: a key every 5 ms of the scan box's clock, so the
    burst is a scanner's whatever the load on the machine running the test."""
    clock = screen.scan_box._clock
    if not isinstance(clock, HandClock):
        clock = screen.scan_box._clock = HandClock()
    type_keys(qtbot, screen.scan_box, code, clock, 5)


def keys(qtbot, screen, code: str) -> None:  # noqa: ANN001
    """A keyboard-wedge scanner: the code as one fast burst, then Enter."""
    wedge_keys(qtbot, screen, code)
    qtbot.keyClick(screen.scan_box, Qt.Key.Key_Return)


def wedge(qtbot, screen, code: str) -> None:  # noqa: ANN001
    """A scan, and its answer on screen."""
    with qtbot.waitSignal(screen.result_shown, timeout=10_000):
        keys(qtbot, screen, code)


def settle(qtbot, ctx, screen) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: ctx.db.wait(20) and screen.idle(), timeout=10_000)


def shot(widget, name: str) -> None:  # noqa: ANN001
    if os.environ.get("HELPDESK_SCREENS"):
        SCREENS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SCREENS / name))


def pdf_shot(pdf: Path, name: str) -> None:
    """The first page of ``pdf`` as docs/screens/``name``.png (pdftoppm)."""
    if os.environ.get("HELPDESK_SCREENS"):
        SCREENS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf),
                        str(SCREENS / name)], check=True)  # fmt: skip


@pytest.fixture
def panel(qtbot, ctx, school):  # noqa: ANN001
    from helpdesk.ui.sessions.panel import SessionsPanel

    ctx.machine.sounds = False
    widget = SessionsPanel(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 720)
    widget.show()
    return widget


def _start(qtbot, panel, kind: str, **options) -> None:  # noqa: ANN001, ANN003
    from helpdesk.ui.sessions.start_dialog import StartChoice

    panel.start(StartChoice(kind, options))
    qtbot.waitUntil(lambda: panel.scan_screen.session is not None, timeout=10_000)
    assert panel.stack.currentWidget() is panel.scan_page


def test_pickup_by_wedge_bursts_shows_each_outcome_and_what_to_scan_next(
    qtbot, ctx, panel, tmp_path
):  # noqa: ANN001
    from helpdesk.ui.printing import kept_jobs
    from helpdesk.ui.style import BAD_BG, CANVAS, GOOD_BG, WARN_BG

    pupils = add_pickup_form(ctx.factory, 4)
    _start(qtbot, panel, "pickup", form=FORM, name="7P pickup")
    screen = panel.scan_screen
    assert screen.prompt.text() == "Scan a student card"
    assert screen.progress.overall.format() == "0 / 4"
    assert screen.on_paper.isChecked() and not screen.typed_name.isEnabled()

    (card1, name1, tag1), (card2, name2, tag2), (card3, name3, _tag3) = pupils[:3]
    sounds: list[str] = []
    screen.feedback.enabled = True  # no sound device here: the sounds due are still told
    screen.feedback.sound_due.connect(sounds.append)
    wedge(qtbot, screen, card1)
    assert screen.prompt.text() == f"Now scan the laptop for {name1} ({FORM})"
    wedge(qtbot, screen, tag1)
    assert screen.outcome == "done" and screen.outcome_word.text() == "Done"
    assert GOOD_BG in screen.result_box.styleSheet()
    assert tag1 in screen.sentence.text() or name1 in screen.sentence.text()
    assert screen.prompt.text() == "Scan a student card"
    assert screen.progress.overall.format() == "1 / 4"

    wedge(qtbot, screen, card1)  # the same student again: harmless, nothing recorded twice
    assert screen.outcome == "already" and CANVAS in screen.result_box.styleSheet()
    assert screen.prompt.text() == "Scan a student card"

    assert sounds == ["good.wav", "good.wav", "good.wav (soft)"]  # a repeat: quietly
    wedge(qtbot, screen, "S0001")  # Anna is in 7A: not on this list
    assert screen.outcome == "unexpected" and WARN_BG in screen.result_box.styleSheet()
    assert screen.outcome_word.text() == "Not on the list" and sounds[-1] == "refused.wav"

    wedge(qtbot, screen, card2)
    screen.on_paper.setChecked(False)  # signed on screen: the typed name
    qtbot.keyClicks(screen.typed_name, name2)
    screen.focus_scan_box()
    wedge(qtbot, screen, "LNR-001")  # a loan laptop is never allocated
    assert screen.outcome == "problem" and BAD_BG in screen.result_box.styleSheet()
    assert screen.sentence.text()
    assert screen.prompt.text() == f"Now scan the laptop for {name2} ({FORM})"  # still waiting
    wedge(qtbot, screen, tag2)
    assert screen.outcome == "done"
    assert screen.on_paper.isChecked() and screen.typed_name.text() == ""  # reset for the next

    wedge(qtbot, screen, card3)
    qtbot.keyClick(screen.scan_box, Qt.Key.Key_Escape)  # the student walked away
    assert screen.prompt.text() == "Scan a student card"

    settle(qtbot, ctx, screen)
    screen.read_status()
    qtbot.waitUntil(lambda: screen.progress.group_text(FORM) == f"{FORM}  2/4", timeout=5000)
    missing = [screen.progress.missing_list.item(i).text()
               for i in range(screen.progress.missing_list.count())]  # fmt: skip
    assert missing[0] == f"{FORM}: 2 to go"
    assert any(name3 in line for line in missing) and not any(name1 in line for line in missing)
    recent = [screen.progress.recent_list.item(i).text()
              for i in range(screen.progress.recent_list.count())]  # fmt: skip
    assert recent and "done" in recent[0]  # newest first: the laptop for the second student

    with ctx.factory() as session:
        held = session.execute(
            select(Assignment.agreement, Assignment.agreement_name, Student.card_code)
            .join(Student, Student.id == Assignment.student_id)
            .where(Assignment.ended_at.is_(None), Student.form == FORM)
            .order_by(Student.card_code)
        ).all()
    assert [tuple(row) for row in held] == [("paper", None, card1), ("screen", name2, card2)]
    # no printer here: the labels and agreements wait in the print queue, not recorded as printed
    titles = lambda: {job.title for job in kept_jobs()}  # noqa: E731
    qtbot.waitUntil(lambda: len(titles()) >= 4, timeout=10_000)
    assert {f"Asset label {tag1}", f"Hand-over agreement {tag2}"} <= titles()

    # the missing list: saved as a PDF, and printed (no printer here: kept in the print queue)
    target = tmp_path / "still-to-collect.pdf"
    panel.save_missing(str(target))
    qtbot.waitUntil(target.exists, timeout=10_000)
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Still to collect, by form" in text and f"{FORM} (2)" in text
    assert name3 in text and name1 not in text
    qtbot.keyClick(screen.scan_box, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: any(job.title.startswith("Still to collect") for job in kept_jobs()), timeout=10_000
    )


def test_handin_condition_keys_and_accessories_reset_after_each_laptop(qtbot, ctx, panel, school):  # noqa: ANN001
    _start(qtbot, panel, "handin", form="7A")
    screen = panel.scan_screen
    assert screen.handin_box.isVisible() and not screen.pickup_box.isVisible()
    assert screen.prompt.text() == "Scan a laptop handed in"
    keys(qtbot, screen, "3")  # 3 then Enter: damaged
    assert screen.condition() == "damaged"
    screen.charger_back.setChecked(False)
    assert screen.missing() == ("charger",)
    wedge(qtbot, screen, school.anna_laptop)
    assert screen.outcome == "done", screen.sentence.text()
    assert screen.last_result is not None and screen.last_result.ticket_id is not None
    assert screen.condition() == "good" and screen.missing() == ()  # ready for the next laptop
    with ctx.factory() as session:
        ended = session.scalars(
            select(Assignment).join(Device).where(Device.asset_tag == school.anna_laptop)
        ).one()
    assert ended.ended_at is not None
    assert ended.returned_condition is not None and ended.returned_condition.value == "damaged"
    assert "charger" in (ended.returned_missing or "")
    qtbot.waitUntil(lambda: panel.paper.jobs_sent >= 1, timeout=10_000)  # the receipt


def test_stocktake_shows_its_four_groups_and_moves_found_devices(
    qtbot, ctx, panel, school, tmp_path
):  # noqa: ANN001
    with ctx.factory() as session, session.begin():
        for device in session.scalars(select(Device)):
            device.location = {"PER-000003": "Cart 3", "LNR-001": "Cart 3", "LNR-002": "Cart 3",
                               "LNR-004": "Room 12"}.get(device.asset_tag)  # fmt: skip
    _start(qtbot, panel, "stocktake", location="Cart 3", name="Cart 3 count")
    screen = panel.scan_screen
    assert panel.move_button.isVisible()  # the admin may move devices
    for code in ("LNR-004", "ZZZ-404", "PER-000003"):
        wedge(qtbot, screen, code)
    settle(qtbot, ctx, screen)
    screen.read_status()
    titles = screen.progress.stock_titles
    qtbot.waitUntil(lambda: titles()[0] == "Found here (1)", timeout=5000)
    assert titles() == ["Found here (1)", "Belongs elsewhere (1)", "Missing (2)", "Unknown (1)"]
    assert screen.progress.stock_grid.isVisible() and not screen.progress.tabs.isVisible()
    assert "LNR-004" in screen.progress.elsewhere_list.item(0).text()
    shot(panel, "sessions-stocktake-groups.png")

    target = tmp_path / "not-found.pdf"
    panel.save_missing(str(target))
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert target.read_bytes().startswith(b"%PDF")

    report = tmp_path / "report.csv"
    panel.save_report(str(report))
    qtbot.waitUntil(lambda: panel.last_message.startswith("Saved the report"), timeout=10_000)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "record,code,label,group,outcome,at,station,sentence"
    assert sum(line.startswith("item,") for line in lines) == 3
    assert [line.split(",")[4] for line in lines if line.startswith("scan,")] == [
        "unexpected", "problem", "done"]  # fmt: skip

    panel.move_found()
    qtbot.waitUntil(lambda: panel.last_message.startswith("Moved"), timeout=5000)
    with ctx.factory() as session:
        place = session.scalar(select(Device.location).where(Device.asset_tag == "LNR-004"))
    assert place == "Cart 3"


def test_the_counter_role_does_not_see_move_found_devices(qtbot, ctx, school):  # noqa: ANN001
    from helpdesk.services.core.staff import add_staff
    from helpdesk.ui.sessions.panel import SessionsPanel

    add_staff(ctx.factory, "admin", username="desk", display_name="Desk", role="counter")
    ctx.actor = "desk"
    panel = SessionsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    _start(qtbot, panel, "stocktake", location="Cart 9", tags=["PER-000003"])
    assert not panel.may_move and not panel.move_button.isVisible()


def test_progress_keeps_the_place_in_a_list_when_it_is_read_again(qtbot):  # noqa: ANN001
    """The progress is refreshed while a person reads it: same lines, same place; new lines
    replace the old; the bars follow the groups."""
    from datetime import datetime

    from helpdesk.services.sessions import (
        GroupProgress,
        MissingItem,
        ScanLine,
        SessionInfo,
        SessionStatus,
    )
    from helpdesk.ui.sessions.progress import ProgressView

    def status(done: int, missing: tuple[MissingItem, ...]) -> SessionStatus:
        info = SessionInfo(1, "SES-000001", "pickup", "Year 7", "year", "7", None,
                           datetime(2026, 9, 2, 8, 0), "admin", None, 30, done)  # fmt: skip
        groups = (GroupProgress("7A", 15, done), GroupProgress("7B", 15, 0))
        line = ScanLine(datetime(2026, 9, 2, 9, 0), "Station 2", "NEW-0001", "done", "Given.")
        return SessionStatus(info, groups, missing, (), (), (line,), (), (), ())

    missing = tuple(MissingItem(f"P{n:04d}", f"Pupil {n:02d}", "7B") for n in range(1, 16))
    view = ProgressView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.show_status(status(3, missing))
    assert view.overall.format() == "3 / 30" and view.group_text("7A") == "7A  3/15"
    assert view.missing_list.item(0).text() == "7B: 15 to go"
    view.missing_list.setCurrentRow(9)
    view.show_status(status(4, missing))
    assert view.missing_list.currentRow() == 9 and view.group_text("7A") == "7A  4/15"
    view.show_status(status(5, missing[1:]))
    assert view.missing_list.item(0).text() == "7B: 14 to go"
    assert "[Station 2]" in view.recent_list.item(0).text()


@pytest.mark.cups
def test_a_pickups_label_and_agreement_printed_are_recorded(qtbot, ctx, panel):  # noqa: ANN001
    """Printed through a real CUPS queue: the laptop's asset label and the student's hand-over
    agreement reach the printer, then the allocation records both (``mark_printed``)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labels"))
    from cups_queue import queue_or_skip

    from helpdesk.domain.models import LabelPrint
    from helpdesk.ui.printing import kept_jobs

    (card, _name, tag), *_rest = add_pickup_form(ctx.factory, 2)
    queue = queue_or_skip("HelpdeskSessionsPDF")
    try:
        for kind in ("label", "slip"):
            ctx.machine.set_printer(kind, queue.name)
        _start(qtbot, panel, "pickup", form=FORM)
        screen = panel.scan_screen
        since = time.time()
        wedge(qtbot, screen, card)
        wedge(qtbot, screen, tag)
        assert screen.last_result is not None and screen.last_result.print_label
        qtbot.waitUntil(lambda: panel.paper.jobs_sent == 2, timeout=30_000)
        queue.wait_for_pdf(f"Asset label {tag}", since)
        queue.wait_for_pdf(f"Hand-over agreement {tag}", since)

        def recorded() -> bool:
            with ctx.factory() as session:
                labelled = session.scalar(
                    select(LabelPrint.id).join(Device, Device.id == LabelPrint.device_id)
                    .where(Device.asset_tag == tag)
                )  # fmt: skip
                signed = session.scalar(
                    select(Assignment.agreement_printed_at).join(Device)
                    .where(Device.asset_tag == tag, Assignment.ended_at.is_(None))
                )  # fmt: skip
            return labelled is not None and signed is not None

        qtbot.waitUntil(recorded, timeout=30_000)
        assert kept_jobs() == []
    finally:
        queue.remove()


def _answer(button) -> None:  # noqa: ANN001
    """Answer the confirmation that is about to open."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, click)

    QTimer.singleShot(20, click)


def test_the_list_joins_and_close_asks_first(qtbot, ctx, panel):  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    from helpdesk.services import sessions

    add_pickup_form(ctx.factory, 2)
    started = sessions.start_session(ctx.factory, "admin", "pickup", form=FORM, name="Late")
    panel.refresh()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    assert panel.table.item(0, 0).text() == started.code
    assert panel.table.item(0, 4).text() == "0 / 2"
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter joins the selected session
    assert panel.scan_screen.session is not None and panel.scan_screen.session.id == started.id

    _answer(QMessageBox.StandardButton.No)
    panel.close_current()
    assert sessions.list_sessions(ctx.factory, "admin", open_only=True) != []
    _answer(QMessageBox.StandardButton.Yes)
    panel.close_current()
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.list_page, timeout=5000)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=5000)
    assert panel.last_message == f"Closed {started.code}: 0 of 2 done."
    assert sessions.list_sessions(ctx.factory, "admin", open_only=True) == []


def test_the_start_dialog_gathers_the_expected_list(qtbot, tmp_path):  # noqa: ANN001
    from helpdesk.ui.sessions.start_dialog import StartDialog

    dialog = StartDialog()
    qtbot.addWidget(dialog)
    dialog.set_choice("pickup", "form", "", "Pickup")
    with pytest.raises(ValueError, match="Type the form"):
        dialog.choice()
    dialog.set_choice("handin", "leavers", name="July")
    choice = dialog.choice()
    assert (choice.kind, choice.options) == ("handin", {"leavers": True, "name": "July"})
    tags = tmp_path / "cart.csv"
    tags.write_text("tag,room\nPER-000003,Cart 3\n\nLNR-001,Cart 3\n", encoding="utf-8")
    dialog.set_choice("stocktake", "tags", str(tags))
    assert dialog.choice().options == {"tags": ["PER-000003", "LNR-001"]}
    assert [dialog.scope.itemData(i) for i in range(dialog.scope.count())] == [
        "location", "status", "tags"]  # fmt: skip


def test_a_scan_into_another_field_of_the_area_goes_to_the_scan_screen(qtbot, ctx, school):  # noqa: ANN001
    """The typed-name field has the focus when the scanner fires: the window's router takes the
    burst out of the field and the scan screen acts on it."""
    from PySide6.QtWidgets import QApplication

    from helpdesk.ui.main_window import MainWindow

    (card, name, _tag), *_rest = add_pickup_form(ctx.factory, 2)
    ctx.machine.sounds = False
    win = MainWindow(ctx)
    clock = win.scan_router.clock = HandClock()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    qtbot.wait(100)  # the counter takes the focus first
    qtbot.keyClick(win, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: win.current_area() == "sessions", timeout=5000)
    panel = win.panel("sessions")
    _start(qtbot, panel, "pickup", form=FORM)
    screen = panel.scan_screen
    screen.on_paper.setChecked(False)
    field = screen.typed_name
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field)
    type_keys(qtbot, field, "Pi", clock, 150)  # a person starts typing a name
    clock.advance(400)
    with qtbot.waitSignal(screen.result_shown, timeout=10_000):
        type_keys(qtbot, field, card, clock, 5)  # then the scanner: a burst and Enter
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert screen.prompt.text() == f"Now scan the laptop for {name} ({FORM})"
    assert field.text() == "Pi"  # the scan was taken out of the name
    win.close()
