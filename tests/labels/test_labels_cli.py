"""`helpdesk labels` and `helpdesk slip`: a quick sheet without a database, batches from the
database recorded as printed, the alignment page and offsets, and clear one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_shapes import crop, decode, render
from sqlalchemy import func, select

from helpdesk.cli import main
from helpdesk.domain.models import LabelPrint
from helpdesk.labels.calibration import get_offset
from helpdesk.labels.templates import get_template


def _cells(pdf: Path, template_id: str, start: int = 1) -> list[list[str]]:
    template = get_template(template_id)
    page = render(pdf, 300)[0]
    out = []
    for position in range(start - 1, template.per_page):
        c = template.cell(position)
        out.append(decode(crop(page, c.x, c.y, c.width, c.height, 300)))
    return out


def test_quick_sheet_from_tags_needs_no_database(tmp_path, capsys, _private_data_dir):
    out = tmp_path / "sheet.pdf"
    rc = main(
        [
            "labels",
            "--template",
            "avery-l7160",
            "--tags",
            "PER-000001",
            "PER-000002",
            "--copies",
            "2",
            "--start",
            "3",
            "-o",
            str(out),
        ]
    )
    assert rc == 0
    assert "4 labels on 1 page(s) of avery-l7160" in capsys.readouterr().out
    cells = _cells(out, "avery-l7160")
    assert cells[:2] == [[], []]
    assert cells[2:6] == [["PER-000001"], ["PER-000001"], ["PER-000002"], ["PER-000002"]]
    assert not list(_private_data_dir.rglob("*.sqlite3"))


def test_tags_file_plain_and_csv(tmp_path, capsys):
    plain = tmp_path / "tags.txt"
    plain.write_text("PER-000010\n\n# spares\nPER-000011  # the spare\n")
    out = tmp_path / "a.pdf"
    assert (
        main(["labels", "--template", "zebra-2x1", "--tags-file", str(plain), "-o", str(out)]) == 0
    )
    assert len(render(out, 203)) == 2
    table = tmp_path / "tags.csv"
    table.write_text("asset_tag,model,serial\nPER-000012,HP ProBook 440,5CG000012\n")
    out2 = tmp_path / "b.pdf"
    assert (
        main(["labels", "--template", "avery-l7163", "--tags-file", str(table), "-o", str(out2)])
        == 0
    )
    from pypdf import PdfReader

    assert "S/N 5CG000012" in PdfReader(out2).pages[0].extract_text()
    assert (
        main(
            [
                "labels",
                "--template",
                "avery-l7163",
                "--tags-file",
                str(tmp_path / "none.txt"),
                "-o",
                str(out2),
            ]
        )
        == 1
    )
    assert "cannot read the tags file" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--template", "avery-l7651", "--tags", "LT-2026-000001"], "--code qr"),
        (["--template", "avery-l9999", "--tags", "X1"], "no label template 'avery-l9999'"),
        (["--tags", "X1"], "choose a label stock"),
        (["--template", "avery-l7651"], "choose the labels"),
        (["--template", "avery-l7651", "--tags", "PÉR-1"], "cannot hold"),
        (["--template", "avery-l7651", "--tags", "X1", "--start", "70"], "between 1 and 65"),
    ],
)
def test_refusals_are_one_line_and_write_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "x.pdf"
    assert main(["labels", *argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()


def test_form_batch_from_the_database_is_recorded(school, sqlite_url, tmp_path, capsys):
    factory, _ = school
    out = tmp_path / "7a.pdf"
    argv = [
        "--db",
        sqlite_url,
        "labels",
        "--template",
        "avery-l7651",
        "--form",
        "7A",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    assert _cells(out, "avery-l7651")[:4] == [["PER-000102"], ["PER-000103"], ["PER-000101"], []]
    with factory() as s:
        assert s.scalar(select(func.count(LabelPrint.id))) == 0  # a PDF is a preview
    assert main([*argv, "--record", "--overwrite"]) == 0  # the preview is replaced
    assert "recorded 3 labels as printed by admin" in capsys.readouterr().out
    assert (
        main(
            [
                "--db",
                sqlite_url,
                "labels",
                "--template",
                "avery-l7160",
                "--unlabelled",
                "-o",
                str(out),
                "--overwrite",
            ]
        )
        == 0
    )
    assert "4 labels" in capsys.readouterr().out  # 7 in use or stock, less the 3 just printed
    from pypdf import PdfReader

    assert "Property of Northfield Academy" in PdfReader(out).pages[0].extract_text()
    quick = ["--db", sqlite_url, "labels", "--template", "avery-l7160", "--tags", "LNR-002"]
    assert main([*quick, "--record", "-o", str(out), "--overwrite"]) == 0
    assert "recorded 1 labels" in capsys.readouterr().out
    assert main([*quick[:-1], "NOT-A-TAG", "--record", "-o", str(out), "--overwrite"]) == 1
    assert "No device has the asset tag NOT-A-TAG" in capsys.readouterr().err
    reprint = ["--db", sqlite_url, "labels", "--template", "avery-l7160", "--last-batch"]
    assert main([*reprint, "-o", str(out), "--overwrite"]) == 0
    assert "1 label on" in capsys.readouterr().out  # the LNR-002 batch was the last


def test_alignment_page_and_offsets(tmp_path, capsys):
    out = tmp_path / "align.pdf"
    assert main(["labels", "--template", "avery-l7651", "--calibrate", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000
    assert (
        main(
            [
                "labels",
                "--template",
                "avery-l7651",
                "--calibrate",
                "--printer",
                "Office",
                "--offset",
                "0.5",
                "-0.75",
            ]
        )
        == 0
    )
    assert get_offset("Office").x == 0.5 and get_offset("Office").y == -0.75
    assert get_offset("Another").x == 0
    assert (
        main(
            [
                "labels",
                "--template",
                "avery-l7651",
                "--calibrate",
                "--printer",
                "Office",
                "--offset",
                "25",
                "0",
            ]
        )
        == 1
    )
    assert "more than a label's misalignment" in capsys.readouterr().err


def test_slip_receipt_and_agreements_from_the_command(school, sqlite_url, tmp_path, capsys):
    _, ids = school
    out = tmp_path / "slip.pdf"
    assert (
        main(["--db", sqlite_url, "slip", f"LOAN-{ids['loan']:06d}", "-o", str(out), "--overwrite"])
        == 0
    )
    assert decode(render(out, 300)[0]) == [f"LOAN-{ids['loan']:06d}"]
    assert (
        main(
            [
                "--db",
                sqlite_url,
                "slip",
                "--ticket",
                str(ids["ticket"]),
                "--format",
                "receipt-80mm",
                "-o",
                str(out),
                "--overwrite",
            ]
        )
        == 0
    )
    assert decode(render(out, 203)[0]) == [f"TKT-{ids['ticket']:06d}"]
    assert (
        main(["--db", sqlite_url, "slip", "--handover-form", "7A", "-o", str(out), "--overwrite"])
        == 0
    )
    assert len(render(out, 50)) == 3
    assert main(["--db", sqlite_url, "slip", "9999", "-o", str(out), "--overwrite"]) == 1
    assert "There is no loan LOAN-009999" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "slip", "LOAN-ABC", "-o", str(out), "--overwrite"]) == 1
    assert "not a loan number" in capsys.readouterr().err


def test_list_templates(capsys):
    assert main(["labels", "--list-templates"]) == 0
    out = capsys.readouterr().out
    assert "avery-l7651" in out and "65 per A4 sheet" in out and "203 dpi thermal" in out


def test_a_pdf_records_nothing_unless_marked_printed(school, sqlite_url, tmp_path, capsys):
    from helpdesk.services.reporting.documents import unlabelled_devices

    factory, _ = school
    out = tmp_path / "7a.pdf"
    argv = ["--db", sqlite_url, "labels", "--template", "avery-l7160", "--form", "7A"]
    form_7a = {"PER-000101", "PER-000102", "PER-000103"}

    def unlabelled() -> set[str]:
        return {d.asset_tag for d in unlabelled_devices(factory)}

    assert main([*argv, "-o", str(out), "--overwrite"]) == 0
    said = capsys.readouterr().out
    assert "3 labels on 1 page(s)" in said and "recorded 3" not in said
    assert "not recorded as printed" in said and "--mark-printed" in said
    assert form_7a <= unlabelled()  # still not yet labelled after the PDF
    assert main([*argv, "-o", str(out), "--mark-printed", "--overwrite"]) == 0
    assert "recorded 3 labels as printed by admin" in capsys.readouterr().out
    assert not form_7a & unlabelled()
    with factory() as s:
        assert s.scalar(select(func.count(LabelPrint.id))) == 3
    # the quick sheet of tags records too when asked, by tag
    tags = ["--db", sqlite_url, "labels", "--template", "avery-l7160", "--tags", "LNR-001"]
    assert "LNR-001" in unlabelled()
    assert main([*tags, "-o", str(out), "--overwrite"]) == 0
    assert "LNR-001" in unlabelled()
    assert main([*tags, "--mark-printed", "-o", str(out), "--overwrite"]) == 0
    assert "recorded 1 labels" in capsys.readouterr().out
    assert "LNR-001" not in unlabelled()
