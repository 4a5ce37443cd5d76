"""Backups and restores on real files: a small school written with the services' own session
factory (tests/conftest.py's ``session_factory``), and the command line run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from care_files import database_path


@pytest.fixture
def school(session_factory, sqlite_url) -> Path:
    """The database file of a small school: three students, a loaner lent, one ticket."""
    from helpdesk.services.csv.devices import import_devices
    from helpdesk.services.csv.importer import import_students

    import_students(
        session_factory,
        "admin",
        b"card_code,first_name,last_name,year,form\n"
        b"S1,Ann,Archer,7,7A\nS2,Ben,Baker,8,8B\nS3,Cai,Cole,9,9C\n",
    )
    import_devices(
        session_factory,
        "admin",
        b"asset_tag,serial,make,model,kind,pool\n"
        b"LNR-1,SN1,Dell,3190,laptop,loan\nLNR-2,SN2,Dell,3190,laptop,loan\n",
    )
    from helpdesk.services.counter.loans import issue_loan

    issue_loan(session_factory, "admin", student_code="S1", device_code="LNR-1")
    return database_path(sqlite_url)
