"""Cards for the counter, made from the lookup service's records: what a person at the counter
reads at a glance (badges in colour, a few fields, short lists), and the facts the counter's flow
needs to decide what the next scan means."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from helpdesk.domain.enums import DevicePool, StudentStatus, TicketState
from helpdesk.flows.counter import LoanFacts, Scan, TicketFacts
from helpdesk.flows.facts import DeviceFacts, StudentFacts
from helpdesk.services.core.views import CoverCheck, LoanInfo, TicketInfo, money
from helpdesk.services.counter.lookup import DeviceCard, LoanCard, StudentCard
from helpdesk.ui.style import (
    ACCENT,
    BAD,
    BAD_BG,
    CANVAS,
    COVER_COLOURS,
    GOOD,
    GOOD_BG,
    INFO_BG,
    MUTED,
    WARN,
    WARN_BG,
)
from helpdesk.ui.widgets.cards import Badge, CardView

STATUS_BADGE: dict[str, tuple[str, str]] = {
    "in_stock": (GOOD, GOOD_BG),
    "assigned": (ACCENT, INFO_BG),
    "on_loan": (WARN, WARN_BG),
    "in_repair": (WARN, WARN_BG),
    "lost": (BAD, BAD_BG),
    "stolen": (BAD, BAD_BG),
    "retired": (MUTED, CANVAS),
}


def _when(at: datetime | None) -> str:
    return "" if at is None else f"{at:%a %d/%m %H:%M}"


def _label(value: str) -> str:
    return value.replace("_", " ")


def _loan_line(loan: LoanInfo, now: datetime) -> str:
    late = " — OVERDUE" if loan.is_overdue(now) else ""
    return f"{loan.code}: {loan.asset_tag} ({loan.loan_type}), due {_when(loan.due_at)}{late}"


def _ticket_line(ticket: TicketInfo) -> str:
    return f"{ticket.code}: {ticket.asset_tag} — {_label(ticket.category)}, {_label(ticket.state)}"


def missing_lines(loans: tuple[LoanInfo, ...]) -> tuple[str, ...]:
    """``Charger not returned with LNR-004 (lent 03/12)``, one line per accessory still out."""
    return tuple(
        f"{item.capitalize()} not returned with {loan.asset_tag} (lent {loan.issued_at:%d/%m})"
        for loan in loans
        for item in loan.accessories_missing
    )


def cover_sentences(cover: CoverCheck) -> list[str]:
    """The rule behind the charge, then why the insurance does not pay when it does not; the
    rule already starts with that reason when the price list set the charge, so it is said once."""
    sentences = [cover.rule]
    if cover.excluded and cover.excluded not in cover.rule:
        sentences.append(cover.excluded)
    return sentences


def cover_text(cover: CoverCheck) -> str:
    """One line on the cover check: the charge and the rule behind it."""
    charge = "no charge" if cover.charge_pence == 0 else money(cover.charge_pence)
    return f"{charge} — {' '.join(cover_sentences(cover))}"


def unpaid_badge(unpaid_pence: int) -> Badge:
    """The red badge a student who owes money carries on every card."""
    return Badge(f"Unpaid charges {money(unpaid_pence)}", BAD, BAD_BG)


def charge_badge(ticket: TicketInfo) -> Badge | None:
    """Where the ticket's charge stands: due (what is left), paid, or waived."""
    if not ticket.charge_status or not ticket.charge_pence:
        return None
    if ticket.charge_status == "waived":
        return Badge(f"charge waived ({money(ticket.charge_pence)})", MUTED, CANVAS)
    if ticket.charge_status == "paid":
        return Badge(f"charge paid {money(ticket.charge_pence)}", GOOD, GOOD_BG)
    left = ticket.balance_pence
    part = f" of {money(ticket.charge_pence)}" if left != ticket.charge_pence else ""
    return Badge(f"charge due {money(left)}{part}", BAD, BAD_BG)


def charge_text(ticket: TicketInfo) -> str:
    """The charge line of a ticket's card: the amount and where it stands."""
    if ticket.charge_status == "waived":
        return f"{money(ticket.charge_pence)}, waived: {ticket.waiver_reason}"
    if ticket.charge_status == "paid":
        return f"{money(ticket.charge_pence)}, paid"
    if ticket.paid_pence:
        return f"{money(ticket.charge_pence)}, {money(ticket.balance_pence)} still to pay"
    return f"{money(ticket.charge_pence)}, due"


