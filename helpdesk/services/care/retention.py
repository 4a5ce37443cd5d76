"""How long a leaver's record is kept: the school's retention period (``retention_years`` in the
settings, one academic year by default) counted from the start of the academic year (1 September)
they are in now. With one year, on 7 December 2026 the current year began on 1 September 2026,
the previous one on 1 September 2025, and leavers who left before that day are due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select

from helpdesk.domain.enums import StudentStatus
from helpdesk.domain.models import Staff, Student
from helpdesk.services.care.scrub import CODE_MARK
from helpdesk.services.core.permissions import may
from helpdesk.services.core.settings import load_settings
from helpdesk.services.core.unit_of_work import SessionFactory, read_session


def academic_year_start(day: date) -> date:
    """1 September of the academic year ``day`` is in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def retention_cutoff(today: date, years: int) -> date:
    """Leavers who left before this day are due for purging."""
    start = academic_year_start(today)
    return start.replace(year=start.year - years)


def not_purged() -> ColumnElement[bool]:
    """Students whose record has not been purged yet (a purged card code starts with the mark)."""
    return Student.card_code.not_like(f"{CODE_MARK}%")


@dataclass(frozen=True)
class DueLeavers:
    count: int
    left_before: date  # the retention period's cut-off, for the purge command
    years: int

    @property
    def sentence(self) -> str:
        who = "1 leaver is" if self.count == 1 else f"{self.count} leavers are"
        return (
            f"{who} past the school's retention period: "
            f"helpdesk purge leavers --left-before {self.left_before.isoformat()}"
        )


def leavers_due(
    factory: SessionFactory, actor: str, today: date | None = None
) -> DueLeavers | None:
    """How many leavers are due for purging, for an admin (``None`` for anyone else, whom the
    reminder is not for)."""
    today = today or date.today()
    with read_session(factory) as session:
        role = session.scalar(select(Staff.role).where(Staff.username == actor, Staff.active))
        if role is None or not may(role, "students.purge"):
            return None
        years = load_settings(session).retention_years
        cutoff = retention_cutoff(today, years)
        count = session.scalar(
            select(func.count(Student.id)).where(
                Student.status == StudentStatus.LEFT, Student.left_on < cutoff, not_purged()
            )
        )
    return DueLeavers(int(count or 0), cutoff, years)
