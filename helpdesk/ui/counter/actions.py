"""What the counter panel asks of the rest of Helpdesk: look a code up, carry out a loan, a
return, a swap or a collection through the services, and print the slip afterwards.

Each action returns an :class:`Outcome`: one sentence for the person at the counter, the card to
show, and the documents to print once the transaction is committed. Errors the services raise
(a refusal, a code not found) pass through unchanged: the panel shows their sentence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QWidget

from helpdesk.domain.enums import DamageCategory, LoanType
from helpdesk.domain.errors import HelpdeskError
from helpdesk.flows.counter import (
    AccessoriesBack,
    ChooseMissing,
    Collect,
    IssueLoan,
    OpenDamageDialog,
    ReturnLoan,
    Scan,
    Swap,
    TakeBackAndLend,
)
from helpdesk.services.core.settings import SchoolSettings, get_settings
from helpdesk.services.core.views import money
from helpdesk.services.counter import accessories, counter_log, loans
from helpdesk.services.counter.lookup import lookup
from helpdesk.services.repairs import insurance
from helpdesk.services.repairs.tickets import DamageReport
from helpdesk.services.reporting import slip_data
from helpdesk.ui.context import AppContext
from helpdesk.ui.counter.card_views import (
    cover_sentences,
    cover_text,
    facts_of,
    loan_view,
    ticket_view,
    view_of,
)
from helpdesk.ui.counter.damage_dialog import CoverLine, DamageDetails, DamageDialog
from helpdesk.ui.style import BAD, GOOD, WARN
from helpdesk.ui.widgets.cards import CardView

if TYPE_CHECKING:
    from helpdesk.ui.bench.ticket_actions import TicketActions
    from helpdesk.ui.counter.panel import CounterPanel
    from helpdesk.ui.printing import PrintQueue
    from helpdesk.ui.widgets.scan_preview import ScanPreview


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
    tone: str = "good"  # "warn" when only part of it was done
    code: str | None = None  # the code of the record on the card (to reload it later)


def _when(at: datetime) -> str:
    return f"{at:%a %d/%m at %H:%M}"


def look_up(ctx: AppContext, code: str) -> LookedUp:
    now = datetime.now()
    card = lookup(ctx.factory, code, now=now)
    return LookedUp(view_of(card, now), facts_of(card))


def _slips(ctx: AppContext, *jobs: SlipJob) -> tuple[SlipJob, ...]:
    return jobs if ctx.machine.print_slips else ()


def school_settings(ctx: AppContext) -> SchoolSettings:
    """The school's settings (runs on the database thread)."""
    return get_settings(ctx.factory)


def due_rule(panel: CounterPanel) -> Callable[[LoanType, date | None], datetime | None]:
    """When a loan lent now would be due (the school's rules, or the end of a chosen day), from
    the settings the panel read; ``None`` until they are read (the services decide anyway)."""

    def due(loan_type: LoanType, on: date | None) -> datetime | None:
        school = panel.school
        if not isinstance(school, SchoolSettings):
            return None
        if on is not None:
            return datetime.combine(on, school.end_of_day)
        return school.due_at(loan_type, datetime.now().replace(microsecond=0), None)

    return due


def issue(ctx: AppContext, intent: IssueLoan) -> Outcome:
    loan = loans.issue_loan(
        ctx.factory,
        ctx.actor,
        student_id=intent.student_id,
        device_id=intent.device_id,
        accessories=intent.accessories,
        loan_type=intent.loan_type,
        due_at=intent.due,  # a day: due at the end of that school day
    )
    sentence = f"{loan.asset_tag} lent to {loan.student_name} ({loan.form}), due back {_when(loan.due_at)}."
    job = SlipJob("loan", loan.id, f"Loan slip {loan.code}")
    return Outcome(sentence, loan_view(loan, datetime.now()), _slips(ctx, job), code=loan.code)


def _listed(items: tuple[str, ...]) -> str:
    return ", ".join(items).capitalize()


