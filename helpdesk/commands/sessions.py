"""`helpdesk assign`, `helpdesk unassign` and `helpdesk session ...`: one allocation made or ended,
and the pickup, hand-in and stocktake sessions, from the command line.

    helpdesk assign --student CODE --device TAG
    helpdesk unassign TAG [--condition good|fair|damaged] [--missing charger,case]
    helpdesk session start pickup|handin|stocktake (--form F | --year Y | --all | --leavers |
        --location L | --status S | --tags-file FILE) [--name TEXT]
    helpdesk session scan SES CODE [CODE ...]
    helpdesk session status SES [--json]
    helpdesk session list [--open]
    helpdesk session close SES
    helpdesk session report SES -o FILE.csv|FILE.pdf [--overwrite]

`session start` prints the session's code (SES-000001) on its last line. `session scan` acts on
the codes in order as a station would (at a pickup: a student's card, then the laptop; the
student stays pending from one code to the next) and prints one line per code: the outcome word
(done, already, unexpected or problem), a space, then the sentence. `session report` writes every
item and scan as a CSV, or, to a file ending .pdf, the printable report (a stocktake's four
groups; a pickup's or a hand-in's done and missing by form). An existing file is replaced only
with --overwrite, and only a regular file ever is; the file is whole or not there at all.

Exit status: 0 when the command did its work, even when some codes were refused (a refused code
is a "problem" line, kept in the session's progress, not a failure of the command); 1, with one
line on standard error, when the command itself could not run: an unknown or closed session,
flags that do not make one list, a file that cannot be read, a refused assign or unassign.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from pathlib import Path
from typing import Any

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, acting_username, open_database
from helpdesk.services.csv.cells import SafeWriter

KINDS = ("pickup", "handin", "stocktake")


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    assign = subparsers.add_parser(
        "assign",
        parents=[common],
        help=summary("assign"),
        description="Give a student their own laptop (an allocation), outside any session.",
    )
    assign.add_argument("--student", required=True, metavar="CODE", help="the student's card")
    assign.add_argument("--device", required=True, metavar="TAG", help="the laptop's asset tag")
    assign.set_defaults(handler=_assign)

    unassign = subparsers.add_parser(
        "unassign",
        parents=[common],
        help=summary("unassign"),
        description="End a laptop's allocation: back to stock, or to the bench with a repair "
        "ticket when damaged; the accessories not handed back are recorded.",
    )
    unassign.add_argument("tag", metavar="TAG", help="the laptop's asset tag or serial")
    unassign.add_argument("--condition", choices=("good", "fair", "damaged"))
    unassign.add_argument(
        "--missing", default="", metavar="LIST", help="accessories not handed back: charger,case"
    )
    unassign.set_defaults(handler=_unassign)

    sess = subparsers.add_parser(
        "session",
        parents=[common],
        help=summary("session"),
        description="Pickup day, the hand-in and stocktakes: a list worked through by scanning.",
    )
    actions = sess.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    start = actions.add_parser(
        "start",
        parents=[common],
        help="start a session; its code is the last line printed",
        description="Start a session with one expected list: a pickup of --form, --year or "
        "--all students; a hand-in of the laptops of --leavers, --year, --form or --all; a "
        "stocktake of the devices at --location, with --status, or in --tags-file (one tag a "
        "line; with --location too, the place found devices are moved to).",
    )
    start.add_argument("kind", choices=KINDS)
    start.add_argument("--form", metavar="F")
    start.add_argument("--year", type=int, metavar="Y")
    start.add_argument("--all", dest="everyone", action="store_true", help="everyone")
    start.add_argument("--leavers", action="store_true", help="hand-in: the leavers' laptops")
    start.add_argument("--location", metavar="L", help="stocktake: the place counted")
    start.add_argument("--status", metavar="S", help="stocktake: devices with this status")
    start.add_argument("--tags-file", metavar="FILE", help="stocktake: a file of asset tags")
    start.add_argument("--name", metavar="TEXT", help="what to call the session")
    start.set_defaults(handler=_start)

    scan = actions.add_parser(
        "scan",
        parents=[common],
        help="act on codes in order, as a station would",
        description="Act on each code in order as a station would; one line per code, its "
        "outcome word first (done, already, unexpected, problem), then the sentence.",
    )
    scan.add_argument("session", metavar="SES")
    scan.add_argument("codes", nargs="+", metavar="CODE")
    scan.add_argument("--signed-by", metavar="NAME", help="pickup: the name typed to sign")
    scan.add_argument("--condition", default="good", choices=("good", "fair", "damaged"))
    scan.add_argument("--missing", default="", metavar="LIST", help="hand-in: charger,case")
    scan.add_argument("--station", default="command line", metavar="NAME")
    scan.set_defaults(handler=_scan)

    status = actions.add_parser("status", parents=[common], help="counts and lists")
    status.add_argument("session", metavar="SES")
    status.add_argument("--json", action="store_true", help="as JSON")
    status.set_defaults(handler=_status)

    listing = actions.add_parser("list", parents=[common], help="the sessions, newest first")
    listing.add_argument("--open", dest="open_only", action="store_true", help="open ones only")
    listing.set_defaults(handler=_list)

    close = actions.add_parser("close", parents=[common], help="close a session")
    close.add_argument("session", metavar="SES")
    close.set_defaults(handler=_close)

    report = actions.add_parser(
        "report",
        parents=[common],
        help="the session's report: a CSV of its items and scans, or a PDF",
        description="Write the session's report: to FILE.csv every item and scan, to FILE.pdf "
        "the printable report (a stocktake's found here, belongs elsewhere, missing and unknown "
        "tags; a pickup's or a hand-in's done and missing by form).",
    )
    report.add_argument("session", metavar="SES")
    report.add_argument("-o", "--output", required=True, metavar="FILE.csv|FILE.pdf")
    report.add_argument("--overwrite", action="store_true", help="replace FILE if it exists")
    report.set_defaults(handler=_report)


def _missing(text: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in text.split(",") if m.strip())


def _assign(args: argparse.Namespace) -> int:
    from helpdesk.services.counter.assignments import assign_device

    factory = open_database(args)
    try:
        info = assign_device(
            factory, acting_username(args), student_code=args.student, device_code=args.device
        )
    finally:
        factory.kw["bind"].dispose()
    print(f"assigned {info.device.asset_tag} to {info.student.name} ({info.student.form})")
    return 0


def _unassign(args: argparse.Namespace) -> int:
    from helpdesk.services.core.codes import ticket_code
    from helpdesk.services.counter.assignments import unassign_device

    factory = open_database(args)
    try:
        info = unassign_device(
            factory,
            acting_username(args),
            device_code=args.tag,
            condition=args.condition,
            missing=_missing(args.missing),
        )
    finally:
        factory.kw["bind"].dispose()
    line = f"unassigned {info.device.asset_tag} from {info.student.name} ({info.student.form})"
    if args.condition:
        line += f": {args.condition}"
    missing = _missing(args.missing)
    if missing:
        line += f", {' and '.join(missing)} not back"
    if info.ticket_id is not None:
        line += f"; to the bench as {ticket_code(info.ticket_id)}"
    print(line)
    return 0


def _tags(path_text: str) -> list[str]:
    path = Path(path_text).expanduser()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"there is no file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    tags = []
    for n, line in enumerate(text.splitlines()):
        tag = line.split(",")[0].split(";")[0].strip()
        if not tag or tag.startswith("#"):
            continue
        if n == 0 and tag.lower() in ("asset_tag", "tag", "asset tag"):
            continue  # a header
        tags.append(tag)
    return tags


def _start(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import start_session

    tags = _tags(args.tags_file) if args.tags_file else None
    factory = open_database(args)
    try:
        info = start_session(
            factory,
            acting_username(args),
            args.kind,
            form=args.form,
            year=args.year,
            everyone=args.everyone,
            leavers=args.leavers,
            location=args.location,
            status=args.status,
            tags=tags,
            name=args.name,
        )
    finally:
        factory.kw["bind"].dispose()
    print(f"started {info.name}: {info.expected} expected")
    print(info.code)
    return 0


def _scan(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import scan_in_session

    factory = open_database(args)
    pending: int | None = None
    try:
        for code in args.codes:
            result = scan_in_session(
                factory,
                acting_username(args),
                args.session,
                code,
                pending_student_id=pending,
                agreement="screen" if args.signed_by else "paper",
                agreement_name=args.signed_by,
                condition=args.condition,
                missing=_missing(args.missing),
                station=args.station,
            )
            pending = result.pending_student_id
            print(f"{result.outcome} {result.sentence}", flush=True)
    finally:
        factory.kw["bind"].dispose()
    return 0


def status_json(status: Any) -> dict[str, Any]:
    """The JSON of ``helpdesk session status --json`` (a SessionStatus)."""
    info = status.session
    found: dict[str, Any] = {
        "code": info.code,
        "kind": info.kind,
        "name": info.name,
        "open": info.closed_at is None,
        "expected": info.expected,
        "done": info.done,
        "missing": [m.code for m in status.missing],
        "unexpected": [line.code for line in status.unexpected],
        "problems": [{"code": p.code, "sentence": p.sentence} for p in status.problems],
        "groups": [
            {"group": g.group, "expected": g.expected, "done": g.done} for g in status.groups
        ],
    }
    if info.kind == "stocktake":
        found["found"] = [m.code for m in status.found]
        found["unknown"] = [line.code for line in status.unknown]
    return found


def _status(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import session_status

    factory = open_database(args, must_exist=True)
    try:
        status = session_status(factory, acting_username(args), args.session)
    finally:
        factory.kw["bind"].dispose()
    if args.json:
        print(json.dumps(status_json(status), indent=2))
        return 0
    info = status.session
    state = "open" if info.closed_at is None else f"closed {info.closed_at:%d/%m/%Y %H:%M}"
    print(f"{info.code} {info.name} ({info.kind}, {state}): {info.done} of {info.expected} done")
    for group in status.groups:
        print(f"  {group.group or '(no group)'}: {group.done} of {group.expected}")
    if status.missing:
        print(f"missing ({len(status.missing)}):")
        for item in status.missing:
            print(f"  {item.group or '-'}  {item.code}  {item.label}")
    for title, lines in (("unexpected", status.unexpected), ("problems", status.problems)):
        if lines:
            print(f"{title} ({len(lines)}):")
            for line in lines:
                print(f"  {line.code}: {line.sentence}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import list_sessions

    factory = open_database(args, must_exist=True)
    try:
        sessions = list_sessions(factory, acting_username(args), open_only=args.open_only)
    finally:
        factory.kw["bind"].dispose()
    if not sessions:
        print("no sessions")
    for info in sessions:
        state = "open" if info.closed_at is None else "closed"
        print(
            f"{info.code}  {info.kind:<9}  {state:<6}  {info.done}/{info.expected} done  "
            f"{info.started_at:%d/%m/%Y %H:%M}  {info.name}"
        )
    return 0


def _close(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import close_session

    factory = open_database(args, must_exist=True)
    try:
        info = close_session(factory, acting_username(args), args.session)
    finally:
        factory.kw["bind"].dispose()
    print(f"closed {info.code} {info.name}: {info.done} of {info.expected} done")
    return 0


def _report(args: argparse.Namespace) -> int:
    from helpdesk.services.sessions import REPORT_COLUMNS, session_report

    target = _report_target(args)
    if target.suffix.lower() == ".pdf":
        return _report_pdf(args, target)
    factory = open_database(args, must_exist=True)
    try:
        info, rows = session_report(factory, acting_username(args), args.session)
    finally:
        factory.kw["bind"].dispose()
    out = io.StringIO(newline="")
    writer = SafeWriter(out)
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(rows)
    _write_whole(target, out.getvalue().encode("utf-8-sig"))
    print(f"wrote {len(rows)} rows of {info.code} to {target}")
    return 0


def _report_target(args: argparse.Namespace) -> Path:
    """The report's file, refused in one sentence (before the database is opened) when it is
    empty, a folder or another non-regular file, or exists without --overwrite."""
    if not args.output.strip():
        raise CommandError("-o is empty: give the name of the CSV or PDF file to write")
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give the name of the CSV or PDF file to write")
    if target.exists() or target.is_symlink():
        if not target.is_file():
            raise CommandError(f"{target} is not a regular file; choose another name")
        if not args.overwrite:
            raise CommandError(f"{target} exists already; choose another name or add --overwrite")
    if not target.parent.is_dir():
        raise CommandError(f"cannot write {target}: there is no folder {target.parent}")
    return target


def _write_whole(target: Path, data: bytes) -> None:
    """``data`` written beside ``target`` under a temporary name, then renamed over it."""
    temporary = target.with_name(f".{target.name}.part")
    try:
        temporary.write_bytes(data)
        temporary.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a read-only place refuses even this
            temporary.unlink(missing_ok=True)
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from None


def _report_pdf(args: argparse.Namespace, target: Path) -> int:
    from helpdesk.labels.session_report import session_report_pdf
    from helpdesk.services.reporting.documents import school_name
    from helpdesk.services.sessions import session_status

    factory = open_database(args, must_exist=True)
    try:
        status = session_status(factory, acting_username(args), args.session)
        school = school_name(factory)
    finally:
        factory.kw["bind"].dispose()
    _write_whole(target, session_report_pdf(status, school_name=school))
    info = status.session
    if info.kind == "stocktake":
        counts = (
            f"{len(status.found)} found here, {len(status.elsewhere)} elsewhere, "
            f"{len(status.missing)} missing, {len(status.unknown)} unknown"
        )
    else:
        counts = f"{info.done} of {info.expected} done, {len(status.missing)} missing"
    print(f"wrote the report of {info.code} ({counts}) to {target}")
    return 0
