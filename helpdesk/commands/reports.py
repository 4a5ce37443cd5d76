"""`helpdesk report NAME [--from DATE] [--to DATE] [--csv | --pdf PATH]`: the bench's reports;
`helpdesk notices charge-letters PATH` and `helpdesk notices ready PATH`: letters and notices.

NAME is one of open-tickets, turnaround, damage, claims, charges. Without ``--csv`` the report is
an aligned table with its title, dates and a summary line; with ``--csv`` it is CSV with a header
row on stdout (for a spreadsheet or a script); with ``--pdf PATH`` a printable page with the
chart. The notices are PDF files: a charge letter to parents for every charge due (``--form``,
or ``--ticket`` for one), and the ready-for-collection list for form tutors, one page per form.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, acting_username, open_database
from helpdesk.services.reporting import notices, reports


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    names = ", ".join(reports.report_names())
    parser = subparsers.add_parser(
        "report",
        parents=[common],
        help=summary("report"),
        description="Print one of the bench's reports. "
        + " ".join(f"{info.name}: {info.description}." for info in reports.report_infos())
        + " Dates are YYYY-MM-DD and both ends are included.",
    )
    parser.add_argument("name", metavar="NAME", nargs="?", help=f"the report: {names}")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="last day (YYYY-MM-DD)")
    parser.add_argument(
        "--csv", action="store_true", help="CSV with a header row instead of a text table"
    )
    parser.add_argument(
        "--pdf", dest="path", metavar="PATH", help="write the report with its chart to a PDF file"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace the PDF if it exists")
    parser.set_defaults(handler=_report)

    notices_parser = subparsers.add_parser(
        "notices",
        parents=[common],
        help=summary("notices"),
        description="Print the letters and notices of the bench as PDF files.",
    )
    kinds = notices_parser.add_subparsers(dest="notice", metavar="KIND", required=True)
    letters = kinds.add_parser(
        "charge-letters",
        parents=[common],
        help="a letter to parents for every charge due (or for one ticket)",
        description="A letter to parents for every charge still due, one page each, by form "
        "and name; or with --ticket the letter of one ticket's charge, whatever its status.",
    )
    letters.add_argument("path", metavar="PATH", help="the PDF file to write")
    letters.add_argument("--form", help="only the students of this form")
    letters.add_argument("--ticket", metavar="CODE", help="one ticket: TKT-000045 or 45")
    letters.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    letters.set_defaults(handler=_charge_letters)
    ready = kinds.add_parser(
        "ready",
        parents=[common],
        help="students whose repaired laptops are ready for collection, one page per form",
    )
    ready.add_argument("path", metavar="PATH", help="the PDF file to write")
    ready.add_argument("--form", help="only this form")
    ready.add_argument("--overwrite", action="store_true", help="replace PATH if it exists")
    ready.set_defaults(handler=_ready)


def parse_day(text: str | None, option: str) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-09-01"
        ) from None


def _report(args: argparse.Namespace) -> int:
    if not args.name:
        raise CommandError(f"name a report: {', '.join(reports.report_names())}")
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
    if args.csv and args.path:
        raise CommandError("choose --csv or --pdf, not both")
    if args.path is not None and not args.path.strip():
        raise CommandError("--pdf is empty: give the name of the PDF file to write")
    target = _target(args) if args.path else None
    factory = open_database(args, must_exist=True)
    try:
        table = reports.run_report(
            factory, acting_username(args), name, date_from=date_from, date_to=date_to
        )
        school = notices.school_name(factory) if target else ""
    finally:
        factory.kw["bind"].dispose()
    if target is not None:
        from helpdesk.labels.report_pdf import report_pdf

        report_pdf(table, target, school_name=school)
        print(f"wrote {table.title.lower()} ({_count(len(table.rows), 'row')}) to {target}")
        return 0
    try:
        if args.csv:
            reports.write_csv(table, sys.stdout)
        else:
            sys.stdout.write(text_table(table))
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped early (``| head``): not an error; keep Python quiet on exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def _target(args: argparse.Namespace) -> Path:
    target = Path(args.path).expanduser()
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give the name of the PDF file to write")
    if target.exists() and not args.overwrite:
        raise CommandError(f"{target} exists already; choose another name or add --overwrite")
    if not target.parent.is_dir():
        raise CommandError(f"there is no folder {target.parent} to write {target.name} in")
    return target


def _charge_letters(args: argparse.Namespace) -> int:
    from helpdesk.labels.charge_letter import charge_letters_pdf
    from helpdesk.services.core.codes import parse_ticket_code

    target = _target(args)
    ticket_id = None
    if args.ticket:
        text = args.ticket.strip()
        ticket_id = int(text) if text.isdigit() else parse_ticket_code(text)
        if ticket_id is None:
            raise CommandError(f"{args.ticket!r} is not a ticket code; write it as TKT-000045")
    factory = open_database(args, must_exist=True)
    try:
        if ticket_id is not None:
            letters: tuple[notices.ChargeLetter, ...] = (
                notices.charge_letter(factory, acting_username(args), ticket_id=ticket_id),
            )
        else:
            letters = notices.charge_letters_due(factory, acting_username(args), form=args.form)
    finally:
        factory.kw["bind"].dispose()
    if not letters:
        where = f" in form {args.form}" if args.form else ""
        raise CommandError(f"no charges are due{where}; no letters were written")
    charge_letters_pdf(letters, target)
    print(f"wrote {_count(len(letters), 'charge letter')} to {target}")
    return 0


def _ready(args: argparse.Namespace) -> int:
    from helpdesk.labels.collection_notice import collection_notices_pdf

    target = _target(args)
    factory = open_database(args, must_exist=True)
    try:
        forms = notices.ready_for_collection(factory, acting_username(args), form=args.form)
        school = notices.school_name(factory)
    finally:
        factory.kw["bind"].dispose()
    if not forms:
        where = f" for form {args.form}" if args.form else ""
        raise CommandError(f"no repaired laptops are ready for collection{where}")
    collection_notices_pdf(forms, target, school_name=school)
    laptops = sum(len(f.rows) for f in forms)
    print(f"wrote {_count(len(forms), 'form notice')} ({_count(laptops, 'laptop')}) to {target}")
    return 0


def _right_aligned(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


TEXT_CELL_MAX = 48


def _fit(text: str) -> str:
    return text if len(text) <= TEXT_CELL_MAX else text[: TEXT_CELL_MAX - 1].rstrip() + "…"


def text_table(table: reports.ReportTable) -> str:
    """The report for a terminal: title, dates, aligned columns, the summary line. A cell longer
    than TEXT_CELL_MAX is cut with an ellipsis (the CSV and PDF keep it whole)."""
    lines = [table.title, f"Dates: {table.period}", ""]
    if table.rows:
        cells = [[_fit(reports.cell_text(v)) for v in row] for row in table.rows]
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
