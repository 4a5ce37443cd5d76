"""The counters bench's consistency check, read straight from the database once every counter
has stopped: what the counters say they did against what the tables and the audit log hold.

- every device has at most one open loan, and every loaner's status agrees with its loans;
- no loan lost or made twice: every loan a counter says it issued exists once, to that student
  on that device, issued by that counter's staff member; no loan was made that no counter
  reported; no two counters issued the same loan;
- every return a counter says it made closed that loan, as that counter's staff member, once;
- the audit log, counted per station and per kind of row, holds exactly one row for each
  successful action of that kind the counter counted (a loan out or a swap: one loan inserted;
  a loan back: one loan updated; a swap: one ticket inserted; a ticket move: one ticket updated;
  a refusal: one 'refuse' row).
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, func, select

from helpdesk.domain.enums import DevicePool, DeviceStatus
from helpdesk.domain.models import AuditEntry, Device, Loan, Staff, table_of

audit, loans, devices, staff = (
    table_of(AuditEntry),
    table_of(Loan),
    table_of(Device),
    table_of(Staff),
)

# (audit action, audit entity) -> what the counters counted that makes one such row
AUDIT_KINDS = {
    ("insert", "loans"): ("loan out", "swap"),
    ("update", "loans"): ("loan back",),
    ("insert", "tickets"): ("swap",),
    ("update", "tickets"): ("ticket move",),
    ("refuse", "counter"): ("refusal logged",),
}


def consistency(engine: Engine, reports: list, first_loan: int) -> list[tuple[bool, str]]:
    """Lines of the check: (passed, sentence). ``first_loan``: the first id the bench could make."""
    lines: list[tuple[bool, str]] = []
    with engine.connect() as conn:
        doubled = conn.execute(
            select(loans.c.device_id, func.count())
            .where(loans.c.returned_at.is_(None))
            .group_by(loans.c.device_id)
            .having(func.count() > 1)
        ).all()
        lines.append((not doubled, f"devices with more than one open loan: {len(doubled)}"))
        wrong = conn.execute(
            select(devices.c.asset_tag).where(
                devices.c.pool == DevicePool.LOAN, _status_disagrees(devices, loans)
            )
        ).all()
        lines.append((not wrong, f"loaners whose status disagrees with their loans: {len(wrong)}"))
        staff_of = dict(conn.execute(select(staff.c.username, staff.c.id)).all())
        made = {
            row.id: row for row in conn.execute(select(loans).where(loans.c.id >= first_loan)).all()
        }
        counts = Counter(
            (r.station, r.action, r.entity)
            for r in conn.execute(
                select(audit.c.station, audit.c.action, audit.c.entity).where(
                    audit.c.station.in_([rep.station for rep in reports])
                )
            ).all()
        )
    lines += _loans_check(reports, made, staff_of)
    lines += _audit_check(reports, counts)
    return lines


def _status_disagrees(devices, loans):  # noqa: ANN001, ANN202
    """A loaner on loan without an open loan, or with one and not on loan."""
    has_open = (
        select(loans.c.id)
        .where(loans.c.device_id == devices.c.id, loans.c.returned_at.is_(None))
        .exists()
    )
    on_loan = devices.c.status == DeviceStatus.ON_LOAN
    return (on_loan & ~has_open) | (~on_loan & has_open)


def _loans_check(reports: list, made: dict, staff_of: dict) -> list[tuple[bool, str]]:
    issued = [(rep, entry) for rep in reports for entry in rep.issued]
    ids = Counter(loan_id for _rep, (loan_id, _d, _s) in issued)
    twice = [loan_id for loan_id, n in ids.items() if n > 1]
    missing, wrong = [], []
    for rep, (loan_id, device_id, student_id) in issued:
        row = made.get(loan_id)
        actor = staff_of.get(f"counter{rep.number}")
        if row is None:
            missing.append(loan_id)
        elif (row.device_id, row.student_id, row.issued_by_id) != (device_id, student_id, actor):
            wrong.append(loan_id)
    unreported = sorted(set(made) - set(ids))
    returned = [(rep, loan_id) for rep in reports for loan_id in rep.returned]
    back_twice = [k for k, n in Counter(loan_id for _r, loan_id in returned).items() if n > 1]
    not_closed = []
    for rep, loan_id in returned:
        row = made.get(loan_id)
        actor = staff_of.get(f"counter{rep.number}")
        if row is None or row.returned_at is None or row.returned_to_id != actor:
            not_closed.append(loan_id)
    still_out = sum(1 for row in made.values() if row.returned_at is None)
    return [
        (not missing and not wrong,
         f"loans the counters issued: {len(issued)}; found as reported: "
         f"{len(issued) - len(missing) - len(wrong)}; missing: {len(missing)}; "
         f"different: {len(wrong)}"),
        (not twice, f"loans reported by two counters or twice: {len(twice)}"),
        (not unreported, f"loans made that no counter reported: {len(unreported)}"),
        (not back_twice and not not_closed,
         f"returns the counters made: {len(returned)}; that loan closed by that counter: "
         f"{len(returned) - len(not_closed)}; reported twice: {len(back_twice)}"),
        (True, f"bench loans still out at the end: {still_out}"),
    ]  # fmt: skip


def _audit_check(reports: list, counts: Counter) -> list[tuple[bool, str]]:
    lines = []
    for (action, entity), kinds in AUDIT_KINDS.items():
        counted = sum(rep.done.get(kind, 0) for rep in reports for kind in kinds)
        rows = sum(counts[(rep.station, action, entity)] for rep in reports)
        by_counter = all(
            sum(rep.done.get(kind, 0) for kind in kinds) == counts[(rep.station, action, entity)]
            for rep in reports
        )
        lines.append((
            rows == counted and by_counter,
            f"audit rows '{action} {entity}': {rows}; counted by the counters "
            f"({' + '.join(kinds)}): {counted}{'' if by_counter else ' (a counter differs)'}",
        ))  # fmt: skip
    return lines
