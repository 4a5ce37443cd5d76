"""A report printed as a PDF with its chart, read back with pdftotext."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from reports_bench import TODAY

from helpdesk.cli import main
from helpdesk.labels.report_pdf import _widths, report_pdf
from helpdesk.services.reporting import reports


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Page size:"))
    width, _, height = line.split(":")[1].split()[:3]
    return float(width), float(height)


def test_open_tickets_pdf_has_chart_table_and_summary(bench, session_factory, tmp_path) -> None:  # noqa: ANN001
    table = reports.open_tickets(session_factory, "admin", today=TODAY)
    pdf = report_pdf(table, tmp_path / "open.pdf", school_name="Hillside Academy",
                     printed_at=datetime(2026, 11, 25, 9, 0))  # fmt: skip
    text = _text(pdf)
    assert "Open tickets by state and age — Hillside Academy" in text
    assert "Dates: all dates · printed 25/11/2026 09:00" in text
    assert table.summary in text
    assert "over 5 school days" in text and "3–5 school days" in text  # legend and headings
    rows = [line.split() for line in text.splitlines()]
    assert ["awaiting", "parts", "2", "0", "1", "1", "10"] in rows
    assert _page_size(pdf)[0] < _page_size(pdf)[1]  # six columns: portrait


def test_a_wide_report_goes_landscape_and_fits(bench, session_factory, tmp_path) -> None:  # noqa: ANN001
    table = reports.charges(session_factory, "admin")
    pdf = report_pdf(table, tmp_path / "charges.pdf")
    width, height = _page_size(pdf)
    assert width > height
    flat = " ".join(_text(pdf).split())
    assert "Family hardship fund" in flat and "Uninsured price list: screen £90.00" in flat
    texts = [[reports.cell_text(v) for v in row] for row in table.rows]
    widths = _widths(table, texts, 500)
    assert abs(sum(widths) - 500) < 0.01 and min(widths) > 20


def test_an_empty_report_prints_its_summary(session_factory, tmp_path) -> None:  # noqa: ANN001
    pdf = report_pdf(reports.turnaround(session_factory, "admin"), tmp_path / "empty.pdf")
    assert "No tickets were collected in this period." in _text(pdf)


def test_report_pdf_from_the_command_line(bench, capsys, tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "claims.pdf"
    assert main(["report", "claims", "--pdf", str(out), "--db", bench.url]) == 0
    assert capsys.readouterr().out == f"wrote claims per scheme period (3 rows) to {out}\n"
    text = _text(out)
    assert "Claims per scheme period — Hillside Academy" in text and "outside cover" in text
    assert main(["report", "claims", "--pdf", str(out), "--db", bench.url]) == 1
    assert "exists already" in capsys.readouterr().err
    assert main(["report", "claims", "--csv", "--pdf", str(out), "--db", bench.url]) == 1
    assert capsys.readouterr().err == "helpdesk: choose --csv or --pdf, not both\n"
