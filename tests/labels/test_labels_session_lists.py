"""The printed missing list of a session: "Still to collect, by form" with the names grouped by
form and a count on each heading; a stocktake's "Not found"; and the hand-in receipt."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import pytest

from helpdesk.labels import session_lists, slips
from helpdesk.services.sessions import MissingItem, SessionInfo


def _text(pdf: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: scripts/setup.sh installs it")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "list.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


def _session(kind: str, expected: int, done: int) -> SessionInfo:
    return SessionInfo(
        id=3,
        code="SES-000003",
        kind=kind,
        name="Year 7 pickup",
        scope="year",
        scope_value="7",
        location=None,
        started_at=datetime(2026, 9, 2, 8, 30),
        started_by="admin",
        closed_at=None,
        expected=expected,
        done=done,
    )


def test_still_to_collect_groups_the_names_by_form_with_counts() -> None:
    missing = [
        MissingItem("S0107", "Zoe Brook", "7B"),
        MissingItem("S0101", "Adam Fell", "7A"),
        MissingItem("S0102", "Bea Grant", "7A"),
    ]
    pdf = session_lists.missing_list_pdf(
        _session("pickup", 10, 7), missing, school_name="Northfield",
        printed_at=datetime(2026, 9, 2, 11, 5),
    )  # fmt: skip
    text = _text(pdf)
    assert "Still to collect, by form" in text
    assert "7 of 10 done; 3 still to do" in text
    assert "Northfield" in text and "02/09/2026 11:05" in text
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    heads = [line for line in lines if line.startswith(("7A (", "7B ("))]
    assert heads == ["7A (2)", "7B (1)"]
    order = [n for n in ("Adam Fell", "Bea Grant", "Zoe Brook") for line in lines if n in line]
    assert order == ["Adam Fell", "Bea Grant", "Zoe Brook"]
    assert text.index("7A (2)") < text.index("Adam Fell") < text.index("7B (1)")
    assert text.index("7B (1)") < text.index("Zoe Brook")


def test_stocktake_list_is_called_not_found_and_an_empty_list_says_so() -> None:
    text = _text(
        session_lists.missing_list_pdf(
            _session("stocktake", 4, 3), [MissingItem("PER-000009", "Lenovo 300e", "Cart 3")]
        )
    )
    assert "Not found" in text and "Cart 3 (1)" in text and "PER-000009" in text
    empty = _text(session_lists.missing_list_pdf(_session("pickup", 4, 4), []))
    assert "Nothing is missing" in empty


def test_handin_receipt_names_the_condition_and_what_did_not_come_back() -> None:
    item = slips.HandinReceiptData(
        school_name="Northfield",
        student="Anna Smith",
        form="7A",
        card_code="S0001",
        asset_tag="PER-000001",
        serial="SN000001",
        model="Lenovo 300e Gen 3",
        condition="damaged",
        missing=("charger",),
        at=datetime(2026, 7, 18, 10, 0),
        session_code="SES-000004",
        ticket_code="TKT-000012",
    )
    text = _text(slips.handin_receipt_pdf(item))
    assert "Laptop hand-in receipt" in text
    assert "damaged" in text and "not: charger" in text and "TKT-000012" in text
    assert "Student's copy" in text and "School's copy" in text
