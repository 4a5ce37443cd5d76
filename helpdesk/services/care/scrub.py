"""Taking a purged student's name out of text: their own rows' free text, the notes of devices
they used, and the audit trail (whose rows are JSON of values before and after).

A student's own rows (loans, tickets, parts, claims, payments) lose every form of the name (the
full name either way round, the first and the last name alone) and the card code; rows of
anyone else only lose the full name and the card code, so another pupil called Anna keeps hers.
The audit log is append-only at the database (triggers refuse UPDATE); :func:`audit_writable`
lifts the UPDATE triggers inside the purge's own transaction and puts back the very same
definitions before it commits, so no other transaction ever sees the log writable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Enum, String, Table, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from helpdesk.domain.errors import Refused
from helpdesk.domain.models import AuditEntry, table_of

FORMER = "Former student"
CODE_MARK = "\u2205 former student "  # ∅: no card, label or scanner can make this code


def former_label(student_id: int) -> str:
    """What a purged student is called from now on: ``Former student #12``."""
    return f"{FORMER} #{student_id}"


def former_code(student_id: int) -> str:
    """The purged student's card code: unique, and beyond any scan (a scan is plain ASCII)."""
    return f"{CODE_MARK}{student_id}"


def _words(value: str) -> list[str]:
    return re.findall(r"\w+", value.lower())


def _key(value: str) -> str:
    """The longest word of ``value``: a row that holds ``value`` holds this word."""
    return max(_words(value), key=len, default="")


@dataclass(frozen=True)
class Person:
    """A student being purged: their id, name and card code as they were."""

    id: int
    first: str
    last: str
    code: str

    def _pattern(self, forms: list[str]) -> re.Pattern[str] | None:
        wanted = sorted({f.strip() for f in forms if len(f.strip()) >= 2}, key=len, reverse=True)
        if not wanted:
            return None
        body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in wanted)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    @cached_property
    def own(self) -> re.Pattern[str] | None:
        """Every form of the name and the card code: for the student's own rows."""
        first, last = self.first, self.last
        return self._pattern(
            [f"{first} {last}", f"{last}, {first}", f"{last} {first}", self.code, first, last]
        )

    @cached_property
    def others(self) -> re.Pattern[str] | None:
        """The full name and the card code: for anyone else's rows."""
        first, last = self.first, self.last
        return self._pattern([f"{first} {last}", f"{last}, {first}", self.code])

    def keys(self) -> set[str]:
        """Words a text naming this student must hold (raw, and as JSON escapes them)."""
        found = set()
        for value in (self.last, self.code):
            for form in (value, json.dumps(value)):
                if key := _key(form):
                    found.add(key)
        return found

    def clean(self, value: str, *, own: bool) -> str:
        pattern = self.own if own else self.others
        return value if pattern is None else pattern.sub(former_label(self.id), value)


def _clean_value(value: Any, people: list[Person], own: set[int]) -> Any:
    if isinstance(value, str):
        for person in people:
            value = person.clean(value, own=person.id in own)
        return value
    if isinstance(value, dict):
        return {k: _clean_value(v, people, own) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_value(v, people, own) for v in value]
    return value


def clean_json(
    stored: str | None, people: list[Person], own: set[int], student: int | None = None
) -> str | None:
    """An audit row's before or after, with these people taken out; ``student``: the row is of
    that purged student's own record, whose name and card code become the placeholders."""
    if stored is None:
        return None
    try:
        values = json.loads(stored)
    except ValueError:
        return str(_clean_value(stored, people, own))
    values = _clean_value(values, people, own)
    if student is not None and isinstance(values, dict):
        for key, value in (
            ("first_name", FORMER),
            ("last_name", f"#{student}"),
            ("card_code", former_code(student)),
        ):
            if key in values and values[key] is not None:
                values[key] = value
    return json.dumps(values, sort_keys=True, default=str)


def text_columns(table: Table) -> list[str]:
    """The columns of ``table`` that hold free text (not enums)."""
    return [
        c.name
        for c in table.columns
        if isinstance(c.type, String) and not isinstance(c.type, Enum) and not c.primary_key
    ]


