"""A pickup station's "label and agreement printed" on PostgreSQL as two statements instead of
six: one read (the staff member, the allocation, and the label print's new number), then the
label print, the allocation's printed time, the audit rows and the word to the other stations
as one statement (core/in_one.py). Over a school's network each statement is a round trip, and
a station records this for every student it hands a laptop to.

Only ``mark_printed`` calls this. It writes the rows and audit rows the general path writes, in
the same order (tests/sessions/test_sessions_pickup.py compares them); anything that is not the
plain case (SQLite, an allocation that does not exist, a staff member who is not active) answers
False and the general path decides and words it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, func, literal, select, update

from helpdesk.domain.audit import audit_row
from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import Assignment, LabelPrint, Staff, table_of
from helpdesk.services.core.in_one import write_in_one
from helpdesk.services.core.permissions import needed
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.counter.quick_loans import audit_rows

assignments, label_prints, staff = (table_of(m) for m in (Assignment, LabelPrint, Staff))

READ = (
    select(
        staff.c.id.label("staff_id"),
        staff.c.active.label("staff_active"),
        assignments.c.device_id,
        assignments.c.agreement_printed_at,
        func.nextval(func.pg_get_serial_sequence(literal("label_prints"), literal("id"))).label(
            "next_print"
        ),
    )
    .select_from(staff)
    .join(assignments, assignments.c.id == bindparam("assignment"))
    .where(staff.c.username == bindparam("actor"))
)
INSERT_PRINT = label_prints.insert().values(
    {c.name: bindparam(f"p_{c.name}") for c in label_prints.c}
)
SET_PRINTED = (
    update(assignments)
    .where(assignments.c.id == bindparam("a_id"))
    .values(agreement_printed_at=bindparam("a_at"))
)
_IN_ONE: dict[tuple[bool, bool], Insert] = {}


def _statement(label: bool, agreement: bool) -> Insert:
    key = (label, agreement)
    if key not in _IN_ONE:
        statement = audit_rows(int(label) + int(agreement))
        if label:
            statement = statement.add_cte(INSERT_PRINT.cte())
        if agreement:
            statement = statement.add_cte(SET_PRINTED.cte())
        _IN_ONE[key] = statement
    return _IN_ONE[key]


def quick_mark_printed(
    factory: SessionFactory,
    actor: str,
    assignment_id: int,
    *,
    label: bool,
    agreement: bool,
    template_id: str,
    now: datetime | None,
) -> bool:
    """Record it as ``mark_printed`` does and say True, or False when it is not the plain case."""
    if not (label or agreement) or needed("labels.printed") is not StaffRole.COUNTER:
        return False
    if factory.kw["bind"].dialect.name != "postgresql":
        return False
    moment = now or datetime.now().replace(microsecond=0)
    with unit_of_work(factory, None, action="labels.printed", now=moment) as session:
        conn = session.connection()
        row = conn.execute(READ, {"actor": actor, "assignment": assignment_id}).first()
        if row is None or not row.staff_active:
            return False  # the general path names what is missing, or who is inactive
        params: dict[str, Any] = {}
        audit = []
        if label:  # the ORM's hook writes the insert first, then the update
            printed = {
                "id": row.next_print,
                "device_id": row.device_id,
                "template_id": template_id,
                "printed_at": moment,
                "printed_by_id": row.staff_id,
            }
            params |= {f"p_{k}": v for k, v in printed.items()}
            audit.append(
                audit_row(moment, row.staff_id, "insert", "label_prints", printed["id"], None,
                          printed)
            )  # fmt: skip
        if agreement and row.agreement_printed_at != moment:
            params |= {"a_id": assignment_id, "a_at": moment}
            audit.append(
                audit_row(moment, row.staff_id, "update", "assignments", assignment_id,
                          {"agreement_printed_at": row.agreement_printed_at},
                          {"agreement_printed_at": moment})
            )  # fmt: skip
        else:
            agreement = False  # nothing changes: the general path writes no row either
        if not audit:
            return True
        params |= {f"{k}_{n}": v for n, entry in enumerate(audit) for k, v in entry.items()}
        write_in_one(conn, _statement(label, agreement), params)
    return True
