"""The overdue list: latest first, filtered by form or year, exported as CSV and PDF."""

from __future__ import annotations

import csv
import subprocess
from datetime import datetime, timedelta

from helpdesk.ui.records.overdue_panel import OverduePanel


def _lend(factory, card: str, tag: str, due: datetime) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from helpdesk.domain.enums import DeviceStatus, LoanType
    from helpdesk.domain.models import Device, Loan, Staff, Student

    with factory() as session, session.begin():
        student = session.scalar(select(Student).where(Student.card_code == card))
        device = session.scalar(select(Device).where(Device.asset_tag == tag))
        staff = session.scalar(select(Staff))
        device.status = DeviceStatus.ON_LOAN
        session.add(
            Loan(
                device_id=device.id,
                student_id=student.id,
                loan_type=LoanType.DAY,
                accessories="charger",
                issued_at=due - timedelta(hours=6),
                issued_by_id=staff.id,
                due_at=due,
            )
        )


def test_overdue_list_filters_and_exports(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    now = datetime.now().replace(microsecond=0)
    _lend(ctx.factory, school.anna, "LNR-001", now - timedelta(days=3))
    _lend(ctx.factory, school.ben, "LNR-002", now - timedelta(hours=1))
    _lend(ctx.factory, school.cara, "LNR-003", now + timedelta(hours=5))  # not yet due
    panel = OverduePanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    panel.activated()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2 and panel.filter.count() > 1, timeout=5000)
    assert [r.asset_tag for r in panel.model.rows] == ["LNR-002", "LNR-001"]  # latest first
    assert panel.count.text() == "2 overdue"
    panel.set_filter("form", "7A")
    qtbot.waitUntil(lambda: [r.asset_tag for r in panel.model.rows] == ["LNR-001"], timeout=5000)
    panel.set_filter("year", 8)
    qtbot.waitUntil(lambda: [r.student for r in panel.model.rows] == ["Ben Jones"], timeout=5000)

    panel.filter.setCurrentIndex(0)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5000)
    out = panel.save_csv(str(tmp_path / "overdue.csv"))
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["asset_tag"] for r in rows] == ["LNR-002", "LNR-001"]
    assert rows[1]["student"] == "Anna Smith" and rows[1]["days_overdue"] == "3"

    pdf = panel.save_pdf(str(tmp_path / "overdue.pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Overdue loans" in text and "2 loans" in text
    assert text.index("Ben Jones") < text.index("Anna Smith")
    assert "LNR-003" not in text
