"""`helpdesk purge leavers --left-before DATE [--apply]` (admins): anonymise the leavers past
the school's retention period, a dry run unless --apply; `helpdesk subject-access CARD_CODE -o
FILE.zip [--overwrite]` (managers): everything held about one student, as CSV files, photos and
a PDF summary in one zip."""

from __future__ import annotations

import argparse
from pathlib import Path

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, open_database
from helpdesk.commands.reports import parse_day


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    purge = subparsers.add_parser(
        "purge",
        parents=[common],
        help=summary("purge"),
        description="Purge leavers' records past the school's retention period. Admins only.",
    )
    kinds = purge.add_subparsers(dest="purge_kind", metavar="WHAT", required=True)
    leavers = kinds.add_parser(
        "leavers",
        parents=[common],
        help="anonymise the students who left before a day",
        description="Anonymise every student who left before --left-before: the name becomes "
        "'Former student #N', the card code a placeholder, their photos are deleted and their "
        "name and card code are taken out of free text and the audit trail; loans, tickets, "
        "claims and charges stay, for the school's counts. A leaver with an open loan, an open "
        "ticket, a laptop still assigned or unpaid charges is skipped and listed. Without "
        "--apply nothing is changed: it says what a purge would do.",
    )
    leavers.add_argument(
        "--left-before", required=True, metavar="DATE", help="purge leavers who left before this"
    )
    leavers.add_argument("--apply", action="store_true", help="purge (the default is a dry run)")
    leavers.set_defaults(handler=_purge)

    access = subparsers.add_parser(
        "subject-access",
        parents=[common],
        help=summary("subject-access"),
        description="Everything held about one student for a subject access request: CSV "
        "files of their record, cover, allocations, loans, tickets, parts, photos, claims, "
        "charges, payments and audit trail, the photos as image files and summary.pdf, in one "
        "zip file. Managers and admins only.",
    )
    access.add_argument("card_code", metavar="CARD_CODE", help="the student's card code")
    access.add_argument(
        "-o", "--output", required=True, metavar="FILE.zip", help="the zip to write"
    )
    access.add_argument("--overwrite", action="store_true", help="replace an existing file")
    access.set_defaults(handler=_subject_access)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _purge(args: argparse.Namespace) -> int:
    from helpdesk.services.care.purge import purge_leavers

    left_before = parse_day(args.left_before, "--left-before")
    if left_before is None:
        raise CommandError("--left-before needs a date, e.g. 2025-09-01")
    factory = open_database(args, must_exist=True)
    try:
        outcome = purge_leavers(factory, args.signed_in, left_before, apply=args.apply)
    finally:
        factory.kw["bind"].dispose()
    verb = "purged" if outcome.applied else "would purge"
    print(
        f"{verb} {_plural(outcome.students, 'leaver')} who left before {left_before:%d/%m/%Y}: "
        f"{_plural(outcome.loans, 'loan')}, {_plural(outcome.tickets, 'ticket')} and "
        f"{_plural(outcome.claims, 'claim')} kept on the anonymous records, "
        f"{_plural(outcome.photos, 'photo')} {'deleted' if outcome.applied else 'to delete'}"
    )
    if outcome.applied:
        print(
            f"rewrote {_plural(outcome.texts, 'record')} of free text and "
            f"{_plural(outcome.audit_rows, 'audit row')} that named them"
        )
    if outcome.skipped:
        print(f"skipped {_plural(len(outcome.skipped), 'leaver')}:")
        for leaver in outcome.skipped:
            print(f"  {leaver.line}")
    if outcome.compacted is False:
        print(
            "the database file could not be compacted while another counter has it open: close "
            "the other counters and run this command again to finish removing the old values"
        )
    if not outcome.applied:
        print("nothing was changed: run again with --apply to purge")
    return 0


def _subject_access(args: argparse.Namespace) -> int:
    from helpdesk.labels.subject_access import write_subject_access
    from helpdesk.services.care.subject_access import subject_access

    if not args.output.strip():
        raise CommandError("-o is empty: give the name of the zip file to write")
    target = Path(args.output).expanduser()
    if target.exists() or target.is_symlink():
        if not args.overwrite:
            raise CommandError(f"{target} already exists; give --overwrite to replace it")
        if not target.is_file():
            raise CommandError(f"{target} is not a regular file; choose another name")
    if not target.parent.is_dir():
        raise CommandError(f"there is no folder {target.parent}")
    factory = open_database(args, must_exist=True)
    try:
        answer = subject_access(factory, args.signed_in, args.card_code)
    finally:
        factory.kw["bind"].dispose()
    try:
        write_subject_access(answer, target)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from exc
    counts = ", ".join(
        f"{s.name.replace('_', ' ')} {len(s.rows)}" for s in answer.sections if s.name != "student"
    )
    print(f"wrote {target}: {answer.student_name} ({answer.card_code}); {counts}; "
          f"photos {len(answer.photos)}")  # fmt: skip
    return 0
