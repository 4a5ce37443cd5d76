"""The reports panel on a real SQLite file: table contents, chart series, dates, CSV and PDFs."""

from __future__ import annotations

import csv
import os
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from reports_bench import TODAY, build_term

from helpdesk.services.core.codes import ticket_code
from helpdesk.ui.reports.panel import ReportsPanel


@pytest.fixture
def ctx(session_factory, qapp, runner):  # noqa: ANN001
    """What the panels share (jobs inline: none of these tests is about threading)."""
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style

    apply_style(qapp)
    return AppContext(
        factory=session_factory, actor="admin", database="SQLite: test", runner=runner
    )


def _panel(qtbot, ctx) -> ReportsPanel:  # noqa: ANN001
    panel = ReportsPanel(ctx)
    panel.today = TODAY
    qtbot.addWidget(panel)
    panel.resize(1100, 700)
    panel.show()
    return panel


def _shown(panel: ReportsPanel, name: str):  # noqa: ANN202
    return lambda: panel.table is not None and panel.table.name == name


def _bars(panel: ReportsPanel) -> dict[str, list[float]]:
    (series,) = panel.chart.series()
    return {s.label(): [s.at(i) for i in range(s.count())] for s in series.barSets()}


def test_reports_table_and_chart(qtbot, ctx, bench) -> None:  # noqa: ANN001
    panel = _panel(qtbot, ctx)
    panel.activated()
    qtbot.waitUntil(_shown(panel, "open-tickets"), timeout=5000)
    model = panel.model
    assert [model.cell(r, 0) for r in range(model.rowCount())] == [
        "diagnosing", "awaiting parts", "ready for collection",
    ]  # fmt: skip
    assert model.headerData(4, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == (
        "over 5 school days"
    )
    assert model.stands_out(1, 4) and not model.stands_out(0, 4) and not model.stands_out(1, 3)
    assert _bars(panel) == {
        "0–2 school days": [1, 0, 1],
        "3–5 school days": [0, 1, 1],
        "over 5 school days": [0, 1, 0],
    }
    assert "1 older than 5 school days" in panel.summary.text()

    panel.set_report("damage")
    qtbot.waitUntil(_shown(panel, "damage"), timeout=5000)
    assert model.rowCount() == 9
    assert [model.cell(1, c) for c in range(4)] == ["2026-10", "7", "screen", "2"]
    assert _bars(panel)["screen"] == [0, 3, 2]
    assert panel.chart.axes()[0].categories() == ["Sep 2026", "Oct 2026", "Nov 2026"]

    panel.set_report("charges")
    panel.set_dates(date(2026, 11, 23), date(2026, 11, 25))
    qtbot.waitUntil(lambda: _shown(panel, "charges")() and model.rowCount() == 2, timeout=5000)
    assert [model.cell(r, 1) for r in range(2)] == ["Anna Smith", "Dev Khan"]
    assert model.cell(0, 8) == "23/11/2026" and model.cell(1, 6) == "90.00"
    assert panel.model.table.rows[1][6] == Decimal("90.00")
    assert _bars(panel) == {"£": [140.0, 0.0, 0.0]}
    assert panel.dates() == (date(2026, 11, 23), date(2026, 11, 25))
    assert "23/11/2026 to 25/11/2026" in panel.summary.text()

    out = panel.save_csv(str(Path(os.environ["HELPDESK_DATA_DIR"]) / "charges.csv"))
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["amount_gbp"], r["status"]) for r in rows] == [
        ("Anna Smith", "50.00", "due"),
        ("Dev Khan", "90.00", "due"),
    ]

    panel.set_dates(date(2026, 11, 25), date(2026, 11, 1))  # the wrong way round
    assert panel.summary.text() == "The start date is after the end date: change one of them."
    panel.set_dates(None, None)
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=5000)


def test_money_and_dates_for_people() -> None:
    from helpdesk.ui.models.report_model import display_text

    assert display_text(Decimal("1350.00")) == "1,350.00"
    assert display_text(Decimal("7.5")) == "7.5"
    assert display_text(date(2026, 9, 1)) == "01/09/2026"
    assert display_text(None) == "" and display_text(12) == "12"


