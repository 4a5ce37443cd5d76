"""A small school on a real SQLite file for the window tests, made with the ORM.

Students: Anna Smith (7A, card S0001, owns PER-000001), Ben Jones (8B, S0002, owns PER-000002),
Cara Left (9C, S0003, has left). Loan pool: LNR-001..LNR-005 in stock. PER-000003 is in stock,
unassigned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pytest


@dataclass(frozen=True)
class School:
    url: str
    anna: str = "S0001"
    ben: str = "S0002"
    cara: str = "S0003"
    anna_laptop: str = "PER-000001"
    ben_laptop: str = "PER-000002"
    spare: str = "PER-000003"
    loaners: tuple[str, ...] = ("LNR-001", "LNR-002", "LNR-003", "LNR-004", "LNR-005")


def build_small_school(factory) -> None:  # noqa: ANN001
    from helpdesk.domain.enums import (
        CoverStatus,
        DeviceKind,
        DevicePool,
        DeviceStatus,
        StudentStatus,
    )
    from helpdesk.domain.models import (
        Assignment,
        CoverPeriod,
        Device,
        FeeRule,
        Scheme,
        Student,
    )

    with factory() as session, session.begin():
        anna = Student(
            card_code="S0001", first_name="Anna", last_name="Smith", year_group=7, form="7A"
        )
        ben = Student(
            card_code="S0002", first_name="Ben", last_name="Jones", year_group=8, form="8B"
        )
        cara = Student(
            card_code="S0003",
            first_name="Cara",
            last_name="Left",
            year_group=9,
            form="9C",
            status=StudentStatus.LEFT,
            left_on=date(2026, 7, 20),
        )
        session.add_all([anna, ben, cara])
        own = []
        for n in (1, 2, 3):
            device = Device(
                asset_tag=f"PER-{n:06d}",
                serial=f"SN{n:06d}",
                make="Lenovo",
                model="300e Gen 3",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.ASSIGNED if n < 3 else DeviceStatus.IN_STOCK,
            )
            own.append(device)
            session.add(device)
        for n in range(1, 6):
            session.add(
                Device(
                    asset_tag=f"LNR-{n:03d}",
                    serial=f"LSN{n:04d}",
                    make="Lenovo",
                    model="100e",
                    kind=DeviceKind.LAPTOP,
                    pool=DevicePool.LOAN,
                    status=DeviceStatus.IN_STOCK,
                )
            )
        session.flush()
        start = datetime(2026, 9, 1, 8, 0)
        session.add(Assignment(device_id=own[0].id, student_id=anna.id, started_at=start))
        session.add(Assignment(device_id=own[1].id, student_id=ben.id, started_at=start))
        scheme = Scheme(name="Standard cover", claims_allowed=2)
        scheme.fee_rules = [
            FeeRule(incident_type=None, claim_from=1, claim_to=1, charge_pence=0),
            FeeRule(incident_type=None, claim_from=2, claim_to=None, charge_pence=5000),
        ]
        session.add(scheme)
        session.flush()
        session.add(
            CoverPeriod(
                student_id=anna.id,
                scheme_id=scheme.id,
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 8, 31),
                status=CoverStatus.INSURED,
                claims_allowed=2,
            )
        )


@pytest.fixture
def school(session_factory, sqlite_url) -> School:  # noqa: ANN001
    build_small_school(session_factory)
    return School(url=sqlite_url)


@pytest.fixture
def ctx(session_factory, qapp, runner):  # noqa: ANN001
    """What the panels share, on the test's SQLite file (jobs inline unless the test is
    ``@pytest.mark.threaded``)."""
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style

    apply_style(qapp)
    context = AppContext(
        factory=session_factory, actor="admin", database="SQLite: test", runner=runner
    )
    yield context
    context.db.stop(10000)


@pytest.fixture(autouse=True)
def _fresh_log_file():
    """The log handler follows each test's private data directory."""
    import logging

    import helpdesk.logs

    def reset() -> None:
        root = logging.getLogger("helpdesk")
        for handler in list(root.handlers):
            if isinstance(handler, logging.FileHandler):
                root.removeHandler(handler)
                handler.close()
        helpdesk.logs._configured = False

    reset()
    yield
    reset()
