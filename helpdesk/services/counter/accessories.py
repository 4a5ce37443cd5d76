"""Accessories that did not come back with a loan: recorded on the return, shown on the student's
card as a warning, and cleared when they are brought in later."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from helpdesk.domain.errors import NotFound, Refused, ValidationError
from helpdesk.domain.models import Loan
from helpdesk.services.core.codes import loan_code, parse_loan_code
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import LoanInfo, loan_info


@dataclass(frozen=True)
class BroughtBack:
    loan: LoanInfo  # as it is now: ``accessories_missing`` is what is still out
    items: tuple[str, ...]  # what was brought back


def items_of(text: str | None) -> tuple[str, ...]:
    """The names in a comma-separated list of accessories, as stored on a loan."""
    return tuple(item for item in (text or "").split(",") if item)


def missing_on_return(loan: Loan, missing: Iterable[str]) -> str:
    """What to store as the loan's missing accessories: each must have gone out with it."""
    went_out = items_of(loan.accessories)
    chosen: list[str] = []
    for item in missing:
        name = str(item).strip().lower()
        if not name or name in chosen:
            continue
        if name not in went_out:
            out = ", ".join(went_out) or "nothing"
            raise ValidationError(
                f"'{name}' did not go out with {loan_code(loan.id)}: it went out with {out}."
            )
        chosen.append(name)
    return ",".join(chosen)


def _loan_number(loan_id: int | str) -> int:
    if isinstance(loan_id, int):
        return loan_id
    number = parse_loan_code(loan_id)
    if number is None and loan_id.strip().isdigit():
        number = int(loan_id.strip())
    if number is None:
        raise NotFound(f"'{loan_id}' is not a loan slip number (e.g. LOAN-000123).")
    return number


def accessories_returned(
    factory: SessionFactory,
    actor: str,
    *,
    loan_id: int | str,
    items: Iterable[str] | None = None,
    now: datetime | None = None,
) -> BroughtBack:
    """Accessories missing from a returned loan are brought back: ``items`` of them, or all."""
    number = _loan_number(loan_id)
    with unit_of_work(factory, actor, action="loan.accessories", now=now) as session:
        loan = session.scalar(select(Loan).where(Loan.id == number).with_for_update(of=Loan))
        if loan is None:
            raise NotFound(f"There is no loan {loan_code(number)}.")
        missing = items_of(loan.accessories_missing)
        if not missing:
            raise Refused(f"Nothing is missing from {loan_code(loan.id)}.")
        back = missing if items is None else tuple(str(i).strip().lower() for i in items)
        unknown = [item for item in back if item not in missing]
        if unknown:
            raise ValidationError(
                f"'{unknown[0]}' is not missing from {loan_code(loan.id)}: "
                f"missing is {', '.join(missing)}."
            )
        loan.accessories_missing = ",".join(item for item in missing if item not in back)
        session.flush()
        return BroughtBack(loan_info(loan), tuple(item for item in missing if item in back))
