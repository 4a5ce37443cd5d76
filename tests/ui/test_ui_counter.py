"""The counter driven through its real widgets on a real SQLite file: keyboard-wedge bursts into
the scan box, the damage dialog filled in as a person would, the webcam replaced by a folder of
images played through the same scanning path; the database is checked afterwards."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from helpdesk.domain.enums import DeviceStatus, LoanType, TicketState
from helpdesk.domain.models import AuditEntry, Device, Loan, Ticket
from helpdesk.services.repairs.tickets import move_ticket


@pytest.fixture
def panel(qtbot, ctx, school):  # noqa: ANN001
    from helpdesk.ui.counter.panel import CounterPanel

    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    widget = CounterPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()


def scan(qtbot, panel, code: str) -> None:  # noqa: ANN001
    """A handheld scanner: the whole code in a burst, then Enter."""
    qtbot.keyClicks(panel.scan_box, code)
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)


def enter(qtbot, panel) -> None:  # noqa: ANN001
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)


def minutes_later(panel, minutes: int = 10) -> None:  # noqa: ANN001
    """Time passes at the counter: a loan made just now is no longer a few minutes old."""
    panel.flow.clock = lambda: datetime.now() + timedelta(minutes=minutes)


def open_loans(factory, tag: str) -> list[Loan]:  # noqa: ANN001
    with factory() as session:
        return list(
            session.scalars(
                select(Loan)
                .join(Device, Device.id == Loan.device_id)
                .where(Device.asset_tag == tag, Loan.returned_at.is_(None))
            )
        )


def device_status(factory, tag: str) -> DeviceStatus:  # noqa: ANN001
    with factory() as session:
        return session.scalar(select(Device.status).where(Device.asset_tag == tag))


def fill_damage_dialog(
    category_text: str,
    description: str,
    *,
    photo: bool = False,
    in_case: bool = True,
    deliberate: bool = False,
) -> None:
    """Answer the modal damage dialog once it is open (as a person would)."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "damageDialog":
            QTimer.singleShot(20, answer)
            return
        index = dialog.category.findText(category_text, Qt.MatchFlag.MatchFixedString)
        dialog.category.setCurrentIndex(index)
        dialog.description.setPlainText(description)
        (dialog.in_case.yes if in_case else dialog.in_case.no).click()
        (dialog.deliberate.yes if deliberate else dialog.deliberate.no).click()
        if photo:
            dialog.take_photo()  # F9: a still from the counter's camera
        dialog.book_in()

    QTimer.singleShot(20, answer)


def test_day_loan_with_scans_and_enter(qtbot, panel, ctx, school):  # noqa: ANN001
    scan(qtbot, panel, school.anna)
    assert panel.card.view.title == "Anna Smith"
    assert "Scan a loan laptop" in panel.prompt.text()
    assert panel.scan_box.hasFocus()
    scan(qtbot, panel, "LNR-001")
    assert panel.prompt.text().startswith("Lend LNR-001 to Anna Smith (7A): day loan, with charger")
    enter(qtbot, panel)
    assert panel.last_tone == "good", panel.last_message
    assert "LNR-001 lent to Anna Smith (7A)" in panel.last_message
    loans = open_loans(ctx.factory, "LNR-001")
    assert len(loans) == 1 and loans[0].loan_type is LoanType.DAY
    assert loans[0].accessories == "charger"
    assert device_status(ctx.factory, "LNR-001") is DeviceStatus.ON_LOAN
    assert panel.recent.count() == 1


def test_refusals_are_one_red_sentence_and_change_nothing(qtbot, panel, ctx, school):  # noqa: ANN001
    scan(qtbot, panel, "NO-SUCH-CODE")
    assert panel.last_tone == "bad"
    assert "Nothing has the code 'NO-SUCH-CODE'" in panel.last_message

    scan(qtbot, panel, school.cara)
    assert panel.last_tone == "bad" and "has left the school" in panel.last_message

    scan(qtbot, panel, school.anna)
    scan(qtbot, panel, "LNR-001")
    enter(qtbot, panel)
    assert panel.last_tone == "good"
    # a second loan for Anna: refused at the loaner's scan (loan limit), nothing is written;
    # an Enter pressed by habit after it leaves the refusal on screen
    scan(qtbot, panel, school.anna)
    scan(qtbot, panel, "LNR-002")
    assert panel.last_tone == "bad", panel.last_message
    enter(qtbot, panel)
    assert panel.last_tone == "bad", panel.last_message
    assert "Anna Smith" in panel.last_message
    assert open_loans(ctx.factory, "LNR-002") == []
    # a device that is not a loaner
    scan(qtbot, panel, school.ben)
    scan(qtbot, panel, school.spare)
    assert panel.last_tone == "bad" and "not a loan laptop" in panel.last_message


