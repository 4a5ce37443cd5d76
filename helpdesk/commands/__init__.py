"""The subcommands of ``helpdesk``: one module each (``register(subparsers, common)`` adds its
parsers), plus :mod:`helpdesk.commands.common` for what they share (CommandError, the database
URL, the acting staff member, opening the database).

:data:`COMMANDS` is the one list of commands: the word typed, the module that handles it and the
line ``helpdesk --help`` shows. ``helpdesk --help`` is printed from this list alone, so it starts
without loading any command's libraries (Qt, SQLAlchemy, the scanner, the PDF writer).
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    name: str  # the word typed after ``helpdesk``
    module: str  # the module under helpdesk.commands that registers it
    summary: str  # its line in ``helpdesk --help``


# In the order ``helpdesk --help`` lists them. The report names in "report" are checked against
# the reports themselves by tests/reports/test_reports_cli.py.
COMMANDS: tuple[Command, ...] = (
    Command("demo", "demo", "fill an empty database with a realistic demo school"),
    Command(
        "import",
        "data_io",
        "import students, devices, cover periods or planned allocations from a CSV file",
    ),
    Command(
        "export",
        "data_io",
        "export students, devices or cover periods as CSV (the columns import reads)",
    ),
    Command("lookup", "lookup", "show the student, device, loan or ticket a scanned code names"),
    Command("locate", "places", "give a device its place: a room, a cart or a cupboard"),
    Command("loan", "loans", "issue a loan laptop to a student or take one back"),
    Command("assign", "sessions", "give a student their own laptop, outside any session"),
    Command(
        "unassign",
        "sessions",
        "end a laptop's allocation, with its condition and the accessories not handed back",
    ),
    Command(
        "session",
        "sessions",
        "pickup, hand-in and stocktake sessions: start, scan, status, list, close, report",
    ),
    Command(
        "db",
        "database",
        "database schema: upgrade to this version, show the current revision, PostgreSQL grants",
    ),
    Command(
        "backup",
        "backups",
        "a checked copy of the database (ticket photos included), safe while in use; dated "
        "backups pruned by rules",
    ),
    Command("restore", "backups", "put a backup back (admins): checked, the database copied aside"),
    Command("staff", "staff", "add staff, set passwords, PINs and roles, disable and enable"),
    Command("audit", "audit", "the audit trail: who changed what and when (managers and admins)"),
    Command(
        "purge",
        "care",
        "purge leavers past the retention period: anonymise them, keep the counts (admins)",
    ),
    Command(
        "subject-access",
        "care",
        "everything held about one student, as CSV files, photos and a PDF in a zip (managers)",
    ),
    Command("decode", "decode", "read the barcodes and QR codes in image files"),
    Command("camera", "camera", "check the camera and choose the one the counter uses"),
    Command(
        "labels",
        "labels",
        "asset labels on label stock, to a PDF or a printer; templates; alignment",
    ),
    Command("slip", "labels", "a loan slip, a repair receipt or pickup-day hand-over agreements"),
    Command(
        "report",
        "reports",
        "bench reports as a table or CSV (open-tickets, turnaround, damage, claims, charges)",
    ),
    Command(
        "notices",
        "reports",
        "charge letters to parents and ready-for-collection notices for form tutors (PDF)",
    ),
)

# The modules, in the order of their first command.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(c.module for c in COMMANDS))
MODULE_OF: dict[str, str] = {c.name: c.module for c in COMMANDS}


def summary(name: str) -> str:
    """The ``helpdesk --help`` line of the command ``name``."""
    return next(c.summary for c in COMMANDS if c.name == name)
