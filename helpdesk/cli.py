"""The ``helpdesk`` command.

Each subcommand lives in its own module under :mod:`helpdesk.commands` and exposes
``register(subparsers, common)``; the list of commands is :data:`helpdesk.commands.COMMANDS`.
This module only builds the parser (loading just the module the command line needs), dispatches
and turns every expected failure into one clear line on stderr with a non-zero exit. The
commands never import this module.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import typing
from collections.abc import Sequence

from helpdesk.commands import COMMAND_MODULES, COMMANDS, MODULE_OF
from helpdesk.commands.common import CommandError, SafeStream, safe

log = logging.getLogger("helpdesk")


class UsageError(Exception):
    """A command line argparse cannot read: said in one line, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, but a mistake in the command line is one line (the mistake and where
    the help is) and exit status 1, like every other bad input, instead of the usage block and
    exit status 2. ``--help`` is as before."""

    def error(self, message: str) -> typing.NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


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
        help="sign in as this staff member (default: $HELPDESK_USER); the password comes from "
        "$HELPDESK_PASSWORD, else it is asked for at a terminal",
    )
    return common


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser. ``only`` narrows what is loaded, so a command does not pay for every other
    command's libraries: a module of COMMAND_MODULES registers just that module's commands;
    OVERVIEW lists every command from :data:`helpdesk.commands.COMMANDS` without loading any
    module (for ``helpdesk --help`` and a mistyped command); NO_COMMAND (the main window) has
    none. Without ``only`` every module registers its commands."""
    common = _common_parser()
    parser = _Parser(
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
    if only == OVERVIEW:
        for command in COMMANDS:
            subparsers.add_parser(command.name, help=command.summary)
        return parser
    if only == NO_COMMAND:
        names: tuple[str, ...] = ()
    elif only in COMMAND_MODULES:
        names = (only,)
    else:
        names = COMMAND_MODULES
    for name in names:
        module = importlib.import_module(f"helpdesk.commands.{name}")
        module.register(subparsers, common)
    return parser


_TAKES_VALUE = {"--db", "--as", "--camera"}
_TOP_OPTIONS = ("--db", "--as", "--camera", "--smoke-test", "--help")
NO_COMMAND = "-"  # the main window: no command module at all
OVERVIEW = "?"  # the list of commands only: no command module at all


def _option(arg: str) -> str:
    """The top-level option ``arg`` names, an abbreviation (``--cam``) read as argparse reads it."""
    name = arg.split("=", 1)[0]
    if not name.startswith("--"):
        return name
    matches = [option for option in _TOP_OPTIONS if option.startswith(name)]
    return matches[0] if len(matches) == 1 else name


def module_for(argv: Sequence[str]) -> str:
    """What ``argv`` needs: the one command module it names, OVERVIEW for ``--help`` without a
    command or an unknown word, NO_COMMAND for the main window."""
    words = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = "=" not in arg and _option(arg) in _TAKES_VALUE
        else:
            words.append(arg)
    if words:
        return MODULE_OF.get(words[0], OVERVIEW)
    if any(arg == "-h" or _option(arg) == "--help" for arg in argv):
        return OVERVIEW
    return NO_COMMAND


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``helpdesk`` with ``argv``; everything printed meanwhile (help, refusals, records)
    goes through :class:`SafeStream`, so no control character reaches the terminal raw."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = SafeStream(out)
    sys.stderr = SafeStream(err)
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    finally:
        sys.stdout, sys.stderr = out, err


def _say(text: object) -> None:
    """One line on standard error: ``helpdesk: ...``, its control characters escaped."""
    print(f"helpdesk: {safe(text, one_line=True)}", file=sys.stderr)


def _run(argv: list[str]) -> int:
    try:
        parser = build_parser(only=module_for(argv))
        args = parser.parse_args(argv)
        if args.command is not None and getattr(args, "handler", None) is None:
            # the words were not read as module_for guessed (an abbreviated option taking a
            # value, say): read them again with every command's parser
            args = build_parser().parse_args(argv)
    except UsageError as exc:
        _say(exc)
        return 1
    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            from helpdesk.commands.gui import run_gui

            return run_gui(args)
        return int(handler(args) or 0)
    except CommandError as exc:
        _say(exc)
        return exc.code
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:
        # the reader went away (``helpdesk lookup X | head``): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        from helpdesk.domain.errors import HelpdeskError

        if isinstance(exc, HelpdeskError):
            _say(exc)
            return 1
        from helpdesk.commands.failures import explain

        sentence = explain(exc)
        if sentence is not None:
            _say(sentence)
            return 1
        from helpdesk.logs import log_unexpected

        where = log_unexpected(exc)
        _say(
            f"unexpected error ({type(exc).__name__}: {exc}); nothing was changed. "
            f"Details in {where}"
        )
        return 70


if __name__ == "__main__":
    sys.exit(main())
