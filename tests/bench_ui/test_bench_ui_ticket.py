"""The ticket page on a real SQLite file: only allowed moves offered, moves through the lifecycle,
a service refusal in one red sentence, parts and their total, payment, waiver with and without a
reason, a photo from a file, vendor and time, and the write-off with a replacement assignment."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage

from helpdesk.domain.enums import ALLOWED_TRANSITIONS, TicketState
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs import tickets


@pytest.fixture
def open_page(bench_ctx, bench_school, qtbot):  # noqa: ANN001
    from helpdesk.ui.bench.ticket_page import TicketPage

    pages = []

    def make(ticket_id: int, ctx=None) -> TicketPage:  # noqa: ANN001
        page = TicketPage(ctx or bench_ctx, ticket_id)
        qtbot.addWidget(page)
        page.show()
        qtbot.waitUntil(lambda: page.page is not None, timeout=10000)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


def _visible_moves(page) -> set[str]:  # noqa: ANN001
    return {state for state, button in page.moves_box.move_buttons.items() if button.isVisible()}


def _act(page, qtbot, action) -> str:  # noqa: ANN001
    """Do something on the page and wait for its sentence and the reloaded ticket."""
    before = page.page
    page.message.hide()
    action()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=10000)
    if page.message.property("tone") == "good":
        qtbot.waitUntil(lambda: page.page is not before, timeout=10000)
    return page.message.text()


def test_only_the_allowed_moves_are_offered(open_page, manager_ctx, bench_school) -> None:  # noqa: ANN001
    page = open_page(bench_school.anna_ticket)
    assert page.page.ticket.state == "logged"
    lifecycle = {s.value for s in ALLOWED_TRANSITIONS[TicketState.LOGGED]}
    assert "written_off" in lifecycle
    # the technician: every move the lifecycle allows but the write-off (a manager's), and no
    # cover periods button (adding and changing cover is a manager's too)
    assert _visible_moves(page) == lifecycle - {"written_off"}
    assert not page.charge_box.cover_button.isVisible()
    manager = open_page(bench_school.anna_ticket, manager_ctx)
    assert _visible_moves(manager) == lifecycle
    assert manager.charge_box.cover_button.isVisible()
    assert "Anna Smith (7A)" in page.subtitle.text()
    assert "Screen cracked from the corner." in page.damage_box.damage.text()
    assert page.page.age_school_days >= 9


def test_moving_a_ticket_through_the_lifecycle_with_the_buttons(
    open_page, bench_school, qtbot
) -> None:
    page = open_page(bench_school.anna_ticket)
    path = ["diagnosing", "awaiting_parts", "repaired", "ready_for_collection", "collected"]
    page.damage_box.note_edit.setText("LCD panel cracked; ordering one.")
    for state in path:
        assert page.moves_box.move_buttons[state].isVisible()
        text = _act(page, qtbot, page.moves_box.move_buttons[state].click)
        assert text == f"Moved to {TicketState(state).label}.", text
        assert page.page.ticket.state == state
        allowed = {s.value for s in ALLOWED_TRANSITIONS[TicketState(state)]}
        assert _visible_moves(page) == allowed - {"written_off"}  # a manager's move
    assert page.page.ticket.technician == "mwright"
    assert "mwright: LCD panel cracked; ordering one." in page.damage_box.diagnosis.toPlainText()
    assert page.damage_box.note_edit.text() == ""
    assert "closed" in page.moves_box.move_hint.text()
    assert not page.parts_box.part_button.isEnabled()
    events = [page.changes_table.item(r, 2).text() for r in range(page.changes_table.rowCount())]
    assert events[0] == "Moved from ready for collection to collected"
    note = "Moved from logged to diagnosing; Technician mwright; Note: LCD panel cracked; ordering"
    assert f"{note} one." in events
    assert events[-2:] == [
        "Charge £0.00: Insured with Standard cover: claim 1 of 2, accidental damage: free.",
        "Booked in: screen, Screen cracked from the corner.",
    ]
    history = [page.device_table.item(r, 1).text() for r in range(page.device_table.rowCount())]
    assert any(line.startswith("Repair ticket") and line.endswith("collected") for line in history)


def test_a_service_refusal_shows_as_one_red_sentence(open_page, bench_school, qtbot) -> None:
    page = open_page(bench_school.ben_ticket)
    assert page.page.ticket.charge_status == "due"
    _act(page, qtbot, page.moves_box.move_buttons["awaiting_payment"].click)
    assert page.page.ticket.state == "awaiting_payment"
    # the lifecycle allows repaired from here, the charge rule does not
    text = _act(page, qtbot, page.moves_box.move_buttons["repaired"].click)
    assert page.message.property("tone") == "bad"
    assert text.startswith("The charge of £90.00 for TKT-") and text.endswith("waive it first.")
    assert "\n" not in text
    assert tickets.get_ticket(page.ctx.factory, page.ticket_id).state == "awaiting_payment"


def test_adding_parts_shows_the_costs_and_the_total(open_page, bench_school, qtbot) -> None:
    page = open_page(bench_school.anna_ticket)
    page.parts_box.part_name.setText('LCD panel 11.6"')
    page.parts_box.part_number.setText("5D10T45069")
    page.parts_box.part_cost.setValue(64.5)
    assert _act(page, qtbot, page.parts_box.part_button.click) == 'Part added: LCD panel 11.6".'
    page.parts_box.part_name.setText("Bezel clips")
    page.parts_box.part_qty.setValue(4)
    page.parts_box.part_cost.setValue(0.75)
    _act(page, qtbot, page.parts_box.part_button.click)
    table = page.parts_box.parts_table
    assert table.rowCount() == 2
    assert [table.item(0, c).text() for c in range(5)] == [
        'LCD panel 11.6"',
        "5D10T45069",
        "1",
        "£64.50",
        "£64.50",
    ]
    assert [table.item(1, c).text() for c in (2, 3, 4)] == ["4", "£0.75", "£3.00"]
    assert page.parts_box.parts_total.text() == "<b>Parts total: £67.50</b>"
    assert page.parts_box.part_name.text() == ""
    page.parts_box.part_name.setText("   ")
    assert _act(page, qtbot, page.parts_box.part_button.click) == "Say which part it is."
    assert page.message.property("tone") == "bad"


def test_recording_a_payment(open_page, manager_ctx, bench_school, qtbot) -> None:  # noqa: ANN001
    page = open_page(bench_school.ben_ticket, manager_ctx)
    assert "Charge £90.00" in page.charge_box.cover_text.text()
    assert "The uninsured price for a screen repair is £90.00." in page.charge_box.cover_text.text()
    assert page.charge_box.pay_button.isEnabled()

    def answer() -> None:  # the payment dialog, while it waits for the person at the counter
        dialog = page.ticket_actions.payment_dialog
        assert dialog.amount_pence == 9000  # the balance to start with
        dialog.method.setCurrentIndex(dialog.method.findData("card"))
        dialog.receipt.setText("R-4410")
        dialog.ok_button.click()

    QTimer.singleShot(0, answer)
    assert (
        _act(page, qtbot, page.charge_box.pay_button.click) == "Payment of £90.00 by card recorded."
    )
    assert page.page.ticket.charge_status == "paid"
    assert not page.charge_box.pay_button.isEnabled()
    assert not page.charge_box.waive_button.isEnabled()


def test_waiving_needs_a_reason(open_page, manager_ctx, bench_school, qtbot) -> None:  # noqa: ANN001
    page = open_page(bench_school.ben_ticket, manager_ctx)
    page.charge_box.waive_reason.setText("   ")
    text = _act(page, qtbot, page.charge_box.waive_button.click)
    assert text == "Give a reason for waiving the charge."
    assert page.message.property("tone") == "bad"
    assert tickets.get_ticket(page.ctx.factory, page.ticket_id).charge_status == "due"
    page.charge_box.waive_reason.setText("Family hardship, agreed by the head of year.")
    assert _act(page, qtbot, page.charge_box.waive_button.click) == "Charge waived."
    assert page.page.ticket.charge_status == "waived"
    assert (
        "Waived: Family hardship, agreed by the head of year." in page.charge_box.cover_text.text()
    )


def test_an_insured_first_claim_is_free_and_has_nothing_to_pay(open_page, bench_school) -> None:
    page = open_page(bench_school.anna_ticket)
    assert "Charge £0.00" in page.charge_box.cover_text.text()
    assert "claim 1 of 2" in page.charge_box.cover_text.text()
    assert not page.charge_box.pay_button.isEnabled()


def test_a_photo_from_a_file_is_stored_and_shown(open_page, bench_school, qtbot, tmp_path):
    page = open_page(bench_school.anna_ticket)
    assert "No photos yet" in page.photos_box.photo_where.text()
    source = tmp_path / "damage.png"
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#884422"))
    image.save(str(source))
    assert _act(page, qtbot, lambda: page.ticket_actions.add_photo(str(source))) == "Photo added."
    assert page.page.ticket.photos == ("damage.png",)
    assert page.photos_box.photo_where.text().startswith(
        "1 photo, kept in the database with the ticket"
    )
    qtbot.waitUntil(lambda: page.photos_box.photos.count() == 1, timeout=10000)
    item = page.photos_box.photos.item(0)
    assert item.text() == "damage.png" and not item.icon().isNull()
    assert not (Path(bench_school.url.removeprefix("sqlite:///")).parent / "photos").exists()
    # double-click: the photo in full, from the database
    page.photos_box.photos.itemDoubleClicked.emit(item)
    qtbot.waitUntil(lambda: page.photos_box.viewer is not None, timeout=10000)
    viewer = page.photos_box.viewer
    qtbot.waitUntil(viewer.isVisible, timeout=5000)
    assert viewer.windowTitle() == "Photo: damage.png"
    shown = viewer.picture.pixmap()
    assert shown.width() <= 640 and abs(shown.width() / shown.height() - 4 / 3) < 0.02
    assert shown.toImage().pixelColor(shown.width() - 10, 10) == QColor("#884422")
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not viewer.isVisible(), timeout=5000)
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a photo")
    assert _act(page, qtbot, lambda: page.ticket_actions.add_photo(str(text_file))).startswith(
        "notes.txt is not a photo"
    )
    assert len(tickets.get_ticket(page.ctx.factory, page.ticket_id).photos) == 1


def test_vendor_warranty_time_and_notes(open_page, bench_school, qtbot) -> None:
    page = open_page(bench_school.anna_ticket)
    assert "warranty until" in page.vendor_box.warranty_text.text()
    page.vendor_box.vendor_edit.setText("Lenovo depot repair")
    page.vendor_box.rma_edit.setText("RMA-778812")
    page.vendor_box.warranty_box.setChecked(True)
    assert _act(page, qtbot, page.vendor_box.vendor_button.click) == "Vendor saved."
    info = page.page.ticket
    assert (info.vendor, info.rma_number, info.warranty) == (
        "Lenovo depot repair",
        "RMA-778812",
        True,
    )
    page.vendor_box.minutes.setValue(25)
    _act(page, qtbot, page.vendor_box.time_button.click)
    page.vendor_box.minutes.setValue(50)
    _act(page, qtbot, page.vendor_box.time_button.click)
    assert page.vendor_box.time_text.text() == "1 h 15 min"
    page.damage_box.note_edit.setText("Hinge also loose.")
    assert _act(page, qtbot, page.damage_box.note_button.click) == "Note added."
    assert page.damage_box.diagnosis.toPlainText().endswith("mwright: Hinge also loose.")
    assert page.page.ticket.state == "logged"
    page.vendor_box.vendor_edit.setText("")
    assert _act(page, qtbot, page.vendor_box.vendor_button.click) == "Give the vendor's name."


def test_writing_off_asks_first_then_offers_a_replacement(
    open_page, manager_ctx, bench_school, qtbot
) -> None:  # noqa: ANN001
    page = open_page(bench_school.anna_ticket, manager_ctx)
    factory = page.ctx.factory
    page.moves_box.move_buttons["written_off"].click()
    assert page.moves_box.confirm_row.isVisible()
    assert "Write off PER-000001?" in page.moves_box.confirm_text.text()
    page.moves_box.keep_button.click()
    assert not page.moves_box.confirm_row.isVisible()
    assert tickets.get_ticket(factory, page.ticket_id).state == "logged"
    page.moves_box.move_buttons["written_off"].click()
    assert _act(page, qtbot, page.moves_box.confirm_button.click) == "Moved to written off."
    assert page.page.ticket.state == "written_off"
    assert lookup(factory, bench_school.anna_laptop).status == "retired"
    assert _visible_moves(page) == set()
    assert page.moves_box.replacement.isVisible()
    assert "Anna Smith (7A)" in page.moves_box.replacement_text.text()
    qtbot.waitUntil(lambda: page.moves_box.spare.count() >= 1, timeout=10000)
    tags = {page.moves_box.spare.itemData(i) for i in range(page.moves_box.spare.count())}
    assert bench_school.spares[0] in tags
    page.moves_box.spare.setCurrentIndex(page.moves_box.spare.findData(bench_school.spares[0]))
    text = _act(page, qtbot, page.moves_box.assign_button.click)
    assert text == f"{bench_school.spares[0]} is now assigned to Anna Smith (7A)."
    card = lookup(factory, bench_school.anna)
    assert [d.asset_tag for d in card.assigned_devices] == [bench_school.spares[0]]
    assert page.moves_box.replacement_text.text() == (
        f"PER-000001 is retired. Anna Smith (7A) has {bench_school.spares[0]} as a replacement."
    )
    assert not page.moves_box.assign_button.isVisible()
    # a second replacement (another window, an old page) is refused by the service in a sentence
    page.moves_box.spare.setEditText(bench_school.spares[1])
    text = _act(page, qtbot, page.ticket_actions.assign_replacement)
    assert page.message.property("tone") == "bad"
    assert "already has laptop" in text


def test_a_closed_ticket_offers_no_moves(open_page, bench_school) -> None:
    page = open_page(bench_school.cancelled_ticket)
    assert _visible_moves(page) == set()
    assert (
        "cancelled" in page.moves_box.move_hint.text()
        and "closed" in page.moves_box.move_hint.text()
    )
    assert not page.damage_box.note_button.isEnabled()
    assert (
        not page.photos_box.photo_button.isEnabled()
        and not page.photos_box.camera_button.isEnabled()
    )


def test_a_photo_from_the_camera_is_stored_with_the_ticket(
    bench_ctx, open_page, bench_school, qtbot, tmp_path
) -> None:
    frames = tmp_path / "camera"
    frames.mkdir()
    for n, colour in enumerate(("#336699", "#339966", "#993366")):
        image = QImage(320, 240, QImage.Format.Format_RGB32)
        image.fill(QColor(colour))
        image.save(str(frames / f"{n}.png"))
    bench_ctx.camera_source = str(frames)  # the replay source stands in for the webcam
    page = open_page(bench_school.anna_ticket)
    assert page.photos_box.camera_button.isEnabled()
    page.photos_box.camera_button.click()
    qtbot.waitUntil(lambda: page.message.property("tone") != "info", timeout=10000)
    assert page.message.text() == "Photo taken and stored."
    qtbot.waitUntil(lambda: bool(page.page.ticket.photos), timeout=10000)
    from helpdesk.services.repairs.photos import photo_data, photo_thumbnails

    [thumb] = photo_thumbnails(page.ctx.factory, page.ticket_id)
    assert thumb.name.endswith(".jpg") and thumb.size > 1000 and thumb.caption == "camera"
    assert not QImage.fromData(photo_data(page.ctx.factory, thumb.id).data).isNull()
    qtbot.waitUntil(lambda: page.photos_box.photos.count() == 1, timeout=10000)


def test_a_missing_camera_is_one_red_sentence(bench_ctx, open_page, bench_school, qtbot, tmp_path):
    bench_ctx.camera_source = str(tmp_path / "unplugged")
    page = open_page(bench_school.anna_ticket)
    page.photos_box.camera_button.click()
    qtbot.waitUntil(lambda: page.message.property("tone") == "bad", timeout=10000)
    assert "unplugged" in page.message.text()
    assert "\n" not in page.message.text()
    assert not page.page.ticket.photos
    bench_ctx.camera_source = None
    assert not open_page(bench_school.ben_ticket).photos_box.camera_button.isEnabled()


def test_enter_in_a_field_saves_that_field_and_never_moves_the_ticket(
    open_page, bench_school, qtbot
) -> None:
    from PySide6.QtCore import Qt

    page = open_page(bench_school.anna_ticket)
    page.parts_box.part_name.setFocus()
    page.parts_box.part_name.setText("Keyboard")
    text = _act(page, qtbot, lambda: qtbot.keyClick(page.parts_box.part_name, Qt.Key.Key_Return))
    assert text == "Part added: Keyboard."
    page.vendor_box.rma_edit.setText("RMA-1")
    page.vendor_box.vendor_edit.setText("Depot")
    assert _act(
        page, qtbot, lambda: qtbot.keyClick(page.vendor_box.rma_edit, Qt.Key.Key_Return)
    ) == ("Vendor saved.")
    page.charge_box.waive_reason.setText("no")
    qtbot.keyClick(page.charge_box.waive_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.ctx.runner.busy(), timeout=5000)  # every save answered
    info = tickets.get_ticket(page.ctx.factory, page.ticket_id)
    assert info.state == "logged"
    assert [p.description for p in info.parts] == ["Keyboard"]
    assert info.vendor == "Depot"


def test_a_swap_loan_slip_opens_the_ticket_and_collection_waits_for_the_loaner(
    bench_panel, bench_school, qtbot
) -> None:
    from helpdesk.services.counter import loans

    factory = bench_panel.ctx.factory
    swap = loans.swap(factory, "admin", student_code=bench_school.ben,
                      own_device_code=bench_school.ben_laptop, loaner_code=bench_school.loaner)  # fmt: skip
    with qtbot.waitSignal(bench_panel.opened, timeout=10000) as opened:
        bench_panel.scan_box.scanned.emit(swap.loan.code, True)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.page is not None, timeout=10000)
    assert page.ticket_id == bench_school.ben_ticket
    assert f"swap loaner {bench_school.loaner} (out)" in page.damage_box.damage.text()
    for state in ("diagnosing", "repaired", "ready_for_collection"):
        _act(page, qtbot, page.moves_box.move_buttons[state].click)
    assert page.page.ticket.state == "ready_for_collection"
    text = _act(page, qtbot, page.moves_box.move_buttons["collected"].click)
    assert page.message.property("tone") == "bad"
    assert text.startswith(f"Return the loan laptop {bench_school.loaner} first")
    loans.return_loan(factory, "admin", device_code=bench_school.loaner)
    assert (
        _act(page, qtbot, page.moves_box.move_buttons["collected"].click) == "Moved to collected."
    )


def test_the_repair_receipt_as_a_pdf(open_page, bench_school, qtbot, tmp_path) -> None:
    page = open_page(bench_school.ben_ticket)
    target = tmp_path / "receipt.pdf"
    text = _act(page, qtbot, lambda: page.ticket_actions.save_receipt(str(target)))
    assert text == f"Receipt saved as {target}."
    data = target.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000
    text = _act(
        page, qtbot, lambda: page.ticket_actions.save_receipt(str(tmp_path / "no-such" / "r.pdf"))
    )
    assert page.message.property("tone") == "bad"
    assert text == (
        f"The receipt could not be saved as {tmp_path / 'no-such' / 'r.pdf'}: "
        "No such file or directory."
    )


def test_text_typed_by_people_is_shown_as_typed(open_page, manager_ctx, bench_school, qtbot):
    page = open_page(bench_school.ben_ticket, manager_ctx)
    reason = "Head's decision <b>not</b> to charge & a note"
    page.charge_box.waive_reason.setText(reason)
    _act(page, qtbot, page.charge_box.waive_button.click)
    assert "Waived: Head&#x27;s decision &lt;b&gt;not&lt;/b&gt; to charge &amp; a note" in (
        page.charge_box.cover_text.text()
    )