def test_return_by_device_and_by_slip(qtbot, panel, ctx, school):  # noqa: ANN001
    for student, loaner in ((school.anna, "LNR-001"), (school.ben, "LNR-002")):
        scan(qtbot, panel, student)
        scan(qtbot, panel, loaner)
        enter(qtbot, panel)
    minutes_later(panel)
    scan(qtbot, panel, "LNR-001")
    assert panel.prompt.text().startswith(
        "LNR-001 back from Anna Smith (7A), went out with: charger."
    )
    assert "Enter: all back in good order" in panel.prompt.text()
    enter(qtbot, panel)
    assert panel.last_tone == "good" and "LNR-001 is back" in panel.last_message
    assert open_loans(ctx.factory, "LNR-001") == []
    assert device_status(ctx.factory, "LNR-001") is DeviceStatus.IN_STOCK

    slip = open_loans(ctx.factory, "LNR-002")[0]
    scan(qtbot, panel, f"LOAN-{slip.id:06d}")
    enter(qtbot, panel)
    assert "LNR-002 is back" in panel.last_message
    assert open_loans(ctx.factory, "LNR-002") == []


def test_damaged_return_opens_a_ticket(qtbot, panel, ctx, school):  # noqa: ANN001
    scan(qtbot, panel, school.ben)
    scan(qtbot, panel, "LNR-003")
    enter(qtbot, panel)
    minutes_later(panel)
    scan(qtbot, panel, "LNR-003")
    fill_damage_dialog("Screen", "Cracked in the corner")
    qtbot.keyClicks(panel.scan_box, "D")
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)
    qtbot.waitUntil(lambda: panel.last_tone == "good", timeout=5000)
    assert "booked in as TKT-" in panel.last_message
    with ctx.factory() as session:
        ticket = session.scalar(select(Ticket))
        assert ticket.fault == "Cracked in the corner" and ticket.state is TicketState.LOGGED
    assert device_status(ctx.factory, "LNR-003") is DeviceStatus.IN_REPAIR


def test_swap_then_collection_needs_the_loaner_back(qtbot, panel, ctx, school):  # noqa: ANN001
    scan(qtbot, panel, school.anna)
    fill_damage_dialog("Keyboard", "Keys missing")
    scan(qtbot, panel, school.anna_laptop)
    qtbot.waitUntil(lambda: "Scan the loan laptop to give" in panel.prompt.text(), timeout=5000)
    scan(qtbot, panel, "LNR-004")
    assert panel.last_tone == "good", panel.last_message
    assert "Swap done" in panel.last_message
    with ctx.factory() as session:
        ticket = session.scalar(select(Ticket))
        loan = session.scalar(select(Loan).where(Loan.returned_at.is_(None)))
        assert loan.ticket_id == ticket.id and loan.loan_type is LoanType.SWAP
        ticket_id = ticket.id
    assert device_status(ctx.factory, school.anna_laptop) is DeviceStatus.IN_REPAIR

    for state in ("diagnosing", "repaired", "ready_for_collection"):
        move_ticket(ctx.factory, "admin", ticket_id, state)

    scan(qtbot, panel, school.anna_laptop)
    assert "Scan LNR-004 back first" in panel.prompt.text()
    scan(qtbot, panel, "LNR-001")
    assert panel.last_tone == "bad" and "loan laptop back first" in panel.last_message
    scan(qtbot, panel, "LNR-004")
    enter(qtbot, panel)  # the loaner is back in good condition
    assert "hand PER-000001 over" in panel.prompt.text()
    enter(qtbot, panel)
    assert panel.last_tone == "good" and "handed back" in panel.last_message, panel.last_message
    with ctx.factory() as session:
        assert session.get(Ticket, ticket_id).state is TicketState.COLLECTED
        assert session.scalar(select(func.count(AuditEntry.id))) > 0
    assert device_status(ctx.factory, school.anna_laptop) is DeviceStatus.ASSIGNED
    assert device_status(ctx.factory, "LNR-004") is DeviceStatus.IN_STOCK


def _code_image(text: str, path: Path) -> None:
    import segno

    segno.make_qr(text).save(str(path), scale=12, border=4)


