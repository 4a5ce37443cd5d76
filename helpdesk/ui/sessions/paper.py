"""What the Sessions area prints: the missing list ("Still to collect, by form"; a stocktake's
"Not found") printed or saved as a PDF, and after a scan the pickup's asset label and hand-over
agreement or the hand-in receipt, all through the window's print queue.

Every job reads what it needs on the window's database thread, draws the PDF and hands it to the
print queue on the other worker (a printer that is missing keeps the job in the print queue, as
everywhere else), and a pickup's label and agreement are recorded as printed (``mark_printed``)
on the database thread once the print system took them. Nothing here waits on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.labels import session_lists, slips
from helpdesk.services import sessions
from helpdesk.services.csv.cells import SafeWriter
from helpdesk.services.reporting import documents, slip_data
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.printing import PrintJob, PrintQueue, save_pdf

if TYPE_CHECKING:
    from helpdesk.ui.context import AppContext

CODES = ("code128", "qr", "datamatrix")  # what a label's code may be (the labels area's choice)


@dataclass(frozen=True)
class Handout:
    """What a pickup scan asks to print (read on the database thread)."""

    assignment_id: int
    label: documents.LabelDevice | None
    agreement: slip_data.HandoverData | None


class SessionPaper:
    """Prints for one panel; ``say(tone, sentence)`` tells the person what happened."""

    def __init__(self, ctx: AppContext, queue: PrintQueue, say: Callable[[str, str], None]) -> None:
        self.ctx = ctx
        self.queue = queue
        self.say = say
        self.jobs_sent = 0  # handed to the print queue (printed or kept), for a glance and tests

    # --- the missing list ----------------------------------------------------------------------

    def missing_list(self, code: str, target: str | None = None) -> None:
        """The session's missing list, read now: saved as ``target`` when given, else printed
        on the report printer."""
        ctx = self.ctx

        def read() -> tuple[sessions.SessionStatus, str]:
            status = sessions.session_status(ctx.factory, ctx.actor, code)
            return status, documents.school_name(ctx.factory)

        def draw(data: tuple[sessions.SessionStatus, str]) -> str:
            status, school = data
            pdf = session_lists.missing_list_pdf(status.session, status.missing, school_name=school)
            title = f"{session_lists.list_title(status.session.kind)}: {status.session.code}"
            if target:
                written = save_pdf(pdf, target)
                return f"Saved the missing list ({len(status.missing)}) as {written}."
            self.jobs_sent += 1
            if self.queue.submit(PrintJob("report", title, pdf)):
                return f"Sent the missing list ({len(status.missing)}) to the printer."
            return ""  # the queue has said why and kept the job

        self._run(read, draw, "Printing the missing list")

    def report_csv(self, code: str, target: str) -> None:
        """The session's report (every expected item, then every scan) saved as a CSV file, the
        same as ``helpdesk session report``."""
        ctx = self.ctx

        def read() -> tuple[sessions.SessionInfo, list[tuple[str, ...]]]:
            return sessions.session_report(ctx.factory, ctx.actor, code)

        def write(data: tuple[sessions.SessionInfo, list[tuple[str, ...]]]) -> str:
            info, rows = data
            path = Path(target)
            with path.open("w", newline="", encoding="utf-8") as out:
                writer = SafeWriter(out)
                writer.writerow(sessions.REPORT_COLUMNS)
                writer.writerows(rows)
            return f"Saved the report of {info.code} ({len(rows)} rows) as {path}."

        self._run(read, write, "Saving the report")

    # --- after a scan ----------------------------------------------------------------------------

    def after_scan(
        self, result: sessions.ScanResult, condition: str, missing: tuple[str, ...]
    ) -> None:
        """Print what the scan asks for: a pickup's label and agreement, a hand-in's receipt."""
        if result.assignment_id is not None and (result.print_label or result.print_agreement):
            self._handout(result)
        elif result.print_receipt and result.device is not None:
            self._receipt(result, condition, missing)

    def _handout(self, result: sessions.ScanResult) -> None:
        ctx = self.ctx
        assignment_id = result.assignment_id
        assert assignment_id is not None
        student = result.student
        want_label, want_agreement = result.print_label, result.print_agreement

        def read() -> Handout:
            papers = slip_data.handout_papers(
                ctx.factory,
                assignment_id,
                label=want_label,
                agreement=want_agreement and student is not None,
            )
            return Handout(assignment_id, papers.label, papers.agreement)

        def draw(handout: Handout) -> tuple[bool, bool, str]:
            template_id = ""
            label_sent = agreement_sent = False
            if handout.label is not None:
                job, template_id = self._label_job(handout.label)
                self.jobs_sent += 1
                label_sent = self.queue.submit(job)
            if handout.agreement is not None:
                pdf = slips.handover_pdf([handout.agreement], ctx.machine.slip_format)
                self.jobs_sent += 1
                agreement_sent = self.queue.submit(
                    PrintJob("slip", f"Hand-over agreement {handout.agreement.asset_tag}", pdf)
                )
            return label_sent, agreement_sent, template_id

        def record(sent: tuple[bool, bool, str]) -> None:
            label_sent, agreement_sent, template_id = sent
            if not (label_sent or agreement_sent):
                return  # kept in the print queue: still to print, so not recorded
            ctx.db.submit(
                lambda: sessions.mark_printed(
                    ctx.factory,
                    ctx.actor,
                    assignment_id,
                    label=label_sent,
                    agreement=agreement_sent,
                    template_id=template_id,
                ),
                lambda _none: None,
                lambda exc: self.say(
                    "bad", describe_failure("Recording the label and agreement as printed", exc)
                ),
            )

        self._run(read, draw, "Printing the label and agreement", done=record)

    def _label_job(self, device: documents.LabelDevice) -> tuple[PrintJob, str]:
        """The asset label of one device on this computer's label stock (off the GUI thread)."""
        from helpdesk.labels.asset_labels import AssetLabel, LabelDesign, render_labels
        from helpdesk.labels.templates import all_templates

        templates, _problems = all_templates()
        look = self.ctx.machine.label_look([t.id for t in templates], CODES)
        template = next(t for t in templates if t.id == look.template)
        sheets = render_labels(
            template,
            [AssetLabel(device.asset_tag, device.model_name, device.serial)],
            LabelDesign(
                symbology=look.code, show_model=look.show_model, show_serial=look.show_serial
            ),
        )
        job = PrintJob(
            "label",
            f"Asset label {device.asset_tag}",
            sheets.pdf,
            dpi=template.dpi,
            label_devices=(device.device_id,),
            label_template=template.id,
        )
        return job, template.id

    def _receipt(
        self, result: sessions.ScanResult, condition: str, missing: tuple[str, ...]
    ) -> None:
        ctx = self.ctx
        device, student = result.device, result.student
        assert device is not None
        at = datetime.now().replace(microsecond=0)
        ticket = f"TKT-{result.ticket_id:06d}" if result.ticket_id else ""

        def draw(school: str) -> str:
            item = slips.HandinReceiptData(
                school_name=school,
                student=student.name if student else "",
                form=student.form if student else "",
                card_code=student.card_code if student else "",
                asset_tag=device.asset_tag,
                serial=device.serial,
                model=" ".join(p for p in (device.make, device.model) if p),
                condition=condition,
                missing=missing,
                at=at,
                session_code=result.session.code,
                ticket_code=ticket,
            )
            pdf = slips.handin_receipt_pdf(item, ctx.machine.slip_format)
            self.jobs_sent += 1
            self.queue.submit(PrintJob("slip", f"Hand-in receipt {device.asset_tag}", pdf))
            return ""

        self._run(lambda: documents.school_name(ctx.factory), draw, "Printing the receipt")

    # --- running ---------------------------------------------------------------------------------

    def _run(
        self,
        read: Callable[[], object],
        draw: Callable[..., object],
        failing: str,
        *,
        done: Callable[..., None] | None = None,
    ) -> None:
        """``read()`` on the database thread, ``draw(data)`` on the other worker, then
        ``done(result)`` (or the sentence ``draw`` returned) on the GUI thread."""
        ctx = self.ctx

        def finished(result: object) -> None:
            if done is not None:
                done(result)
            elif isinstance(result, str) and result:
                self.say("good", result)

        def failed(exc: BaseException) -> None:
            self.say("bad", describe_failure(failing, exc))

        ctx.db.submit(
            read, lambda data: ctx.runner.submit(lambda: draw(data), finished, failed), failed
        )


def default_list_name(code: str, kind: str) -> str:
    what = "not-found" if kind == "stocktake" else "still-to-collect"
    return str(Path.home() / f"{code}-{what}.pdf")
