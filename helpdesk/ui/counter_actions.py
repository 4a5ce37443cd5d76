"""What the counter panel asks of the rest of Helpdesk: look a code up, carry out a loan, a
return, a swap or a collection through the services, and print the slip afterwards.

Each action returns an :class:`Outcome`: one sentence for the person at the counter, the card to
show, and the documents to print once the transaction is committed. Errors the services raise
(a refusal, a code not found) pass through unchanged: the panel shows their sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from helpdesk.domain.enums import DamageCategory
from helpdesk.services import documents, insurance, loans
from helpdesk.services.lookup import lookup
from helpdesk.services.settings import get_settings
from helpdesk.services.tickets import DamageReport
from helpdesk.services.views import money
from helpdesk.ui.card_views import cover_text, facts_of, loan_view, ticket_view, view_of
from helpdesk.ui.cards import CardView
from helpdesk.ui.context import AppContext
from helpdesk.ui.counter_flow import Collect, IssueLoan, OpenDamageDialog, ReturnLoan, Scan, Swap
from helpdesk.ui.damage_dialog import CoverLine, DamageDetails, DamageDialog
from helpdesk.ui.style import BAD, GOOD, WARN

if TYPE_CHECKING:
    from helpdesk.ui.counter_panel import CounterPanel
    from helpdesk.ui.printing import PrintQueue
    from helpdesk.ui.scan_preview import ScanPreview
    from helpdesk.ui.ticket_actions import TicketActions


@dataclass(frozen=True)
class LookedUp:
    card: CardView
    facts: Scan


@dataclass(frozen=True)
class SlipJob:
    """A document to print after the action: a loan slip or a repair receipt."""

    kind: str  # "loan" | "receipt"
    record_id: int
    title: str


@dataclass(frozen=True)
class Outcome:
    sentence: str
    card: CardView | None = None
    prints: tuple[SlipJob, ...] = ()


def _when(at: datetime) -> str:
    return f"{at:%a %d/%m at %H:%M}"


def look_up(ctx: AppContext, code: str) -> LookedUp:
    now = datetime.now()
    card = lookup(ctx.factory, code, now=now)
    return LookedUp(view_of(card, now), facts_of(card))


def _slips(ctx: AppContext, *jobs: SlipJob) -> tuple[SlipJob, ...]:
    return jobs if ctx.machine.print_slips else ()


def issue(ctx: AppContext, intent: IssueLoan) -> Outcome:
    loan = loans.issue_loan(
        ctx.factory,
        ctx.actor,
        student_id=intent.student_id,
        device_id=intent.device_id,
        accessories=intent.accessories,
    )
    sentence = f"{loan.asset_tag} lent to {loan.student_name} ({loan.form}), due back {_when(loan.due_at)}."
    job = SlipJob("loan", loan.id, f"Loan slip {loan.code}")
    return Outcome(sentence, loan_view(loan, datetime.now()), _slips(ctx, job))


def give_back(ctx: AppContext, intent: ReturnLoan) -> Outcome:
    back = loans.return_loan(
        ctx.factory, ctx.actor, loan_id=intent.loan_id, condition=intent.condition
    )
    loan = back.loan
    late = " It was overdue." if back.was_overdue else ""
    sentence = f"{loan.asset_tag} is back from {loan.student_name} ({loan.form}).{late}"
    return Outcome(sentence, loan_view(loan, datetime.now()))


def damage_report(damage: DamageDetails) -> DamageReport:
    return DamageReport(
        category=DamageCategory(damage.category).value,
        description=damage.description,
        photos=damage.photos,
        crime_reference=damage.crime_reference,
        deliberate=damage.deliberate,
        in_case=damage.in_case,
    )


def return_damaged(ctx: AppContext, intent: OpenDamageDialog, damage: DamageDetails) -> Outcome:
    back = loans.return_loan(
        ctx.factory, ctx.actor, loan_id=intent.loan_id, damage=damage_report(damage)
    )
    ticket = back.ticket
    assert ticket is not None  # the damage was booked in with the return
    sentence = f"{back.loan.asset_tag} is back, damaged: booked in as {ticket.code}."
    if ticket.charge_pence:
        sentence += f" Charge {money(ticket.charge_pence)}."
    job = SlipJob("receipt", ticket.id, f"Repair receipt {ticket.code}")
    return Outcome(sentence, ticket_view(ticket), _slips(ctx, job))


def swap(ctx: AppContext, intent: Swap) -> Outcome:
    assert isinstance(intent.damage, DamageDetails)  # what the damage dialog gave the flow
    done = loans.swap(
        ctx.factory,
        ctx.actor,
        student_id=intent.student_id,
        own_device_id=intent.own_device_id,
        loaner_id=intent.loaner_id,
        damage=damage_report(intent.damage),
        accessories=intent.accessories,
    )
    ticket, loan = done.ticket, done.loan
    sentence = (
        f"Swap done: {ticket.asset_tag} booked in as {ticket.code}; {loan.asset_tag} lent to "
        f"{loan.student_name} until {_when(loan.due_at)}."
    )
    if done.cover is not None:
        sentence += f" {cover_text(done.cover)}"
    jobs = (
        SlipJob("receipt", ticket.id, f"Repair receipt {ticket.code}"),
        SlipJob("loan", loan.id, f"Loan slip {loan.code}"),
    )
    return Outcome(sentence, ticket_view(ticket, done.cover), _slips(ctx, *jobs))


def collect(ctx: AppContext, intent: Collect) -> Outcome:
    ticket = loans.collect(ctx.factory, ctx.actor, ticket_id=intent.ticket_id)
    who = f" to {ticket.student_name} ({ticket.form})" if ticket.student_name else ""
    sentence = f"{ticket.asset_tag} handed back{who}; {ticket.code} is closed."
    return Outcome(sentence, ticket_view(ticket))


# --- the damage dialog --------------------------------------------------------------------------


def cover_line(
    ctx: AppContext,
    student_id: int,
    category: DamageCategory,
    *,
    deliberate: bool = False,
    in_case: bool = True,
) -> CoverLine:
    """What the damage dialog shows of the cover check: the charge, the rule, claims used."""
    check = insurance.cover_check(
        ctx.factory,
        student_id=student_id,
        category=DamageCategory(category).value,
        deliberate=deliberate,
        in_case=in_case,
    )
    if check.refused:
        return CoverLine(check.refused, BAD)
    colour = GOOD if check.charge_pence == 0 else WARN
    charge = "No charge" if check.charge_pence == 0 else f"Charge {money(check.charge_pence)}"
    extra = [check.rule]
    if check.excluded:
        extra.append(check.excluded)
    if check.claims_allowed:
        extra.append(f"Claims used {check.claims_used} of {check.claims_allowed}.")
    return CoverLine(charge, colour, extra)


def ask_damage(panel: CounterPanel, intent: OpenDamageDialog) -> DamageDetails | None:
    ctx: AppContext = panel.ctx
    student_id = intent.student_id
    cover_for = None
    if student_id is not None:

        def cover_for(category: DamageCategory, **flags: bool) -> CoverLine:
            return cover_line(ctx, student_id, category, **flags)

    preview = getattr(panel, "preview", None)
    snapshot = getattr(preview, "snapshot_pixmap", None) if preview is not None else None
    title = (
        "Booking in damage found on return"
        if intent.loan_id is not None
        else "Swap: booking in the student's own laptop"
    )
    dialog = DamageDialog(title, cover_for=cover_for, snapshot=snapshot, parent=panel)
    dialog.setObjectName("damageDialog")
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.details if accepted else None


# --- printing -----------------------------------------------------------------------------------


def slip_pdf(ctx: AppContext, job: SlipJob) -> bytes:
    """The PDF of a slip or receipt (runs on a worker thread)."""
    from helpdesk.labels import slips

    fmt = ctx.machine.slip_format
    if job.kind == "loan":
        return slips.loan_slip_pdf(documents.loan_slip(ctx.factory, job.record_id), fmt)
    return slips.repair_receipt_pdf(documents.repair_receipt(ctx.factory, job.record_id), fmt)


def print_in_background(panel: CounterPanel | TicketActions, job: SlipJob) -> None:
    """Make the PDF off the GUI thread, then send it to the slip printer; a failure is kept."""
    from helpdesk.ui.printing import PrintJob

    ctx: AppContext = panel.ctx

    def made(pdf: bytes) -> None:
        assert panel.print_queue is not None  # made before the first print
        panel.print_queue.submit(PrintJob(kind="slip", title=job.title, pdf=pdf))

    def failed(exc: BaseException) -> None:
        from helpdesk.ui.errors import describe_failure

        panel.print_failed(describe_failure(f"Making the {job.title.lower()}", exc))

    ctx.runner.submit(lambda: slip_pdf(ctx, job), made, failed)


def school_patterns(ctx: AppContext) -> tuple[str, str]:
    settings = get_settings(ctx.factory)
    return settings.asset_tag_pattern, settings.card_pattern


# --- the counter's widgets ----------------------------------------------------------------------


def make_feedback(panel: QWidget, ctx: AppContext):  # noqa: ANN201 - a Feedback
    from helpdesk.ui.feedback import Feedback

    return Feedback(panel, enabled=ctx.machine.sounds)


def make_scan_box(panel: QWidget):  # noqa: ANN201 - a ScanBox
    from helpdesk.ui.scan_box import ScanBox

    return ScanBox(panel)


def make_print_queue(panel: CounterPanel | TicketActions, ctx: AppContext) -> PrintQueue:
    from helpdesk.ui.printing import PrintQueue

    queue = PrintQueue(ctx.machine, panel)
    queue.failed.connect(lambda _kind, message: panel.print_failed(message))
    return queue


def classifier_for(ctx: AppContext):  # noqa: ANN201 - a CodeClassifier or None
    """The school's code patterns for the camera; with none set, every code goes to the lookup."""
    from helpdesk.scanner import CodeClassifier

    tag, card = school_patterns(ctx)
    if not (tag and card):
        return None
    return CodeClassifier(tag, card)


def make_preview(panel: CounterPanel, source: str) -> ScanPreview:
    """The live camera preview; its reads arrive at the panel like any other scan.

    Raises when the source cannot be opened (the panel says so and keeps the scan box).
    """
    from PySide6.QtGui import QPixmap

    from helpdesk.scanner.sources import open_source
    from helpdesk.ui.scan_preview import ScanPreview

    frames = open_source(source)
    preview = ScanPreview(panel, classifier=classifier_for(panel.ctx))
    preview.setObjectName("cameraPreview")
    preview.codeScanned.connect(lambda text, _fmt: panel.handle_code(text))
    preview.codeRefused.connect(lambda text, sentence: panel.camera_refused(text, sentence))
    preview.sourceFailed.connect(panel.camera_failed)

    def snapshot_pixmap() -> QPixmap | None:
        image = preview.snapshot()
        return None if image is None or image.isNull() else QPixmap.fromImage(image)

    preview.snapshot_pixmap = snapshot_pixmap
    preview.start(frames)
    return preview
