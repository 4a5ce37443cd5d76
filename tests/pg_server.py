"""A throwaway PostgreSQL server for the test session.

Order of preference:

1. ``HELPDESK_TEST_PG_URL`` names a server (any database on it; the role must be allowed to
   create databases). The tests create and drop their own databases there.
2. Debian's server binaries (``/usr/lib/postgresql/<version>/bin``) are on the machine: a new
   cluster is made in a temporary directory with ``initdb`` and started with ``pg_ctl`` on a free
   local port (TCP on 127.0.0.1 and a socket in the same directory). PostgreSQL refuses to run as
   root, so as root the cluster belongs to the ``postgres`` user (``runuser``); as anyone else it
   runs as that user. It is stopped and removed at the end of the session.
3. Otherwise the PostgreSQL tests are skipped, saying why (under ``.ci/run``, which sets
   ``HELPDESK_TEST_REQUIRE_ALL=1``, they fail instead: see tests/needs.py).

The cluster runs without fsync: it holds nothing worth keeping and the tests stay fast.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing
from itertools import count
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ENV_URL = "HELPDESK_TEST_PG_URL"
SERVER_OWNER = "postgres"  # the system user Debian's package creates


class PgUnavailable(Exception):
    """No PostgreSQL server can be used; the message says why (the skip or failure reason)."""


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_bindir() -> Path | None:
    """The newest Debian PostgreSQL server binary folder, or ``None``."""
    candidates = []
    for bindir in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(bindir).parent.name
        if Path(bindir, "initdb").exists() and Path(bindir, "pg_ctl").exists():
            try:
                candidates.append((float(version), Path(bindir)))
            except ValueError:
                continue
    return max(candidates)[1] if candidates else None


class PgServer:
    """A server the tests may create databases on. ``url(name)`` is a SQLAlchemy URL."""

    def __init__(self, base: URL, *, workdir: Path | None = None, bindir: Path | None = None):
        self.base = base
        self.workdir = workdir  # set when this process started the cluster
        self.bindir = bindir
        self._names = count(1)
        self._tag = f"{os.getpid()}"

    # --- starting and stopping ----------------------------------------------------------------

    @classmethod
    def private(cls) -> PgServer:
        """A cluster of this process's own, always (a test that stops and starts its server);
        raise PgUnavailable without Debian's server binaries."""
        bindir = find_bindir()
        if bindir is None:
            raise PgUnavailable(
                "no PostgreSQL server binaries to start a private cluster: install Debian's "
                "'postgresql' package"
            )
        return cls._own_cluster(bindir)

    @classmethod
    def start(cls) -> PgServer:
        """Use ``$HELPDESK_TEST_PG_URL`` or start a private cluster; raise PgUnavailable."""
        env = os.environ.get(ENV_URL)
        if env:
            url = make_url(env)
            if url.get_driver_name() in ("", "psycopg2"):
                url = url.set(drivername="postgresql+psycopg")
            server = cls(url)
            server._check(wait_seconds=0)  # a server named by the user should be up already
            return server
        bindir = find_bindir()
        if bindir is None:
            raise PgUnavailable(
                f"no PostgreSQL server for the tests: set {ENV_URL}, or install Debian's "
                "'postgresql' package (the tests then start their own cluster)"
            )
        return cls._own_cluster(bindir)

    @classmethod
    def _own_cluster(cls, bindir: Path) -> PgServer:
        as_root = os.geteuid() == 0
        if as_root:
            try:
                pwd.getpwnam(SERVER_OWNER)
            except KeyError as exc:
                raise PgUnavailable(f"no '{SERVER_OWNER}' user to run the test cluster") from exc
        workdir = Path(tempfile.mkdtemp(prefix="helpdesk-pg-"))
        server = cls(
            URL.create(
                "postgresql+psycopg",
                username="postgres",
                host="127.0.0.1",
                port=_free_port(),
                database="postgres",
            ),
            workdir=workdir,
            bindir=bindir,
        )
        try:
            server._init_and_start(as_root)
        except BaseException:
            server.stop()
            raise
        atexit.register(server.stop)
        return server

    def _run(self, args: list[str], as_root: bool) -> None:
        cmd = (["runuser", "-u", SERVER_OWNER, "--"] if as_root else []) + args
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=self.workdir, check=False)
        if done.returncode != 0:
            log = self.workdir / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PgUnavailable(
                f"{Path(args[0]).name} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-1000:]} {tail}".strip()
            )

    def _init_and_start(self, as_root: bool) -> None:
        assert self.workdir is not None and self.bindir is not None
        data = self.workdir / "data"
        if as_root:
            owner = pwd.getpwnam(SERVER_OWNER)
            os.chown(self.workdir, owner.pw_uid, owner.pw_gid)
        os.chmod(self.workdir, 0o700)
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            as_root,
        )
        options = " ".join(
            [
                f"-p {self.base.port}",
                f"-k {self.workdir}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=100",
            ]
        )
        self._options = options
        self._start_server()

    def _start_server(self) -> None:
        assert self.workdir is not None and self.bindir is not None
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.workdir / "data"),
                "-o",
                self._options,
                "-l",
                str(self.workdir / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            os.geteuid() == 0,
        )
        self._check()

    def halt(self) -> None:
        """Stop a private cluster's server (its files stay): the server has gone away."""
        assert self.workdir is not None and self.bindir is not None, "not a private cluster"
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.workdir / "data"), "-m", "fast", "-w",
             "stop"],
            os.geteuid() == 0,
        )  # fmt: skip

    def resume(self) -> None:
        """Start a halted private cluster's server again on the same port."""
        self._start_server()

    def _check(self, wait_seconds: float = 15) -> None:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                engine.dispose()
                return
            except Exception as exc:  # noqa: BLE001 - any failure to connect means unavailable
                if time.monotonic() >= deadline:
                    raise PgUnavailable(
                        f"cannot connect to PostgreSQL at {self.safe()}: {exc}"
                    ) from exc
                time.sleep(0.2)

    def stop(self) -> None:
        """Stop and remove a cluster this process started; no-op for an external server."""
        workdir, self.workdir = self.workdir, None
        if workdir is None:
            return
        data = workdir / "data"
        if (data / "postmaster.pid").exists() and self.bindir is not None:
            cmd = [str(self.bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            if os.geteuid() == 0:
                cmd = ["runuser", "-u", SERVER_OWNER, "--", *cmd]
            subprocess.run(cmd, capture_output=True, check=False)
        shutil.rmtree(workdir, ignore_errors=True)

    # --- databases ----------------------------------------------------------------------------

    def safe(self) -> str:
        return self.base.render_as_string(hide_password=True)

    def url(self, database: str) -> str:
        """The URL of ``database`` on this server, as a string (password included)."""
        return self.base.set(database=database).render_as_string(hide_password=False)

    def new_name(self, prefix: str = "t") -> str:
        return f"helpdesk_{prefix}_{self._tag}_{next(self._names)}"

    def _admin(self, *statements: str) -> None:
        engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                for statement in statements:
                    conn.execute(text(statement))
        finally:
            engine.dispose()

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create ``name`` (empty, or a copy of ``template``) and return its URL."""
        clause = f' TEMPLATE "{template}"' if template else ""
        self._admin(f'CREATE DATABASE "{name}"{clause}')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
