"""`helpdesk staff add|list|password|pin|disable|enable|role`: the staff who sign in.

Managing staff is an admin's work; anyone signed in may change their own password and PIN. New
passwords and PINs are read from one line of standard input (``--password-stdin``,
``--pin-stdin``) or typed twice at a terminal, never taken from the command line (where other
users of the computer could read them). On a database where nobody can sign in yet, the first
admin is added (or, on a database from before sign-in, given a password) without signing in.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, open_database, read_secret, sign_in

if TYPE_CHECKING:
    from helpdesk.db import SessionFactory
    from helpdesk.services.core.staff import StaffMember

ROLES = ("counter", "technician", "manager", "admin")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    staff = subparsers.add_parser(
        "staff",
        parents=[common],
        help=summary("staff"),
        description="Add staff, set their passwords, PINs and roles, disable and enable them.",
    )
    actions = staff.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = actions.add_parser(
        "add",
        parents=[common],
        help="add a staff member (the first one of a database, an admin, without signing in)",
    )
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--name", required=True, help="the full name shown on screen and slips")
    add.add_argument("--role", required=True, help="counter, technician, manager or admin")
    add.add_argument("--badge", metavar="CODE", help="the code of their staff badge")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(handler=_add)
    listing = actions.add_parser("list", parents=[common], help="list the staff")
    listing.set_defaults(handler=_list)
    password = actions.add_parser("password", parents=[common], help="set a password")
    password.add_argument("username", metavar="USERNAME")
    password.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    password.set_defaults(handler=_password)
    pin = actions.add_parser("pin", parents=[common], help="set the PIN used with a badge")
    pin.add_argument("username", metavar="USERNAME")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    pin.set_defaults(handler=_pin)
    for word, active in (("disable", False), ("enable", True)):
        parser = actions.add_parser(
            word, parents=[common], help=f"{word} a staff member's sign-in and actions"
        )
        parser.add_argument("username", metavar="USERNAME")
        parser.set_defaults(handler=_active, active=active)
    role = actions.add_parser("role", parents=[common], help="change a staff member's role")
    role.add_argument("username", metavar="USERNAME")
    role.add_argument("role", metavar="ROLE", help="counter, technician, manager or admin")
    role.set_defaults(handler=_role)


def _line(member) -> str:  # noqa: ANN001 - a StaffMember
    state = "active" if member.active else "disabled"
    can = [w for w, yes in (("password", member.has_password), ("PIN", member.has_pin)) if yes]
    return (
        f"{member.username}: {member.display_name}, {member.role}, {state}"
        + (f", badge {member.badge}" if member.badge else "")
        + (f", {' and '.join(can)} set" if can else ", no password")
    )


@contextmanager
def _recorded(args: argparse.Namespace, factory: SessionFactory, action: str) -> Iterator[None]:
    """A refusal inside is kept in the audit log (who tried what, and the sentence), then shown."""
    from helpdesk.domain.errors import HelpdeskError

    try:
        yield
    except (CommandError, HelpdeskError) as exc:
        from helpdesk.services.core.staff import record_refused

        record_refused(factory, getattr(args, "signed_in", None), action, str(exc))
        raise


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise CommandError(f"'{role}' is not a staff role (use {', '.join(ROLES)})")


def _add(args: argparse.Namespace) -> int:
    from helpdesk.services.core.staff import list_staff

    factory = open_database(args, signed_in=False)
    try:
        first = not list_staff(factory)
        actor = None if first else sign_in(args, factory)
        with _recorded(args, factory, "staff.add"):
            member = _add_member(args, factory, actor, first)
    finally:
        factory.kw["bind"].dispose()
    print(f"added {_line(member)}")
    return 0


def _add_member(
    args: argparse.Namespace, factory: SessionFactory, actor: str | None, first: bool
) -> StaffMember:
    from helpdesk.services.core.auth import check_password
    from helpdesk.services.core.staff import add_staff

    _check_role(args.role)
    if first and args.role != "admin":
        raise CommandError("the first staff member of a database must be an admin")
    password = read_secret(
        f"new password for {args.username}",
        from_stdin=args.password_stdin,
        twice=True,
        what="password",
    )
    check_password(password)
    return add_staff(
        factory,
        actor,
        username=args.username,
        display_name=args.name,
        role=args.role,
        badge=args.badge,
        password=password,
    )


def _list(args: argparse.Namespace) -> int:
    from helpdesk.services.core.staff import list_staff

    factory = open_database(args, must_exist=True)
    try:
        members = list_staff(factory)
    finally:
        factory.kw["bind"].dispose()
    for member in members:
        print(_line(member))
    return 0


def _password(args: argparse.Namespace) -> int:
    from helpdesk.services.core.auth import anyone_can_sign_in, check_password
    from helpdesk.services.core.staff import set_password

    factory = open_database(args, must_exist=True, signed_in=False)
    try:
        # a database from before sign-in: its first admin's password is set without signing in
        actor = sign_in(args, factory) if anyone_can_sign_in(factory) else None
        with _recorded(args, factory, "staff.password"):
            password = read_secret(
                f"new password for {args.username}",
                from_stdin=args.password_stdin,
                twice=True,
                what="password",
            )
            check_password(password)
            member = set_password(factory, actor, args.username, password)
    finally:
        factory.kw["bind"].dispose()
    print(f"set the password of {member.username}")
    return 0


def _pin(args: argparse.Namespace) -> int:
    from helpdesk.services.core.auth import check_pin
    from helpdesk.services.core.staff import set_pin

    factory = open_database(args, must_exist=True)
    try:
        with _recorded(args, factory, "staff.pin"):
            pin = read_secret(
                f"new PIN for {args.username}", from_stdin=args.pin_stdin, twice=True, what="PIN"
            )
            check_pin(pin)
            member = set_pin(factory, args.signed_in, args.username, pin)
    finally:
        factory.kw["bind"].dispose()
    print(f"set the PIN of {member.username}")
    return 0


def _active(args: argparse.Namespace) -> int:
    from helpdesk.services.core.staff import set_active

    factory = open_database(args, must_exist=True)
    try:
        with _recorded(args, factory, "staff.enable" if args.active else "staff.disable"):
            member = set_active(factory, args.signed_in, args.username, args.active)
    finally:
        factory.kw["bind"].dispose()
    print(f"{'enabled' if member.active else 'disabled'} {member.username}")
    return 0


def _role(args: argparse.Namespace) -> int:
    from helpdesk.services.core.staff import set_role

    factory = open_database(args, must_exist=True)
    try:
        with _recorded(args, factory, "staff.role"):
            _check_role(args.role)
            member = set_role(factory, args.signed_in, args.username, args.role)
    finally:
        factory.kw["bind"].dispose()
    print(f"{member.username} is now {member.role}")
    return 0
