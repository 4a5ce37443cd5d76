"""The codes Helpdesk prints itself: loan slips and repair-ticket receipts.

Asset tags and student card codes come from the school (their patterns are settings); the codes
below are ours, so a scan of a slip or a receipt is recognised before anything else.
"""

from __future__ import annotations

import re

LOAN_PREFIX = "LOAN-"
TICKET_PREFIX = "TKT-"
SESSION_PREFIX = "SES-"
_LOAN_RE = re.compile(r"^LOAN-(\d{1,12})$")
_TICKET_RE = re.compile(r"^TKT-(\d{1,12})$")
_SESSION_RE = re.compile(r"^SES-(\d{1,12})$")


def loan_code(loan_id: int) -> str:
    """The text of a loan slip's barcode, e.g. ``LOAN-000123``."""
    return f"{LOAN_PREFIX}{loan_id:06d}"


def ticket_code(ticket_id: int) -> str:
    """The text of a repair receipt's barcode, e.g. ``TKT-000045``."""
    return f"{TICKET_PREFIX}{ticket_id:06d}"


def parse_loan_code(text: str) -> int | None:
    match = _LOAN_RE.match(text.strip().upper())
    return int(match.group(1)) if match else None


def parse_ticket_code(text: str) -> int | None:
    match = _TICKET_RE.match(text.strip().upper())
    return int(match.group(1)) if match else None


def session_code(session_id: int) -> str:
    """The code of a pickup, hand-in or stocktake session, e.g. ``SES-000001``."""
    return f"{SESSION_PREFIX}{session_id:06d}"


def parse_session_code(text: str) -> int | None:
    match = _SESSION_RE.match(text.strip().upper())
    return int(match.group(1)) if match else None
