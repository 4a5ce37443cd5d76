"""Scan sessions: pickup day, the year-end hand-in and stocktakes, worked through by scanning
against an expected list at any number of stations at once. ``start_session`` freezes the list
(``starting``), ``scan_in_session`` acts on one code in one transaction and puts it in one of
done, already, unexpected or problem (``scanning``, with the kinds' rules in ``pickup``,
``handin`` and ``stocktake``), ``session_status`` and ``list_sessions`` read the progress back
(``progress``), the plain records handed out are in ``shapes`` and what the modules share
(finding a session, its counts, marking an item done) in ``common``.
"""

from helpdesk.services.sessions.common import SessionClosed
from helpdesk.services.sessions.progress import (
    REPORT_COLUMNS,
    list_sessions,
    session_report,
    session_status,
)
from helpdesk.services.sessions.scanning import scan_in_session
from helpdesk.services.sessions.shapes import (
    GroupProgress,
    MissingItem,
    ScanLine,
    ScanResult,
    SessionInfo,
    SessionStatus,
)
from helpdesk.services.sessions.starting import close_session, mark_printed, start_session
from helpdesk.services.sessions.stocktake import move_found_here

__all__ = [
    "REPORT_COLUMNS",
    "GroupProgress",
    "MissingItem",
    "ScanLine",
    "ScanResult",
    "SessionClosed",
    "SessionInfo",
    "SessionStatus",
    "close_session",
    "list_sessions",
    "mark_printed",
    "move_found_here",
    "scan_in_session",
    "session_report",
    "session_status",
    "start_session",
]
