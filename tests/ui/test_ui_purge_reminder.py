"""The window reminds an admin, in the status bar, when leavers are past the school's retention
period, and nobody else; the count is read on the window's database thread."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from helpdesk.domain.enums import StudentStatus
from helpdesk.domain.models import Student
from helpdesk.services.care import retention
from helpdesk.services.core.staff import add_staff
from helpdesk.ui.main_window import MainWindow


def _leaver(factory, card: str, left_on: date) -> None:  # noqa: ANN001
    with factory() as session, session.begin():
        session.add(Student(card_code=card, first_name="Lena", last_name="Left", year_group=11,
                            form="11L", status=StudentStatus.LEFT, left_on=left_on))  # fmt: skip


def _window(qtbot, ctx) -> MainWindow:  # noqa: ANN001
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_an_admin_sees_how_many_leavers_are_due(qtbot, ctx, session_factory) -> None:  # noqa: ANN001
    _leaver(session_factory, "L-1", date(2019, 7, 19))
    _leaver(session_factory, "L-2", date(2020, 7, 17))
    _leaver(session_factory, "L-3", date.today())  # left this year: not due
    window = _window(qtbot, ctx)
    qtbot.waitUntil(lambda: window.purge_label.isVisible(), timeout=5000)
    assert window.purge_label.text() == "Leavers to purge: 2"
    assert "helpdesk purge leavers --left-before" in window.purge_label.toolTip()


def test_nobody_but_an_admin_is_reminded(qtbot, ctx, session_factory) -> None:  # noqa: ANN001
    _leaver(session_factory, "L-1", date(2019, 7, 19))
    add_staff(session_factory, "admin", username="mia", display_name="Mia", role="manager")
    ctx.actor = "mia"
    window = _window(qtbot, ctx)
    qtbot.wait(300)  # the admin's label shows well within this (the test above)
    assert not window.purge_label.isVisible()
    assert retention.leavers_due(session_factory, "mia") is None
    assert retention.leavers_due(session_factory, "admin").count == 1


def test_with_none_due_there_is_no_reminder(qtbot, ctx, session_factory) -> None:  # noqa: ANN001
    _leaver(session_factory, "L-3", date.today())
    window = _window(qtbot, ctx)
    qtbot.wait(300)
    assert not window.purge_label.isVisible()


@pytest.mark.threaded
def test_the_count_is_read_on_the_database_thread(qtbot, ctx, session_factory, monkeypatch) -> None:  # noqa: ANN001
    _leaver(session_factory, "L-1", date(2019, 7, 19))
    threads: list[str] = []
    real = retention.leavers_due

    def noted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(retention, "leavers_due", noted)
    window = _window(qtbot, ctx)
    qtbot.waitUntil(lambda: window.purge_label.isVisible(), timeout=5000)
    assert threads and threading.main_thread().name not in threads


def test_an_admin_sets_the_retention_period_in_the_settings(qtbot, ctx, session_factory) -> None:  # noqa: ANN001
    from helpdesk.services.core.settings import get_settings
    from helpdesk.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ctx)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.school is not None)
    assert dialog.school.retention.value() == 1
    dialog.school.retention.setValue(3)
    dialog.save()
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted)
    assert get_settings(session_factory).retention_years == 3
