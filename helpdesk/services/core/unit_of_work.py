"""The two ways into the database: :func:`unit_of_work` for an action (the write lock taken up
front, the audit log told who acts, committed at the end) and :func:`read_session` for a read.
No other code opens a session or a transaction of its own (tests/infra/test_infra_one_way_in.py
keeps it so)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import helpdesk.domain  # noqa: F401  (installs the audit hook)
from helpdesk.db import WRITE, read_connection
from helpdesk.domain.errors import NotFound, Refused
from helpdesk.domain.models import Staff
from helpdesk.services.core.changes import CHANGED, announce, note_writes
from helpdesk.services.core.failures import OUTCOME_UNKNOWN, OutcomeUnknown
from helpdesk.services.core.permissions import PERMISSIONS, needed, require

SessionFactory = sessionmaker[Session]


@contextmanager
def unit_of_work(
    factory: SessionFactory, actor: str | None, *, action: str, now: datetime | None = None
) -> Iterator[Session]:
    """A session inside one transaction, committed on success and rolled back on any error.

    ``actor`` is the acting staff member's username (``None`` only for system work such as
    imports run before any staff exist, or for statements that check the staff member
    themselves); the audit log records it against every change. ``action`` names what is done
    (a key of the permission table, ``permissions.PERMISSIONS``): a staff member whose role is
    below it is refused before anything is written; a name missing from the table is a fault of
    the program and raises at once.

    On PostgreSQL an action that changed something tells the other counters which tables, in
    one ``pg_notify`` just before the commit (see :mod:`helpdesk.services.core.changes`). A
    failure before the commit leaves nothing written and is raised as it is; when the commit
    itself gets no answer (the server went away), :class:`OutcomeUnknown` says the action may
    or may not have been saved. SQLite's commit is made by this process in its own file: one
    that fails (a full disk, a disk I/O error) was not made, and is raised as it is.
    """
    needed(action)  # an unknown action fails here, before any transaction
    engine = factory.kw["bind"]
    options: dict[str, object] = dict(WRITE)
    changed: set[str] = set()
    if engine.dialect.name == "postgresql":
        note_writes(engine)
        options = {**WRITE, CHANGED: changed}
    with factory() as session:
        session.begin()
        try:
            conn = session.connection(execution_options=options)  # SQLite: take the lock now
            session.info["now"] = now or datetime.now().replace(microsecond=0)
            if actor is not None:
                staff = session.scalar(select(Staff).where(Staff.username == actor))
                if staff is None:
                    raise NotFound(f"There is no staff member with the username '{actor}'.")
                if not staff.active:
                    raise Refused(
                        f"{staff.display_name} ({actor}) is no longer an active staff member."
                    )
                require(staff.role, action)
                session.info["staff_id"] = staff.id
                session.info["staff"] = staff
            yield session
            session.flush()
            announce(conn, changed)
        except BaseException:
            session.rollback()
            raise
        try:
            session.commit()
        except IntegrityError:
            raise  # the server answered: the commit was refused and nothing was kept
        except DBAPIError as exc:
            if engine.dialect.name == "sqlite":
                raise  # a file on this computer answers: a commit that failed was not made
            raise OutcomeUnknown(OUTCOME_UNKNOWN) from exc


@contextmanager
def read_session(factory: SessionFactory) -> Iterator[Session]:
    """A session for reading only, on a connection of :func:`helpdesk.db.read_connection`
    (on PostgreSQL no BEGIN and ROLLBACK round trips; on SQLite a plain BEGIN, which never
    queues behind another counter's write). Plain SQL reads use ``session.connection()``.
    Nothing written in it is kept."""
    with read_connection(factory.kw["bind"]) as conn, factory(bind=conn) as session:
        yield session


def require_reader(session: Session, actor: str, action: str) -> Staff:
    """The active staff member ``actor``, once their role is enough for the read ``action`` (a
    key of the permission table); refused in one sentence otherwise. Reads held to the table
    (the audit trail, reports, notices and letters, exports) call this first in their
    :func:`read_session`."""
    needed(action)
    staff = session.scalar(select(Staff).where(Staff.username == actor))
    if staff is None or not staff.active:
        raise Refused(f"{PERMISSIONS[action][1]} needs an active staff member signed in.")
    require(staff.role, action)
    return staff


def now_of(session: Session) -> datetime:
    """The time of the current action (one value for the whole transaction)."""
    return session.info["now"]


def actor_of(session: Session) -> Staff:
    staff = session.info.get("staff")
    if staff is None:
        raise Refused("This action needs a staff member: give one with --as USERNAME.")
    return staff