def give_back(ctx: AppContext, intent: ReturnLoan) -> Outcome:
    back = loans.return_loan(
        ctx.factory,
        ctx.actor,
        loan_id=intent.loan_id,
        condition=intent.condition,
        missing=intent.missing,
    )
    loan = back.loan
    late = " It was overdue." if back.was_overdue else ""
    sentence = f"{loan.asset_tag} is back from {loan.student_name} ({loan.form}).{late}"
    if not loan.accessories_missing:
        return Outcome(sentence, loan_view(loan, datetime.now()), code=loan.code)
    verb = "is" if len(loan.accessories_missing) == 1 else "are"
    sentence += (
        f" {_listed(loan.accessories_missing)} {verb} not returned: "
        "noted on the student's card until brought back."
    )
    now = datetime.now()  # the student's card, with the warning, in place of the loan's
    card = view_of(lookup(ctx.factory, loan.card_code, now=now), now)
    return Outcome(sentence, card, code=loan.card_code)


def accessories_back(ctx: AppContext, intent: AccessoriesBack) -> Outcome:
    back = accessories.accessories_returned(ctx.factory, ctx.actor, loan_id=intent.loan_id)
    loan = back.loan
    sentence = f"{_listed(back.items)} brought back for {loan.code} ({loan.asset_tag})."
    return Outcome(sentence, loan_view(loan, datetime.now()), code=loan.code)


def take_back_and_lend(ctx: AppContext, intent: TakeBackAndLend) -> Outcome:
    """The other student's loan back, then the loan to the student waiting: two transactions.
    When the second is refused the return stands, and the sentence says both."""
    back = give_back(ctx, intent.give_back)
    try:
        lent = issue(ctx, intent.lend)
    except HelpdeskError as exc:
        return Outcome(
            f"{back.sentence} It was not lent: {exc}", back.card, tone="warn", code=back.code
        )
    return Outcome(f"{back.sentence} {lent.sentence}", lent.card, lent.prints, code=lent.code)


def ask_missing(panel: QWidget, intent: ChooseMissing, tag: str) -> tuple[str, ...] | None:
    """Which accessories did not come back (``None``: the person went back to the return)."""
    from helpdesk.ui.counter.missing_dialog import MissingDialog

    dialog = MissingDialog(f"What came back with {tag}?", intent.accessories, parent=panel)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.missing if accepted else None


# --- the counter's day ---------------------------------------------------------------------------


def open_station(ctx: AppContext) -> str:
    """Name this station in the audit log (the counter's name, or the computer's)."""
    counter_log.set_station(ctx.machine.counter_name)
    return counter_log.current_station()


def day_lines(ctx: AppContext, station: str) -> list[counter_log.DayLine]:
    return counter_log.counter_day(ctx.factory, station, date.today())


def keep_refusal(ctx: AppContext, station: str, sentence: str, code: str) -> None:
    """Keep a refusal in the day's log; a log that cannot be written never stops the counter."""
    try:
        counter_log.record_refusal(ctx.factory, ctx.actor, station, sentence, code)
    except Exception:  # noqa: BLE001
        logging.getLogger("helpdesk.counter").warning(
            "A refusal could not be logged", exc_info=True
        )


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
    return Outcome(sentence, ticket_view(ticket), _slips(ctx, job), code=ticket.code)


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
    return Outcome(sentence, ticket_view(ticket, done.cover), _slips(ctx, *jobs), code=ticket.code)


def collect(ctx: AppContext, intent: Collect) -> Outcome:
    ticket = loans.collect(ctx.factory, ctx.actor, ticket_id=intent.ticket_id)
    who = f" to {ticket.student_name} ({ticket.form})" if ticket.student_name else ""
    sentence = f"{ticket.asset_tag} handed back{who}; {ticket.code} is closed."
    return Outcome(sentence, ticket_view(ticket), code=ticket.code)


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
    extra = cover_sentences(check)
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
    dialog = DamageDialog(title, cover_for=cover_for, snapshot=snapshot, parent=panel, db=ctx.db)
    dialog.setObjectName("damageDialog")
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    return dialog.details if accepted else None


# --- printing -----------------------------------------------------------------------------------


