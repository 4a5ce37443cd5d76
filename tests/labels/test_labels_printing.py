"""A real print: a sheet goes through the app's print path (Qt, CUPS) to a cups-pdf queue; the
PDF that CUPS writes is read back and every label decodes in its own cell. A printer that is
missing or refusing jobs gives a clear message and the job is kept for a retry."""

from __future__ import annotations

import time
import uuid

import pytest
from cups_queue import queue_or_skip
from pdf_shapes import crop, decode, render

from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, render_labels
from helpdesk.labels.templates import get_template

pytestmark = pytest.mark.cups

QUEUE = "HelpdeskTestPDF"


@pytest.fixture(scope="module")
def cups_queue():
    queue = queue_or_skip(QUEUE)
    yield queue
    queue.remove()


@pytest.fixture
def print_queue(qapp, tmp_path):
    from helpdesk.ui.machine_settings import MachineSettings
    from helpdesk.ui.printing import PrintQueue

    return PrintQueue(MachineSettings(str(tmp_path / "machine.ini")))


def _sheet(tags):
    template = get_template("avery-l7160")
    return template, render_labels(
        template, [AssetLabel(t) for t in tags], LabelDesign(header="Northfield")
    )


def test_sheet_printed_through_cups_reads_back(cups_queue, print_queue, qtbot):
    from helpdesk.ui.printing import PrintJob

    run = uuid.uuid4().hex[:8]
    tags = [f"PER-{n:06d}" for n in range(1, 22)]
    template, sheets = _sheet(tags)
    print_queue.remember("label", cups_queue.name)
    since = time.time()
    with qtbot.waitSignal(print_queue.printed, timeout=60_000) as signal:
        assert print_queue.submit(PrintJob("label", f"labels-{run}", sheets.pdf))
    assert signal.args == ["label", cups_queue.name, 1]
    written = cups_queue.wait_for_pdf(f"labels-{run}", since)
    page = render(written, 300)[0]
    written.unlink()
    for p in sheets.placements:
        c = p.cell
        assert decode(crop(page, c.x, c.y, c.width, c.height, 300)) == [p.tag]


def test_missing_printer_keeps_the_job_and_a_retry_prints_it(cups_queue, print_queue, qtbot):
    from helpdesk.ui.printing import PrintJob, kept_jobs

    run = uuid.uuid4().hex[:8]
    _, sheets = _sheet(["PER-000500"])
    print_queue.remember("label", "NoSuchPrinter")
    with qtbot.waitSignal(print_queue.failed) as failed:
        assert not print_queue.submit(PrintJob("label", f"retry-{run}", sheets.pdf))
    kind, message = failed.args
    assert kind == "label" and "'NoSuchPrinter' is not available" in message
    assert "kept" in message
    assert [j.title for j in kept_jobs()] == [f"retry-{run}"]
    print_queue.remember("label", cups_queue.name)
    since = time.time()
    assert print_queue.retry() == (1, 0)
    assert kept_jobs() == []
    written = cups_queue.wait_for_pdf(f"retry-{run}", since)
    page = render(written, 300)[0]
    written.unlink()
    assert decode(page) == ["PER-000500"]


def test_a_queue_refusing_jobs_is_reported(cups_queue, qapp):
    from helpdesk.ui.printing import PrintError, print_pdf

    _, sheets = _sheet(["PER-000600"])
    cups_queue.reject()
    try:
        with pytest.raises(PrintError, match="is not accepting jobs"):
            print_pdf(sheets.pdf, cups_queue.name, title="refused")
    finally:
        cups_queue.accept()


def test_labels_command_prints_to_the_queue(cups_queue, capsys):
    from helpdesk.cli import main

    run = uuid.uuid4().hex[:6]
    since = time.time()
    tag = f"CMD-{run}".upper()
    assert (
        main(["labels", "--template", "zebra-2x1", "--tags", tag, "--printer", cups_queue.name])
        == 0
    )
    assert f"sent 1 page to {cups_queue.name}" in capsys.readouterr().out
    written = cups_queue.wait_for_pdf("Asset labels", since)
    page = render(written, 203)[0]
    written.unlink()
    assert decode(page) == [tag]


def test_labels_command_records_a_batch_the_printer_accepted(
    cups_queue, school, sqlite_url, capsys
):
    from helpdesk.cli import main
    from helpdesk.services.reporting.documents import unlabelled_devices

    factory, _ = school
    since = time.time()
    argv = ["--db", sqlite_url, "labels", "--template", "avery-l7160", "--form", "7A"]
    assert main([*argv, "--printer", cups_queue.name]) == 0
    said = capsys.readouterr().out
    assert f"sent 1 page to {cups_queue.name}" in said
    assert "recorded 3 labels as printed by admin" in said
    cups_queue.wait_for_pdf("Asset labels", since).unlink()
    left = {d.asset_tag for d in unlabelled_devices(factory)}
    assert not {"PER-000101", "PER-000102", "PER-000103"} & left
