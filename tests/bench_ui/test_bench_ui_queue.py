"""The bench queue on a real SQLite file: counts per state, filters, age colours, and scanning a
device, a repair receipt or a student card to open the ticket."""

from __future__ import annotations

from PySide6.QtCore import Qt

from helpdesk.services.core.codes import ticket_code


def _codes(panel) -> list[str]:  # noqa: ANN001
    return [row.code for row in panel.model.rows]


def _refreshed(panel, qtbot, action) -> None:  # noqa: ANN001
    before = panel.queue
    action()
    qtbot.waitUntil(lambda: panel.queue is not before, timeout=10000)


def test_queue_shows_open_tickets_oldest_first_with_counts(bench_panel, bench_school) -> None:
    panel = bench_panel
    codes = _codes(panel)
    assert codes[0] == ticket_code(bench_school.anna_ticket)  # the oldest first
    assert sorted(codes[1:]) == sorted(
        ticket_code(t) for t in (bench_school.ben_ticket, bench_school.cara_ticket)
    )
    assert ticket_code(bench_school.cancelled_ticket) not in _codes(panel)
    assert panel.chip_buttons["logged"].text().split() == ["logged", "2"]
    assert panel.chip_buttons["with_vendor"].text().split() == ["with", "vendor", "1"]
    assert panel.chip_buttons[None].text().split() == ["all", "open", "3"]
    assert panel.chip_buttons[None].isChecked()
    assert panel.count.text() == "3 tickets"
    assert panel.old_label.text() == "1 older than 5 school days"


