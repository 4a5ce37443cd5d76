"""`helpdesk lookup CODE`: what the counter would show for a scanned code, as readable lines.

CODE is a student card, an asset tag, a serial number, a loan slip (LOAN-000123) or a repair
receipt (TKT-000045).
"""

from __future__ import annotations

import argparse
from datetime import date, datetime

from helpdesk.commands import summary
from helpdesk.commands.common import open_database
from helpdesk.domain.enums import DamageCategory


def register(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    look = subparsers.add_parser(
        "lookup",
        parents=[common],
        help=summary("lookup"),
        description="Show what a scanned code names: a student card, an asset tag, a serial "
        "number, a loan slip (LOAN-000123) or a repair receipt (TKT-000045).",
    )
    look.add_argument("code", metavar="CODE", help="the code as scanned")
    look.set_defaults(handler=_lookup)


def _lookup(args: argparse.Namespace) -> int:
    from helpdesk.services.counter.lookup import lookup

    factory = open_database(args)
    try:
        card = lookup(factory, args.code)
    finally:
        factory.kw["bind"].dispose()
    for line in card_lines(card, datetime.now()):
        print(line)
    return 0


# --- formatting ---------------------------------------------------------------------------------


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _moment(value: datetime | None) -> str:
    return value.strftime("%d/%m/%Y %H:%M") if value else ""


def _money(pence: int) -> str:
    return f"£{pence / 100:,.2f}"


def _label(value: str) -> str:
    return value.replace("_", " ")


def loan_line(loan, now: datetime) -> str:  # noqa: ANN001 - a LoanInfo
    text = (
        f"{loan.code}: {loan.asset_tag} ({loan.model}) {loan.loan_type} loan to "
        f"{loan.student_name} ({loan.form}), issued {_moment(loan.issued_at)} by {loan.issued_by}"
    )
    if loan.returned_at is not None:
        text += f", returned {_moment(loan.returned_at)} ({loan.condition_in})"
    else:
        text += f", due {_moment(loan.due_at)}"
        if loan.due_at < now:
            text += " - OVERDUE"
    if loan.accessories:
        text += f"; with {', '.join(loan.accessories)}"
    return text


def ticket_line(ticket) -> str:  # noqa: ANN001 - a TicketInfo
    category = DamageCategory(ticket.category).label
    text = f"{ticket.code}: {ticket.asset_tag} {category}, {_label(ticket.state)}"
    text += f", opened {_moment(ticket.opened_at)}"
    if ticket.charge_status and ticket.charge_pence:
        text += f"; charge {_money(ticket.charge_pence)} {ticket.charge_status}"
    elif ticket.charge_status:
        text += "; no charge"
    return text


def _cover_line(badge) -> str:  # noqa: ANN001 - a CoverBadge
    text = f"cover: {badge.label}"
    if badge.scheme:
        text += f", {badge.scheme}, claims {badge.claims_used} of {badge.claims_allowed}"
    if badge.ends_on:
        text += f", until {_day(badge.ends_on)}"
    return text


def _student(card, now: datetime) -> list[str]:  # noqa: ANN001
    status = ""
    if card.status != "active":
        status = ", left" + (f" on {_day(card.left_on)}" if card.left_on else "")
    lines = [
        f"student {card.card_code}: {card.name}, year {card.year_group}, form {card.form}{status}",
        _cover_line(card.cover),
    ]
    if not card.assigned_devices:
        lines.append("own devices: none")
    for device in card.assigned_devices:
        lines.append(
            f"own {device.kind}: {device.asset_tag} {device.make} {device.model} "
            f"({_label(device.status)})"
        )
    lines += [f"loan {loan_line(loan, now)}" for loan in card.open_loans]
    lines += [f"ticket {ticket_line(ticket)}" for ticket in card.open_tickets]
    if card.unpaid_pence:
        lines.append(f"unpaid charges: {_money(card.unpaid_pence)}")
    return lines


def _device(card, now: datetime) -> list[str]:  # noqa: ANN001
    pool = "loan pool" if card.pool == "loan" else "allocation"
    lines = [
        f"device {card.asset_tag}: {card.make} {card.model} {card.kind_of_device}, serial "
        f"{card.serial}, {pool}, {_label(card.status)}"
    ]
    if card.assigned_to is not None:
        who = card.assigned_to
        lines.append(f"assigned to: {who.name} ({who.form}), card {who.card_code}")
    if card.open_loan is not None:
        lines.append(f"on loan: {loan_line(card.open_loan, now)}")
    if card.open_ticket is not None:
        lines.append(f"in repair: {ticket_line(card.open_ticket)}")
    if card.swap_loan is not None:
        lines.append(f"swap loaner: {loan_line(card.swap_loan, now)}")
    lines.append(f"place: {card.location or 'none recorded'}")
    if card.warranty_until:
        state = "in warranty" if card.warranty_until >= now.date() else "out of warranty"
        lines.append(f"warranty until: {_day(card.warranty_until)} ({state})")
    if card.history:
        lines.append("recent history:")
        lines += [f"  {_moment(row.at)}  {row.text}" for row in card.history]
    return lines


def _ticket(card) -> list[str]:  # noqa: ANN001
    t = card.ticket
    lines = [f"ticket {ticket_line(t)}", f"device: {t.asset_tag} {t.model}, serial {t.serial}"]
    if card.student is not None:
        lines.append(f"student: {card.student.name} ({card.student.form}), card {t.card_code}")
    lines.append(f"fault: {t.fault}")
    if t.technician:
        lines.append(f"technician: {t.technician}")
    if t.vendor:
        lines.append(f"vendor: {t.vendor}" + (f", RMA {t.rma_number}" if t.rma_number else ""))
    for part in t.parts:
        lines.append(
            f"part: {part.quantity} x {part.description} {part.part_number} "
            f"{_money(part.unit_cost_pence)}".rstrip()
        )
    if card.cover is not None:
        lines.append(f"cover check: {card.cover.rule}")
    if t.waiver_reason:
        lines.append(f"waived: {t.waiver_reason}")
    if t.swap_loan is not None:
        lines.append(f"swap loaner: {t.swap_loan.asset_tag} ({t.swap_loan.code})")
    return lines


def card_lines(card, now: datetime) -> list[str]:  # noqa: ANN001 - any lookup card
    if card.kind == "student":
        return _student(card, now)
    if card.kind == "device":
        return _device(card, now)
    if card.kind == "ticket":
        return _ticket(card)
    return [f"loan {loan_line(card.loan, now)}", f"student card: {card.student.card_code}"]
