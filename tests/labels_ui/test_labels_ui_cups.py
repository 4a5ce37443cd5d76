"""A real print from the labels panel: a form's labels sent to a printer that is off are kept;
once a cups-pdf queue is chosen, 'Print again' sends them through the print queue (Qt, CUPS); the
PDF CUPS writes reads back tag by tag in hand-out order, and the print is recorded."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from labels_ui_helpers import HAND_OUT_7A, decode_cell, ink_centre_x, label_prints, render_pages

from helpdesk.labels.calibration import set_offset
from helpdesk.labels.templates import get_template
from helpdesk.ui.printing import kept_jobs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labels"))
from cups_queue import queue_or_skip  # noqa: E402

pytestmark = pytest.mark.cups


@pytest.fixture(scope="module")
def labels_ui_cups_queue():
    queue = queue_or_skip("HelpdeskLabelsPanelPDF")
    yield queue
    queue.remove()


def test_kept_labels_printed_through_cups_read_back_and_are_recorded(
    qtbot,  # noqa: ANN001
    labels_ui_panel,  # noqa: ANN001
    labels_ui_cups_queue,  # noqa: ANN001
):
    panel = labels_ui_panel
    panel.ctx.machine.set_printer("label", "Switched-Off-Printer")
    panel.activated()
    panel.set_template("avery-l7163")
    panel.set_source("form", "7A")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.print_labels()  # the printer is off: the job is kept
    qtbot.waitUntil(lambda: panel.retry_button.isVisible(), timeout=30000)
    assert label_prints(panel.ctx.factory) == [] and len(kept_jobs()) == 1

    # the labels printer is chosen (its labels sit 3 mm too far left: it has a correction),
    # and the kept batch is printed again
    set_offset(labels_ui_cups_queue.name, 3.0, 0.0)
    panel.printer_choice.setCurrentIndex(panel.printer_choice.findData(labels_ui_cups_queue.name))
    assert panel.ctx.machine.printer("label") == labels_ui_cups_queue.name  # remembered
    since = time.time()
    panel.print_kept()
    qtbot.waitUntil(lambda: panel.message.property("tone") in ("good", "bad"), timeout=60000)
    assert panel.message_text().startswith(
        f"Sent 3 labels on 1 sheet to {labels_ui_cups_queue.name}; recorded as printed by admin"
    )
    written = labels_ui_cups_queue.wait_for_pdf("Asset labels (3) on avery-l7163", since)
    page = render_pages(written)[0]
    written.unlink()
    t = get_template("avery-l7163")
    assert [decode_cell(page, t.cell(i)) for i in range(3)] == [[tag] for tag in HAND_OUT_7A]
    assert decode_cell(page, t.cell(3)) == []
    for index in range(3):  # each label's ink is centred 3 mm right of its cell's centre
        c = t.cell(index)
        shift = ink_centre_x(page, c.x - 1, c.y, c.width + 4, c.height) - (c.x + c.width / 2)
        assert abs(shift - 3.0) < 0.3, shift
    assert label_prints(panel.ctx.factory) == [(tag, "avery-l7163", "admin") for tag in HAND_OUT_7A]
    assert kept_jobs() == [] and not panel.retry_button.isVisible()

    # the form's hand-over agreements on the slip printer, one sheet per student
    panel.ctx.machine.set_printer("slip", labels_ui_cups_queue.name)
    since = time.time()
    panel.print_handover()
    qtbot.waitUntil(lambda: "hand-over agreements to" in panel.message_text(), timeout=60000)
    assert panel.message_text() == f"Sent 3 hand-over agreements to {labels_ui_cups_queue.name}."
    written = labels_ui_cups_queue.wait_for_pdf("Hand-over agreements", since)
    pages = render_pages(written, dpi=100)
    written.unlink()
    assert len(pages) == 3