def test_old_ticket_stands_out_in_red_and_a_new_one_does_not(bench_panel, bench_school) -> None:
    panel = bench_panel
    model = panel.model
    from helpdesk.ui.models.queue_model import AGE_COLUMN
    from helpdesk.ui.style import BAD, BAD_BG

    by_code = {row.code: n for n, row in enumerate(model.rows)}
    old = model.index(by_code[ticket_code(bench_school.anna_ticket)], AGE_COLUMN)
    new = model.index(by_code[ticket_code(bench_school.ben_ticket)], AGE_COLUMN)
    assert model.rows[old.row()].age_school_days >= 9  # two weeks ago: 10 school days
    assert model.data(old) == str(model.rows[old.row()].age_school_days)
    assert model.headerData(AGE_COLUMN, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == (
        "School days"
    )
    assert model.data(old, Qt.ItemDataRole.BackgroundRole).color().name() == BAD_BG
    assert model.data(old, Qt.ItemDataRole.ForegroundRole).color().name() == BAD
    assert model.data(new) == "0"
    assert model.data(new, Qt.ItemDataRole.BackgroundRole) is None


def test_filters_by_state_technician_and_vendor(bench_panel, bench_school, qtbot) -> None:
    panel = bench_panel
    anna, ben, cara = (ticket_code(t) for t in (bench_school.anna_ticket, bench_school.ben_ticket,
                                                bench_school.cara_ticket))  # fmt: skip
    _refreshed(panel, qtbot, lambda: panel.chip_buttons["with_vendor"].click())
    assert _codes(panel) == [cara]
    assert panel.state_filter.currentData() == "with_vendor"
    assert panel.chip_buttons["with_vendor"].isChecked()
    assert not panel.chip_buttons[None].isChecked()
    _refreshed(panel, qtbot, lambda: panel.set_state("logged"))
    assert sorted(_codes(panel)) == sorted([anna, ben])
    # counts stay those of the whole bench while the rows are filtered
    assert panel.chip_buttons["with_vendor"].text().endswith("1")
    _refreshed(panel, qtbot, lambda: panel.set_state(None))
    _refreshed(panel, qtbot, lambda: panel.set_technician("mwright"))
    assert _codes(panel) == [cara]
    _refreshed(panel, qtbot, lambda: panel.set_technician(""))
    assert sorted(_codes(panel)) == sorted([anna, ben])
    _refreshed(panel, qtbot, lambda: panel.set_technician(None))
    assert panel.vendor_filter.findData("Lenovo depot repair") >= 0
    _refreshed(panel, qtbot, lambda: panel.set_vendor("Lenovo depot repair"))
    assert _codes(panel) == [cara]
    _refreshed(panel, qtbot, lambda: panel.set_vendor(""))
    assert sorted(_codes(panel)) == sorted([anna, ben])
    _refreshed(panel, qtbot, lambda: panel.set_vendor(None))
    _refreshed(panel, qtbot, lambda: panel.closed_box.setChecked(True))
    assert ticket_code(bench_school.cancelled_ticket) in _codes(panel)
    assert panel.count.text() == "4 tickets"
    from helpdesk.ui.models.queue_model import AGE_COLUMN

    cancelled = _codes(panel).index(ticket_code(bench_school.cancelled_ticket))
    cell = panel.model.index(cancelled, AGE_COLUMN)
    assert panel.model.data(cell, Qt.ItemDataRole.BackgroundRole) is None


def test_sorting_by_a_column(bench_panel, bench_school) -> None:
    panel = bench_panel
    panel.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [r.id for r in panel.model.rows] == sorted(r.id for r in panel.model.rows)
    panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [r.id for r in panel.model.rows] == sorted(
        (r.id for r in panel.model.rows), reverse=True
    )


def test_scanning_a_receipt_opens_its_ticket(bench_panel, bench_school, qtbot) -> None:
    panel = bench_panel
    with qtbot.waitSignal(panel.opened, timeout=10000) as opened:
        panel.scan_box.scanned.emit(ticket_code(bench_school.ben_ticket), True)
    page = opened.args[0]
    qtbot.waitUntil(lambda: page.page is not None, timeout=10000)
    assert page.ticket_id == bench_school.ben_ticket
    assert page.page.ticket.asset_tag == bench_school.ben_laptop
    assert "Ben Jones (8B)" in page.subtitle.text()


def test_scanning_a_device_or_a_student_opens_the_open_ticket(
    bench_panel, bench_school, qtbot
) -> None:
    panel = bench_panel
    with qtbot.waitSignal(panel.opened, timeout=10000) as opened:
        panel.scan_box.scanned.emit(bench_school.cara_laptop, True)
    assert opened.args[0].ticket_id == bench_school.cara_ticket
    with qtbot.waitSignal(panel.opened, timeout=10000) as opened:
        panel.scan_box.scanned.emit(bench_school.anna, True)
    assert opened.args[0].ticket_id == bench_school.anna_ticket
    # the same ticket again brings the open page forward instead of a second one
    again = panel.open_ticket(bench_school.anna_ticket)
    assert again is opened.args[0]
    assert len(panel.pages) == 2


def test_scanning_something_without_a_ticket_says_so_in_red(bench_panel, bench_school, qtbot):
    panel = bench_panel
    panel.scan_box.scanned.emit(bench_school.spares[0], True)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=10000)
    assert panel.message.text() == f"{bench_school.spares[0]} has no open repair ticket."
    assert panel.message.property("tone") == "bad"
    panel.scan_box.scanned.emit("NO-SUCH-THING", True)
    qtbot.waitUntil(lambda: "NO-SUCH-THING" in panel.message.text(), timeout=10000)
    assert "is not a student card, asset tag" in panel.message.text()
    panel.scan_box.scanned.emit("TKT-009999", True)
    qtbot.waitUntil(lambda: "TKT-009999" in panel.message.text(), timeout=10000)
    assert panel.message.text() == "The repair receipt TKT-009999 is not in the records."
    assert not panel.pages


def test_closing_a_page_while_it_loads_loses_nothing(bench_panel, bench_school, qtbot) -> None:
    panel = bench_panel
    page = panel.open_ticket(bench_school.ben_ticket)
    page.close()  # before its ticket arrives: the late answer is dropped, not shown on a ghost
    qtbot.waitUntil(lambda: not panel.pages, timeout=10000)
    qtbot.waitUntil(lambda: not panel.ctx.runner.busy(), timeout=10000)  # the late answer is in
    page = panel.open_ticket(bench_school.ben_ticket)
    qtbot.waitUntil(lambda: page.page is not None, timeout=10000)


def test_a_scanned_student_card_offers_their_cover_periods(bench_panel, bench_school, qtbot):
    panel = bench_panel
    with qtbot.waitSignal(panel.opened, timeout=10000):
        panel.scan_box.scanned.emit(bench_school.ben, True)
    assert panel.cover_button.isVisible()
    assert panel.cover_button.text() == "Cover periods of Ben Jones…"
    dialog = panel.open_cover()
    qtbot.waitUntil(lambda: dialog.cover is not None, timeout=10000)
    assert dialog.title.text() == "Cover periods of Ben Jones (8B), card S0002"
    assert dialog.message.text() == "Ben Jones (8B) has no cover on record."
    dialog.close()
    panel.scan_box.scanned.emit(bench_school.spares[0], True)
    qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=10000)
    assert not panel.cover_button.isVisible()
