"""One user action = one transaction: the unit of work every service call runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import helpdesk.domain  # noqa: F401  (installs the audit hook)
from helpdesk.db import WRITE
from helpdesk.domain.errors import NotFound, Refused
from helpdesk.domain.models import Staff

SessionFactory = sessionmaker[Session]


@contextmanager
def unit_of_work(
    factory: SessionFactory, actor: str | None, *, now: datetime | None = None
) -> Iterator[Session]:
    """A session inside one transaction, committed on success and rolled back on any error.

    ``actor`` is the acting staff member's username (``None`` only for system work such as
    imports run before any staff exist); the audit log records it against every change.
    """
    with factory() as session, session.begin():
        session.connection(execution_options=WRITE)  # SQLite: take the write lock now
        session.info["now"] = now or datetime.now().replace(microsecond=0)
        if actor is not None:
            staff = session.scalar(select(Staff).where(Staff.username == actor))
            if staff is None:
                raise NotFound(f"There is no staff member with the username '{actor}'.")
            if not staff.active:
                raise Refused(
                    f"{staff.display_name} ({actor}) is no longer an active staff member."
                )
            session.info["staff_id"] = staff.id
            session.info["staff"] = staff
        yield session


def now_of(session: Session) -> datetime:
    """The time of the current action (one value for the whole transaction)."""
    return session.info["now"]


def actor_of(session: Session) -> Staff:
    staff = session.info.get("staff")
    if staff is None:
        raise Refused("This action needs a staff member: give one with --as USERNAME.")
    return staff
