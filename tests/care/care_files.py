"""Files for the backup tests: the database file of a URL, growing a database, leftovers."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def database_path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def grow(path: Path, megabytes: int) -> None:
    """Make the SQLite file at ``path`` about ``megabytes`` larger (a table of random blobs)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, data BLOB)")
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO filler (data) SELECT randomblob(1024 * 1024) FROM n",
            (megabytes,),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    """Temporary files or journals a backup left in ``folder``."""
    return sorted(
        p.name for p in folder.iterdir() if ".partial" in p.name or p.name.endswith("-journal")
    )
