"""The year-end hand-in: scan a laptop; the allocation ends with the condition it came back in
(good, fair or damaged) and the accessories not handed back (charger, case), the laptop goes to
stock, or to the bench with a repair ticket booked in the normal way when damaged (cover
checked, a claim raised for its holder). The station prints a receipt. All in one transaction,
with the laptop's row locked and the item's guarded UPDATE, so a laptop scanned at two stations
at once is handed in once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from helpdesk.domain.enums import Condition
from helpdesk.domain.errors import NotFound
from helpdesk.domain.models import ScanSession
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.core.records import active_assignment_of, device_by_code
from helpdesk.services.core.views import student_label
from helpdesk.services.counter.assignments import accessories_of, condition_of, end_assignment
from helpdesk.services.sessions.common import Draft, ScanOptions, item_of


def scan_handin(session: Session, row: ScanSession, code: str, options: ScanOptions) -> Draft:
    condition = condition_of(options.condition) or Condition.GOOD
    missing = accessories_of(options.missing)
    device = device_by_code(session, code, lock=True)
    if device is None:
        raise NotFound(f"No device has the tag {code}.")
    tag = device.asset_tag
    item = item_of(session, row.id, device_id=device.id)
    current = active_assignment_of(session, device.id)
    if item is None:
        where = (
            f"allocated to {student_label(current.student)}"
            if current is not None
            else f"not allocated to anyone ({device.status.label})"
        )
        return Draft("unexpected", f"{tag} is not on this list: it is {where}.", device=device)
    if item.done_at is not None:
        return Draft("already", f"{tag} was handed in already.", device=device)
    if current is None:
        return Draft(
            "already",
            f"{tag} is not allocated to anyone any more.",
            device=device,
            item_id=item.id,
            mark="may",
        )
    student = current.student
    ticket = end_assignment(
        session, current, condition=condition, missing=missing, scan_session_id=row.id
    )
    back = f"{' and '.join(missing)} not back" if missing else "everything back"
    sentence = f"{tag} back from {student_label(student)}: {condition.value}, {back}"
    if ticket is not None:
        sentence += f"; to the bench as {ticket_code(ticket.id)}"
    return Draft(
        "done",
        sentence + ".",
        student=student,
        device=device,
        item_id=item.id,
        mark="must",
        already=f"{tag} was handed in already at another station.",
        assignment_id=current.id,
        ticket_id=ticket.id if ticket is not None else None,
        print_receipt=True,
    )
