"""Codes a scan could not tell apart. A scan names the first record its code matches, trying
the other letter case too, so a card code equal to an asset tag, or a tag that differs from
another only in case, would make the counter name the wrong thing. An import refuses such a
code, naming the row and what it clashes with: students' card codes, devices' asset tags and
serials (in the database and in the file, compared case-blind) and the codes the app prints on
its own loan slips and repair receipts.

Only a code that is new to its record is checked: re-importing the school's export every term
updates records whose codes were there already without complaint.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.domain.models import Device, Student
from helpdesk.services.core.codes import parse_loan_code, parse_ticket_code
from helpdesk.services.csv.reader import RowError

Owner = tuple[str, str]  # ("student", card code) or ("device", asset tag), as stored


@dataclass(frozen=True)
class _Holder:
    owner: Owner
    what: str  # card code, asset tag or serial
    code: str
    line: int | None  # the file's line, None for the database


def _describe(holder: _Holder) -> str:
    kind, key = holder.owner
    whose = "a student's" if kind == "student" else f"device {key}'s"
    where = f"on line {holder.line}" if holder.line else "in the database"
    return f"{whose} {holder.what} '{holder.code}' {where}"


class CodeIndex:
    """Every code a scan can name, by its case-folded text."""

    def __init__(self, session: Session) -> None:
        self._held: dict[str, list[_Holder]] = {}
        for (code,) in session.execute(select(Student.card_code)):
            self._put(_Holder(("student", code), "card code", code, None))
        for tag, serial in session.execute(select(Device.asset_tag, Device.serial)):
            self._put(_Holder(("device", tag), "asset tag", tag, None))
            if serial:
                self._put(_Holder(("device", tag), "serial", serial, None))

    def _put(self, holder: _Holder) -> None:
        self._held.setdefault(holder.code.casefold(), []).append(holder)

    def check(self, code: str, owner: Owner, what: str, column: str) -> None:
        """Refuse ``code`` (the ``what`` of ``owner``) when a scan of it could name another
        record; a code ``owner`` holds already is always fine."""
        mine = self._held.get(code.casefold(), [])
        if any(h.owner == owner and h.code == code for h in mine):
            return
        if parse_loan_code(code) is not None or parse_ticket_code(code) is not None:
            raise RowError(
                column,
                f"the {what} '{code}' looks like the code of a loan slip or repair receipt, "
                "which a scan reads first; choose another.",
            )
        for holder in mine:
            if holder.owner != owner:
                raise RowError(
                    column,
                    f"the {what} '{code}' would scan the same as {_describe(holder)} "
                    "(codes are read without regard to case); choose another.",
                )

    def add(self, code: str, owner: Owner, what: str, line: int) -> None:
        """``code`` is ``owner``'s from line ``line`` on."""
        self._put(_Holder(owner, what, code, line))
