"""`helpdesk db upgrade`, `helpdesk db current`, `helpdesk db photos` and `helpdesk db grants`.

The schema is kept by Alembic migrations shipped inside the package. Upgrading a SQLite file that
holds data first copies it beside itself (``helpdesk.before-upgrade-<time>.sqlite3``); the app does
the same on start. Backups and restores are in :mod:`helpdesk.commands.backups`, which uses
the helpers at the end of this module.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, check_folder, db_url, sign_in
from helpdesk.db import (
    check_ours,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    upgrade,
)
from helpdesk.domain.errors import HelpdeskError

OLD_PHOTOS_FOLDER = "photos"  # where ticket photos were kept before they moved into the database


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    db = subparsers.add_parser(
        "db",
        parents=[common],
        help=summary("db"),
        description="Manage the database schema (Alembic migrations shipped with Helpdesk).",
    )
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser(
        "upgrade",
        parents=[common],
        help="bring the schema up to this version (a SQLite file is copied first)",
        description="Bring the schema up to this version of Helpdesk. A SQLite file that holds "
        "data is copied beside itself before anything changes.",
    )
    up.set_defaults(handler=_upgrade)
    cur = actions.add_parser(
        "current",
        parents=[common],
        help="show the database, its schema revision and whether it is up to date",
    )
    cur.set_defaults(handler=_current)
    photos = actions.add_parser(
        "photos",
        parents=[common],
        help="read this computer's old ticket photos folder into the database",
        description="Ticket photos are kept in the database. The upgrade read in the photos "
        "folder of the computer that ran it; on a shared server, run this once on each other "
        "bench computer to read in the photos it kept (rows still without their photo whose "
        "file is in FOLDER). A folder that held any of them is then renamed "
        "photos.moved-into-database; any other is left as it is.",
    )
    photos.add_argument(
        "folder",
        metavar="FOLDER",
        nargs="?",
        help="the old photos folder (default: beside a SQLite file, or in this computer's "
        "Helpdesk data folder for a server)",
    )
    photos.set_defaults(handler=_photos)
    grants = actions.add_parser(
        "grants",
        parents=[common],
        help="PostgreSQL: the SQL giving the app's login role only what it needs (or apply it)",
        description="Print the SQL that lets the app's login role read and write the tables but "
        "not change or delete audit rows, nor drop or alter tables; with --apply, run it on the "
        "database (connected as the tables' owner, the role that runs the migrations). See "
        "docs/security.md.",
    )
    grants.add_argument("--login", required=True, metavar="ROLE", help="the app's login role")
    grants.add_argument("--apply", action="store_true", help="run the SQL now")
    grants.set_defaults(handler=_grants)


# --- helpers ------------------------------------------------------------------------------------


def _where(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _open(args: argparse.Namespace, *, create: bool = False) -> Engine:
    url = db_url(args)
    check_folder(url, create=create)
    try:
        return make_engine(url)
    except HelpdeskError:
        raise
    except Exception as exc:  # noqa: BLE001 - an unusable URL is one clear line
        raise CommandError(f"cannot use the database URL {url!r}: {exc}") from exc


def _sign_in_if_needed(args: argparse.Namespace, engine: Engine) -> None:
    """Upgrade and backup act as a signed-in person on a database whose staff can sign in; one
    from before sign-in (or whose staff have no passwords yet) has nobody to sign in as."""
    from helpdesk.services.core.auth import sign_in_needed

    if sign_in_needed(engine):
        sign_in(args, make_session_factory(engine))


def _revision_or_fail(engine: Engine) -> str | None:
    try:
        return current_revision(engine)
    except OperationalError as exc:
        from helpdesk.commands.failures import explain

        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if "disk i/o error" in reason.lower():
            reason = explain(exc) or reason
        raise CommandError(f"cannot open the database {_where(engine)}: {reason}") from exc


def _known(engine: Engine, revision: str | None) -> bool:
    if revision is None:
        return True
    from alembic.script import ScriptDirectory

    from helpdesk.db import _alembic_config

    try:
        ScriptDirectory.from_config(_alembic_config(engine)).get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        return False
    return True


def _too_new(engine: Engine, current: str, head: str | None) -> CommandError:
    return CommandError(
        f"the database {_where(engine)} is at schema revision {current}, which this version of "
        f"Helpdesk does not know (its newest is {head}); update Helpdesk instead"
    )


# --- handlers -----------------------------------------------------------------------------------


def _upgrade(args: argparse.Namespace) -> int:
    engine = _open(args, create=True)
    try:
        before = _revision_or_fail(engine)
        head = head_revision(engine)
        if before is not None and not _known(engine, before):
            raise _too_new(engine, before, head)
        check_ours(engine)
        _sign_in_if_needed(args, engine)
        if before == head:
            print(f"{_where(engine)}: already at revision {head}, nothing to do")
            return 0
        made = upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    print(f"{_where(engine)}: upgraded from {before or 'an empty database'} to revision {after}")
    if made is not None:
        print(f"copy of the database before the upgrade: {made}")
    return 0


def _photos(args: argparse.Namespace) -> int:
    from helpdesk.commands.common import acting_username, open_database
    from helpdesk.services.core.staff import ensure_admin
    from helpdesk.services.repairs.photos import fill_missing_photos

    if args.folder:
        folder = Path(args.folder).expanduser()
    else:
        url = make_url(db_url(args))
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            folder = Path(url.database).expanduser().resolve().parent / OLD_PHOTOS_FOLDER
        else:
            from helpdesk.logs import data_dir

            folder = data_dir() / OLD_PHOTOS_FOLDER
    if not folder.is_dir():
        raise CommandError(f"there is no photos folder at {folder}")
    factory = open_database(args, must_exist=True)
    try:
        ensure_admin(factory)
        done = fill_missing_photos(factory, acting_username(args), folder)
    finally:
        factory.kw["bind"].dispose()
    print(f"read {done.moved} ticket photos into the database from {folder}")
    if done.still_missing:
        print(f"{done.still_missing} photos are still missing (not in this folder)")
    if done.renamed_to is not None:
        print(f"the folder is kept as {done.renamed_to}")
    return 0


def _current(args: argparse.Namespace) -> int:
    engine = _open(args)
    try:
        rev = _revision_or_fail(engine)
        head = head_revision(engine)
    finally:
        engine.dispose()
    print(f"database: {_where(engine)}")
    if rev is None:
        print(f"revision: none (an empty database; 'helpdesk db upgrade' creates revision {head})")
    elif rev == head:
        print(f"revision: {rev} (up to date)")
    elif not _known(engine, rev):
        print(f"revision: {rev} (newer than this version of Helpdesk, whose newest is {head})")
        return 1
    else:
        print(f"revision: {rev} (behind {head}: run 'helpdesk db upgrade')")
    return 0


def _grants(args: argparse.Namespace) -> int:
    from helpdesk.domain.errors import HelpdeskError
    from helpdesk.services.core.grants import apply_grants, grants_script

    try:
        script = grants_script(args.login)
    except HelpdeskError as exc:
        raise CommandError(str(exc)) from None
    if not args.apply:
        print(script, end="")
        return 0
    engine = _open(args)
    try:
        if engine.dialect.name != "postgresql":
            raise CommandError("grants are for PostgreSQL; a SQLite file is guarded by its file")
        if _revision_or_fail(engine) is None:
            raise CommandError("the database is empty: run 'helpdesk db upgrade' first")
        factory = make_session_factory(engine)
        actor = None
        from helpdesk.services.core.auth import sign_in_needed

        if sign_in_needed(engine):
            actor = sign_in(args, factory)
        count = apply_grants(factory, actor, args.login)
    finally:
        engine.dispose()
    print(f"{_where(engine)}: {count} grant statements applied for {args.login}")
    return 0
