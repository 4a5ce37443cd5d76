"""What to do when something a test needs from outside the project is missing (a PostgreSQL
server, a CUPS queue, the shared sample photos or label references).

Under ``.ci/run`` (which sets ``HELPDESK_TEST_REQUIRE_ALL=1``) a missing thing fails the test,
whoever runs it, root or not, so a CI run can never pass by skipping. Elsewhere the test is
skipped and the reason is printed (``-ra``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REQUIRE_ALL = "HELPDESK_TEST_REQUIRE_ALL"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SCANNER_SAMPLES = SHARED / "scanner-samples"
LABEL_REFERENCE = SHARED / "label-reference"


def required() -> bool:
    """Every outside thing must be there (``HELPDESK_TEST_REQUIRE_ALL`` is set and not 0)."""
    return os.environ.get(REQUIRE_ALL, "").strip() not in ("", "0")


def need(what: str, reason: str) -> NoReturn:
    """``what`` is missing because of ``reason``: fail under ``.ci/run``, skip elsewhere."""
    if required():
        pytest.fail(f"{what} is missing ({REQUIRE_ALL} is set): {reason}", pytrace=False)
    pytest.skip(f"{what} skipped: {reason}")


def need_folder(folder: Path, what: str) -> Path:
    """``folder`` itself, or fail/skip saying it is missing."""
    if not folder.is_dir():
        need(what, f"no folder {folder}")
    return folder