def test_empty_report_and_pdfs(qtbot, ctx, bench, tmp_path) -> None:  # noqa: ANN001
    panel = _panel(qtbot, ctx)
    panel.set_report("turnaround")
    panel.set_dates(date(2027, 1, 1), None)
    qtbot.waitUntil(lambda: _shown(panel, "turnaround")() and "No tickets" in panel.summary.text(),
                    timeout=5000)  # fmt: skip
    assert panel.model.rowCount() == 0 and panel.chart.series() == []

    saved: list[Path] = []
    panel.save_charge_letters(str(tmp_path / "letters.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=10000)
    text = subprocess.run(["pdftotext", str(saved[0]), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert text.count("\f") == 3 and "Anna Smith" in text and "£90.00" in text
    assert panel.summary.text() == f"Saved 3 charge letters to {saved[0]}"
    panel.save_collection_notices(str(tmp_path / "ready.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=10000)
    text = _pdf_text(saved[1])
    assert "Form 7A" in text and "Form 10C" in text
    assert panel.summary.text() == f"Saved 2 form notices (2 laptops) to {saved[1]}"


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_notices_for_one_form_and_one_charge(qtbot, ctx, bench, tmp_path) -> None:  # noqa: ANN001
    panel = _panel(qtbot, ctx)
    panel.activated()
    qtbot.waitUntil(lambda: panel.form_box.count() == 4, timeout=5000)
    assert [panel.form_box.itemText(i) for i in range(4)] == [
        "All forms", "Form 7A", "Form 8B", "Form 10C",
    ]  # fmt: skip
    panel.set_notices_form("10C")
    saved: list[Path] = []
    panel.save_charge_letters(str(tmp_path / "letters.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=10000)
    text = _pdf_text(saved[0])
    assert text.count("\f") == 1 and "Dev Khan" in text and "Anna Smith" not in text
    panel.save_collection_notices(str(tmp_path / "ready.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=10000)
    assert "Form 10C" in _pdf_text(saved[1]) and "Form 7A" not in _pdf_text(saved[1])

    panel.set_report("charges")
    qtbot.waitUntil(_shown(panel, "charges"), timeout=5000)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.cell(r, 7) == "paid")
    panel.save_letter_for_row(row, str(tmp_path / "one.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 3, timeout=10000)
    text = " ".join(_pdf_text(saved[2]).split())
    assert "Cara Patel" in text and "This charge of £50.00 has been paid" in text
    code = ticket_code(bench.tickets["t3"])
    assert panel.summary.text() == f"Saved the charge letter for {code} to {saved[2]}"


def test_no_letters_to_print_is_said_plainly(qtbot, ctx, tmp_path) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    panel = _panel(qtbot, ctx)
    panel.save_charge_letters(str(tmp_path / "letters.pdf"))
    expected = "There are no charges due, so there are no letters to print."
    qtbot.waitUntil(lambda: panel.summary.text() == expected, timeout=5000)
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox"]
    assert [b.text() for b in boxes if b.parent() is panel and b.isVisible()] == [expected]
    assert not (tmp_path / "letters.pdf").exists()
    for box in boxes:
        box.close()


def test_screenshot_of_a_term(qtbot, ctx, tmp_path) -> None:  # noqa: ANN001
    """With HELPDESK_SCREENSHOTS=1 the picture is written to docs/reports.png."""
    build_term(ctx.factory, TODAY)
    panel = _panel(qtbot, ctx)
    panel.resize(1180, 720)
    panel.set_report("turnaround")
    qtbot.waitUntil(_shown(panel, "turnaround"), timeout=5000)
    assert panel.model.rowCount() >= 8 and len(_bars(panel)) == 2
    QApplication.sendPostedEvents()  # layout and paint requests done before the picture
    QApplication.processEvents()
    docs = Path(__file__).resolve().parents[2] / "docs"
    target = (docs if os.environ.get("HELPDESK_SCREENSHOTS") else tmp_path) / "reports.png"
    target.parent.mkdir(exist_ok=True)
    assert panel.grab().save(str(target))
    panel.set_report("open-tickets")
    qtbot.waitUntil(_shown(panel, "open-tickets"), timeout=5000)
    assert any(panel.model.stands_out(r, 4) for r in range(panel.model.rowCount()))
    QApplication.sendPostedEvents()
    QApplication.processEvents()
    assert panel.grab().save(str(target.with_name("reports-open-tickets.png")))


def test_print_the_report_on_screen(qtbot, ctx, bench, tmp_path) -> None:  # noqa: ANN001
    panel = _panel(qtbot, ctx)
    panel.set_report("damage")
    qtbot.waitUntil(_shown(panel, "damage"), timeout=5000)
    saved: list[Path] = []
    panel.save_pdf(str(tmp_path / "damage.pdf"), on_done=saved.append)
    qtbot.waitUntil(lambda: len(saved) == 1, timeout=10000)
    text = " ".join(_pdf_text(saved[0]).split())
    assert "Damage by category, year group and month — Hillside Academy" in text
    assert "Damage by month and category" in text  # the chart's title
    assert panel.summary.text() == (f"Saved damage by category, year group and month to {saved[0]}")


def test_below_a_manager_the_area_is_one_sentence(qtbot, ctx, bench, tmp_path) -> None:  # noqa: ANN001
    from staff_passwords import TEST_PASSWORD

    from helpdesk.services.core.staff import add_staff

    add_staff(ctx.factory, "admin", username="tess", display_name="Tess", role="technician",
              password=TEST_PASSWORD)  # fmt: skip
    ctx.actor = "tess"
    panel = _panel(qtbot, ctx)
    panel.activated()
    qtbot.waitUntil(lambda: panel.refused, timeout=5000)
    assert panel.summary.text() == "Running a report needs a manager."
    assert panel.summary.isVisible() and panel.table is None and panel.model.rowCount() == 0
    assert not panel.report_bar.isVisible() and not panel.splitter.isVisible()
    assert not any(w.isVisible() for w in panel.notice_controls)
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox"]
    assert not [b for b in boxes if b.parent() is panel and b.isVisible()]  # no box, the sentence
    panel.save_charge_letters(str(tmp_path / "never.pdf"))  # the service refuses it too
    letters = "Making notices and letters needs a manager."
    qtbot.waitUntil(lambda: panel.summary.text() == letters, timeout=5000)
    assert not (tmp_path / "never.pdf").exists()
    ctx.actor = "admin"  # a badge switch to someone who may
    panel.refresh()
    qtbot.waitUntil(_shown(panel, "open-tickets"), timeout=5000)
    assert not panel.refused and panel.report_bar.isVisible() and panel.splitter.isVisible()
    assert all(w.isVisible() for w in panel.notice_controls)
