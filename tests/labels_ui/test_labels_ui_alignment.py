"""Lining a printer up with its labels from the labels area: the correction is kept per printer,
a printer that is not there says so, and a correction too large is refused."""

from __future__ import annotations

from helpdesk.labels.calibration import get_offset
from helpdesk.ui.printing import kept_jobs


def test_line_up_keeps_the_printers_correction(qtbot, labels_ui_panel):  # noqa: ANN001
    panel = labels_ui_panel
    panel.ctx.machine.set_printer("label", "Office-Labels")
    panel.activated()
    dialog = panel.line_up()
    assert dialog.isVisible() and dialog.x_offset.value() == 0 and dialog.y_offset.value() == 0
    dialog.x_offset.setValue(0.6)
    dialog.y_offset.setValue(-0.4)
    assert dialog.keep()
    assert "Office-Labels now move +0.6 mm across and -0.4 mm down" in dialog.message.text()
    assert (get_offset("Office-Labels").x, get_offset("Office-Labels").y) == (0.6, -0.4)
    assert get_offset("Another").x == 0

    dialog.print_test_page()  # the printer is not there: said, and nothing kept for a retry
    qtbot.waitUntil(dialog.test_button.isEnabled, timeout=20000)
    assert "'Office-Labels' is not available" in dialog.message.text()
    assert kept_jobs() == []
    dialog.close()

    again = panel.line_up()  # opens on the correction kept
    assert (again.x_offset.value(), again.y_offset.value()) == (0.6, -0.4)
    again.close()
