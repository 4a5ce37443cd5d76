"""`helpdesk subject-access` and `helpdesk purge leavers` on the command line, on SQLite and
PostgreSQL: the zip holds a CSV per kind with the columns and the student's rows (and no one
else's), the photos as the image files they were, and a PDF whose text reads back; an existing
file needs --overwrite; a dry run prints counts and the skipped leavers and changes nothing."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from leavers import add_leaver, png
from service_school import BACKENDS, build_school
from sqlalchemy import update

from helpdesk.cli import main
from helpdesk.domain.enums import StudentStatus
from helpdesk.domain.models import Student

EXPECTED_FILES = {
    "student.csv", "cover_periods.csv", "allocations.csv", "loans.csv", "tickets.csv",
    "ticket_parts.csv", "photos.csv", "claims.csv", "charges.csv", "payments.csv", "audit.csv",
    "summary.pdf",
}  # fmt: skip


@pytest.fixture(params=BACKENDS)
def school_url(request: pytest.FixtureRequest):
    name = "session_factory" if request.param == "sqlite" else "pg_session_factory"
    factory = request.getfixturevalue(name)
    build_school(factory)
    leaver = add_leaver(factory, "ZQ-7781", "Zebedee", "Quarmby")
    add_leaver(factory, "YY-1234", "Yolanda", "Yarrow")  # someone else, kept out of the answer
    return factory, factory.kw["bind"].url.render_as_string(hide_password=False), leaver


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_zip_holds_everything_about_the_student_and_nothing_else(school_url, tmp_path, capsys):
    factory, url, leaver = school_url
    target = tmp_path / "zq.zip"
    assert main(["subject-access", "ZQ-7781", "-o", str(target), "--db", url]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {target}: Zebedee Quarmby (ZQ-7781); cover periods 1,")
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        photo_names = {n for n in names if n.startswith("photos/")}
        assert names - photo_names == EXPECTED_FILES
        [student] = _csv(archive, "student.csv")
        assert (student["card_code"], student["first_name"], student["last_name"]) == (
            "ZQ-7781", "Zebedee", "Quarmby",
        )  # fmt: skip
        assert (student["status"], student["left_on"], student["form"]) == (
            "left", "2025-07-18", "11Z",
        )  # fmt: skip
        [loan] = _csv(archive, "loans.csv")
        assert loan["notes"] == "Zebedee said the charger is Quarmby's own"
        assert loan["asset_tag"] == "LNR-004" and loan["slip"].startswith("LOAN-")
        [ticket] = _csv(archive, "tickets.csv")
        assert ticket["fault"] == "Zebedee Quarmby dropped it on the stairs"
        assert ticket["state"] == "collected" and ticket["receipt"].startswith("TKT-")
        [part] = _csv(archive, "ticket_parts.csv")
        assert part["description"] == "LCD panel for Quarmby"
        [photo] = _csv(archive, "photos.csv")
        assert photo["caption"] == "Zebedee's screen" and "data" not in photo
        assert photo_names == {f"photos/{photo['file']}"}
        assert archive.read(f"photos/{photo['file']}") == png()
        [claim] = _csv(archive, "claims.csv")
        assert claim["incident_type"] == "accidental_damage"
        [charge] = _csv(archive, "charges.csv")
        assert (charge["charge_pence"], charge["charge_status"], charge["paid_pence"]) == (
            "5000", "paid", "5000",
        )  # fmt: skip
        [payment] = _csv(archive, "payments.csv")
        assert payment["receipt_number"] == "R-ZQ-7781"
        assert len(_csv(archive, "cover_periods.csv")) == 1
        assert len(_csv(archive, "allocations.csv")) == 1
        audit = _csv(archive, "audit.csv")
        entities = {row["entity"] for row in audit}
        assert entities == {
            "students", "devices", "assignments", "cover_periods", "loans", "tickets",
            "ticket_parts", "ticket_photos", "claims", "payments", "counter",
        } - {"devices"}  # fmt: skip
        assert {row["entity_id"] for row in audit if row["entity"] == "students"} == {
            str(leaver.id)
        }
        assert "Yarrow" not in archive.read("audit.csv").decode()
        refusal = next(row for row in audit if row["entity"] == "counter")
        assert json.loads(refusal["after"])["code"] == "ZQ-7781"
        text = _pdf_text(archive.read("summary.pdf"), tmp_path)
    assert "Subject access: Zebedee Quarmby" in text
    assert "Card ZQ-7781" in text
    for line in ("Loans: 1 row", "Repair tickets: 1 row", "Payments: 1 row",
                 "Photos: 1 image files"):  # fmt: skip
        assert line in text, line
    assert "Zebedee said the charger is" in text and "LCD panel for Quarmby" in text
    assert "£50.00" in text
    assert "Yarrow" not in text


def test_an_existing_file_needs_overwrite(school_url, tmp_path, capsys):
    _, url, _ = school_url
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "zq.zip"
    target.write_bytes(b"the old answer")
    assert main(["subject-access", "ZQ-7781", "-o", str(target), "--db", url]) == 1
    assert "already exists; give --overwrite" in capsys.readouterr().err
    assert target.read_bytes() == b"the old answer"
    assert main(["subject-access", "ZQ-7781", "-o", str(target), "--overwrite", "--db", url]) == 0
    assert zipfile.is_zipfile(target)
    assert [p.name for p in target.parent.iterdir()] == ["zq.zip"]


def test_an_unknown_card_is_one_line(school_url, tmp_path, capsys):
    _, url, _ = school_url
    assert main(["subject-access", "NOPE-1", "-o", str(tmp_path / "x.zip"), "--db", url]) == 1
    err = capsys.readouterr().err
    assert "No student has the card code 'NOPE-1'." in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.zip").exists()


def test_purge_on_the_command_line_dry_run_then_apply(school_url, tmp_path, capsys):
    factory, url, leaver = school_url
    with factory() as session, session.begin():  # Ben leaves with his laptop still assigned
        session.execute(
            update(Student)
            .where(Student.card_code == "S1002")
            .values(status=StudentStatus.LEFT, left_on=date(2025, 6, 30))
        )
    args = ["purge", "leavers", "--left-before", "2025-09-01", "--db", url]
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines() == [
        "would purge 2 leavers who left before 01/09/2025: 2 loans, 2 tickets and 2 claims kept "
        "on the anonymous records, 2 photos to delete",
        "skipped 1 leaver:",
        "  Ben Jones (S1002, 8B, left 30/06/2025): a laptop still assigned",
        "nothing was changed: run again with --apply to purge",
    ]
    assert main([*args, "--apply"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("purged 2 leavers who left before 01/09/2025")
    assert out[1].startswith("rewrote ") and "audit rows that named them" in out[1]
    gone = str(tmp_path / "gone.zip")
    assert main(["subject-access", "ZQ-7781", "-o", gone, "--db", url]) == 1
    assert "No student has the card code 'ZQ-7781'." in capsys.readouterr().err
    assert main(["purge", "leavers", "--left-before", "1 Sept", "--db", url]) == 1
    assert "is not a date" in capsys.readouterr().err
    assert leaver.first == "Zebedee"
