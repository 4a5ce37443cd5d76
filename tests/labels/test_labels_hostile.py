"""Labels and slips with hostile input: a tag longer than a code can hold, an output file that
exists already (replaced only with --overwrite), something there that is not a regular file, and
a slip number larger than any record's. One sentence each, exit status 1, nothing written."""

from __future__ import annotations

import os

import pytest

from helpdesk.cli import main

STOCK = ["--template", "avery-5167"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("symbology", "length", "words"),
    [
        ("code128", 300, "longer than a Code 128 can hold"),
        ("qr", 9000, "longer than a QR code can hold"),
        ("code128", 40, "below the 0.25 mm a scanner reads reliably"),
    ],
)
def test_a_tag_too_long_for_its_code_is_one_sentence(capsys, tmp_path, symbology, length, words):
    target = tmp_path / "labels.pdf"
    tag = "X" * length
    code, out, err = run(
        capsys, "labels", *STOCK, "--code", symbology, "--tags", tag, "-o", str(target)
    )
    assert code == 1
    assert words in err and err.count("\n") == 1 and len(err) < 400
    assert not target.exists()


def test_an_existing_file_is_replaced_only_with_overwrite(capsys, tmp_path):
    target = tmp_path / "labels.pdf"
    target.write_bytes(b"the last batch")
    code, out, err = run(capsys, "labels", *STOCK, "--tags", "LT-1", "-o", str(target))
    assert code == 1
    assert err == f"helpdesk: {target} exists already; choose another name or add --overwrite.\n"
    assert target.read_bytes() == b"the last batch"
    argv = ("labels", *STOCK, "--tags", "LT-1", "-o", str(target), "--overwrite")
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF")


def test_something_that_is_not_a_regular_file_is_never_replaced(capsys, tmp_path):
    pipe = tmp_path / "pipe.pdf"
    os.mkfifo(pipe)
    argv = ("labels", *STOCK, "--tags", "LT-1", "-o", str(pipe), "--overwrite")
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert err == f"helpdesk: {pipe} is not a regular file; give a file name such as labels.pdf.\n"
    assert pipe.is_fifo()


@pytest.mark.parametrize("argv", [["99999999999999999999"], ["--ticket", "9" * 25]])
def test_a_slip_number_too_large_for_the_database(
    session_factory, sqlite_url, capsys, tmp_path, argv
):
    target = tmp_path / "slip.pdf"
    code, out, err = run(capsys, "slip", *argv, "-o", str(target), "--db", sqlite_url)
    assert code == 1
    assert "the number is larger than any record's" in err and err.count("\n") == 1
    assert not target.exists()
