"""What the labels panel refuses, and says why, without writing or recording anything: a tag too
long for the stock, a printer that is not there (the job is kept for a retry); and the hand-over
agreements of a form."""

from __future__ import annotations

import io

from labels_ui_helpers import label_prints
from pypdf import PdfReader

from helpdesk.ui.printing import kept_jobs

LONG_TAG = "NORTHFIELD-LAPTOP-000777"  # too long for the mini labels
TOO_LONG_TAG = "NORTHFIELD-ACADEMY-LAPTOP-2026-000777"  # too long for any Code 128 here


def _add_long_tag_device(factory, tag: str = LONG_TAG) -> None:  # noqa: ANN001
    from helpdesk.domain.enums import DeviceKind, DevicePool
    from helpdesk.domain.models import Device

    with factory() as s, s.begin():
        s.add(
            Device(
                asset_tag=tag,
                serial=f"SN-{tag}",
                make="HP",
                model="ProBook 440 G9",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
            )
        )


def test_too_small_stock_is_refused_before_printing(qtbot, labels_ui_panel, tmp_path):  # noqa: ANN001
    panel = labels_ui_panel
    _add_long_tag_device(panel.ctx.factory)
    panel.set_template("avery-l7651")
    panel.set_source("tags", f"PER-000201\n{LONG_TAG}\n")
    qtbot.waitUntil(panel.is_settled, timeout=15000)
    text = panel.summary.text()
    assert panel.summary.property("tone") == "bad"
    assert text.startswith(f"Cannot print the label for {LONG_TAG}: ")
    assert "Nothing was printed; use a larger stock (avery-l7162" in text
    assert not panel.print_button.isEnabled() and not panel.save_button.isEnabled()
    assert not panel.preview_view.has_image()
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "refused.pdf"
    panel.save_pdf(str(out))
    panel.print_labels()
    qtbot.waitUntil(lambda: not panel.ctx.runner.busy(), timeout=15000)
    assert not list(folder.iterdir())
    assert label_prints(panel.ctx.factory) == [] and kept_jobs() == []
    assert "nothing was printed" in panel.message_text()

    # a larger stock takes it
    panel.set_template("avery-l7163")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert [d.asset_tag for d in panel.preview.devices] == ["PER-000201", LONG_TAG]


def test_a_tag_too_long_for_any_code_128_is_offered_a_qr_code(qtbot, labels_ui_panel):  # noqa: ANN001
    panel = labels_ui_panel
    _add_long_tag_device(panel.ctx.factory, TOO_LONG_TAG)
    panel.set_template("avery-l7163")
    panel.set_source("tags", TOO_LONG_TAG)
    qtbot.waitUntil(panel.is_settled, timeout=15000)
    assert panel.summary.property("tone") == "bad"
    assert "print it as a QR code (choose 'QR only' under Code)" in panel.summary.text()
    panel.choices.code_choice.setCurrentIndex(panel.choices.code_choice.findData("qr"))
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    assert panel.preview.request.design.symbology == "qr"


def test_saving_onto_a_folder_says_so_and_records_nothing(qtbot, labels_ui_panel, tmp_path):  # noqa: ANN001
    panel = labels_ui_panel
    panel.set_source("form", "7A")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.save_pdf(str(tmp_path))
    qtbot.waitUntil(lambda: panel.message.property("tone") == "bad", timeout=15000)
    assert "is a folder; give a file name such as labels.pdf" in panel.message_text()
    assert label_prints(panel.ctx.factory) == []
    assert panel.is_ready()  # nothing lost: save again elsewhere


def test_absent_printer_says_so_and_keeps_the_job(qtbot, labels_ui_panel):  # noqa: ANN001
    panel = labels_ui_panel
    panel.ctx.machine.set_printer("label", "Absent-Label-Printer")
    panel.activated()
    assert panel.printer_choice.currentText() == "Absent-Label-Printer (not found)"
    panel.set_source("form", "8B")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    panel.print_labels()
    # the printer's refusal may be said before the print job's worker has finished: wait for both
    qtbot.waitUntil(lambda: panel.message.property("tone") == "bad", timeout=20000)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=20000)
    text = panel.message_text()
    assert "'Absent-Label-Printer' is not available" in text
    assert "The job is kept and can be printed again." in text
    jobs = kept_jobs()
    assert [(j.kind, j.printer) for j in jobs] == [("label", "Absent-Label-Printer")]
    assert jobs[0].pdf.startswith(b"%PDF")
    assert label_prints(panel.ctx.factory) == []  # not printed, so not recorded
    assert panel.retry_button.isVisible() and panel.retry_button.text() == "Print again (1 batch)"
    qtbot.waitUntil(panel.is_ready, timeout=5000)  # ready to try again

    panel.print_kept()  # the printer is still not there: still kept, once
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=20000)
    assert "'Absent-Label-Printer' is not available" in panel.message_text()
    assert len(kept_jobs()) == 1 and panel.retry_button.isVisible()
    assert label_prints(panel.ctx.factory) == []


def test_handover_agreements_for_a_form(qtbot, labels_ui_panel, tmp_path):  # noqa: ANN001
    panel = labels_ui_panel
    panel.set_source("tags", "PER-000201")
    assert not panel.handover_button.isEnabled()
    panel.set_source("form", "7A")
    assert panel.handover_button.isEnabled()
    out = tmp_path / "handover-7A.pdf"
    panel.save_handover(str(out))
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    assert "Saved 3 hand-over agreements" in panel.message_text()
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    positions = [text.find(name) for name in ("Amir Ahmed", "Bea Baker", "Cara Cole")]
    assert -1 not in positions and positions == sorted(positions)  # hand-out order
    assert "Eve Evans" not in text

    panel.print_handover()  # no slip printer on this computer
    qtbot.waitUntil(lambda: panel.message.property("tone") == "bad", timeout=15000)
    assert "No printer is chosen" in panel.message_text()
    assert [j.kind for j in kept_jobs()] == ["slip"]


def test_labels_saved_but_not_recorded_are_told_so(qtbot, labels_ui_panel, tmp_path, monkeypatch):  # noqa: ANN001
    from helpdesk.domain.errors import Refused
    from helpdesk.services.reporting import documents

    def locked(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise Refused("The database is busy; try again in a moment.")

    panel = labels_ui_panel
    panel.set_source("form", "8B")
    qtbot.waitUntil(panel.is_ready, timeout=15000)
    monkeypatch.setattr(documents, "record_label_prints", locked)
    out = tmp_path / "8B.pdf"
    panel.save_pdf(str(out))
    qtbot.waitUntil(lambda: panel.message.property("tone") == "good", timeout=15000)
    assert out.is_file()  # the sheets are there
    panel.mark_printed()
    qtbot.waitUntil(lambda: panel.message.property("tone") == "bad", timeout=15000)
    assert panel.message_text() == (
        "The labels of form 8B were not recorded as printed, so they still count as not yet "
        "labelled: The database is busy; try again in a moment."
    )
    assert label_prints(panel.ctx.factory) == []
    assert panel.mark_button.isVisible() and panel.mark_button.isEnabled()  # to try again