def student_view(card: StudentCard, now: datetime) -> CardView:
    badges = []
    if card.status is StudentStatus.LEFT:
        left = f" on {card.left_on:%d/%m/%Y}" if card.left_on else ""
        badges.append(Badge(f"left the school{left}", BAD, BAD_BG))
    fg, bg = COVER_COLOURS.get(card.cover.status or "none", (MUTED, CANVAS))
    cover = card.cover.label
    if card.cover.claims_allowed:
        cover += f" · claims {card.cover.claims_used} of {card.cover.claims_allowed}"
    badges.append(Badge(cover, fg, bg))
    if card.unpaid_pence > 0:
        badge = unpaid_badge(card.unpaid_pence)
        if card.blocks_on_unpaid:
            badge = Badge(f"{badge.text} · no loans", badge.fg, badge.bg)
        badges.append(badge)
    if len(card.open_loans) >= card.loan_limit:
        limit = f"loan limit reached ({len(card.open_loans)} of {card.loan_limit})"
        badges.append(Badge(limit, BAD, BAD_BG))
    if any(loan.is_overdue(now) for loan in card.open_loans):
        badges.append(Badge("overdue loan", BAD, BAD_BG))
    missing = missing_lines(card.missing_accessories)
    if missing:
        badges.append(Badge("accessories not returned", WARN, WARN_BG))
    laptops_first = sorted(card.assigned_devices, key=lambda d: (d.kind != "laptop", d.asset_tag))
    devices = ", ".join(d.asset_tag for d in laptops_first) or "none"
    fields = [
        ("Card", card.card_code),
        ("Year", str(card.year_group)),
        ("Form", card.form),
        ("Own devices", devices),
    ]
    if card.cover.scheme:
        fields.append(("Scheme", card.cover.scheme))
    sections = []
    if missing:
        sections.append(("Not returned", missing))
    if card.open_loans:
        sections.append(("Open loans", tuple(_loan_line(x, now) for x in card.open_loans)))
    if card.open_tickets:
        sections.append(("Repairs", tuple(_ticket_line(t) for t in card.open_tickets)))
    return CardView(
        kind="student",
        title=card.name,
        subtitle=f"Year {card.year_group} · form {card.form}",
        badges=tuple(badges),
        fields=tuple(fields),
        sections=tuple(sections),
    )


def device_view(card: DeviceCard, now: datetime) -> CardView:
    fg, bg = STATUS_BADGE.get(card.status, (MUTED, CANVAS))
    badges = [Badge(_label(card.status), fg, bg)]
    badges.append(Badge("loan pool" if card.pool is DevicePool.LOAN else "1:1", MUTED, CANVAS))
    if card.warranty_until is not None:
        if card.warranty_until >= now.date():
            badges.append(Badge(f"warranty to {card.warranty_until:%d/%m/%Y}", GOOD, GOOD_BG))
        else:
            badges.append(Badge("out of warranty", MUTED, CANVAS))
    fields = [("Serial", card.serial), ("Model", f"{card.make} {card.model}".strip())]
    fields.append(("Place", card.location or "none recorded"))
    if card.assigned_to is not None:
        fields.append(("Assigned to", card.assigned_to.label))
    if card.open_loan is not None:
        loan = card.open_loan
        fields.append(("On loan to", f"{loan.student_name} ({loan.form})"))
        fields.append(("Due", _when(loan.due_at) + (" — OVERDUE" if loan.is_overdue(now) else "")))
    if card.open_ticket is not None:
        ticket = card.open_ticket
        fields.append(("Repair", f"{ticket.code} · {_label(ticket.state)}"))
    if card.swap_loan is not None:
        fields.append(("Loaner out", f"{card.swap_loan.asset_tag} ({card.swap_loan.code})"))
    history = tuple(f"{_when(h.at)}  {h.text}" for h in card.history)
    return CardView(
        kind="device",
        title=card.asset_tag,
        subtitle=f"{card.make} {card.model} · {card.kind_of_device}".strip(),
        badges=tuple(badges),
        fields=tuple(fields),
        sections=(("History", history),) if history else (),
    )


def loan_view(loan: LoanInfo, now: datetime) -> CardView:
    if loan.is_open:
        badge = (
            Badge("overdue", BAD, BAD_BG)
            if loan.is_overdue(now)
            else Badge("out on loan", WARN, WARN_BG)
        )
    else:
        badge = Badge(f"returned {_when(loan.returned_at)}", GOOD, GOOD_BG)
    fields = [
        ("Student", f"{loan.student_name} ({loan.form})"),
        ("Device", f"{loan.asset_tag} · {loan.model}"),
        ("Type", loan.loan_type),
        ("Accessories", ", ".join(loan.accessories) or "none"),
        ("Issued", f"{_when(loan.issued_at)} by {loan.issued_by}"),
        ("Due", _when(loan.due_at)),
    ]
    if loan.accessories_missing:
        fields.append(("Not returned", ", ".join(loan.accessories_missing)))
    return CardView(
        kind="loan",
        title=loan.code,
        subtitle=f"{loan.asset_tag} lent to {loan.student_name}",
        badges=(badge,),
        fields=tuple(fields),
    )


