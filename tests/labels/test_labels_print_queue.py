"""The print path without a print server: a printer that is not there gives a sentence for the
counter and the job waits in the print queue folder; preview images; Save as PDF."""

from __future__ import annotations

import pytest

from helpdesk.labels.asset_labels import AssetLabel, render_labels
from helpdesk.labels.templates import get_template


@pytest.fixture
def queue(qapp, tmp_path):
    from helpdesk.ui.machine_settings import MachineSettings
    from helpdesk.ui.printing import PrintQueue

    return PrintQueue(MachineSettings(str(tmp_path / "machine.ini")))


def _pdf() -> bytes:
    return render_labels(get_template("avery-l7651"), [AssetLabel("PER-000001")] * 70).pdf


def test_missing_printer_is_reported_and_the_job_kept(queue, qtbot):
    from helpdesk.ui.printing import PrintJob, kept_jobs, queue_dir

    queue.remember("label", "Workroom Laser That Is Gone")
    assert queue.printer_for("label") == "Workroom Laser That Is Gone"
    with (
        qtbot.waitSignal(queue.failed) as failed,
        qtbot.waitSignal(queue.pending_changed) as pending,
    ):
        assert queue.submit(PrintJob("label", "Asset labels 7A", _pdf(), dpi=None)) is False
    assert "'Workroom Laser That Is Gone' is not available" in failed.args[1]
    assert pending.args == [1]
    [job] = kept_jobs()
    assert job.title == "Asset labels 7A" and job.kind == "label" and job.pdf == _pdf()
    assert job.kept_at.parent == queue_dir()
    assert queue.retry() == (0, 1)  # still missing: still kept, never lost
    assert len(kept_jobs()) == 1


def test_unknown_kind_of_document_is_refused(queue):
    with pytest.raises(ValueError, match="unknown kind"):
        queue.remember("poster", "Office")


def test_preview_and_save_as_pdf(qapp, tmp_path):
    from helpdesk.ui.printing import PrintError, preview_pages, save_pdf

    pages = preview_pages(_pdf(), dpi=50)
    assert len(pages) == 2
    assert abs(pages[0].width() - round(210 / 25.4 * 50)) <= 1
    assert pages[0].pixelColor(2, 2).lightness() == 255  # paper white, not transparent black
    target = save_pdf(_pdf(), tmp_path / "out" / "labels.pdf")
    assert target.read_bytes() == _pdf()
    (tmp_path / "folder.pdf").mkdir()
    with pytest.raises(PrintError, match="Cannot save the PDF"):
        save_pdf(_pdf(), tmp_path / "folder.pdf")
    assert not (tmp_path / "folder.pdf.part").exists()
