"""Fixtures for the labels panel: a small school on a real SQLite file, made with the ORM, and
the panel's shared context.

Form 7A: Cole, Ahmed, Baker (out of alphabetical order on purpose), PER-000201..203;
form 8B: Evans, Davies, PER-000204..205. LNR-001 is a loan laptop in stock, never labelled.
"""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture
def labels_ui_school(session_factory):  # noqa: ANN001
    from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus
    from helpdesk.domain.models import Assignment, Device, Setting, Student

    people = [
        ("Cara", "Cole", 7, "7A"),
        ("Amir", "Ahmed", 7, "7A"),
        ("Bea", "Baker", 7, "7A"),
        ("Eve", "Evans", 8, "8B"),
        ("Dev", "Davies", 8, "8B"),
    ]
    with session_factory() as s, s.begin():
        s.add(Setting(key="school_name", value='"Northfield Academy"'))
        for n, (first, last, year, form) in enumerate(people, start=1):
            student = Student(
                card_code=f"S{n:04d}", first_name=first, last_name=last, year_group=year, form=form
            )
            device = Device(
                asset_tag=f"PER-{200 + n:06d}",
                serial=f"5CG{n:07d}",
                make="HP",
                model="ProBook 440 G9",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.ALLOCATION,
                status=DeviceStatus.ASSIGNED,
            )
            s.add_all([student, device])
            s.flush()
            s.add(
                Assignment(
                    device_id=device.id, student_id=student.id, started_at=datetime(2026, 9, 1)
                )
            )
        s.add(
            Device(
                asset_tag="LNR-001",
                serial="LSN0001",
                make="Dell",
                model="Latitude 3140",
                kind=DeviceKind.LAPTOP,
                pool=DevicePool.LOAN,
            )
        )
    return session_factory


@pytest.fixture
def labels_ui_ctx(session_factory, qapp, runner):  # noqa: ANN001
    """What the panels share (jobs inline unless the test is ``@pytest.mark.threaded``)."""
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.style import apply_style

    apply_style(qapp)
    return AppContext(
        factory=session_factory, actor="admin", database="SQLite: test", runner=runner
    )


@pytest.fixture
def labels_ui_panel(qtbot, labels_ui_ctx, labels_ui_school):  # noqa: ANN001
    """The labels panel, shown, with the forms loaded."""
    from helpdesk.ui.labels.panel import LabelsPanel

    panel = LabelsPanel(labels_ui_ctx)
    qtbot.addWidget(panel)
    panel.resize(1040, 740)
    panel.show()
    panel.activated()
    qtbot.waitUntil(lambda: panel.choices.form_choice.count() == 2, timeout=10000)
    return panel