def clean_rows(
    session: Session, table: Table, where: Any, person: Person, *, own: bool = True
) -> int:
    """Take ``person`` out of the free text of the rows of ``table`` that match ``where``; the
    number of rows changed."""
    columns = text_columns(table)
    if not columns:
        return 0
    changed = 0
    rows = session.execute(select(table.c.id, *(table.c[n] for n in columns)).where(where)).all()
    for row in rows:
        values = {}
        for name in columns:
            old = getattr(row, name)
            if isinstance(old, str):
                new = person.clean(old, own=own)
                if new != old:
                    values[name] = new
        if values:
            session.execute(update(table).where(table.c.id == row.id).values(**values))
            changed += 1
    return changed


# --- the audit log --------------------------------------------------------------------------


def _update_triggers(session: Session) -> list[tuple[str, str]]:
    """(name, definition) of each trigger that stands in the way of an UPDATE of the audit log."""
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": "audit_log"},
        ).all()
        update_verb = re.compile(r"\b(BEFORE|AFTER|INSTEAD\s+OF)\s+UPDATE\b", re.IGNORECASE)
        return [(r.name, r.sql) for r in rows if r.sql and update_verb.search(r.sql)]
    rows = session.execute(
        text(
            "SELECT tgname, pg_get_triggerdef(oid) AS definition FROM pg_trigger "
            "WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal AND (tgtype & 16) <> 0"
        )
    ).all()
    return [(r.tgname, r.definition) for r in rows]


OWNER_NEEDED = (
    "Purging leavers rewrites the audit trail, which on PostgreSQL only the role that owns the "
    "tables may do: run the purge connected as that role (the one that runs 'helpdesk db upgrade')."
)


@contextmanager
def audit_writable(session: Session) -> Iterator[None]:
    """The audit log open to UPDATE for this transaction only: its UPDATE triggers dropped, and
    created again from their own definitions before the transaction ends (a failure rolls both
    back, so the triggers are never lost)."""
    triggers = _update_triggers(session)
    on_pg = session.get_bind().dialect.name == "postgresql"
    try:
        for name, _ in triggers:
            quoted = '"' + name.replace('"', '""') + '"'
            session.execute(text(f"DROP TRIGGER {quoted}" + (" ON audit_log" if on_pg else "")))
    except DBAPIError as exc:
        if on_pg and "owner" in str(exc.orig):
            raise Refused(OWNER_NEEDED) from exc
        raise
    yield
    for _, definition in triggers:
        session.execute(text(definition))


def clean_audit(
    session: Session, people: list[Person], own_rows: dict[tuple[str, int], int]
) -> int:
    """Rewrite every audit row that names one of ``people``: the rows of their own records
    (``own_rows``: (table, id) -> the student's id) lose every form of the name; any other row
    that holds a purged student's full name or card code loses those. The number of rows
    rewritten. Call inside :func:`audit_writable`."""
    if not people:
        return 0
    by_id = {p.id: p for p in people}
    by_key: dict[str, list[Person]] = {}
    for person in people:
        for key in person.keys():
            by_key.setdefault(key, []).append(person)
    audit = table_of(AuditEntry)
    rewritten = 0
    for rows in _pages(session, audit):
        rewritten += _rewrite(session, audit, rows, by_id, by_key, own_rows)
    return rewritten


PAGE = 5000


def _pages(session: Session, audit: Table) -> Iterator[list[Any]]:
    """The whole audit log a page at a time, by id (each page read before any of it changes)."""
    last = 0
    while True:
        rows: list[Any] = list(
            session.execute(
                select(audit.c.id, audit.c.entity, audit.c.entity_id, audit.c.before, audit.c.after)
                .where(audit.c.id > last)
                .order_by(audit.c.id)
                .limit(PAGE)
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _rewrite(
    session: Session,
    audit: Table,
    rows: list[Any],
    by_id: dict[int, Person],
    by_key: dict[str, list[Person]],
    own_rows: dict[tuple[str, int], int],
) -> int:
    rewritten = 0
    for row in rows:
        owner = by_id.get(own_rows.get((row.entity, row.entity_id), 0))
        words = set(_words(f"{row.before or ''} {row.after or ''}"))
        named = {p.id: p for w in words & by_key.keys() for p in by_key[w]}
        if owner is not None:
            named[owner.id] = owner
        if not named:
            continue
        own = {owner.id} if owner is not None else set()
        student = owner.id if owner is not None and row.entity == "students" else None
        chosen = list(named.values())
        before = clean_json(row.before, chosen, own, student)
        after = clean_json(row.after, chosen, own, student)
        if before != row.before or after != row.after:
            session.execute(
                update(audit).where(audit.c.id == row.id).values(before=before, after=after)
            )
            rewritten += 1
    return rewritten
