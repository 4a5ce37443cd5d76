"""`helpdesk session report SES -o FILE.pdf` on a real SQLite file: the PDF is read back as text
(pdftotext) and holds a stocktake's four groups with their counts and devices (where a device
from elsewhere is recorded and who has it), or a pickup's done and missing by form."""

from __future__ import annotations

import subprocess

import pytest
from session_school import build_session_school

from helpdesk.cli import main


@pytest.fixture
def db(session_factory, sqlite_url) -> list[str]:
    build_session_school(session_factory)
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> list[str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out.splitlines()


def pdf_text(path) -> str:  # noqa: ANN001
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def section(text: str, title: str, following: str | None) -> str:
    """The text from the heading ``title`` to the next heading ``following``."""
    start = text.index(title)
    end = text.index(following, start) if following else len(text)
    return text[start:end]


def test_a_stocktake_report_has_its_four_groups(db, capsys, tmp_path):
    code = run(capsys, "session", "start", "stocktake", "--location", "Cart A", *db)[-1]
    lines = run(capsys, "session", "scan", code, "LAP-0101", "LAP-0104", "LAP-0001", "ZZZ-9",
                "LAP-0101", "--station", "Hall 2", *db)  # fmt: skip
    assert [line.split()[0] for line in lines] == [
        "done", "unexpected", "unexpected", "problem", "already",
    ]  # fmt: skip
    out = tmp_path / "cart-a.pdf"
    lines = run(capsys, "session", "report", code, "-o", str(out), *db)
    assert lines == [
        f"wrote the report of {code} (1 found here, 2 elsewhere, 2 missing, 1 unknown) to {out}"
    ]
    text = pdf_text(out)
    assert "Stocktake report" in text and "Stocktake Cart A" in text
    assert (
        "1 found here, 2 belong elsewhere, 2 missing, 1 unknown tags (3 expected at Cart A)" in text
    )
    found = section(text, "Found here (1)", "Belongs elsewhere (2)")
    elsewhere = section(text, "Belongs elsewhere (2)", "Missing (2)")
    missing = section(text, "Missing (2)", "Unknown tags (1)")
    unknown = section(text, "Unknown tags (1)", None)
    assert "LAP-0101" in found and "LAP-0102" not in found
    assert "LAP-0104" in elsewhere and "recorded at Cupboard, in stock" in elsewhere
    assert "LAP-0001" in elsewhere and "allocated to Anna Smith (7A)" in elsewhere
    assert "Hall 2" in elsewhere
    assert "LAP-0102" in missing and "LAP-0103" in missing and "LAP-0101" not in missing
    assert "ZZZ-9" in unknown and "LAP-0" not in unknown


def test_a_pickup_report_has_done_and_missing_by_form(db, capsys, tmp_path):
    code = run(capsys, "session", "start", "pickup", "--year", "7", *db)[-1]
    run(capsys, "session", "scan", code, "S1001", "S2001", "LAP-0101", "S2002", "NOPE", *db)
    out = tmp_path / "pickup.pdf"
    lines = run(capsys, "session", "report", code, "-o", str(out), *db)
    status = run(capsys, "session", "status", code, *db)
    assert status[0].endswith("2 of 4 done")  # Anna Smith showed hers; Gina collected hers
    assert lines == [f"wrote the report of {code} (2 of 4 done, 2 missing) to {out}"]
    text = pdf_text(out)
    assert "Pickup report" in text and "2 of 4 done, 2 missing" in text
    by_form = section(text, "Done and missing by form (1)", "Missing (2)")
    assert [line.split() for line in by_form.splitlines()[2:] if line.strip()] == [
        ["7A", "4", "2", "2"]
    ]
    missing = section(text, "Missing (2)", "Problems (1)")
    assert "Hal Hill" in missing and "Ivy Ives" in missing and "Gina Green" not in missing
    assert "No student or laptop has the code 'NOPE'." in section(text, "Problems (1)", None)


def test_a_report_that_cannot_be_written_is_one_line(db, capsys, tmp_path):
    code = run(capsys, "session", "start", "pickup", "--form", "7A", *db)[-1]
    target = tmp_path / "no-such-folder" / "r.pdf"
    assert main(["session", "report", code, "-o", str(target), *db]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(target) in err[0], err


@pytest.mark.parametrize("name", ["r.pdf", "r.csv"])
def test_an_existing_report_is_replaced_only_with_overwrite(db, capsys, tmp_path, name):
    code = run(capsys, "session", "start", "pickup", "--form", "7A", *db)[-1]
    target = tmp_path / name
    target.write_text("last week's report\n")
    assert main(["session", "report", code, "-o", str(target), *db]) == 1
    assert capsys.readouterr().err == (
        f"helpdesk: {target} exists already; choose another name or add --overwrite\n"
    )
    assert target.read_text() == "last week's report\n"
    assert run(capsys, "session", "report", code, "-o", str(target), "--overwrite", *db)
    assert target.read_bytes() != b"last week's report\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    for not_a_file in ("/dev/null", str(tmp_path)):
        assert main(["session", "report", code, "-o", not_a_file, "--overwrite", *db]) == 1
        assert len(capsys.readouterr().err.splitlines()) == 1
