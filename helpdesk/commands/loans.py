"""`helpdesk loan issue` and `helpdesk loan return`: the counter's loans from the command line.

    helpdesk loan issue --student CODE --device TAG [--type day|swap|long] [--due WHEN]
    helpdesk loan return TAG [--condition good|fair|damaged]

WHEN is a time today (15:30), a date (2026-12-01 or 01/12/2026, due at the end of that school
day), a date and time, or +N for N school days. A swap needs the student's own laptop (--own)
and what is wrong with it (--damage, --fault); a damaged return needs --damage and --fault too.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime, time

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, acting_username, open_database
from helpdesk.commands.lookup import loan_line, ticket_line

DAMAGE_CATEGORIES = (
    "screen keyboard trackpad liquid chassis hinge_ports battery charger case software lost "
    "stolen other"
).split()


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    loan = subparsers.add_parser(
        "loan",
        parents=[common],
        help=summary("loan"),
        description="Issue a loan laptop or take one back, as at the counter.",
    )
    actions = loan.add_subparsers(dest="loan_command", metavar="ACTION", required=True)
    issue = actions.add_parser(
        "issue",
        parents=[common],
        help="lend a loan-pool device to a student",
        description="Lend a loan-pool device. The due time follows the school's rules unless "
        "--due gives it: a time today (15:30), a date (2026-12-01 or 01/12/2026: the end of "
        "that school day), a date and time, or +N for N school days.",
    )
    issue.add_argument("--student", required=True, metavar="CODE", help="the student's card code")
    issue.add_argument("--device", required=True, metavar="TAG", help="the loan device's tag")
    issue.add_argument("--type", dest="loan_type", default="day", choices=("day", "swap", "long"))
    issue.add_argument("--due", metavar="WHEN", help="when it is due back")
    issue.add_argument(
        "--accessories",
        default="charger",
        help="what goes with it, comma separated (default: charger; '' for nothing)",
    )
    issue.add_argument("--own", metavar="TAG", help="swap: the student's own laptop, for repair")
    _damage_arguments(issue)
    issue.set_defaults(handler=_issue)

    back = actions.add_parser(
        "return",
        parents=[common],
        help="take a loan back (by device tag or loan slip)",
        description="Take a loan back by the device's tag or the loan slip (LOAN-000123). A "
        "damaged return opens a repair ticket: give --damage and --fault.",
    )
    back.add_argument("tag", metavar="TAG", help="the device's tag, serial or the loan slip code")
    back.add_argument("--condition", default="good", choices=("good", "fair", "damaged"))
    back.add_argument("--notes", default="", help="a note for the loan's record")
    _damage_arguments(back)
    back.set_defaults(handler=_return)


def _damage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--damage", choices=DAMAGE_CATEGORIES, help="the damage category")
    parser.add_argument("--fault", default="", help="what is wrong, in a sentence")
    parser.add_argument("--crime-ref", default="", help="police crime reference (theft)")


def _damage(args: argparse.Namespace):  # noqa: ANN202 - a DamageReport or None
    from helpdesk.services.repairs.tickets import DamageReport

    if not args.damage:
        return None
    return DamageReport(
        category=args.damage, description=args.fault, crime_reference=args.crime_ref
    )


def parse_due(text: str, now: datetime, end_of_day: time) -> tuple[datetime | None, int | None]:
    """(due_at, school_days) from the --due text; CommandError when it cannot be read."""
    value = text.strip()
    if re.fullmatch(r"\+\d{1,3}", value):
        return None, int(value[1:])
    match = re.fullmatch(r"(\S+?)(?:[ T](\d{1,2}:\d{2}))?", value)
    day_text, clock = (match.group(1), match.group(2)) if match else (value, None)
    try:
        if re.fullmatch(r"\d{1,2}:\d{2}", value):
            return datetime.combine(now.date(), time.fromisoformat(value.zfill(5))), None
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", day_text):
            d, m, y = (int(p) for p in day_text.split("/"))
            day = date(y, m, d)
        else:
            day = date.fromisoformat(day_text)
        at = time.fromisoformat(clock.zfill(5)) if clock else end_of_day
        return datetime.combine(day, at), None
    except ValueError:
        raise CommandError(
            f"'{text}' is not a due time: give 15:30, 2026-12-01, 01/12/2026 15:30 or +3 "
            "(school days)"
        ) from None


def _issue(args: argparse.Namespace) -> int:
    from helpdesk.services.core.settings import get_settings
    from helpdesk.services.counter.loans import issue_loan, swap

    accessories = tuple(a.strip() for a in args.accessories.split(",") if a.strip())
    factory = open_database(args)
    try:
        due_at = school_days = None
        if args.due:
            now = datetime.now().replace(second=0, microsecond=0)
            due_at, school_days = parse_due(args.due, now, get_settings(factory).end_of_day)
        actor = acting_username(args)
        if args.loan_type == "swap":
            damage = _damage(args)
            if not args.own or damage is None:
                raise CommandError(
                    "a swap needs the student's own laptop and its damage: add --own TAG "
                    "--damage CATEGORY --fault TEXT"
                )
            info = swap(
                factory,
                actor,
                student_code=args.student,
                own_device_code=args.own,
                loaner_code=args.device,
                damage=damage,
                accessories=accessories,
                due_at=due_at,
                school_days=school_days,
            )
            print(f"lent {loan_line(info.loan, datetime.now())}")
            print(f"booked in {ticket_line(info.ticket)}")
            if info.cover is not None:
                print(f"cover check: {info.cover.rule}")
            return 0
        loan = issue_loan(
            factory,
            actor,
            student_code=args.student,
            device_code=args.device,
            loan_type=args.loan_type,
            accessories=accessories,
            due_at=due_at,
            school_days=school_days,
        )
    finally:
        factory.kw["bind"].dispose()
    print(f"lent {loan_line(loan, datetime.now())}")
    return 0


def _return(args: argparse.Namespace) -> int:
    from helpdesk.services.core.codes import parse_loan_code
    from helpdesk.services.counter.loans import return_loan

    by_slip = parse_loan_code(args.tag) is not None
    factory = open_database(args)
    try:
        result = return_loan(
            factory,
            acting_username(args),
            device_code=None if by_slip else args.tag,
            loan_id=args.tag if by_slip else None,
            condition=args.condition,
            notes=args.notes,
            damage=_damage(args),
        )
    finally:
        factory.kw["bind"].dispose()
    loan = result.loan
    late = " (it was overdue)" if result.was_overdue else ""
    print(
        f"{loan.asset_tag} is back from {loan.student_name} ({loan.form}), "
        f"{loan.condition_in}{late}: {loan.code} closed"
    )
    if result.ticket is not None:
        print(f"booked in {ticket_line(result.ticket)}")
    return 0
