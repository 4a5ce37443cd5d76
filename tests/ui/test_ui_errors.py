"""Unexpected errors are logged with their traceback and shown as one friendly sentence."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from helpdesk.domain.errors import Refused
from helpdesk.logs import log_path
from helpdesk.ui import errors


def _boxes() -> list[QMessageBox]:
    """The error boxes open now."""
    return [
        w for w in QApplication.topLevelWidgets() if w.objectName() == "errorBox" and w.isVisible()
    ]


def _new_boxes(before: list[QMessageBox]) -> list[QMessageBox]:
    """The error boxes opened since ``before`` was taken."""
    return [box for box in _boxes() if all(box is not old for old in before)]


def test_worker_error_logged_and_shown_without_traceback(qtbot):  # noqa: ANN001
    before = _boxes()
    try:
        raise RuntimeError("disk on fire")
    except RuntimeError as exc:
        text = errors.report_unexpected(None, "Printing the slip", exc)
    assert text.startswith("Printing the slip failed; nothing was lost.")
    assert "Traceback" not in text and "disk on fire" not in text
    logged = log_path().read_text(encoding="utf-8")
    assert "Traceback" in logged and "RuntimeError: disk on fire" in logged
    [box] = _new_boxes(before)
    assert box.text() == text
    box.close()


def test_expected_failure_is_its_own_sentence(qtbot):  # noqa: ANN001
    text = errors.describe_failure("Issuing the loan", Refused("Anna Smith has a loan already."))
    assert text == "Anna Smith has a loan already."


def test_excepthook_routes_escaped_exceptions(qtbot):  # noqa: ANN001
    before = _boxes()
    errors.install_excepthook()
    try:
        try:
            raise ValueError("bad slot")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = sys.__excepthook__
    [box] = _new_boxes(before)
    assert box.text().startswith("That action failed; nothing was lost.")
    assert "ValueError: bad slot" in log_path().read_text(encoding="utf-8")
    box.close()
