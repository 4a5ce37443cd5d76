"""Money on the counter's cards: a waived charge reads as waived when the receipt is scanned, a
student who owes money carries a red 'Unpaid charges' badge, and the cover check says each of
its sentences once."""

from __future__ import annotations

from sqlalchemy import select
from test_ui_counter import panel, scan  # noqa: F401  (panel: the counter's fixture)

from helpdesk.domain.enums import DamageCategory
from helpdesk.domain.models import Student, UninsuredPrice
from helpdesk.services.repairs import insurance
from helpdesk.services.repairs.tickets import (
    DamageReport,
    open_ticket,
    record_payment,
    waive_charge,
)
from helpdesk.ui.counter.actions import cover_line
from helpdesk.ui.counter.card_views import cover_text
from helpdesk.ui.style import BAD, BAD_BG


def ben_owes(ctx, school):  # noqa: ANN001, ANN201
    """Ben (no cover) cracks his screen: the uninsured price, £35.00, is due."""
    with ctx.factory.begin() as session:
        session.add(UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=3500))
    return open_ticket(
        ctx.factory,
        "admin",
        device_code=school.ben_laptop,
        damage=DamageReport(category="screen", description="Cracked screen"),
    )


def badges(counter) -> list[str]:  # noqa: ANN001
    return [b.text for b in counter.card.view.badges]


def test_a_waived_charge_reads_as_waived_at_the_counter(qtbot, panel, ctx, school):  # noqa: ANN001, ANN201, F811
    ticket = ben_owes(ctx, school)
    scan(qtbot, panel, ticket.code)
    assert "charge due £35.00" in badges(panel)
    waive_charge(ctx.factory, "admin", ticket.id, "Hardship fund")
    scan(qtbot, panel, ticket.code)
    fields = dict(panel.card.view.fields)
    assert "charge due £35.00" not in badges(panel)
    assert "charge waived (£35.00)" in badges(panel)
    assert fields["Charge"] == "£35.00, waived: Hardship fund"


def test_a_student_who_owes_carries_a_red_badge(qtbot, panel, ctx, school):  # noqa: ANN001, ANN201, F811
    ticket = ben_owes(ctx, school)
    scan(qtbot, panel, school.ben)
    owed = [b for b in panel.card.view.badges if b.text.startswith("Unpaid charges")]
    assert [(b.text, b.fg, b.bg) for b in owed] == [("Unpaid charges £35.00", BAD, BAD_BG)]
    record_payment(ctx.factory, "admin", ticket.id, 1000, "cash", "R-9")
    scan(qtbot, panel, school.ben)
    assert "Unpaid charges £25.00" in badges(panel)
    record_payment(ctx.factory, "admin", ticket.id, 2500, "card", "R-10")
    scan(qtbot, panel, school.ben)
    assert not [t for t in badges(panel) if t.startswith("Unpaid")]


def test_the_cover_check_says_each_sentence_once(ctx, school) -> None:  # noqa: ANN001
    with ctx.factory.begin() as session:
        session.add(UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=3500))
        anna = session.scalar(select(Student.id).where(Student.card_code == school.anna))
    check = insurance.cover_check(ctx.factory, student_id=anna, category="screen", deliberate=True)
    reason = "Deliberate damage is not covered by Standard cover."
    assert check.excluded == reason
    assert cover_text(check).count(reason) == 1
    line = cover_line(ctx, anna, DamageCategory.SCREEN, deliberate=True, in_case=True)
    assert " ".join([line.text, *line.extra]).count(reason) == 1
    assert " ".join(line.extra).count("The uninsured price for a screen repair is £35.00.") == 1