def test_webcam_scan_shows_the_card(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    from helpdesk.ui.counter.panel import CounterPanel

    frames = tmp_path / "frames"
    frames.mkdir()
    _code_image(school.anna, frames / "001.png")
    for n in range(2, 16):  # the card held in front of the camera for half a second
        (frames / f"{n:03d}.png").write_bytes((frames / "001.png").read_bytes())
    ctx.machine.sounds = False
    ctx.camera_source = str(frames)
    widget = CounterPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    try:
        qtbot.waitUntil(lambda: widget.card.view is not None, timeout=10000)
        assert widget.card.view.title == "Anna Smith"
        assert widget.flow.student is not None
    finally:
        widget.shutdown()


def test_missing_camera_keeps_the_scan_box(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    from helpdesk.ui.counter.panel import CounterPanel

    ctx.machine.sounds = False
    ctx.camera_source = str(tmp_path / "no-such-video.mp4")
    widget = CounterPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: "scan box still works" in widget.camera_message.text(), timeout=5000)
    assert widget.camera_message.isVisible()
    scan(qtbot, widget, school.ben)
    assert widget.card.view.title == "Ben Jones"
    widget.shutdown()


def test_missing_slip_printer_keeps_the_slip_and_the_loan(qtbot, panel, ctx, school):  # noqa: ANN001
    """The loan is issued; the slip cannot print: the job is kept and the list says so, while
    the loan's own sentence stays on screen (the printer's state is in the status bar)."""
    from helpdesk.ui.printing import kept_jobs

    ctx.machine.print_slips = True
    ctx.machine.set_printer("slip", "No-Such-Printer")
    scan(qtbot, panel, school.ben)
    scan(qtbot, panel, "LNR-005")
    enter(qtbot, panel)
    qtbot.waitUntil(lambda: panel.recent.count() == 2, timeout=20_000)
    assert "LNR-005 lent to Ben Jones" in panel.recent.texts()[1]
    assert "Not printed" in panel.recent.texts()[0] and "kept" in panel.recent.texts()[0], (
        panel.recent.texts()
    )
    assert panel.last_tone == "good" and "LNR-005 lent to Ben Jones" in panel.last_message
    assert len(open_loans(ctx.factory, "LNR-005")) == 1
    jobs = kept_jobs()
    assert len(jobs) == 1 and jobs[0].pdf.startswith(b"%PDF")
    assert "LOAN-" in jobs[0].title


@pytest.mark.cups
def test_loan_slip_printed_through_cups_scans_back(qtbot, panel, ctx, school):  # noqa: ANN001
    """Enter at the counter issues the loan and the slip comes out of a real CUPS queue; the
    barcode on the slip CUPS printed reads back as the loan."""
    import sys
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labels"))
    from cups_queue import queue_or_skip
    from pdf_shapes import decode, render

    queue = queue_or_skip("HelpdeskCounterPDF")
    try:
        ctx.machine.print_slips = True
        ctx.machine.set_printer("slip", queue.name)
        since = time.time()
        scan(qtbot, panel, school.ben)
        scan(qtbot, panel, "LNR-002")
        enter(qtbot, panel)
        loan = open_loans(ctx.factory, "LNR-002")[0]
        code = f"LOAN-{loan.id:06d}"
        qtbot.waitUntil(lambda: panel.last_tone != "good" or not ctx.runner.busy(), timeout=30_000)
        assert panel.last_tone == "good", panel.last_message
        written = queue.wait_for_pdf(code, since)
        pages = render(written, 300)
        written.unlink()
        assert code in decode(pages[0])
        assert panel.last_tone == "good"
    finally:
        queue.remove()


def test_swap_with_a_webcam_photo_of_the_damage(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    """The student's card is read by the camera; the damage photo is a still from that camera
    and is kept with the ticket."""
    from helpdesk.ui.counter.panel import CounterPanel

    frames = tmp_path / "frames"
    frames.mkdir()
    _code_image(school.anna, frames / "001.png")
    for n in range(2, 16):
        (frames / f"{n:03d}.png").write_bytes((frames / "001.png").read_bytes())
    ctx.machine.sounds = False
    ctx.machine.print_slips = False
    ctx.camera_source = str(frames)
    widget = CounterPanel(ctx)
    qtbot.addWidget(widget)
    widget.show()
    try:
        qtbot.waitUntil(lambda: widget.flow.student is not None, timeout=10000)
        fill_damage_dialog("Screen", "Screen cracked", photo=True)
        scan(qtbot, widget, school.anna_laptop)
        qtbot.waitUntil(lambda: "Scan the loan laptop" in widget.prompt.text(), timeout=5000)
        scan(qtbot, widget, "LNR-003")
        assert widget.last_tone == "good", widget.last_message
    finally:
        widget.shutdown()
    from helpdesk.services.repairs.photos import photo_data, photo_thumbnails

    with ctx.factory() as session:
        ticket_id = session.scalar(select(Ticket.id))
    [thumb] = photo_thumbnails(ctx.factory, ticket_id)
    assert thumb.name.startswith("damage-") and thumb.thumbnail
    still = QImage.fromData(photo_data(ctx.factory, thumb.id).data)
    assert not still.isNull() and still.width() > 0  # the camera's still, kept in the database


def test_the_card_behind_the_damage_dialog_shows_only_the_device(qtbot, panel, school):  # noqa: ANN001
    """The student's fields give way to the laptop's before the damage dialog opens over them:
    nothing of the last card shows through while the person fills it in."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QLabel

    scan(qtbot, panel, school.anna)
    seen: list[list[str]] = []

    def look_and_cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "damageDialog":
            QTimer.singleShot(20, look_and_cancel)
            return
        card = panel.card
        laid_out = {card.kind_label, card.title_label, card.subtitle_label, card.sections_label}
        for layout in (card.fields_grid, card.badges_row):
            laid_out |= {layout.itemAt(i).widget() for i in range(layout.count())}
        seen.append(
            [w.text() for w in card.findChildren(QLabel) if w.isVisible() and w not in laid_out]
        )
        dialog.reject()

    QTimer.singleShot(20, look_and_cancel)
    # the scan arrives inside the application's event loop, as it does at a real counter
    loop = QEventLoop()
    QTimer.singleShot(0, lambda: (scan(qtbot, panel, school.anna_laptop), loop.quit()))
    loop.exec()
    assert seen == [[]], seen
