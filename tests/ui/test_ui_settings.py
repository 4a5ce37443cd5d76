"""The settings dialog: the school's settings saved in the database, this computer's in its file."""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import QTime

from helpdesk.services.core.settings import get_settings


def test_school_settings_saved_and_shared(qtbot, ctx):  # noqa: ANN001
    from helpdesk.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    # the dialog opens at once; the school's settings arrive from the database thread
    assert dialog.school is None and not dialog.save_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.school is not None)
    assert dialog.save_button.isEnabled()
    dialog.school.school_name.setText("Hillside Academy")
    dialog.school.end_of_day.setTime(QTime(15, 10))
    dialog.school.loan_limit.setValue(2)
    dialog.school.tag_pattern.setText(r"PER-\d{6}|LNR-\d{3}")
    dialog.machine.sounds.setChecked(False)
    dialog.machine.slip_format.setCurrentIndex(dialog.machine.slip_format.findData("receipt-80mm"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    saved = get_settings(ctx.factory)
    assert saved.school_name == "Hillside Academy"
    assert saved.end_of_day == time(15, 10)
    assert saved.loan_limit == 2
    assert saved.asset_tag_pattern == r"PER-\d{6}|LNR-\d{3}"
    assert ctx.machine.sounds is False
    assert ctx.machine.slip_format == "receipt-80mm"
    assert dialog.school_name == "Hillside Academy"


def test_bad_pattern_is_refused_with_a_sentence(qtbot, ctx):  # noqa: ANN001
    from helpdesk.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.school is not None)
    dialog.school.card_pattern.setText("S(\\d+")
    dialog.save()
    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert "student card pattern 'S(\\d+' is not a valid regular expression" in dialog.error.text()
    assert get_settings(ctx.factory).card_pattern == ""
