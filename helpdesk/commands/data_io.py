"""`helpdesk import students|devices|cover|allocations FILE [--skip-bad]` and
`helpdesk export ... [-o FILE]` (allocations: the laptop planned for each student's pickup).

A file with bad rows prints one line per problem ("line 7, column year: 'Y7' is not a year group
(7-13).") and imports nothing; with --skip-bad the good rows are imported and the bad ones listed.
The exit status is non-zero whenever nothing was imported.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, acting_username, open_database

KINDS = ("students", "devices", "cover")
IMPORT_KINDS = (*KINDS, "allocations")
FORMATS = {
    "students": "card_code, first_name, last_name, year, form [, status, left_on]",
    "devices": "asset_tag, serial, make, model, kind, pool "
    "[, status, purchased_on, warranty_until, assigned_to, location]",
    "cover": "card_code, scheme, start, end, status [, claims_allowed]",
    "allocations": "card_code, asset_tag (the laptop each student gets on pickup day)",
}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    columns = "; ".join(f"{kind}: {cols}" for kind, cols in FORMATS.items())
    imp = subparsers.add_parser(
        "import",
        parents=[common],
        help=summary("import"),
        description="Import a CSV file (UTF-8, comma or semicolon separated, as Excel writes "
        "'CSV UTF-8'). Header names in any case; extra columns are ignored. Dates as "
        "2025-09-01 or 01/09/2025. A record already there (same card code, asset tag, or "
        f"student + scheme + start) is updated. Columns: {columns}.",
    )
    imp.add_argument("kind", choices=IMPORT_KINDS, help="what the file holds")
    imp.add_argument("file", metavar="FILE", help="the CSV file")
    imp.add_argument(
        "--skip-bad",
        action="store_true",
        help="import the good rows and list the bad ones (by default a bad row stops the import)",
    )
    imp.set_defaults(handler=_import)

    exp = subparsers.add_parser(
        "export",
        parents=[common],
        help=summary("export"),
        description="Write students, devices or cover periods as CSV in the columns that "
        "'helpdesk import' reads. A file (-o) is UTF-8 with a byte-order mark, for Excel.",
    )
    exp.add_argument("kind", choices=KINDS, help="what to export")
    exp.add_argument(
        "-o", "--output", metavar="FILE", help="file to write (default: standard output)"
    )
    exp.add_argument("--overwrite", action="store_true", help="replace FILE if it exists already")
    exp.set_defaults(handler=_export)


def _import(args: argparse.Namespace) -> int:
    from helpdesk.domain.errors import ImportFailed
    from helpdesk.services.csv.importer import IMPORTERS
    from helpdesk.services.csv.reader import format_problem

    path = Path(args.file).expanduser()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"there is no file {path}") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    factory = open_database(args)
    try:
        result = IMPORTERS[args.kind](factory, acting_username(args), data, skip_bad=args.skip_bad)
    except ImportFailed as exc:
        for problem in exc.problems:
            print(format_problem(problem))
        hint = "" if args.skip_bad else " (add --skip-bad to import the good rows)"
        raise CommandError(f"{path.name}: {exc}{hint}") from None
    finally:
        factory.kw["bind"].dispose()
    for problem in result.left_out:
        print(f"left out: {format_problem(problem)}")
    print(f"{path.name}: {result.summary()}")
    if result.imported == 0:
        print("helpdesk: nothing was imported", file=sys.stderr)
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from helpdesk.services.csv.export import export_csv, export_file

    factory = open_database(args)
    try:
        if not args.output or args.output == "-":
            export_csv(factory, acting_username(args), args.kind, sys.stdout)
            return 0
        target = Path(args.output).expanduser()
        if target.exists() and not args.overwrite:
            raise CommandError(f"{target} exists already; choose another name or add --overwrite")
        try:
            count = export_file(factory, acting_username(args), args.kind, target)
        except OSError as exc:
            raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        factory.kw["bind"].dispose()
    print(f"wrote {count} {args.kind if args.kind != 'cover' else 'cover periods'} to {target}")
    return 0
