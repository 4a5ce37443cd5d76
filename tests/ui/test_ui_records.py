"""Students and devices lists: type-ahead search off the GUI thread on a real SQLite file."""

from __future__ import annotations

from helpdesk.ui.records.panel import RecordsPanel


def _wait_search(qtbot, search_list, text: str) -> None:  # noqa: ANN001
    with qtbot.waitSignal(search_list.model.loaded, timeout=5000):
        search_list.search_box.clear()
        qtbot.keyClicks(search_list.search_box, text)


def test_device_search_as_you_type(qtbot, ctx, school):  # noqa: ANN001
    panel = RecordsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.tabs.setCurrentIndex(1)
    devices = panel.devices
    qtbot.waitUntil(lambda: devices.model.total == 8, timeout=5000)
    _wait_search(qtbot, devices, "LNR")
    qtbot.waitUntil(lambda: devices.model.total == 5 and not devices.model.searching)
    assert devices.count_label.text() == "5 found"
    rows = [devices.model.row_record(r).asset_tag for r in range(devices.model.rowCount())]
    assert rows == list(school.loaners)
    _wait_search(qtbot, devices, "PER-000001")
    qtbot.waitUntil(lambda: devices.model.total == 1 and not devices.model.searching)
    first = devices.model.row_record(0)
    assert first.holder == "Anna Smith (7A)" and first.holder_via == "assigned"


def test_student_search_by_name_form_or_card(qtbot, ctx, school):  # noqa: ANN001
    panel = RecordsPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.activated()
    students = panel.students
    qtbot.waitUntil(lambda: students.model.total == 3, timeout=5000)
    for query, expected in (("smith", ["Smith"]), ("8B", ["Jones"]), ("S0003", ["Left"])):
        _wait_search(qtbot, students, query)
        qtbot.waitUntil(lambda: not students.model.searching)
        names = [students.model.row_record(r).last_name for r in range(students.model.total)]
        assert names == expected, query
    left = students.model.row_record(0)
    assert students.model.data(students.model.index(0, 7)) == "left"
    assert left.status == "left"


def test_stale_search_answers_are_dropped(qtbot, ctx, school):  # noqa: ANN001
    panel = RecordsPanel(ctx)
    qtbot.addWidget(panel)
    model = panel.devices.model
    for text in ("P", "PE", "PER", "LNR-00", "LNR-004"):
        model.search(text)
    qtbot.waitUntil(lambda: not model.searching, timeout=5000)
    qtbot.waitUntil(lambda: not ctx.runner.busy(), timeout=5000)  # every answer is in
    assert model.total == 1 and model.row_record(0).asset_tag == "LNR-004"
