"""The window's backup of the day: made on the window's database thread into the machine
setting's folder, once a day, and the status bar's age of the last good backup (amber after two
days)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from helpdesk.services.care.rotation import taken_at


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ctx(session_factory, qapp, runner, tmp_path):  # noqa: ANN001
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.machine_settings import MachineSettings

    context = AppContext(
        factory=session_factory,
        actor="admin",
        database="SQLite: test",
        runner=runner,
        machine=MachineSettings(str(tmp_path / "machine.ini")),
    )
    yield context
    context.db.stop(10000)


def threads_of(ctx) -> list[str]:  # noqa: ANN001
    """Record the thread each job submitted to ``ctx.db`` runs on (the jobs run as they are)."""
    seen: list[str] = []
    submit = ctx.db.submit

    def recording(fn, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        def job(*a, **k):  # noqa: ANN002, ANN003, ANN202
            seen.append(threading.current_thread().name)
            return fn(*a, **k)

        return submit(job, *args, **kwargs)

    ctx.db.submit = recording
    return seen


def dated(folder) -> list[str]:  # noqa: ANN001
    return sorted(p.name for p in folder.iterdir() if taken_at(p.name)) if folder.is_dir() else []


@pytest.mark.threaded
def test_the_window_makes_one_backup_a_day_off_the_gui_thread(ctx, qtbot, school):  # noqa: ANN001
    from PySide6.QtWidgets import QLabel

    from helpdesk.ui.daily_backup import AMBER_STYLE, DailyBackup

    clock = Clock(datetime(2026, 12, 7, 8, 0, 0))
    label = QLabel()
    daily = DailyBackup(ctx, label, clock=clock)
    folder = ctx.machine.backup_folder
    assert folder.name == "backups" and label.text() == "Backup: none yet"
    assert label.styleSheet() == AMBER_STYLE
    seen = threads_of(ctx)

    daily.check()
    qtbot.waitUntil(lambda: not daily.running, timeout=20000)
    assert seen and seen != [threading.current_thread().name] and seen[0] == "helpdesk-db"
    assert dated(folder) == ["helpdesk-2026-12-07T080000.sqlite"]
    assert ctx.machine.last_backup == datetime(2026, 12, 7, 8, 0, 0)
    clock.now += timedelta(hours=3, minutes=10)
    daily.refresh()
    assert label.text() == "Backup: 3 h ago" and label.styleSheet() == ""

    daily.check()  # the same day: nothing more
    assert not daily.running and dated(folder) == ["helpdesk-2026-12-07T080000.sqlite"]

    clock.now = datetime(2026, 12, 8, 7, 30, 0)  # the next day
    daily.check()
    qtbot.waitUntil(lambda: not daily.running, timeout=20000)
    assert dated(folder) == [
        "helpdesk-2026-12-07T080000.sqlite",
        "helpdesk-2026-12-08T073000.sqlite",
    ]
    assert label.text() == "Backup: 0 min ago"


def test_the_age_turns_amber_after_two_days_and_a_failure_is_told(ctx, qtbot, school, tmp_path):  # noqa: ANN001
    from PySide6.QtWidgets import QLabel

    from helpdesk.ui.daily_backup import AMBER_STYLE, DailyBackup

    clock = Clock(datetime(2026, 12, 7, 8, 0, 0))
    ctx.machine.last_backup = datetime(2026, 12, 5, 9, 0, 0)
    label = QLabel()
    daily = DailyBackup(ctx, label, clock=clock)
    assert label.text() == "Backup: 47 h ago"
    assert label.styleSheet() == ""
    clock.now = datetime(2026, 12, 8, 9, 0, 0)
    daily.refresh()
    assert label.text() == "Backup: 3 days ago" and label.styleSheet() == AMBER_STYLE

    # the folder cannot be made (a file is in the way): the age stays, the reason is told
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    ctx.machine.backup_folder = str(blocker / "backups")
    daily.check()
    qtbot.waitUntil(lambda: not daily.running, timeout=20000)
    assert label.text() == "Backup: 3 days ago" and label.styleSheet() == AMBER_STYLE
    assert f"The last try failed: cannot make the backup folder {blocker / 'backups'}" in (
        label.toolTip()
    )
    assert ctx.machine.last_backup == datetime(2026, 12, 5, 9, 0, 0)


def test_daily_backups_can_be_turned_off(ctx, qtbot, school):  # noqa: ANN001
    from PySide6.QtWidgets import QLabel

    from helpdesk.ui.daily_backup import DailyBackup

    ctx.machine.set_daily_backup(False)
    label = QLabel()
    daily = DailyBackup(ctx, label, clock=Clock(datetime(2026, 12, 7, 8, 0)))
    daily.check()
    assert not daily.running and label.text() == "Backup: off"
    assert dated(ctx.machine.backup_folder) == []


def test_the_status_bar_shows_the_backup_age(ctx, qtbot, school):  # noqa: ANN001
    from PySide6.QtWidgets import QLabel

    from helpdesk.ui.main_window import MainWindow

    ctx.machine.last_backup = datetime.now() - timedelta(hours=5, minutes=1)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    label = window.statusBar().findChild(QLabel, "statusBackup")
    assert label is not None and label.text() == "Backup: 5 h ago"


def test_the_daily_backup_is_a_setting_of_this_computer(ctx, qtbot, tmp_path):  # noqa: ANN001
    from helpdesk.ui.settings_dialog import MachineTab

    tab = MachineTab(ctx)
    qtbot.addWidget(tab)
    assert tab.daily_backup.isChecked()  # on by default for a SQLite file
    assert tab.backup_folder.text() == str(ctx.machine.backup_folder)
    tab.daily_backup.setChecked(False)
    tab.backup_folder.setText(f"  {tmp_path / 'usb'}  ")
    tab.save(ctx)
    assert ctx.machine.daily_backup(True) is False
    assert ctx.machine.backup_folder == tmp_path / "usb"
    again = MachineTab(ctx)
    qtbot.addWidget(again)
    assert not again.daily_backup.isChecked() and again.backup_folder.text() == str(
        tmp_path / "usb"
    )