def ticket_view(ticket: TicketInfo, cover: CoverCheck | None = None) -> CardView:
    cover = cover or ticket.cover
    state_colours = {
        TicketState.READY_FOR_COLLECTION.value: (GOOD, GOOD_BG),
        TicketState.COLLECTED.value: (MUTED, CANVAS),
        TicketState.CANCELLED.value: (MUTED, CANVAS),
        TicketState.WRITTEN_OFF.value: (BAD, BAD_BG),
    }
    fg, bg = state_colours.get(ticket.state, (WARN, WARN_BG))
    badges = [Badge(_label(ticket.state), fg, bg)]
    charge = charge_badge(ticket)
    if charge is not None:
        badges.append(charge)
    fields = [
        ("Device", f"{ticket.asset_tag} · {ticket.model}"),
        ("Student", f"{ticket.student_name} ({ticket.form})" if ticket.student_name else "none"),
        ("Damage", _label(ticket.category)),
        ("Fault", ticket.fault or "—"),
        ("Opened", _when(ticket.opened_at)),
    ]
    if cover is not None:
        # the rule that set the charge; where the charge stands now is on the line below
        fields.append(("Cover", " ".join(cover_sentences(cover))))
    if ticket.charge_status and ticket.charge_pence:
        fields.append(("Charge", charge_text(ticket)))
    if ticket.swap_loan is not None and ticket.swap_loan.is_open:
        fields.append(("Loaner out", f"{ticket.swap_loan.asset_tag} ({ticket.swap_loan.code})"))
    return CardView(
        kind="ticket",
        title=ticket.code,
        subtitle=f"Repair of {ticket.asset_tag}",
        badges=tuple(badges),
        fields=tuple(fields),
    )


def view_of(card, now: datetime) -> CardView:  # noqa: ANN001 - any lookup card
    if isinstance(card, StudentCard):
        return student_view(card, now)
    if isinstance(card, DeviceCard):
        return device_view(card, now)
    if isinstance(card, LoanCard):
        return loan_view(card.loan, now)
    return ticket_view(card.ticket, card.cover)


# --- facts for the counter's flow ----------------------------------------------------------------


def _device_facts(card: DeviceCard) -> DeviceFacts:
    return DeviceFacts(
        id=card.id,
        tag=card.asset_tag,
        pool=card.pool,
        status=card.status,
        open_loan_id=card.open_loan.id if card.open_loan else None,
        open_loan_student_id=card.open_loan.student_id if card.open_loan else None,
        assigned_student_id=card.assigned_to.id if card.assigned_to else None,
        assigned_name=card.assigned_to.name if card.assigned_to else None,
        assigned_form=card.assigned_to.form if card.assigned_to else "",
        **_holder(card.open_loan),
        open_ticket_id=card.open_ticket.id if card.open_ticket else None,
        open_ticket_state=card.open_ticket.state if card.open_ticket else None,
        swap_loan_id=card.swap_loan.id if card.swap_loan else None,
        swap_loan_tag=card.swap_loan.asset_tag if card.swap_loan else None,
    )


def _holder(loan: LoanInfo | None) -> dict[str, Any]:
    """Who has the open loan, since when and what went out with it (for the counter's sentences
    and the return's prompt)."""
    if loan is None or not loan.is_open:
        return {}
    return {
        "open_loan_holder": f"{loan.student_name} ({loan.form})",
        "open_loan_issued_at": loan.issued_at,
        "open_loan_accessories": loan.accessories,
    }


def _summary_facts(summary, *, loan: LoanInfo | None = None, ticket: TicketInfo | None = None):  # noqa: ANN001, ANN202
    swap = ticket.swap_loan if ticket is not None and ticket.swap_loan is not None else None
    if swap is not None and not swap.is_open:
        swap = None
    return DeviceFacts(
        id=summary.id,
        tag=summary.asset_tag,
        pool=summary.pool,
        status=summary.status,
        open_loan_id=loan.id if loan is not None and loan.is_open else None,
        open_loan_student_id=loan.student_id if loan is not None and loan.is_open else None,
        **_holder(loan),
        open_ticket_id=ticket.id if ticket is not None and ticket.is_open else None,
        open_ticket_state=ticket.state if ticket is not None else None,
        swap_loan_id=swap.id if swap else None,
        swap_loan_tag=swap.asset_tag if swap else None,
    )


def facts_of(card) -> Scan:  # noqa: ANN001 - any lookup card
    if isinstance(card, StudentCard):
        return StudentFacts(
            id=card.id,
            name=card.name,
            status=card.status,
            assigned_device_ids=tuple(d.id for d in card.assigned_devices),
            form=card.form,
            open_loans=len(card.open_loans),
            loan_limit=card.loan_limit,
            unpaid_pence=card.unpaid_pence,
            blocks_on_unpaid=card.blocks_on_unpaid,
        )
    if isinstance(card, DeviceCard):
        return _device_facts(card)
    if isinstance(card, LoanCard):
        device = _summary_facts(card.device, loan=card.loan)
        loan = card.loan
        return LoanFacts(
            loan.id, device, loan.student_id, loan.is_open, loan.code, loan.accessories_missing
        )
    ticket = card.ticket
    device = _summary_facts(card.device, ticket=ticket)
    return TicketFacts(ticket.id, device, ticket.state, ticket.student_id)
