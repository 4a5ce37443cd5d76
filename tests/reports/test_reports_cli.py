"""`helpdesk report NAME [--from] [--to] [--csv]` on a real SQLite file."""

from __future__ import annotations

import csv
import io

import pytest

from helpdesk.cli import main
from helpdesk.services.core.codes import ticket_code


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_turnaround_as_csv(bench, capsys) -> None:  # noqa: ANN001
    assert main(["report", "turnaround", "--csv", "--db", bench.url]) == 0
    out = capsys.readouterr().out
    assert _csv(out) == [
        ["category", "collected", "median_days", "mean_days", "p90_days"],
        ["screen", "3", "4.5", "5.5", "10.0"],
        ["keyboard", "1", "1.0", "1.0", "1.0"],
    ]


def test_claims_and_charges_with_dates(bench, capsys) -> None:  # noqa: ANN001
    args = ["--db", bench.url, "--csv", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert main(["report", "claims", *args]) == 0
    assert _csv(capsys.readouterr().out) == [
        ["scheme", "starts_on", "ends_on", "students_covered", "claims", "accidental_damage",
         "liquid", "theft", "loss", "outside_cover", "charged_gbp"],
        ["Standard cover", "2026-09-01", "2027-08-31", "3", "3", "1", "1", "0", "1", "1", "150.00"],
        ["no cover", "", "", "0", "0", "0", "0", "0", "0", "1", "90.00"],
    ]  # fmt: skip
    assert main(["report", "charges", *args]) == 0
    rows = _csv(capsys.readouterr().out)
    assert rows[0][:8] == [
        "ticket", "student", "form", "category", "incident", "rule", "amount_gbp", "status",
    ]  # fmt: skip
    assert [(r[0], r[1], r[6], r[7]) for r in rows[1:]] == [
        (ticket_code(bench.tickets["t2"]), "Ben Jones", "50.00", "due"),
        (ticket_code(bench.tickets["t1"]), "Anna Smith", "50.00", "due"),
        (ticket_code(bench.tickets["t4"]), "Dev Khan", "90.00", "due"),
        (ticket_code(bench.tickets["t3"]), "Cara Patel", "50.00", "paid"),
        (ticket_code(bench.tickets["t10"]), "Ben Jones", "75.00", "waived"),
    ]


def test_damage_and_open_tickets_as_text_tables(bench, capsys) -> None:  # noqa: ANN001
    assert main(["report", "damage", "--db", bench.url, "--from", "2026-10-01", "--to",
                 "2026-10-31"]) == 0  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Damage by category, year group and month"
    assert out[1] == "Dates: 01/10/2026 to 31/10/2026"
    assert out[3].split() == ["Month", "Year", "group", "Damage", "Tickets"]
    assert out[5].split() == ["2026-10", "7", "screen", "2"]
    assert out[6].split() == ["2026-10", "8", "screen", "1"]
    # columns line up: the numbers end where their headings end
    assert len(out[5]) == len(out[6]) == len(out[3])
    assert out[-1] == "3 tickets logged; most often screen (3)"

    assert main(["report", "open-tickets", "--db", bench.url, "--csv"]) == 0
    rows = _csv(capsys.readouterr().out)
    assert rows[0][0] == "state" and [(r[0], r[1]) for r in rows[1:]] == [
        ("diagnosing", "1"),
        ("awaiting parts", "2"),
        ("ready for collection", "2"),
    ]


def test_an_empty_report_says_so(session_factory, sqlite_url, capsys) -> None:  # noqa: ANN001
    assert main(["report", "charges", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "No charges were raised in this period."
    assert main(["report", "charges", "--db", sqlite_url, "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ticket,student,form,category,incident,rule,amount_gbp,status,raised_on,settled_on,"
        "waiver_reason"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tickets"], "there is no report called 'tickets'; choose one of open-tickets, "
         "turnaround, damage, claims, charges"),
        (["damage", "--from", "2026-13-01"], "--from '2026-13-01' is not a date; write it as "
         "YYYY-MM-DD"),
        (["damage", "--to", "yesterday"], "--to 'yesterday' is not a date"),
        (["claims", "--from", "2026-11-02", "--to", "2026-11-01"],
         "--from 2026-11-02 is after --to 2026-11-01"),
    ],
)  # fmt: skip
def test_bad_input_is_one_clear_line(bench, capsys, args, message) -> None:  # noqa: ANN001
    assert main(["report", *args, "--db", bench.url]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"helpdesk: {message}")


def test_a_missing_database_file_is_one_clear_line(tmp_path, capsys) -> None:  # noqa: ANN001
    missing = tmp_path / "nowhere.sqlite3"
    assert main(["report", "damage", "--db", f"sqlite:///{missing}"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"helpdesk: there is no database at {missing}; create one with 'helpdesk db upgrade' "
        "(or give another with --db)"
    ]
    assert not missing.exists()


def test_report_without_a_name(bench, capsys) -> None:  # noqa: ANN001
    assert main(["report", "--db", bench.url]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "helpdesk: name a report: open-tickets, turnaround, damage, claims, charges"
    ]


def _pdf_text(path) -> str:  # noqa: ANN001
    import subprocess

    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_notices_as_pdf_files(bench, capsys, tmp_path) -> None:  # noqa: ANN001
    letters = tmp_path / "letters.pdf"
    assert main(["notices", "charge-letters", str(letters), "--db", bench.url]) == 0
    assert capsys.readouterr().out == f"wrote 3 charge letters to {letters}\n"
    text = _pdf_text(letters)
    assert text.count("\f") == 3 and "Ben Jones" in text and "£90.00" in text

    one = tmp_path / "one.pdf"
    code = ticket_code(bench.tickets["t3"])
    assert main(["notices", "charge-letters", str(one), "--ticket", code, "--db", bench.url]) == 0
    assert capsys.readouterr().out == f"wrote 1 charge letter to {one}\n"
    assert "Cara Patel" in _pdf_text(one) and "has been paid" in _pdf_text(one)

    ready = tmp_path / "ready.pdf"
    assert main(["notices", "ready", str(ready), "--form", "10C", "--db", bench.url]) == 0
    assert capsys.readouterr().out == f"wrote 1 form notice (1 laptop) to {ready}\n"
    assert "Dev Khan" in _pdf_text(ready) and "Cara Patel" not in _pdf_text(ready)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["charge-letters", "{out}", "--form", "9Z"], "no charges are due in form 9Z; no letters "
         "were written"),
        (["charge-letters", "{out}", "--ticket", "LOAN-000001"], "'LOAN-000001' is not a ticket "
         "code; write it as TKT-000045"),
        (["charge-letters", "{out}", "--ticket", "TKT-000011"], "Ticket TKT-000011 has no claim "
         "or charge."),
        (["ready", "{out}", "--form", "8B"], "no repaired laptops are ready for collection for "
         "form 8B"),
        (["ready", "{tmp}"], "{tmp} is a folder; give the name of the PDF file to write"),
        (["ready", "{tmp}/missing/ready.pdf"], "there is no folder {tmp}/missing to write "
         "ready.pdf in"),
        (["ready", "{exists}"], "{exists} exists already; choose another name or add --overwrite"),
    ],
)  # fmt: skip
def test_notices_refusals(bench, capsys, tmp_path, args, message) -> None:  # noqa: ANN001
    exists = tmp_path / "exists.pdf"
    exists.write_bytes(b"keep me")
    places = {"out": tmp_path / "out.pdf", "tmp": tmp_path, "exists": exists}
    args = [a.format(**places) for a in args]
    assert main(["notices", *args, "--db", bench.url]) == 1
    assert capsys.readouterr().err.splitlines() == [f"helpdesk: {message.format(**places)}"]
    assert not (tmp_path / "out.pdf").exists() and exists.read_bytes() == b"keep me"


