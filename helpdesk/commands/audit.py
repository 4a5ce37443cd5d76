"""`helpdesk audit [--staff USERNAME] [--from DATE] [--to DATE] [--record CODE] [--csv]`: the audit
trail (managers and admins): when, who, what, which record, the values before and after, where."""

from __future__ import annotations

import argparse
import os
import sys

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, open_database
from helpdesk.commands.reports import parse_day


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "audit",
        parents=[common],
        help=summary("audit"),
        description="Print the audit trail, oldest first: every change, refusal, sign-in and "
        "lock-out, with who did it and the values before and after. Managers and admins only. "
        "Dates are YYYY-MM-DD and both ends are included.",
    )
    parser.add_argument("--staff", metavar="USERNAME", help="only what this staff member did")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
    parser.add_argument(
        "--record",
        metavar="CODE",
        help="only one record: LOAN-000012, TKT-000045, an asset tag, a card code, a username",
    )
    parser.add_argument("--csv", action="store_true", help="CSV with a header row")
    parser.set_defaults(handler=_audit)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _audit(args: argparse.Namespace) -> int:
    from helpdesk.services.reporting.audit_trail import HEADINGS, audit_trail, write_audit_csv

    date_from = parse_day(args.date_from, "--from")
    date_to = parse_day(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise CommandError(f"--from {date_from} is after --to {date_to}")
    factory = open_database(args, must_exist=True)
    try:
        rows = audit_trail(
            factory,
            args.signed_in,
            staff=args.staff,
            date_from=date_from,
            date_to=date_to,
            record=args.record,
        )
    finally:
        factory.kw["bind"].dispose()
    try:
        if args.csv:
            write_audit_csv(rows, sys.stdout)
        else:
            widths = (19, 12, 15, 20, 40, 40, 12)
            print("  ".join(h.ljust(w) for h, w in zip(HEADINGS, widths, strict=True)).rstrip())
            for row in rows:
                cells = row.cells()
                print(
                    "  ".join(
                        _cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)
                    ).rstrip()
                )
            print(f"{len(rows)} row{'' if len(rows) == 1 else 's'}")
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
