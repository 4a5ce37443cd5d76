"""The window never shows a traceback.

Expected failures (:class:`HelpdeskError`) are shown as their own sentence. Anything else is
written with its traceback to the log file in the user's data directory, and the person sees
what failed and that nothing was lost. ``install_excepthook`` catches what escapes a slot;
``report_unexpected`` is the helper for workers' errors.
"""

from __future__ import annotations

import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from helpdesk.domain.errors import HelpdeskError
from helpdesk.logs import log_unexpected

# The open boxes (a box without a parent must be kept alive until it is closed).
_open_boxes: list[QMessageBox] = []


def describe_failure(what: str, exc: BaseException) -> str:
    """One sentence for a person: the error's own sentence, or 'X failed; nothing was lost.'"""
    if isinstance(exc, HelpdeskError):
        return str(exc)
    where = log_unexpected(exc)
    return f"{what} failed; nothing was lost. The details were written to {where}."


def report_unexpected(parent: QWidget | None, what: str, exc: BaseException) -> str:
    """Log ``exc`` (when it is not an expected failure) and tell the user, without blocking: a
    box named ``errorBox`` (on stderr when there is no window)."""
    text = describe_failure(what, exc)
    if QApplication.instance() is None:
        print(f"helpdesk: {text}", file=sys.stderr)
        return text
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Helpdesk", text, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorBox")
    box.setModal(False)
    _open_boxes.append(box)
    box.finished.connect(lambda _result: _open_boxes.remove(box) if box in _open_boxes else None)
    box.show()
    return text


def _hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        QApplication.quit()
        return
    if exc.__traceback__ is None and tb is not None:
        exc = exc.with_traceback(tb)
    report_unexpected(QApplication.activeWindow(), "That action", exc)


def install_excepthook() -> None:
    """Route exceptions that escape Qt slots to the log and a friendly message."""
    sys.excepthook = _hook
