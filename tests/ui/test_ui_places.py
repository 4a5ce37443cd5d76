"""A device's place on its record window: shown on the card, set with "Place…" (Alt+P) by a
technician and up through the database thread, a refusal shown in one sentence, and the button
hidden from the counter role. A real SQLite school and the real dialog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import Staff
from helpdesk.services.records.browse import device_page
from helpdesk.services.records.places import set_location
from helpdesk.ui.records.detail_dialog import DetailDialog


def _open(qtbot, ctx, tag: str) -> DetailDialog:  # noqa: ANN001
    rows, _total = device_page(ctx.factory, tag, 0, 5, False)
    dialog = DetailDialog(ctx, "device", rows[0].id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=5000)
    return dialog


def _place_field(dialog: DetailDialog) -> str:
    assert dialog.detail is not None
    return dict(dialog.detail.card.fields)["Place"]


def test_a_technician_sets_the_place_from_the_record(qtbot, ctx, school, monkeypatch):  # noqa: ANN001
    set_location(ctx.factory, "admin", "LNR-002", "Cart A")
    dialog = _open(qtbot, ctx, school.spare)
    assert _place_field(dialog) == "none recorded"
    assert dialog.place_button.isVisible()
    asked = []

    def answer(parent, title, label, text=""):  # noqa: ANN001, ANN202
        asked.append((title, text))
        return "cart a", True

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(answer))
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: _place_field(dialog) == "Cart A", timeout=5000)
    assert asked == [("Place", "")]
    assert dialog.status.text() == f"{school.spare} is now at Cart A."
    assert dialog.status.isVisible()
    dialog.set_place("Cart\x07B")
    qtbot.waitUntil(lambda: "control character" in dialog.status.text(), timeout=5000)
    assert dialog.status.text() == (
        "A place cannot hold a control character (\\x07), which no one can type back at a "
        "stocktake; retype it."
    )
    assert _place_field(dialog) == "Cart A" and dialog.place_button.isEnabled()


@pytest.mark.parametrize(("role", "shown"), [("counter", False), ("technician", True)])
def test_the_place_button_is_a_technicians(qtbot, ctx, school, role, shown):  # noqa: ANN001
    with ctx.factory() as session, session.begin():
        session.add(Staff(username="someone", display_name="Some One", role=StaffRole(role)))
    ctx.actor = "someone"
    dialog = _open(qtbot, ctx, "LNR-001")
    assert dialog.place_button.isVisible() is shown
    assert _place_field(dialog) == "none recorded"
