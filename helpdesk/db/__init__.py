"""Engine and session factory from a URL; SQLite pragmas; schema upgrade with a backup first."""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from helpdesk.db.round_trips import send_begin_with_first_statement
from helpdesk.logs import data_dir

SessionFactory = sessionmaker[Session]


def default_url() -> str:
    """A SQLite file in the user's data directory."""
    return f"sqlite:///{data_dir() / 'helpdesk.sqlite3'}"


BUSY_MS = 10_000  # SQLite: how long a statement waits for another counter's write lock


def _sqlite_pragmas(dbapi_connection, record, busy_ms: int = BUSY_MS) -> None:  # noqa: ANN001
    # The driver's own transaction handling is turned off so that SQLAlchemy's BEGIN below is
    # the only one: a write transaction starts with BEGIN IMMEDIATE, which takes the write lock
    # up front and waits (busy_timeout) instead of failing half-way when two counters write;
    # a read starts with a plain BEGIN (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    if record is not None:
        record.info["busy_ms"] = int(busy_ms)  # the write lock's own wait (_sqlite_begin)
    cur.execute("PRAGMA journal_mode=WAL")
    # Every commit reaches the disk before the counter says "done": a loan recorded must
    # survive a power cut, because the laptop has already left the building. (NORMAL would
    # save about 0.3 ms a commit and could lose the last loans after a crash.)
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


WRITE = {"helpdesk_write": True}  # execution options of a connection that is going to write


def _sqlite_begin(conn) -> None:  # noqa: ANN001
    """A unit of work (it asks with :data:`WRITE`) takes the write lock at BEGIN and waits for
    it there; everything else only reads, with a plain BEGIN that never queues behind a writer.

    The wait is ours, not SQLite's busy handler: that one sleeps 25 to 100 ms between tries once
    it has waited a little, so with several counters or stations writing one file a writer that
    keeps missing the moment the lock is free waits a second or more while others go ahead.
    Trying again every millisecond or two (with jitter) until the same busy timeout has passed
    gives the lock to whoever is waiting within a few ms of its release. When the time is up
    (or BEGIN fails for another reason) the BEGIN is made once more the usual way, so the error
    is SQLAlchemy's, as before."""
    if not conn.get_execution_options().get("helpdesk_write"):
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.driver_connection
    busy_ms = int(conn.connection.info.get("busy_ms", BUSY_MS))
    deadline = time.monotonic() + busy_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    break
            time.sleep(random.uniform(0.0005, 0.002))
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # raises SQLAlchemy's error (or wins at last)
    finally:
        raw.execute(f"PRAGMA busy_timeout={busy_ms}")


def _probe_sqlite(path: Path) -> None:
    """Look at an existing file before the engine's pragmas write to it (WAL mode is kept in the
    file's header): one that is not a database raises sqlite3.DatabaseError, another
    application's database or one of a newer Helpdesk :class:`DatabaseRefused`. Only reads.
    A file in WAL mode already is left to :func:`check_ours`: the pragmas change nothing in it."""
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(b"SQLite format 3\x00") or len(header) < 100:
        raise sqlite3.DatabaseError("file is not a database")
    if header[18] == 2:
        return
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        revision = None
        if "alembic_version" in tables:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
    finally:
        conn.close()
    tables.discard("alembic_version")
    _refuse_unless_ours(str(path), tables, revision)


def _refuse_unless_ours(where: str, tables: set[str], revision: str | None) -> None:
    from alembic.script import ScriptDirectory

    from helpdesk.domain.errors import DatabaseRefused

    if revision is None and tables:
        raise DatabaseRefused(
            f"The database {where} belongs to another application (it has tables such as "
            f"'{sorted(tables)[0]}' but no Helpdesk schema); nothing was written to it: give "
            "Helpdesk a database of its own."
        )
    if revision is None:
        return
    script = ScriptDirectory.from_config(_alembic_config(None))
    try:
        script.get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown revision
        raise DatabaseRefused(
            f"The database {where} is at schema revision {revision}, which this version of "
            f"Helpdesk does not know (its newest is {script.get_current_head()}): it was made by "
            "a newer Helpdesk or another application; nothing was changed."
        ) from None


