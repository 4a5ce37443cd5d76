"""The five reports on a small school's bench: exact rows, date filters, school days."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reports_bench import TODAY

from helpdesk.domain.errors import ValidationError
from helpdesk.services.core.codes import ticket_code
from helpdesk.services.reporting import reports

D = Decimal


def test_school_days_skip_weekends_and_closures() -> None:
    friday, monday = date(2026, 11, 20), date(2026, 11, 23)
    assert reports.school_days_after(friday, monday) == 1
    assert reports.school_days_after(monday, monday) == 0
    assert reports.school_days_after(monday, friday) == 0
    assert reports.school_days_after(date(2026, 11, 19), TODAY) == 4
    assert reports.school_days_after(date(2026, 11, 19), TODAY, [friday]) == 3
    # a closure on a weekend or outside the span changes nothing
    assert reports.school_days_after(date(2026, 11, 19), TODAY, [date(2026, 11, 21)]) == 4
    assert reports.school_days_after(date(2026, 11, 2), TODAY) == 17


def test_open_tickets_by_state_and_age(bench, session_factory) -> None:  # noqa: ANN001
    table = reports.open_tickets(session_factory, "admin", today=TODAY)
    assert table.columns[0] == "state" and len(table.columns) == len(table.headings)
    assert table.rows == (
        ("diagnosing", 1, 1, 0, 0, 2),
        ("awaiting parts", 2, 0, 1, 1, 10),  # 19/11 is 3 school days old (INSET day 20/11)
        ("ready for collection", 2, 1, 1, 0, 4),
    )
    assert table.alert_column == 4  # older than 5 school days stands out
    assert table.summary == "5 open tickets on 25/11/2026; 1 older than 5 school days"
    assert table.chart.categories == ("diagnosing", "awaiting parts", "ready for collection")
    assert [s.values for s in table.chart.series] == [(1, 0, 1), (0, 1, 1), (0, 1, 0)]
    assert table.chart.stacked

    later = reports.open_tickets(
        session_factory, "admin", date_from=date(2026, 11, 19), today=TODAY
    )
    assert later.rows == (
        ("diagnosing", 1, 1, 0, 0, 2),
        ("awaiting parts", 1, 0, 1, 0, 3),
        ("ready for collection", 1, 1, 0, 0, 1),
    )


def test_turnaround_per_damage_category(bench, session_factory) -> None:  # noqa: ANN001
    table = reports.turnaround(session_factory, "admin")
    assert table.rows == (
        ("screen", 3, D("4.5"), D("5.5"), D("10.0")),
        ("keyboard", 1, D("1.0"), D("1.0"), D("1.0")),
    )
    assert table.summary == "4 tickets collected; median 3.3 days, 9 in 10 within 10.0 days"
    october = reports.turnaround(
        session_factory, "admin", date_from=date(2026, 10, 1), date_to=date(2026, 10, 9)
    )
    assert october.rows == (("screen", 2, D("3.3"), D("3.3"), D("4.5")),)
    empty = reports.turnaround(session_factory, "admin", date_from=date(2027, 1, 1))
    assert empty.rows == () and empty.summary == "No tickets were collected in this period."


def test_damage_by_month_year_group_and_category(bench, session_factory) -> None:  # noqa: ANN001
    table = reports.damage(session_factory, "admin")
    assert table.rows == (
        ("2026-09", 10, "keyboard", 1),
        ("2026-10", 7, "screen", 2),
        ("2026-10", 8, "screen", 1),
        ("2026-11", 7, "screen", 1),
        ("2026-11", 7, "trackpad", 1),
        ("2026-11", 7, "liquid", 1),
        ("2026-11", 8, "keyboard", 1),
        ("2026-11", 8, "lost", 1),
        ("2026-11", 10, "screen", 1),
    )  # the cancelled theft report of 20/09 is left out
    assert table.chart.categories == ("Sep 2026", "Oct 2026", "Nov 2026")
    by_name = {s.name: s.values for s in table.chart.series}
    assert by_name == {
        "screen": (0, 3, 2),
        "keyboard": (1, 0, 1),
        "trackpad": (0, 0, 1),
        "liquid": (0, 0, 1),
        "lost": (0, 0, 1),
    }
    assert table.summary == "10 tickets logged; most often screen (5)"
    only = reports.damage(
        session_factory, "admin", date_from=date(2026, 11, 23), date_to=date(2026, 11, 23)
    )
    assert only.rows == (("2026-11", 7, "screen", 1),)


def test_claims_per_scheme_period(bench, session_factory) -> None:  # noqa: ANN001
    table = reports.claims(session_factory, "admin")
    assert table.columns == (
        "scheme", "starts_on", "ends_on", "students_covered", "claims",
        "accidental_damage", "liquid", "theft", "loss", "outside_cover", "charged_gbp",
    )  # fmt: skip
    y25, y26 = (date(2025, 9, 1), date(2026, 8, 31)), (date(2026, 9, 1), date(2027, 8, 31))
    assert table.rows == (
        ("Standard cover", *y25, 1, 0, 0, 0, 0, 0, 0, D("0.00")),
        # Dev's lapsed cover does not count; Ben's third claim is outside cover
        ("Standard cover", *y26, 3, 6, 4, 1, 0, 1, 1, D("150.00")),
        ("no cover", None, None, 0, 0, 0, 0, 0, 0, 1, D("90.00")),
    )  # the cancelled ticket's claim is left out
    assert table.summary == (
        "6 claims and 2 charges outside cover; £240.00 charged (waived charges left out)"
    )
    november = reports.claims(session_factory, "admin", date_from=date(2026, 11, 1))
    assert november.rows == (
        ("Standard cover", *y26, 3, 3, 1, 1, 0, 1, 1, D("150.00")),
        ("no cover", None, None, 0, 0, 0, 0, 0, 0, 1, D("90.00")),
    )
    assert november.chart.categories == ("Standard cover 01/09/26–31/08/27", "no cover")
    assert {s.name: s.values for s in november.chart.series}["outside cover"] == (1, 1)


def test_charges_due_paid_and_waived(bench, session_factory) -> None:  # noqa: ANN001
    t = {k: ticket_code(v) for k, v in bench.tickets.items()}
    table = reports.charges(session_factory, "admin")
    assert [(r[0], r[1], r[6], r[7]) for r in table.rows] == [
        (t["t2"], "Ben Jones", D("50.00"), "due"),
        (t["t1"], "Anna Smith", D("50.00"), "due"),
        (t["t4"], "Dev Khan", D("90.00"), "due"),
        (t["t3"], "Cara Patel", D("50.00"), "paid"),
        (t["t10"], "Ben Jones", D("75.00"), "waived"),
    ]  # free first claims are not charges
    assert table.rows[3][8:] == (date(2026, 11, 10), date(2026, 11, 12), "")
    assert table.rows[4][10] == "Family hardship fund"
    assert table.rows[2][5] == "Uninsured price list: screen £90.00"
    assert table.summary == "3 due £190.00; 1 paid £50.00; 1 waived £75.00"
    assert table.chart.categories == ("due", "paid", "waived")
    assert table.chart.series[0].values == (190.0, 50.0, 75.0)
    late = reports.charges(session_factory, "admin", date_from=date(2026, 11, 23), date_to=TODAY)
    assert [r[0] for r in late.rows] == [t["t1"], t["t4"]]


def test_run_report_by_name_and_bad_input(bench, session_factory) -> None:  # noqa: ANN001
    assert reports.report_names() == ("open-tickets", "turnaround", "damage", "claims", "charges")
    for name in reports.report_names():
        table = reports.run_report(session_factory, "admin", name, today=TODAY)
        assert table.name == name and table.rows
        assert all(len(row) == len(table.columns) for row in table.rows)
    with pytest.raises(ValidationError, match="no report called 'tickets'"):
        reports.run_report(session_factory, "admin", "tickets")
    with pytest.raises(ValidationError, match="start date 02/11/2026 is after the end date"):
        reports.damage(
            session_factory, "admin", date_from=date(2026, 11, 2), date_to=date(2026, 11, 1)
        )


def test_reports_on_an_empty_database(session_factory) -> None:  # noqa: ANN001
    for name in reports.report_names():
        table = reports.run_report(session_factory, "admin", name, today=TODAY)
        assert table.rows == () and table.chart.categories == ()
        assert table.summary.startswith("No ")


@pytest.mark.postgres
def test_reports_on_postgresql_match_sqlite(pg_session_factory, bench, session_factory) -> None:  # noqa: ANN001
    from reports_bench import build_bench

    build_bench(pg_session_factory)
    for name in reports.report_names():
        on_pg = reports.run_report(pg_session_factory, "admin", name, today=TODAY)
        on_sqlite = reports.run_report(session_factory, "admin", name, today=TODAY)
        assert on_pg.rows == on_sqlite.rows and on_pg.rows, name
        assert on_pg.chart == on_sqlite.chart and on_pg.summary == on_sqlite.summary
    from helpdesk.services.reporting import notices

    assert notices.ready_for_collection(
        pg_session_factory, "admin"
    ) == notices.ready_for_collection(session_factory, "admin")
    assert notices.charge_letters_due(pg_session_factory, "admin") == notices.charge_letters_due(
        session_factory, "admin"
    )
    assert len(notices.charge_letters_due(pg_session_factory, "admin")) == 3


@given(
    start=st.dates(date(2025, 1, 1), date(2027, 12, 31)),
    span=st.integers(-10, 120),
    closures=st.sets(st.dates(date(2025, 1, 1), date(2028, 6, 30)), max_size=30),
)
def test_school_days_match_counting_day_by_day(start, span, closures) -> None:  # noqa: ANN001
    from datetime import timedelta

    end = start + timedelta(days=span)
    expected = sum(
        1
        for n in range(1, span + 1)
        if (day := start + timedelta(days=n)).weekday() < 5 and day not in closures
    )
    assert reports.school_days_after(start, end, closures) == expected


def test_damage_to_a_device_without_a_student(session_factory) -> None:  # noqa: ANN001
    from sqlalchemy import select

    from helpdesk.domain.enums import DamageCategory, DeviceKind, DevicePool, TicketState
    from helpdesk.domain.models import Device, Staff, Ticket

    with session_factory() as session, session.begin():
        admin = session.scalar(select(Staff))
        loaner = Device(asset_tag="LNR-009", serial="L9", kind=DeviceKind.LAPTOP,
                        pool=DevicePool.LOAN)  # fmt: skip
        session.add(loaner)
        session.flush()
        at = datetime(2026, 10, 5, 9, 0)
        session.add(Ticket(device_id=loaner.id, student_id=None, opened_by_id=admin.id,
                           damage_category=DamageCategory.HINGE_PORTS, state=TicketState.LOGGED,
                           opened_at=at, state_changed_at=at))  # fmt: skip
    table = reports.damage(session_factory, "admin")
    assert table.rows == (("2026-10", None, "hinge / ports", 1),)
    assert reports.cell_text(table.rows[0][1]) == ""
    # logged on Monday 5/10: 5 school days old a week later, older than 5 on the Tuesday
    assert reports.open_tickets(session_factory, "admin", today=date(2026, 10, 12)).rows == (
        ("logged", 1, 0, 1, 0, 5),
    )
    assert reports.open_tickets(session_factory, "admin", today=date(2026, 10, 13)).rows == (
        ("logged", 1, 0, 0, 1, 6),
    )
