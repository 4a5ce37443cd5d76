"""A real main window for the database bench, on a threaded context of its own (its own machine
settings file, no sounds, no slips), and the codes it scans: keyboard-wedge bursts typed into the
counter's scan box."""

from __future__ import annotations

import time
from pathlib import Path


def context(factory, name: str, folder: Path):  # noqa: ANN001, ANN202
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.machine_settings import MachineSettings
    from helpdesk.ui.workers import Runner

    machine = MachineSettings(str(folder / f"machine-{time.monotonic_ns()}.ini"))
    machine.sounds = False
    machine.print_slips = False
    return AppContext(
        factory=factory, actor="admin", database=name, runner=Runner(), machine=machine
    )


def open_window(ctx):  # noqa: ANN001, ANN202
    from run import wait_until

    from helpdesk.ui.main_window import MainWindow

    window = MainWindow(ctx)
    window.show()
    panel = window.panel("counter")
    wait_until(panel.idle, 30_000)
    return window, panel


def close_window(ctx, window) -> None:  # noqa: ANN001
    window.close()
    ctx.db.stop(10_000)
    ctx.runner.wait(10_000)
    ctx.factory.kw["bind"].dispose()


def type_code(panel, code: str) -> float:  # noqa: ANN001
    """A keyboard-wedge burst: the code's keys and Enter; the time Enter was pressed."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClicks(panel.scan_box, code)
    pressed = time.perf_counter()
    QTest.keyClick(panel.scan_box, Qt.Key.Key_Return)
    return pressed


def escape(panel) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(panel.scan_box, Qt.Key.Key_Escape)


def some_codes(factory, n: int) -> list[str]:  # noqa: ANN001
    """Devices not out on loan, then students (a device after a student would be a refusal,
    a student's own laptop after them a swap): ``n`` codes spread through the tables."""
    from sqlalchemy import text

    with factory() as session:
        count = session.execute(text("SELECT count(*) FROM students")).scalar_one()
        students = list(
            session.execute(
                text("SELECT card_code FROM students ORDER BY id LIMIT :n OFFSET :skip"),
                {"n": n - n // 2, "skip": count // 3},
            ).scalars()
        )
        devices = list(
            session.execute(
                text(
                    "SELECT asset_tag FROM devices WHERE status <> 'on_loan' "
                    "ORDER BY id DESC LIMIT :n OFFSET :skip"
                ),
                {"n": n // 2, "skip": count // 7},
            ).scalars()
        )
    return devices + students


def mixed(codes: list[str]) -> list[str]:
    half = len(codes) // 2
    devices, students = codes[:half], codes[half:]
    out: list[str] = []
    for k in range(max(len(devices), len(students))):
        out += students[k : k + 1] + devices[k : k + 1]
    return out


def lendable(factory) -> tuple[str, str]:  # noqa: ANN001
    """A student with no open loan and a loaner in stock, for a loan."""
    from sqlalchemy import text

    with factory() as session:
        student = session.execute(
            text(
                "SELECT card_code FROM students s WHERE status = 'active' AND NOT EXISTS "
                "(SELECT 1 FROM loans l WHERE l.student_id = s.id AND l.returned_at IS NULL) "
                "ORDER BY id LIMIT 1 OFFSET 1"
            )
        ).scalar_one()
        loaner = session.execute(
            text(
                "SELECT asset_tag FROM devices WHERE pool = 'loan' AND status = 'in_stock' "
                "ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    return student, loaner