def test_reports_notices_and_exports_need_a_manager(bench, session_factory, capsys, tmp_path):  # noqa: ANN001
    from staff_passwords import TEST_PASSWORD

    from helpdesk.services.core.staff import add_staff

    for username, role in (("tess", "technician"), ("mo", "manager")):
        add_staff(session_factory, "admin", username=username, display_name=username.title(),
                  role=role, password=TEST_PASSWORD)  # fmt: skip
    out = tmp_path / "out.pdf"
    asks = (
        (["report", "charges", "--csv"], "Running a report needs a manager."),
        (["notices", "charge-letters", str(out)], "Making notices and letters needs a manager."),
        (["notices", "ready", str(out)], "Making notices and letters needs a manager."),
        (["export", "students", "-o", str(tmp_path / "s.csv")],
         "Exporting school records needs a manager."),
    )  # fmt: skip
    for argv, sentence in asks:
        assert main([*argv, "--db", bench.url, "--as", "tess"]) == 1, argv
        assert capsys.readouterr() == ("", f"helpdesk: {sentence}\n"), argv
        assert not out.exists() and not (tmp_path / "s.csv").exists()
    for argv, _sentence in asks:  # a manager may
        assert main([*argv, "--db", bench.url, "--as", "mo", "--overwrite"]) == 0, argv
    assert out.exists() and (tmp_path / "s.csv").exists()


def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path, capsys) -> None:  # noqa: ANN001
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n" * 200)
    assert main(["report", "charges", "--db", f"sqlite:///{notes}"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"helpdesk: cannot open the database sqlite:///{notes}: ")
    assert "not a database" in err[0]
    assert notes.read_text() == "shopping list\n" * 200


def test_a_reader_that_stops_early_is_not_an_error(bench) -> None:  # noqa: ANN001
    import subprocess
    import sys

    child = subprocess.Popen(
        [sys.executable, "-m", "helpdesk.cli", "report", "damage", "--csv", "--db", bench.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()  # like `| head -0`: gone before the report is written
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0 and err == b""


def test_long_text_is_cut_in_the_text_table_only(bench, capsys) -> None:  # noqa: ANN001
    assert main(["report", "charges", "--db", bench.url]) == 0
    out = capsys.readouterr().out
    assert "Standard cover: claim 2 in a cover period costs…" in out
    assert "Standard cover: claim 2 in a cover period costs £50.00" not in out
    assert main(["report", "charges", "--csv", "--db", bench.url]) == 0
    assert "Standard cover: claim 2 in a cover period costs £50.00" in capsys.readouterr().out


def test_the_command_list_names_every_report() -> None:
    """``helpdesk --help`` shows the report names without loading the reports: the line in
    helpdesk.commands.COMMANDS must name exactly the reports there are, in their order."""
    from helpdesk.commands import summary
    from helpdesk.services.reporting.reports import report_names

    line = summary("report")
    assert line.endswith(f"({', '.join(report_names())})")
