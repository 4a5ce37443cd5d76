"""What a scanned code is, by the school's patterns: an asset tag, a student card, a loan slip or a
repair receipt. A code that matches none of them is refused with a sentence, not acted on.

The asset tag and card patterns are settings (``SchoolSettings.asset_tag_pattern`` and
``card_pattern``) and are passed in; loan slips and receipts are Helpdesk's own codes
(:mod:`helpdesk.services.core.codes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from helpdesk.services.core.codes import parse_loan_code, parse_ticket_code


class CodeKind(StrEnum):
    ASSET_TAG = "asset tag"
    CARD = "student card"
    LOAN_SLIP = "loan slip"
    TICKET = "repair receipt"


@dataclass(frozen=True)
class Classified:
    """A scanned ``text`` and what it is; ``kind`` is None when refused, with ``message`` why."""

    text: str
    kind: CodeKind | None
    message: str = ""

    @property
    def accepted(self) -> bool:
        return self.kind is not None


class PatternError(ValueError):
    """A pattern in the settings that is not a valid regular expression."""


class CodeClassifier:
    """Sorts scanned codes by the school's patterns (full match, case as printed)."""

    def __init__(self, asset_tag_pattern: str | None, card_pattern: str | None) -> None:
        self._tag = _compile(asset_tag_pattern, "asset tag")
        self._card = _compile(card_pattern, "student card")

    @classmethod
    def from_settings(cls, settings) -> CodeClassifier:
        """From any object with ``asset_tag_pattern`` and ``card_pattern`` (the school settings)."""
        return cls(settings.asset_tag_pattern, settings.card_pattern)

    def classify(self, text: str) -> Classified:
        code = text.strip()
        if not code:
            return Classified(text, None, "The scan was empty.")
        if parse_loan_code(code) is not None:
            return Classified(code, CodeKind.LOAN_SLIP)
        if parse_ticket_code(code) is not None:
            return Classified(code, CodeKind.TICKET)
        if self._tag is not None and self._tag.fullmatch(code):
            return Classified(code, CodeKind.ASSET_TAG)
        if self._card is not None and self._card.fullmatch(code):
            return Classified(code, CodeKind.CARD)
        shown = code if len(code) <= 40 else code[:37] + "..."
        return Classified(
            code,
            None,
            f"'{shown}' is not an asset tag, a student card, a loan slip or a repair receipt; "
            "nothing was done.",
        )


def _compile(pattern: str | None, what: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise PatternError(f"the {what} pattern {pattern!r} is not valid: {exc}") from None
