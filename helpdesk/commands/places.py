"""`helpdesk locate TAG LOCATION`: give one device its place (a room, a cart, a cupboard).

    helpdesk locate LT-00001 "Cart A"     prints: LT-00001 is now at Cart A
    helpdesk locate LT-00001 ""           clears it: LT-00001 now has no place recorded

A technician's (the permission table's ``devices.relocate``). A place typed in another letter
case than one already recorded takes the recorded spelling; an unknown tag, a control character
or a place over 64 characters is one line on standard error and exit 1.
"""

from __future__ import annotations

import argparse

from helpdesk.commands import summary
from helpdesk.commands.common import acting_username, open_database


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    locate = subparsers.add_parser(
        "locate",
        parents=[common],
        help=summary("locate"),
        description="Give one device its place: the room, cart or cupboard it is kept in, the "
        "place a stocktake counts. An empty LOCATION clears it.",
    )
    locate.add_argument("tag", metavar="TAG", help="the device's asset tag or serial")
    locate.add_argument("location", metavar="LOCATION", help='the place, e.g. "Cart A"')
    locate.set_defaults(handler=_locate)


def _locate(args: argparse.Namespace) -> int:
    from helpdesk.services.records.places import place_sentence, set_location

    factory = open_database(args)
    try:
        device = set_location(factory, acting_username(args), args.tag, args.location)
    finally:
        factory.kw["bind"].dispose()
    print(place_sentence(device))
    return 0
