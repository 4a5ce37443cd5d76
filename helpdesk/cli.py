"""The ``helpdesk`` command.

Each subcommand lives in its own module under :mod:`helpdesk.commands` and exposes
``register(subparsers, common)``; this module only builds the parser, dispatches and turns
every expected failure into one clear line on stderr with a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

# Modules under helpdesk.commands, in the order they appear in --help.
COMMAND_MODULES = (
    "demo",
    "data_io",
    "lookup",
    "loans",
    "database",
    "decode",
    "camera",
    "labels",
    "reports",
)

log = logging.getLogger("helpdesk")


class CommandError(Exception):
    """An expected failure: printed as one line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _common_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        dest="db_url",
        default=argparse.SUPPRESS,
        help="database URL (default: $HELPDESK_DB_URL or a SQLite file in the user data directory)",
    )
    common.add_argument(
        "--as",
        dest="acting_as",
        default=argparse.SUPPRESS,
        metavar="USERNAME",
        help="the staff member acting (default: $HELPDESK_USER or 'admin')",
    )
    return common


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only`` (a module of COMMAND_MODULES) just that module's
    commands, so a command does not pay for importing every other command's libraries."""
    common = _common_parser()
    parser = argparse.ArgumentParser(
        prog="helpdesk",
        description="ICT help desk for a school's 1:1 laptop programme. "
        "Without a subcommand, opens the main window.",
        parents=[common],
    )
    parser.add_argument(
        "--camera",
        default=None,
        metavar="SOURCE",
        help="camera index, video file or folder of images for the counter's scanner",
    )
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if only == NO_COMMAND:
        names: tuple[str, ...] = ()
    elif only in COMMAND_MODULES:
        names = (only,)
    else:
        names = COMMAND_MODULES
    for name in names:
        try:
            module = importlib.import_module(f"helpdesk.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"helpdesk.commands.{name}":
                continue  # that part of the command is not built yet
            raise
        module.register(subparsers, common)
    return parser


# The command names each module registers: a command loads only its own module.
COMMAND_OF = {
    "demo": "demo",
    "import": "data_io",
    "export": "data_io",
    "lookup": "lookup",
    "loan": "loans",
    "db": "database",
    "backup": "database",
    "decode": "decode",
    "camera": "camera",
    "labels": "labels",
    "slip": "labels",
    "report": "reports",
    "notices": "reports",
}
_TAKES_VALUE = {"--db", "--as", "--camera"}
NO_COMMAND = "-"  # the main window: no command module at all


def module_for(argv: Sequence[str]) -> str | None:
    """The one command module ``argv`` needs; None (all of them) for help or an unknown word."""
    if any(arg in ("-h", "--help") for arg in argv):
        words = [a for a in argv if not a.startswith("-")]
        if not words:
            return None
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _TAKES_VALUE:
            skip = True
            continue
        if arg.startswith("-"):
            continue
        return COMMAND_OF.get(arg)
    return NO_COMMAND


def db_url(args: argparse.Namespace) -> str:
    """The database URL chosen on the command line, in the environment, or the default file."""
    from helpdesk.db import default_url

    return getattr(args, "db_url", None) or os.environ.get("HELPDESK_DB_URL") or default_url()


def acting_username(args: argparse.Namespace) -> str:
    return getattr(args, "acting_as", None) or os.environ.get("HELPDESK_USER") or "admin"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=module_for(argv))
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from helpdesk.commands.gui import run_gui

            return run_gui(args)
        return int(handler(args) or 0)
    except CommandError as exc:
        print(f"helpdesk: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("helpdesk: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (``helpdesk lookup X | head``): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        from helpdesk.domain.errors import HelpdeskError

        if isinstance(exc, HelpdeskError):
            print(f"helpdesk: {exc}", file=sys.stderr)
            return 1
        from helpdesk.logs import log_unexpected

        where = log_unexpected(exc)
        print(
            f"helpdesk: unexpected error ({type(exc).__name__}: {exc}); nothing was changed. "
            f"Details in {where}",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
