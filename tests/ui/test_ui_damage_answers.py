"""The damage dialog assumes nothing: 'in its case?' and 'deliberate?' start unanswered, the
dialog cannot book in until both are answered (by mouse or Alt+key), the cover check follows the
answers, the answers reach the ticket, and the dialog fits a 1280x720 screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select
from test_ui_counter import enter, fill_damage_dialog, panel, scan  # noqa: F401  (panel: fixture)

from helpdesk.domain.enums import DamageCategory
from helpdesk.domain.models import Ticket
from helpdesk.services.counter.lookup import lookup
from helpdesk.ui.counter.actions import cover_line
from helpdesk.ui.counter.damage_dialog import DamageDialog


def make_dialog(qtbot, ctx, school) -> DamageDialog:  # noqa: ANN001
    anna = lookup(ctx.factory, school.anna).id

    def cover_for(category: DamageCategory, **flags: bool):  # noqa: ANN202
        return cover_line(ctx, anna, category, **flags)

    dialog = DamageDialog("Swap: booking in the student's own laptop", cover_for=cover_for)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_nothing_is_booked_in_until_both_questions_are_answered(qtbot, ctx, school) -> None:  # noqa: ANN001
    dialog = make_dialog(qtbot, ctx, school)
    dialog.description.setPlainText("Screen cracked")
    assert dialog.in_case.answer() is None and dialog.deliberate.answer() is None
    assert not dialog.ok_button.isEnabled()
    assert "worked out once both questions are answered" in dialog.cover.text()
    dialog.book_in()  # Ctrl+Enter before answering
    assert dialog.details is None and dialog.isVisible()
    assert dialog.unanswered.text().endswith(
        "Say whether it was in its case and whether the damage looks deliberate.</span>"
    )
    dialog.in_case.no.click()
    assert not dialog.ok_button.isEnabled()
    assert "Say whether the damage looks deliberate." in dialog.unanswered.text()
    dialog.deliberate.no.click()
    assert dialog.ok_button.isEnabled() and not dialog.unanswered.isVisible()
    dialog.ok_button.click()
    assert dialog.details is not None
    assert (dialog.details.in_case, dialog.details.deliberate) == (False, False)


def test_the_cover_check_follows_the_answers_and_says_each_sentence_once(
    qtbot, ctx, school
) -> None:  # noqa: ANN001
    dialog = make_dialog(qtbot, ctx, school)
    dialog.in_case.yes.click()
    dialog.deliberate.no.click()
    accidental = dialog.cover.text()
    assert "claim 1 of 2" in accidental  # Anna's first claim with Standard cover
    dialog.deliberate.yes.click()
    deliberate = dialog.cover.text()
    assert deliberate != accidental
    assert deliberate.count("Deliberate damage is not covered by Standard cover.") == 1


def test_the_answers_are_reachable_from_the_keyboard(qtbot, ctx, school) -> None:  # noqa: ANN001
    dialog = make_dialog(qtbot, ctx, school)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)

    def alt(key: Qt.Key) -> None:  # a mnemonic clicks its button (animated: a moment later)
        qtbot.keyClick(dialog.focusWidget(), key, Qt.KeyboardModifier.AltModifier)

    alt(Qt.Key.Key_N)
    qtbot.waitUntil(lambda: dialog.in_case.answer() is False, timeout=3000)
    alt(Qt.Key.Key_D)
    qtbot.waitUntil(lambda: dialog.deliberate.answer() is True, timeout=3000)
    alt(Qt.Key.Key_C)
    qtbot.waitUntil(lambda: dialog.in_case.answer() is True, timeout=3000)
    alt(Qt.Key.Key_A)
    qtbot.waitUntil(lambda: dialog.deliberate.answer() is False, timeout=3000)
    assert dialog.ok_button.isEnabled()


def test_the_dialog_fits_a_small_screen(qtbot, ctx, school) -> None:  # noqa: ANN001
    dialog = make_dialog(qtbot, ctx, school)
    dialog.in_case.yes.click()
    dialog.deliberate.yes.click()
    dialog.adjustSize()
    assert dialog.height() <= 680 and dialog.width() <= 1280
    assert dialog.ok_button.isVisible()
    assert dialog.ok_button.geometry().bottom() <= dialog.height()
    body = dialog.form_area.widget()  # nothing cut off sideways; taller content scrolls
    assert body.width() >= body.minimumSizeHint().width()
    assert dialog.form_area.viewport().width() >= body.minimumSizeHint().width()
    dialog.grab().save("/tmp/damage.png")


def test_the_answers_reach_the_ticket(qtbot, panel, ctx, school) -> None:  # noqa: ANN001, F811
    scan(qtbot, panel, school.ben)
    scan(qtbot, panel, "LNR-003")
    enter(qtbot, panel)
    scan(qtbot, panel, "LNR-003")
    fill_damage_dialog("Screen", "Dropped outside its case", in_case=False, deliberate=False)
    qtbot.keyClicks(panel.scan_box, "D")
    qtbot.keyClick(panel.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(panel.idle, timeout=5000)
    qtbot.waitUntil(lambda: panel.last_tone == "good", timeout=5000)
    with ctx.factory() as session:
        ticket = session.scalar(select(Ticket))
        assert (ticket.in_case, ticket.deliberate) == (False, False)


def test_the_cover_check_runs_on_the_database_thread_when_given_one(qtbot, ctx, school) -> None:  # noqa: ANN001
    anna = lookup(ctx.factory, school.anna).id
    asked: list[DamageCategory] = []

    def cover_for(category: DamageCategory, **flags: bool):  # noqa: ANN202
        asked.append(category)
        return cover_line(ctx, anna, category, **flags)

    dialog = DamageDialog("Booking in damage found on return", cover_for=cover_for, db=ctx.db)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.in_case.yes.click()
    dialog.deliberate.no.click()
    assert "Checking the cover" in dialog.cover.text()  # the answer comes by the event loop
    qtbot.waitUntil(lambda: "claim 1 of 2" in dialog.cover.text())
    assert asked == [DamageCategory.SCREEN]  # asked once, when both answers were in
    dialog.description.setPlainText("Screen cracked")
    dialog.ok_button.click()
    assert dialog.details is not None and dialog.details.cover_text == "No charge"
