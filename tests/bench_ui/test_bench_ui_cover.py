"""A student's cover periods: the dialog lists, adds and edits them; overlaps, dates the wrong way
round and fewer claims than already made are refused in a sentence."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs import cover_periods


@pytest.fixture
def cover_dialog(manager_ctx, bench_school, qtbot):  # noqa: ANN001
    """The cover periods dialog, acting as the manager (cover periods are a manager's)."""
    from helpdesk.ui.bench.cover_dialog import CoverDialog

    anna = lookup(manager_ctx.factory, bench_school.anna)
    dialog = CoverDialog(manager_ctx, anna.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.cover is not None, timeout=10000)
    yield dialog
    dialog.close()


def _act(dialog, qtbot, action) -> str:  # noqa: ANN001
    dialog.message.hide()
    action()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=10000)
    return dialog.message.text()


def _set_dates(dialog, start: date, end: date) -> None:  # noqa: ANN001
    dialog.starts.setDate(QDate(start.year, start.month, start.day))
    dialog.ends.setDate(QDate(end.year, end.month, end.day))


def test_the_dialog_lists_the_periods_with_claims_used(cover_dialog) -> None:
    dialog = cover_dialog
    assert dialog.title.text() == "Cover periods of Anna Smith (7A), card S0001"
    assert dialog.table.rowCount() == 1
    row = [dialog.table.item(0, c).text() for c in range(5)]
    assert row[0] == "Standard cover" and row[3] == "insured"
    assert row[4] == "1 of 2"  # Anna's screen claim counts
    assert [dialog.scheme.itemText(i) for i in range(dialog.scheme.count())] == ["Standard cover"]


def test_adding_a_period_and_refusing_an_overlap(cover_dialog, qtbot) -> None:
    dialog = cover_dialog
    current = dialog.cover.periods[0]
    start = date(current.ends_on.year, 9, 1)
    _set_dates(dialog, start, date(start.year + 1, 8, 31))
    dialog.status.setCurrentIndex(dialog.status.findData("pending_payment"))
    dialog.claims.setValue(3)
    assert _act(dialog, qtbot, dialog.add_button.click) == "Cover period added."
    assert dialog.table.rowCount() == 2
    newest = dialog.cover.periods[0]
    assert (newest.starts_on, newest.status, newest.claims_allowed) == (start, "pending_payment", 3)
    text = _act(dialog, qtbot, dialog.add_button.click)
    assert dialog.message.property("tone") == "bad"
    assert text.startswith("Anna Smith (7A) has cover from 01/09/")
    assert text.endswith("which overlaps this period.")
    assert dialog.table.rowCount() == 2


def test_editing_the_chosen_period(cover_dialog, qtbot) -> None:
    dialog = cover_dialog
    assert not dialog.save_button.isEnabled()
    dialog.choose(0)
    assert dialog.save_button.isEnabled()
    assert dialog.claims.value() == 2
    dialog.claims.setValue(3)
    dialog.status.setCurrentIndex(dialog.status.findData("lapsed"))
    assert _act(dialog, qtbot, dialog.save_button.click) == "Cover period saved."
    period = dialog.cover.periods[0]
    assert (period.status, period.claims_allowed) == ("lapsed", 3)
    assert dialog.table.item(0, 3).text() == "lapsed"
    dialog.choose(0)
    dialog.claims.setValue(0)
    text = _act(dialog, qtbot, dialog.save_button.click)
    assert text == "1 claims were already made in this period; it cannot allow fewer."
    dialog.claims.setValue(2)
    _set_dates(dialog, period.ends_on, period.starts_on)
    text = _act(dialog, qtbot, dialog.save_button.click)
    assert text.startswith("The cover ends (") and "before it starts" in text


def test_the_cover_services_check_their_input(session_factory, bench_school) -> None:
    with pytest.raises(ValidationError, match="'Gold' is not an insurance scheme"):
        cover_periods.add_cover_period(
            session_factory, "admin", student_code=bench_school.ben, scheme="Gold",
            starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
        )  # fmt: skip
    with pytest.raises(ValidationError, match="'sort of' is not a cover status"):
        cover_periods.add_cover_period(
            session_factory, "admin", student_code=bench_school.ben, scheme="standard COVER",
            starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31), status="sort of",
        )  # fmt: skip
    cover = cover_periods.add_cover_period(
        session_factory, "admin", student_code=bench_school.ben, scheme="standard cover",
        starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
    )  # fmt: skip
    assert [(p.scheme, p.claims_allowed, p.claims_used) for p in cover.periods] == [
        ("Standard cover", 2, 0)
    ]
    first = cover.periods[0].id
    with pytest.raises(ValidationError, match="cannot be negative"):
        cover_periods.edit_cover_period(
            session_factory, "admin", first, scheme="Standard cover",
            starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31), status="insured",
            claims_allowed=-1,
        )  # fmt: skip
    cover = cover_periods.add_cover_period(
        session_factory, "admin", student_code=bench_school.ben, scheme="Standard cover",
        starts_on=date(2027, 9, 1), ends_on=date(2028, 8, 31), status="uninsured",
    )  # fmt: skip
    assert [p.starts_on.year for p in cover.periods] == [2027, 2026]
    with pytest.raises(Refused, match="overlaps this period"):
        cover_periods.edit_cover_period(
            session_factory, "admin", first, scheme="Standard cover",
            starts_on=date(2026, 9, 1), ends_on=date(2027, 9, 30), status="insured",
            claims_allowed=2,
        )  # fmt: skip
    with pytest.raises(NotFound):
        cover_periods.edit_cover_period(
            session_factory, "admin", 9999, scheme="Standard cover",
            starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31), status="insured",
            claims_allowed=2,
        )  # fmt: skip
