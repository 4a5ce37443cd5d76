"""Hostile CSV files on the command line: a cell over the csv module's limit, UTF-16 and binary
files, control characters in codes and names, formula injection and codes a scan could not tell
apart. Each gets one sentence and exit status 1, never "unexpected error", and nothing printed
holds a raw control character."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpdesk.cli import main

HEADER = "card_code,first_name,last_name,year,form\n"
DEVICES = "asset_tag,serial,make,model,kind,pool\n"
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def db(session_factory, sqlite_url: str) -> list[str]:
    return ["--db", sqlite_url]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert not RAW_CONTROL.search(out.replace("\r\n", "\n")), out
    assert not RAW_CONTROL.search(err), err
    return code, out, err


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return str(path)


def exported(capsys, db: list[str], kind: str = "students") -> list[str]:
    code, out, err = run(capsys, "export", kind, *db)
    assert code == 0, err
    return out.splitlines()


def test_a_cell_over_the_field_limit_names_its_line(db, capsys, tmp_path):
    big = "x" * 200_000
    path = write(tmp_path, "big.csv", f"{HEADER}100001,Amy,Ng,7,7A\n100002,{big},Ng,7,7A\n")
    code, out, err = run(capsys, "import", "students", path, *db)
    assert code == 1
    assert out.startswith("line 3: a value is longer than the 131,072 characters"), out
    assert err.count("\n") == 1 and "nothing was changed" in err
    assert exported(capsys, db) == [HEADER.strip() + ",status,left_on"]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (HEADER.encode("utf-16"), "UTF-16"),
        (HEADER.encode("utf-16-le"), "NUL bytes"),
        (bytes(range(256)) * 8, "binary file"),
    ],
)
def test_utf16_and_binary_files_are_one_sentence(db, capsys, tmp_path, data, words):
    code, out, err = run(capsys, "import", "students", write(tmp_path, "odd.csv", data), *db)
    assert code == 1
    assert out.count("\n") == 1 and words in out and "not UTF-8 text" in out
    assert "\\x00" not in out


def test_control_characters_are_refused_in_codes_and_taken_out_of_names(db, capsys, tmp_path):
    path = write(
        tmp_path,
        "ctl.csv",
        f"{HEADER}10\x1b[2J01,Amy,Ng,7,7A\n100002,Bo\x00b\x07,O'\tNeil\x85,7,7\x1bA\n"
        "100\x003,Cy,Li,8,8A\n",
    )
    code, out, err = run(capsys, "import", "students", path, "--skip-bad", *db)
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "left out: line 2, column card_code: this code holds a control character (\\x1b), "
        "which no label or scanner has; retype it.",
        "left out: line 4, column card_code: this code holds a control character (\\x00), "
        "which no label or scanner has; retype it.",
    ]
    assert exported(capsys, db)[1] == "100002,Bob,O' Neil,7,7A,active,"


def test_a_control_character_typed_on_the_command_line_is_shown_escaped(db, capsys):
    code, out, err = run(capsys, "lookup", "\x1b]0;owned\x07\u202eX", *db)
    assert code == 1
    assert "\\x1b]0;owned\\x07\\u202eX" in err
    assert err.count("\n") == 1


def test_formula_cells_are_neutralised_and_read_back_the_same(db, capsys, tmp_path):
    names = ['=HYPERLINK("http://x","y")', "+44 1234", "-Dash", "@SUM(A1)", "'=typed"]
    rows = "".join(
        f'{100001 + i},"{name.replace(chr(34), chr(34) * 2)}",Ng,7,7A\n'
        for i, name in enumerate(names)
    )
    path = write(tmp_path, "formula.csv", HEADER + rows)
    assert run(capsys, "import", "students", path, *db)[0] == 0
    out_file = tmp_path / "out.csv"
    code, _out, err = run(capsys, "export", "students", "-o", str(out_file), *db)
    assert code == 0, err
    written = out_file.read_text(encoding="utf-8-sig")
    assert '\'=HYPERLINK(""http://x"",""y"")' in written
    # a cell typed with the quote a spreadsheet shows as text is read as what it shows
    for cell in ("'+44 1234", "'-Dash", "'@SUM(A1)", "'=typed"):
        assert f",{cell}," in written
    code, out, err = run(capsys, "import", "students", str(out_file), *db)
    assert code == 0, err
    assert out.strip().endswith("0 added, 0 updated, 5 unchanged.")


def test_a_code_a_scan_could_not_tell_apart_is_refused_with_the_clash(db, capsys, tmp_path):
    students = write(tmp_path, "s.csv", f"{HEADER}ab-100,Amy,Ng,7,7A\n")
    assert run(capsys, "import", "students", students, *db)[0] == 0
    devices = write(
        tmp_path,
        "d.csv",
        f"{DEVICES}AB-100,S1,Dell,3190,laptop,loan\nLT-1,S2,Dell,3190,laptop,loan\n"
        "lt-1,S3,Dell,3190,laptop,loan\nLT-3,s2,Dell,3190,laptop,loan\n"
        "LOAN-000123,S5,Dell,3190,laptop,loan\n",
    )
    code, out, err = run(capsys, "import", "devices", devices, *db)
    assert code == 1
    assert out.splitlines() == [
        "line 2, column asset_tag: the asset tag 'AB-100' would scan the same as a student's "
        "card code 'ab-100' in the database (codes are read without regard to case); "
        "choose another.",
        "line 4, column asset_tag: the asset tag 'lt-1' would scan the same as device LT-1's "
        "asset tag 'LT-1' on line 3 (codes are read without regard to case); choose another.",
        "line 5, column serial: the serial 's2' would scan the same as device LT-1's serial "
        "'S2' on line 3 (codes are read without regard to case); choose another.",
        "line 6, column asset_tag: the asset tag 'LOAN-000123' looks like the code of a loan "
        "slip or repair receipt, which a scan reads first; choose another.",
    ]
    assert exported(capsys, db, "devices")[1:] == []
    again = write(tmp_path, "s2.csv", f"{HEADER}ab-100,Amy,Ng,8,8A\nAB-100,Al,Ng,8,8A\n")
    code, out, err = run(capsys, "import", "students", again, "--skip-bad", *db)
    assert code == 0
    assert out.splitlines()[0].startswith(
        "left out: line 3, column card_code: the card code 'AB-100' would scan the same as a "
        "student's card code 'ab-100'"
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("-5.00", "-5.00"),
        ("+3", "+3"),
        ("-", "'-"),
        ("'plain", "'plain"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_every_text_cell_reads_back_as_written(value, written):
    from helpdesk.services.csv.cells import neutralise, restore

    assert neutralise(value) == written
    assert restore(written) == value
    assert neutralise(-5) == -5


def test_reports_neutralise_their_cells_and_keep_negative_numbers():
    import io

    from helpdesk.services.reporting.report_tables import write_csv

    class Table:
        columns = ("who", "refund")
        rows = (("=cmd|x", "-5.00"),)

    out = io.StringIO()
    write_csv(Table(), out)  # type: ignore[arg-type]
    assert out.getvalue().splitlines()[1] == "'=cmd|x,-5.00"
