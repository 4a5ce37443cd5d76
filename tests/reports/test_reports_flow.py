"""Reports and notices on records made by the counter and bench services themselves: tickets
booked in with the cover check, moved through the lifecycle, paid and waived."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from decimal import Decimal

from helpdesk.services.core.codes import ticket_code
from helpdesk.services.reporting import notices, reports


def _school(factory) -> None:  # noqa: ANN001
    from helpdesk.domain.enums import CoverStatus, DamageCategory, DeviceKind, DevicePool
    from helpdesk.domain.enums import DeviceStatus as Status
    from helpdesk.domain.models import (
        Assignment,
        CoverPeriod,
        Device,
        FeeRule,
        Scheme,
        Student,
        UninsuredPrice,
    )

    with factory() as session, session.begin():
        anna = Student(card_code="S0001", first_name="Anna", last_name="Smith", year_group=7,
                       form="7A")  # fmt: skip
        dev = Student(card_code="S0002", first_name="Dev", last_name="Khan", year_group=10,
                      form="10C")  # fmt: skip
        session.add_all([anna, dev])
        laptops = [
            Device(asset_tag=f"PER-{n:06d}", serial=f"SN{n}", make="Lenovo", model="300e",
                   kind=DeviceKind.LAPTOP, pool=DevicePool.ALLOCATION, status=Status.ASSIGNED)
            for n in (1, 2)
        ]  # fmt: skip
        session.add_all(laptops)
        scheme = Scheme(name="Standard cover", claims_allowed=2)
        scheme.fee_rules = [
            FeeRule(incident_type=None, claim_from=1, claim_to=1, charge_pence=0),
            FeeRule(incident_type=None, claim_from=2, claim_to=None, charge_pence=5000),
        ]
        session.add(scheme)
        session.add(UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=9000))
        session.add(UninsuredPrice(damage_category=DamageCategory.KEYBOARD, charge_pence=4000))
        session.flush()
        for student, laptop in ((anna, laptops[0]), (dev, laptops[1])):
            session.add(Assignment(device_id=laptop.id, student_id=student.id,
                                   started_at=datetime(2026, 9, 1, 8)))  # fmt: skip
        session.add(CoverPeriod(student_id=anna.id, scheme_id=scheme.id,
                                starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
                                status=CoverStatus.INSURED, claims_allowed=2))  # fmt: skip


def test_reports_follow_the_bench_services(session_factory, tmp_path) -> None:  # noqa: ANN001
    from helpdesk.services.repairs.tickets import (
        DamageReport,
        move_ticket,
        open_ticket,
        record_payment,
        waive_charge,
    )

    f = session_factory
    _school(f)

    def book(tag: str, category: str, when: str) -> int:
        at = datetime.fromisoformat(when)
        damage = DamageReport(category=category, description=f"{category} broken",
                              occurred_on=at.date(), reported_on=at.date())  # fmt: skip
        return open_ticket(f, "admin", device_code=tag, damage=damage, now=at).id

    def move(ticket: int, *states_and_times: str) -> None:
        for item in states_and_times:
            state, when = item.split("@")
            move_ticket(f, "admin", ticket, state, now=datetime.fromisoformat(when))

    first = book("PER-000001", "screen", "2026-11-02 09:00")  # Anna's first claim: free
    move(first, "diagnosing@2026-11-02 10:00", "repaired@2026-11-03 12:00",
         "ready_for_collection@2026-11-03 12:05", "collected@2026-11-05 09:00")  # fmt: skip
    second = book("PER-000001", "keyboard", "2026-11-10 09:00")  # second claim: £50
    record_payment(f, "admin", second, now=datetime(2026, 11, 12, 12, 0))
    move(second, "diagnosing@2026-11-10 10:00", "repaired@2026-11-11 10:00",
         "ready_for_collection@2026-11-11 10:05", "collected@2026-11-11 15:00")  # fmt: skip
    third = book("PER-000001", "screen", "2026-11-16 09:00")  # both claims used: outside cover
    waive_charge(f, "admin", third, "Damaged by another student", now=datetime(2026, 11, 16, 11))
    uninsured = book("PER-000002", "screen", "2026-11-23 09:00")  # Dev: no cover
    move(uninsured, "diagnosing@2026-11-23 10:00", "repaired@2026-11-24 10:00",
         "ready_for_collection@2026-11-24 10:05")  # fmt: skip

    turnaround = reports.turnaround(f, "admin")
    assert turnaround.rows == (
        ("screen", 1, Decimal("3.0"), Decimal("3.0"), Decimal("3.0")),
        ("keyboard", 1, Decimal("1.3"), Decimal("1.3"), Decimal("1.3")),  # 30 hours
    )
    opened = reports.open_tickets(f, "admin", today=date(2026, 11, 25))
    assert opened.rows == (
        ("logged", 1, 0, 0, 1, 7),  # the third ticket waits in logged since 16/11
        ("ready for collection", 1, 1, 0, 0, 2),
    )
    claims = reports.claims(f, "admin")
    assert [r[3:5] + r[-2:] for r in claims.rows] == [
        (1, 2, 1, Decimal("50.00")),  # the waived third charge is not in the total
        (0, 0, 1, Decimal("90.00")),
    ]
    charges = reports.charges(f, "admin")
    assert [(r[0], r[1], r[6], r[7]) for r in charges.rows] == [
        (ticket_code(uninsured), "Dev Khan", Decimal("90.00"), "due"),
        (ticket_code(second), "Anna Smith", Decimal("50.00"), "paid"),
        (ticket_code(third), "Anna Smith", Decimal("90.00"), "waived"),  # the repair price
    ]
    assert charges.rows[2][10] == "Damaged by another student"

    (ready,) = notices.ready_for_collection(f, "admin")
    assert ready.form == "10C" and [r.student for r in ready.rows] == ["Dev Khan"]
    (letter,) = notices.charge_letters_due(f, "admin")
    assert letter.reference == ticket_code(uninsured) and letter.amount == "£90.00"
    assert letter.rule and letter.scheme == ""
    from helpdesk.labels.charge_letter import charge_letters_pdf

    pdf = charge_letters_pdf([letter], tmp_path / "dev.pdf")
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()  # fmt: skip
    )
    assert "Dev Khan (10C)" in text and "Amount to pay: £90.00" in text
    assert " ".join(letter.rule.split()) in text
