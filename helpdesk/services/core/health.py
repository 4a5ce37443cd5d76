"""Is the database there? One short read, for a window that lost its database and tries again
until it answers (the window's database thread calls :func:`ping` every second while away)."""

from __future__ import annotations

from sqlalchemy import text

from helpdesk.services.core.unit_of_work import SessionFactory, read_session


def ping(factory: SessionFactory) -> None:
    """Raise (a connection error) unless the database answers a trivial query."""
    with read_session(factory) as session:
        session.execute(text("SELECT 1"))
