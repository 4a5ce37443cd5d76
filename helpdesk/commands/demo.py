"""`helpdesk demo [--seed N]`: fill an empty database with the demo school and print a summary."""

from __future__ import annotations

import argparse

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, open_database, sign_in


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    demo = subparsers.add_parser(
        "demo",
        parents=[common],
        help=summary("demo"),
        description="Create a demo school in an empty database: about 900 students in years "
        "7-11, 950 laptops and chargers assigned 1:1, a 60-laptop loan pool, staff (admin, "
        "counter, technicians), insurance schemes and cover, closure dates and a term of "
        "loans, tickets in every state, claims and charges. The same seed gives the same school.",
    )
    demo.add_argument("--seed", type=int, default=1, help="the random seed (default 1)")
    demo.add_argument("--quiet", action="store_true", help="print only the summary")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from helpdesk.demo.build import build_demo
    from helpdesk.domain.errors import Refused
    from helpdesk.services.core.auth import anyone_can_sign_in

    factory = open_database(args, signed_in=False, create=True)
    if anyone_can_sign_in(factory):  # only an empty database takes the demo without signing in
        try:
            sign_in(args, factory)
        except BaseException:
            factory.kw["bind"].dispose()
            raise
    progress = None if args.quiet else (lambda text: print(f"demo: {text}...", flush=True))
    try:
        summary = build_demo(factory, seed=args.seed, progress=progress)
    except Refused as exc:
        raise CommandError(str(exc)) from None
    finally:
        factory.kw["bind"].dispose()
    for line in summary.lines():
        print(line)
    return 0
