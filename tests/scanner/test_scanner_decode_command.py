"""`helpdesk decode`: one JSON line per image, errors reported per file, the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scanner_drawing import SAMPLES

from helpdesk.cli import main

pytestmark = pytest.mark.usefixtures("scanner_samples")


def _lines(capsys) -> list[dict]:
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines()]


def test_json_line_per_image_errors_included_and_exit_zero(tmp_path, capsys):
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("not a picture")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    images = [
        SAMPLES / "code128-1" / "1.png",
        tmp_path / "missing.png",
        not_an_image,
        SAMPLES / "falsepositives-1" / "01.webp",
        empty,
        SAMPLES / "datamatrix-1" / "#378.png",
        tmp_path,
    ]
    assert main(["decode", "--json", *map(str, images)]) == 0
    lines = _lines(capsys)
    assert [line["path"] for line in lines] == [str(p) for p in images]
    assert lines[0]["codes"] == [{"text": "168901", "format": "Code 128"}]
    assert isinstance(lines[0]["ms"], float) and lines[0]["ms"] >= 0
    assert "no such file" in lines[1]["error"] and "codes" not in lines[1]
    assert "not an image" in lines[2]["error"]
    assert lines[3]["codes"] == [] and "error" not in lines[3]
    assert "empty" in lines[4]["error"]
    assert lines[5]["codes"] == [{"text": "Data Matrix Code", "format": "Data Matrix"}]
    assert "folder" in lines[6]["error"]


def test_plain_output_and_chosen_formats(capsys):
    image = str(SAMPLES / "qrcode-1" / "1.webp")
    assert main(["decode", image]) == 0
    assert "(QR Code)" in capsys.readouterr().out
    assert main(["decode", "--formats", "code128", image]) == 0
    assert "no code found" in capsys.readouterr().out


def test_wrong_arguments_are_one_line_and_exit_1(capsys):
    assert main(["decode"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert main(["decode", "--formats", "barcodez", "x.png"]) == 1
    assert "unknown barcode format" in capsys.readouterr().err


def test_one_process_reads_every_sample():
    images = sorted(str(p) for p in (SAMPLES / "qrcode-3").glob("*.webp"))
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "decode", "--json", *images],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == len(images)
    for line in lines:
        expected = (SAMPLES / "qrcode-3" / line["path"].rsplit("/", 1)[1]).with_suffix(".txt")
        assert [c["text"] for c in line["codes"]] == [expected.read_bytes().decode("utf-8")]


def test_camera_list_and_bad_size(capsys, monkeypatch):
    from helpdesk.scanner import CameraInfo

    assert main(["camera", "--list"]) == 0
    assert capsys.readouterr().out.strip()  # the cameras, or "no camera found"
    import helpdesk.scanner as scanner

    monkeypatch.setattr(scanner, "list_cameras", lambda: [CameraInfo(0, "USB webcam")])
    assert main(["camera", "--list"]) == 0
    assert capsys.readouterr().out.strip() == "0: USB webcam"
    assert main(["camera", "--size", "big"]) == 1
    assert "1280x720" in capsys.readouterr().err