def make_engine(url: str, *, echo: bool = False, busy_ms: int = BUSY_MS) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and immediate write transactions.

    ``busy_ms``: how long SQLite waits for another counter's write lock before "locked" (the
    window waits briefly and retries on its database thread, saying so; commands wait longer)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database).expanduser()
            if path.is_file() and path.stat().st_size > 0:
                _probe_sqlite(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": busy_ms / 1000})
        event.listen(engine, "connect", lambda conn, record: _sqlite_pragmas(conn, record, busy_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "postgresql":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    # No ping of a pooled connection before each use: on a school's network that is one more
    # round trip for every scan and every action. A pooled connection that died (the server was
    # restarted) fails on its first statement with a disconnect error instead; SQLAlchemy then
    # throws the whole pool away, and the window's database thread takes that error as "the
    # server went away", says so and probes until it answers, with fresh connections after.
    engine = create_engine(parsed, echo=echo, connect_args=_server_timeouts(parsed.query))
    send_begin_with_first_statement(engine)
    return engine


CONNECT_TIMEOUT_S = 5  # a server that does not answer: give up connecting after this long
STATEMENT_TIMEOUT_S = 10  # a statement the server has not answered after this long is cancelled


def _seconds(name: str, default: int) -> int:
    """A timeout from the environment (HELPDESK_DB_CONNECT_TIMEOUT, ..._STATEMENT_TIMEOUT), in
    whole seconds, 0 for none; a value that is not one is logged and the default used."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
        if value < 0:
            raise ValueError(raw)
    except ValueError:
        logging.getLogger("helpdesk.db").warning(
            "%s=%r is not a number of seconds; %d is used instead", name, raw, default
        )
        return default
    return value


def _server_timeouts(query: Mapping[str, object]) -> dict[str, object]:
    """PostgreSQL: a server that stops answering must not hold a counter for ever. Connecting
    gives up after HELPDESK_DB_CONNECT_TIMEOUT seconds and each statement after
    HELPDESK_DB_STATEMENT_TIMEOUT (0: no limit); the same settings in the URL win."""
    args: dict[str, object] = {}
    connect = _seconds("HELPDESK_DB_CONNECT_TIMEOUT", CONNECT_TIMEOUT_S)
    if "connect_timeout" not in query and connect:
        args["connect_timeout"] = connect
    statement = _seconds("HELPDESK_DB_STATEMENT_TIMEOUT", STATEMENT_TIMEOUT_S)
    if "options" not in query and statement:
        args["options"] = f"-c statement_timeout={statement * 1000}"
    return args


def listener_connect_args(engine: Engine) -> dict[str, object]:
    """PostgreSQL: the keyword arguments of ``psycopg.connect`` for a connection of its own to
    ``engine``'s database, outside the pool (the change watcher's LISTEN), with the pool's
    timeouts. TCP keepalives make a server that vanishes without a word (a cable pulled) show as
    a broken connection within some 15 s instead of a wait that never ends."""
    _args, found = engine.dialect.create_connect_args(engine.url)
    kwargs: dict[str, object] = dict(found)
    kwargs.pop("context", None)  # SQLAlchemy's adapters, not a connection setting
    kwargs.update(_server_timeouts(engine.url.query))
    for name, value in LISTENER_KEEPALIVES.items():
        kwargs.setdefault(name, value)
    return kwargs


# probe an idle connection after 5 s, every 2 s, give up after 3 missed answers (or 10 s unsent)
LISTENER_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10000,
}


def listening_connection(engine: Engine, channel: str) -> psycopg.Connection:
    """PostgreSQL: a connection of its own (not from the pool, see :func:`listener_connect_args`)
    that LISTENs on ``channel``. It runs no transaction: it only waits for notifications."""
    conn = psycopg.connect(autocommit=True, **listener_connect_args(engine))  # type: ignore[arg-type]
    try:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
    except BaseException:
        conn.close()
        raise
    return conn


def version_connection(engine: Engine) -> sqlite3.Connection:
    """SQLite: a connection of its own to the file, for ``PRAGMA data_version`` (which changes
    when any other connection commits). It runs no transaction; it may be made on one thread and
    used on another, never on two at once."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        raise ValueError(f"Not a SQLite file: {engine.url}")
    conn = sqlite3.connect(database, timeout=1, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=1000")
    return conn


def compact_sqlite(engine: Engine) -> bool | None:
    """SQLite: rebuild the file (VACUUM, so no deleted or overwritten value is left in a free
    page) and empty its write-ahead log (``wal_checkpoint(TRUNCATE)``). True when both were done
    in full, False when another connection kept the log in use; None for a server."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    engine.dispose()  # this process's pooled connections hold nothing open
    conn = sqlite3.connect(database, timeout=10, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("VACUUM")
        busy, frames, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    except sqlite3.OperationalError:
        return False
    finally:
        conn.close()
    return busy == 0 and frames in (done, -1, 0)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is going to write (on SQLite: BEGIN IMMEDIATE, so two
    processes writing at once wait for each other instead of one failing as 'locked')."""
    with engine.connect() as conn:
        conn.execution_options(**WRITE)
        with conn.begin():
            yield conn


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for reading only. On PostgreSQL each statement reads what is committed
    without a transaction of its own (no BEGIN and ROLLBACK round trips for a scan); SQLite
    reads in one plain BEGIN, which never queues behind another counter's write."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


def make_session_factory(engine_or_url: Engine | str) -> SessionFactory:
    engine = make_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    return sessionmaker(bind=engine, expire_on_commit=False)


def describe(engine: Engine) -> str:
    """A short description for the status bar: the file, or the server and database."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite: {url.database}"
    return f"PostgreSQL: {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


# --- migrations -------------------------------------------------------------------------------


def _alembic_config(engine: Engine | None):  # noqa: ANN202
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("helpdesk") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(engine)).get_current_head()


def backup_sqlite(engine: Engine, target: str | Path) -> Path:
    """A consistent online copy of a SQLite database (the backup API, safe while in use)."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database:
        from helpdesk.domain.errors import HelpdeskError

        raise HelpdeskError(
            "Online backup is for SQLite files; back up a PostgreSQL server with pg_dump."
        )
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(database)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def _where(engine: Engine) -> str:
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def check_ours(engine: Engine) -> str | None:
    """The database's schema revision, after making sure it is Helpdesk's and not newer than
    this version: another application's database (tables, but no ``alembic_version`` of ours)
    or an unknown revision raise :class:`DatabaseRefused` before anything is written to it."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
    current = current_revision(engine)
    _refuse_unless_ours(_where(engine), tables, current)
    return current


def upgrade(engine: Engine, revision: str = "head", *, backup: bool = True) -> Path | None:
    """Bring the schema to ``revision``. A SQLite file that has data and is behind is copied first.
    A database that is not Helpdesk's, or is newer, is refused first (:func:`check_ours`), with
    no copy made.

    Returns the backup's path when one was made.
    """
    from alembic import command

    cfg = _alembic_config(engine)
    current = check_ours(engine)
    made: Path | None = None
    if (
        backup
        and current is not None
        and current != head_revision(engine)
        and engine.url.get_backend_name() == "sqlite"
        and engine.url.database not in (None, "", ":memory:")
    ):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        db_path = Path(engine.url.database)
        made = backup_sqlite(
            engine, db_path.with_name(f"{db_path.stem}.before-upgrade-{stamp}.sqlite3")
        )
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Counters starting together: one upgrades, the others wait here, then find it done.
            # An upgrade of a big school may take longer than a counter's statement may.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(48514)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return made


def open_database(
    url: str, *, upgrade_schema: bool = True, busy_ms: int = BUSY_MS
) -> SessionFactory:
    """Engine + upgrade + session factory: what the app and the CLI use on start. A SQLite
    file's pages are checked first (:func:`check_pages`), so a damaged one is refused before
    anything (a sign-in's audit row, an upgrade) is written to it."""
    engine = make_engine(url, busy_ms=busy_ms)
    check_pages(engine)
    if upgrade_schema:
        upgrade(engine)
        check_audit_triggers(engine)
    return make_session_factory(engine)


def check_pages(engine: Engine) -> None:
    """SQLite: ``PRAGMA quick_check`` on the file, read-only (a tenth of a second for a school's
    20 MB file). A damaged page anywhere, even in a table this command will not read until
    later, raises :class:`DatabaseRefused` in one sentence, with nothing written."""
    from helpdesk.domain.errors import DatabaseRefused

    url = engine.url
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return
    path = Path(database).expanduser()
    if database.startswith("file:") or not path.is_file() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            found = [row[0] for row in conn.execute("PRAGMA quick_check(1)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        found = [str(exc)]
    if found != ["ok"]:
        raise DatabaseRefused(
            f"The database {path} is damaged ({found[0] if found else 'no answer'}); nothing "
            "was written to it: restore the last good backup with 'helpdesk restore BACKUP'."
        )


def check_audit_triggers(engine: Engine) -> list[str]:
    """The start-up check of the audit log's triggers: any that is missing is put back (and
    logged); the names put back. See :mod:`helpdesk.domain.audit_triggers`."""
    from helpdesk.domain.audit_triggers import ensure_audit_triggers, missing_audit_triggers

    with read_connection(engine) as conn:  # the usual case: all there, nothing to write
        missing = missing_audit_triggers(conn)
    if not missing:
        return []
    with write_transaction(engine) as conn:
        return ensure_audit_triggers(conn)
