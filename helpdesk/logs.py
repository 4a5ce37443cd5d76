"""Where unexpected errors go: a log file in the user's data directory, never a traceback on screen."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_data_dir, user_log_dir

APP_NAME = "helpdesk"


def data_dir() -> Path:
    """The user's data directory for Helpdesk ($HELPDESK_DATA_DIR overrides it, for tests)."""
    path = Path(os.environ.get("HELPDESK_DATA_DIR") or user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    base = os.environ.get("HELPDESK_DATA_DIR")
    path = Path(base) / "logs" if base else Path(user_log_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path / "helpdesk.log"


_configured = False


def configure_logging() -> Path:
    """Send warnings and errors to the rotating log file; returns its path."""
    global _configured
    path = log_path()
    if not _configured:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger("helpdesk")
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        _configured = True
    return path


def log_unexpected(exc: BaseException) -> Path:
    """Write an unexpected exception with its traceback to the log; returns the log's path."""
    path = configure_logging()
    logging.getLogger("helpdesk").error("unexpected error", exc_info=exc)
    return path
