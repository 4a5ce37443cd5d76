"""The devices CSV's ``location`` column on a real SQLite file: imported, kept when the cell is
empty (a file without places does not wipe them), spelt as already recorded, refused with a
sentence when it holds a control character or is too long, and written back by the export so a
round trip changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from helpdesk.domain.errors import ImportFailed
from helpdesk.domain.models import Device
from helpdesk.services.csv.export import export_csv
from helpdesk.services.csv.importer import import_devices
from helpdesk.services.csv.reader import format_problem

HEADER = "asset_tag,serial,make,model,kind,pool,status,location\n"
PLACED = (
    HEADER
    + "LN-001,S-001,Lenovo,100e,laptop,loan,,Cart A\n"
    + "LN-002,S-002,Lenovo,100e,laptop,loan,,cart a\n"
    + "LT-001,S-101,Lenovo,11e,laptop,allocation,,Store room\n"
    + "CH-001,S-201,Lenovo,45W,charger,allocation,,\n"
)


def places(factory) -> dict[str, str | None]:  # noqa: ANN001
    with factory() as session:
        return dict(session.execute(select(Device.asset_tag, Device.location)).all())


def test_places_are_imported_in_one_spelling(session_factory):
    result = import_devices(session_factory, "admin", PLACED.encode())
    assert result.added == 4
    assert places(session_factory) == {
        "LN-001": "Cart A",
        "LN-002": "Cart A",
        "LT-001": "Store room",
        "CH-001": None,
    }


def test_an_empty_cell_or_no_column_keeps_the_place(session_factory):
    import_devices(session_factory, "admin", PLACED.encode())
    emptied = PLACED.replace(",Cart A\n", ",\n").replace(",cart a\n", ",\n")
    again = import_devices(session_factory, "admin", emptied.encode())
    assert (again.added, again.updated) == (0, 0)
    without = "asset_tag,serial,make,model,kind,pool\nLT-001,S-101,Lenovo,11e,laptop,allocation\n"
    assert import_devices(session_factory, "admin", without.encode()).unchanged == 1
    moved = HEADER + "LT-001,S-101,Lenovo,11e,laptop,allocation,,STORE ROOM\n"
    assert import_devices(session_factory, "admin", moved.encode()).unchanged == 1
    moved = HEADER + "LT-001,S-101,Lenovo,11e,laptop,allocation,,Cart B\n"
    assert import_devices(session_factory, "admin", moved.encode()).updated == 1
    assert places(session_factory)["LN-001"] == "Cart A"
    assert places(session_factory)["LT-001"] == "Cart B"


@pytest.mark.parametrize(
    ("cell", "why"),
    [
        (
            "Cart\x07A",
            "a place cannot hold a control character (\\x07), which no one can type back at "
            "a stocktake; retype it.",
        ),
        ("R" * 65, f"'{'R' * 20}...' is longer than 64 characters, the most a place holds."),
    ],
)
def test_a_bad_place_is_refused_and_nothing_is_written(session_factory, cell, why):
    bad = PLACED + f"LT-002,S-102,Lenovo,11e,laptop,allocation,,{cell}\n"
    with pytest.raises(ImportFailed) as raised:
        import_devices(session_factory, "admin", bad.encode())
    assert [format_problem(p) for p in raised.value.problems] == [f"line 6, column location: {why}"]
    assert places(session_factory) == {}


def test_the_export_writes_places_and_reads_back_unchanged(session_factory):
    import_devices(session_factory, "admin", PLACED.encode())
    out = io.StringIO()
    export_csv(session_factory, "admin", "devices", out)
    lines = out.getvalue().splitlines()
    assert lines[0].endswith(",assigned_to,location")
    assert "LN-002,S-002,Lenovo,100e,laptop,loan,in_stock,,,,Cart A" in lines
    assert "CH-001,S-201,Lenovo,45W,charger,allocation,in_stock,,,," in lines
    again = import_devices(session_factory, "admin", out.getvalue().encode())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
