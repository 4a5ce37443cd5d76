"""A real print from the labels panel: a form's labels go through the print queue (Qt, CUPS) to a
cups-pdf queue; the PDF CUPS writes reads back tag by tag in hand-out order, and the print is
recorded."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from labels_ui_helpers import HAND_OUT_7A, decode_cell, label_prints, render_pages

from helpdesk.labels.templates import get_template

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "labels"))
from cups_queue import CupsUnavailable, make_queue  # noqa: E402

pytestmark = pytest.mark.cups


@pytest.fixture(scope="module")
def labels_ui_cups_queue():
    try:
        queue = make_queue("HelpdeskLabelsPanelPDF")
    except CupsUnavailable as exc:
        if os.geteuid() == 0:
            raise  # as root (CI) the real print always runs
        pytest.skip(f"real printing skipped: {exc}")
    yield queue
    queue.remove()


def test_form_printed_through_cups_reads_back_and_is_recorded(
    qtbot,  # noqa: ANN001
    labels_ui_panel,  # noqa: ANN001
    labels_ui_cups_queue,  # noqa: ANN001
):
    panel = labels_ui_panel
    panel.ctx.machine.set_printer("label", labels_ui_cups_queue.name)
    panel.activated()
    assert panel.printer_choice.currentData() == labels_ui_cups_queue.name
    panel.set_template("avery-l7163")
    panel.set_source("form", "7A")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    since = time.time()
    panel.print_labels()
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
    assert label_prints(panel.ctx.factory) == [(tag, "avery-l7163", "admin") for tag in HAND_OUT_7A]
