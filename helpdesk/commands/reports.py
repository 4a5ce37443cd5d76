"""`helpdesk report NAME [--from DATE] [--to DATE] [--csv]`: the bench's reports on the terminal.

NAME is one of open-tickets, turnaround, damage, claims, charges. Without ``--csv`` the report is
an aligned table with its title, dates and a summary line; with ``--csv`` it is CSV with a header
row on stdout (for a spreadsheet or a script).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal

from sqlalchemy.engine import make_url

from helpdesk.cli import CommandError, db_url
from helpdesk.services import reports


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    names = ", ".join(reports.report_names())
    parser = subparsers.add_parser(
        "report",
        parents=[common],
        help=f"bench reports as a table or CSV ({names})",
        description="Print one of the bench's reports. "
        + " ".join(f"{info.name}: {info.description}." for info in reports.report_infos())
        + " Dates are YYYY-MM-DD and both ends are included.",
    )
    parser.add_argument("name", metavar="NAME", help=f"the report: {names}")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
    parser.add_argument(
        "--csv", action="store_true", help="CSV with a header row instead of a text table"
    )
    parser.set_defaults(handler=_report)


def parse_day(text: str | None, option: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01"
        ) from None


def _factory(args: argparse.Namespace):  # noqa: ANN202
    from helpdesk.db import open_database

    url = db_url(args)
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - an unusable URL is one clear line
        raise CommandError(f"cannot use the database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        from pathlib import Path

        if not Path(parsed.database).expanduser().is_file():
            raise CommandError(
                f"there is no database at {parsed.database}; "
                "create one with 'helpdesk db upgrade' (or give another with --db)"
            )
    try:
        return open_database(url)
    except Exception as exc:  # noqa: BLE001 - a database that cannot be opened is one clear line
        raise CommandError(f"cannot open the database {url}: {exc}") from exc


def _report(args: argparse.Namespace) -> int:
    name = args.name.strip().lower()
    if name not in reports.report_names():
        raise CommandError(
            f"there is no report called {args.name!r}; choose one of "
            f"{', '.join(reports.report_names())}"
        )
    date_from = parse_day(args.date_from, "--from")
    date_to = parse_day(args.date_to, "--to")
    if date_from and date_to and date_from > date_to:
        raise CommandError(f"--from {date_from} is after --to {date_to}")
    factory = _factory(args)
    try:
        table = reports.run_report(factory, name, date_from=date_from, date_to=date_to)
    finally:
        factory.kw["bind"].dispose()
    if args.csv:
        reports.write_csv(table, sys.stdout)
    else:
        sys.stdout.write(text_table(table))
    return 0


def _right_aligned(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def text_table(table: reports.ReportTable) -> str:
    """The report for a terminal: title, dates, aligned columns, the summary line."""
    lines = [table.title, f"Dates: {table.period}", ""]
    if table.rows:
        cells = [[reports.cell_text(v) for v in row] for row in table.rows]
        widths = [
            max(len(heading), *(len(row[i]) for row in cells))
            for i, heading in enumerate(table.headings)
        ]
        numeric = [
            all(_right_aligned(row[i]) or row[i] is None for row in table.rows)
            for i in range(len(table.headings))
        ]

        def line(values: list[str]) -> str:
            parts = [
                v.rjust(w) if num else v.ljust(w)
                for v, w, num in zip(values, widths, numeric, strict=True)
            ]
            return "  ".join(parts).rstrip()

        lines.append(line(list(table.headings)))
        lines.append("  ".join("-" * w for w in widths))
        lines.extend(line(row) for row in cells)
        lines.append("")
    lines.append(table.summary)
    return "\n".join(lines) + "\n"