def slip_record(ctx: AppContext, job: SlipJob) -> object:
    """What a slip or receipt shows, read from its record (on the database thread)."""
    if job.kind == "loan":
        return slip_data.loan_slip(ctx.factory, job.record_id)
    return slip_data.repair_receipt(ctx.factory, job.record_id)


def slip_pdf(ctx: AppContext, job: SlipJob, record: object) -> bytes:
    """The PDF of a slip or receipt from its record (on the other worker: no database)."""
    from helpdesk.labels import slips

    fmt = ctx.machine.slip_format
    if job.kind == "loan":
        assert isinstance(record, slip_data.LoanSlipData)
        return slips.loan_slip_pdf(record, fmt)
    assert isinstance(record, slip_data.RepairReceiptData)
    return slips.repair_receipt_pdf(record, fmt)


def print_in_background(panel: CounterPanel | TicketActions, job: SlipJob) -> None:
    """Read the slip's record on the database thread, make the PDF on the other worker, then
    send it to the slip printer; a failure is kept."""
    from helpdesk.ui.printing import PrintJob

    ctx: AppContext = panel.ctx
    panel.last_slip = job  # for "print the last slip again"

    def made(pdf: bytes) -> None:
        assert panel.print_queue is not None  # made before the first print
        panel.print_queue.submit(PrintJob(kind="slip", title=job.title, pdf=pdf))

    def failed(exc: BaseException) -> None:
        from helpdesk.ui.errors import describe_failure

        panel.print_failed(describe_failure(f"Making the {job.title.lower()}", exc))

    def read(record: object) -> None:
        ctx.runner.submit(lambda: slip_pdf(ctx, job, record), made, failed)

    ctx.db.submit(lambda: slip_record(ctx, job), read, failed)


# --- the counter's widgets ----------------------------------------------------------------------


def make_feedback(panel: QWidget, ctx: AppContext):  # noqa: ANN201 - a Feedback
    from helpdesk.ui.widgets.feedback import Feedback

    return Feedback(panel, enabled=ctx.machine.sounds)


def make_scan_box(panel: QWidget):  # noqa: ANN201 - a ScanBox
    from helpdesk.ui.widgets.scan_box import ScanBox

    return ScanBox(panel)


def make_print_queue(panel: CounterPanel | TicketActions, ctx: AppContext) -> PrintQueue:
    from helpdesk.ui.printing import PrintQueue

    queue = PrintQueue(ctx.machine, panel)
    queue.failed.connect(lambda _kind, message: panel.print_failed(message))
    return queue


def classifier_for(school: SchoolSettings | None):  # noqa: ANN201 - a CodeClassifier or None
    """The school's code patterns for the camera; with none set (or the settings not read),
    every code goes to the lookup."""
    from helpdesk.scanner import CodeClassifier

    if school is None:
        return None
    tag, card = school.asset_tag_pattern, school.card_pattern
    if not (tag and card):
        return None
    return CodeClassifier(tag, card)


def make_preview(panel: CounterPanel, source: str) -> ScanPreview:
    """The live camera preview; its reads arrive at the panel like any other scan.

    Raises when the source cannot be opened (the panel says so and keeps the scan box).
    """
    from PySide6.QtGui import QPixmap

    from helpdesk.scanner.sources import open_source
    from helpdesk.ui.widgets.scan_preview import ScanPreview

    frames = open_source(source)
    preview = ScanPreview(panel, classifier=classifier_for(panel.school))
    preview.setObjectName("cameraPreview")
    preview.codeScanned.connect(lambda text, _fmt: panel.handle_code(text))
    preview.codeRefused.connect(lambda text, sentence: panel.camera_refused(text, sentence))
    preview.sourceFailed.connect(panel.camera_failed)
    preview.sourceFinished.connect(lambda: panel.camera_state.emit("ended"))

    def snapshot_pixmap() -> QPixmap | None:
        image = preview.snapshot()
        return None if image is None or image.isNull() else QPixmap.fromImage(image)

    preview.snapshot_pixmap = snapshot_pixmap
    preview.start(frames)
    return preview
