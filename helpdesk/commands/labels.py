"""`helpdesk labels` (asset label sheets, templates, alignment) and `helpdesk slip` (loan slips,
repair receipts, hand-over agreements), to a PDF file or straight to a printer.

With ``--tags``/``--tags-file`` labels are made without a database, for a quick sheet of tags.
A batch chosen from the database (a form, a year group, a tag range, the devices never labelled)
is recorded as printed when it goes to a printer (or with ``--record``).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from helpdesk.commands import summary
from helpdesk.commands.common import CommandError, acting_username, open_database

SLIP_KINDS = {"loan": "slip", "receipt": "slip", "handover": "slip", "label": "label"}


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from helpdesk.labels.asset_labels import SYMBOLOGIES

    p = subparsers.add_parser(
        "labels",
        parents=[common],
        help=summary("labels"),
        description="Print asset labels (Code 128, optionally QR or Data Matrix) on a label "
        "stock. Choose the devices by tag, from a file, by form, year group, tag range or the "
        "devices never labelled; write a PDF (-o) or print (--printer). A batch sent to a "
        "printer is recorded as printed once the printer accepts it; a PDF is a preview and is "
        "recorded only with --mark-printed.",
    )
    p.add_argument("--list-templates", action="store_true", help="list the label stocks and exit")
    p.add_argument("--template", metavar="ID", help="label stock, e.g. avery-l7651")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--tags", nargs="+", metavar="TAG", help="asset tags (no database needed)")
    which.add_argument(
        "--tags-file",
        metavar="FILE",
        help="a file of tags, one a line, or a CSV with an asset_tag column (and model, serial)",
    )
    which.add_argument("--form", metavar="FORM", help="the devices of a form, in hand-out order")
    which.add_argument("--year", type=int, metavar="N", help="the devices of a year group")
    which.add_argument("--range", nargs=2, metavar=("FIRST", "LAST"), help="a range of tags")
    which.add_argument(
        "--unlabelled", action="store_true", help="every device never given an asset label"
    )
    which.add_argument(
        "--last-batch",
        action="store_true",
        help="the devices of the last batch recorded as printed (a reprint)",
    )
    p.add_argument(
        "--start",
        type=int,
        default=1,
        metavar="N",
        help="first free position on the sheet (1 = top left)",
    )
    p.add_argument("--copies", type=int, default=1, metavar="K", help="labels per tag (default 1)")
    p.add_argument("--code", choices=SYMBOLOGIES, default="code128", help="the code(s) on a label")
    p.add_argument("--header", metavar="TEXT", help="top line (default: 'Property of <school>')")
    p.add_argument("--no-model", action="store_true", help="leave the model off the labels")
    p.add_argument("--no-serial", action="store_true", help="leave the serial off the labels")
    p.add_argument(
        "--outline", action="store_true", help="draw each label's edge (a preview on plain paper)"
    )
    p.add_argument(
        "--mark-printed",
        "--record",
        dest="record",
        action="store_true",
        help="with -o: record the labels as printed (the PDF will be printed), so --unlabelled "
        "leaves those devices out; without it a PDF records nothing",
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="print the alignment test page of --template; with --offset X Y, keep the "
        "printer's offset",
    )
    p.add_argument(
        "--offset",
        nargs=2,
        type=float,
        metavar=("X", "Y"),
        help="with --calibrate: mm to move the print right (X) and down (Y); negative for left "
        "and up",
    )
    _output(p)
    p.set_defaults(handler=_labels)

    s = subparsers.add_parser(
        "slip",
        parents=[common],
        help=summary("slip"),
        description="Print the slip of a loan (LOAN_ID such as 123 or LOAN-000123), a repair "
        "receipt (--ticket) or the hand-over agreements of a form or year group.",
    )
    s.add_argument("loan", nargs="?", metavar="LOAN_ID", help="the loan, e.g. 123 or LOAN-000123")
    s.add_argument("--ticket", metavar="TICKET_ID", help="a repair receipt for this ticket")
    s.add_argument("--handover-form", metavar="FORM", help="hand-over agreements for a form")
    s.add_argument("--handover-year", type=int, metavar="N", help="… for a year group")
    s.add_argument(
        "--format",
        choices=("half-a4", "receipt-80mm"),
        default="half-a4",
        help="half an A4 page (two copies a sheet) or an 80 mm receipt roll",
    )
    _output(s)
    s.set_defaults(handler=_slip)


def _output(p: argparse.ArgumentParser) -> None:
    out = p.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", metavar="OUT.pdf", help="write a PDF file")
    out.add_argument("--printer", metavar="NAME", help="send to this printer (CUPS queue name)")
    p.add_argument("--overwrite", action="store_true", help="replace OUT.pdf if it exists already")


# --- selection ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    labels: list  # AssetLabel
    device_ids: list[int]  # empty when chosen without the database
    from_database: bool


def _read_tags_file(name: str) -> list:
    from helpdesk.labels.asset_labels import AssetLabel

    path = Path(name)
    try:
        text = sys.stdin.read() if name == "-" else path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read the tags file {name}: {exc}") from exc
    lines = text.splitlines()
    first = lines[0].lower() if lines else ""
    labels = []
    if "asset_tag" in first:
        reader = csv.DictReader(io.StringIO(text))
        for number, row in enumerate(reader, start=2):
            tag = (row.get("asset_tag") or "").strip()
            if not tag:
                raise CommandError(f"{name}, line {number}: the asset_tag is empty")
            labels.append(
                AssetLabel(tag, (row.get("model") or "").strip(), (row.get("serial") or "").strip())
            )
    else:
        for line in lines:
            tag = line.split("#", 1)[0].strip()
            if tag:
                labels.append(AssetLabel(tag))
    if not labels:
        raise CommandError(f"the tags file {name} holds no tags")
    return labels


def _check_tags(labels: list) -> None:
    bad = [lab.tag for lab in labels if not (lab.tag.isascii() and lab.tag.isprintable())]
    if bad:
        raise CommandError(
            f"these tags have characters a Code 128 label cannot hold: {', '.join(map(repr, bad[:5]))}"
        )


CHOOSE = (
    "choose the labels: --tags, --tags-file, --form, --year, --range, --unlabelled or --last-batch"
)


def _select(args: argparse.Namespace, factory) -> _Selection:
    from helpdesk.labels.asset_labels import AssetLabel

    if args.tags or args.tags_file:
        labels = (
            [AssetLabel(t.strip()) for t in args.tags if t.strip()]
            if args.tags
            else _read_tags_file(args.tags_file)
        )
        _check_tags(labels)
        return _Selection(labels, [], False)
    from helpdesk.services.reporting import documents

    if args.form:
        rows = documents.devices_for_form(factory, args.form)
        what = f"form {args.form}"
    elif args.year is not None:
        rows = documents.devices_for_year(factory, args.year)
        what = f"year {args.year}"
    elif args.range:
        rows = documents.devices_in_tag_range(factory, *args.range)
        what = f"tags {args.range[0]} to {args.range[1]}"
    elif args.unlabelled:
        rows = documents.unlabelled_devices(factory)
        what = "devices never labelled"
    elif args.last_batch:
        rows = documents.last_label_batch(factory)
        what = "the last batch"
    else:
        raise CommandError(CHOOSE)
    if not rows:
        raise CommandError(f"there are no devices to label ({what}); nothing was printed")
    labels = [AssetLabel(r.asset_tag, r.model_name, r.serial) for r in rows]
    _check_tags(labels)
    return _Selection(labels, [r.device_id for r in rows], True)


# --- output -------------------------------------------------------------------------------------


def _deliver(
    pdf: bytes,
    args: argparse.Namespace,
    *,
    kind: str,
    title: str,
    dpi: int | None,
    label_devices: tuple[int, ...] = (),
    label_template: str = "",
) -> str:
    if args.output:
        from helpdesk.labels.output import write_pdf

        return f"wrote {write_pdf(pdf, args.output, overwrite=args.overwrite)}"
    if not args.printer:
        raise CommandError("say where to: -o OUT.pdf or --printer NAME")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from helpdesk.ui.printing import PrintError, PrintJob, keep_job, print_pdf

    _app = QGuiApplication.instance() or QGuiApplication(["helpdesk"])  # noqa: F841
    try:
        pages = print_pdf(pdf, args.printer, title=title, dpi=dpi)
    except PrintError as exc:
        # a kept batch of labels is recorded as printed when it is printed again from the window
        kept = keep_job(
            PrintJob(
                kind=kind,
                title=title,
                pdf=pdf,
                printer=args.printer,
                dpi=dpi,
                label_devices=label_devices,
                label_template=label_template,
            )
        )
        raise CommandError(f"{exc} Nothing was printed; the job is kept at {kept.kept_at}") from exc
    return f"sent {pages} page{'s' if pages != 1 else ''} to {args.printer}"


def _labels(args: argparse.Namespace) -> int:
    from helpdesk.labels import calibration
    from helpdesk.labels.asset_labels import LabelDesign, render_labels
    from helpdesk.labels.templates import all_templates, get_template

    templates, problems = all_templates()
    for problem in problems:
        print(f"helpdesk: skipped a label template: {problem}", file=sys.stderr)
    if args.list_templates:
        width = max(len(t.id) for t in templates)
        for t in templates:
            own = "" if t.origin == "shipped" else f"  [{t.origin}]"
            print(f"{t.id:<{width}}  {t.summary()}  {t.name}{own}")
        return 0
    if not args.template:
        raise CommandError("choose a label stock with --template ID (see --list-templates)")
    template = get_template(args.template)
    if args.calibrate:
        return _calibrate(args, template)
    if args.offset:
        raise CommandError("--offset goes with --calibrate")
    if not args.output and not args.printer:
        raise CommandError("say where to: -o OUT.pdf or --printer NAME")
    chosen = (args.tags, args.tags_file, args.form, args.year is not None, args.range)
    if not any((*chosen, args.unlabelled, args.last_batch)):
        raise CommandError(CHOOSE)
    factory = None
    if not (args.tags or args.tags_file) or args.record:
        factory = open_database(args)
    selection = _select(args, factory)
    header = args.header
    if header is None:
        header = _default_header(factory, args)
    design = LabelDesign(
        header=header,
        symbology=args.code,
        show_model=not args.no_model,
        show_serial=not args.no_serial,
    )
    offset = calibration.get_offset(args.printer)
    sheets = render_labels(
        template,
        selection.labels,
        design,
        start=args.start,
        copies=args.copies,
        offset=offset,
        outline=args.outline,
        others=templates,
    )
    labelled: list[int] = []
    if factory is not None and (args.printer or args.record):
        ids = selection.device_ids or _ids_for_tags(factory, selection.labels)
        labelled = [i for i in ids for _ in range(args.copies)]
    done = _deliver(
        sheets.pdf,
        args,
        kind="label",
        title=f"Asset labels ({len(sheets.placements)}) on {template.id}",
        dpi=template.dpi,
        label_devices=tuple(labelled),
        label_template=template.id,
    )
    count = len(sheets.placements)
    print(
        f"{done}: {count} label{'s' if count != 1 else ''} on {sheets.pages} page(s) of {template.id}"
    )
    if factory is not None and (args.printer or args.record):
        from helpdesk.services.reporting.documents import record_label_prints

        record = record_label_prints(factory, acting_username(args), labelled, template.id)
        print(f"recorded {record.count} labels as printed by {record.printed_by}")
    elif selection.from_database:
        print("not recorded as printed (a PDF is a preview); add --mark-printed once it is printed")
    return 0


def _ids_for_tags(factory, labels: list) -> list[int]:
    from helpdesk.services.reporting.documents import devices_by_tags

    return [d.device_id for d in devices_by_tags(factory, [lab.tag for lab in labels])]


def _default_header(factory, args: argparse.Namespace) -> str:
    name = ""
    if factory is not None:
        from helpdesk.services.reporting.documents import school_name

        name = school_name(factory)
    return f"Property of {name}" if name else "Property of the school"


def _calibrate(args: argparse.Namespace, template) -> int:
    from helpdesk.labels import calibration

    if args.offset:
        if not args.printer:
            raise CommandError("--offset needs --printer NAME: the offset belongs to a printer")
        offset = calibration.set_offset(args.printer, *args.offset)
        print(f"{args.printer}: labels now move {offset.x:+.2f} mm across, {offset.y:+.2f} mm down")
        return 0
    if not args.output and not args.printer:
        raise CommandError("say where to: -o OUT.pdf or --printer NAME")
    offset = calibration.get_offset(args.printer)
    pdf = calibration.alignment_page(template, offset, args.printer or "")
    done = _deliver(
        pdf, args, kind="label", title=f"Alignment test {template.id}", dpi=template.dpi
    )
    print(f"{done}: alignment test page for {template.id}")
    return 0


def _slip(args: argparse.Namespace) -> int:
    from helpdesk.labels import slips
    from helpdesk.services.core import codes
    from helpdesk.services.reporting import slip_data

    chosen = [
        x for x in (args.loan, args.ticket, args.handover_form, args.handover_year) if x is not None
    ]
    if len(chosen) != 1:
        raise CommandError(
            "give one of: LOAN_ID, --ticket TICKET_ID, --handover-form, --handover-year"
        )
    if not args.output and not args.printer:
        raise CommandError("say where to: -o OUT.pdf or --printer NAME")
    factory = open_database(args)
    if args.loan is not None:
        loan_id = _number(args.loan, codes.parse_loan_code, "loan")
        data = slip_data.loan_slip(factory, loan_id)
        pdf, title = slips.loan_slip_pdf(data, args.format), f"Loan slip {data.code}"
    elif args.ticket is not None:
        ticket_id = _number(args.ticket, codes.parse_ticket_code, "ticket")
        receipt = slip_data.repair_receipt(factory, ticket_id)
        pdf, title = (
            slips.repair_receipt_pdf(receipt, args.format),
            f"Repair receipt {receipt.code}",
        )
    else:
        items = slip_data.handover_agreements(
            factory, form=args.handover_form, year_group=args.handover_year
        )
        if not items:
            raise CommandError("no student there has a device allocated; nothing was printed")
        pdf, title = slips.handover_pdf(items, args.format), "Hand-over agreements"
    dpi = slips.ROLL_DPI if args.format == "receipt-80mm" else None
    print(f"{_deliver(pdf, args, kind='slip', title=title, dpi=dpi)}: {title}")
    return 0


MAX_ID = 2**63 - 1  # the largest id a database holds (a 64-bit integer)


def _number(text: str, parse, what: str) -> int:
    text = text.strip()
    number = int(text) if text.isascii() and text.isdigit() else parse(text)
    if number is None:
        raise CommandError(f"'{text}' is not a {what} number or code")
    if number > MAX_ID:
        raise CommandError(f"there is no {what} {text}: the number is larger than any record's")
    return number
