"""CSV import of students, devices and cover periods: good files, every broken file of the issue
with the exact report it gives, nothing half-imported, --skip-bad, updates and audit rows."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpdesk.domain.errors import ImportFailed
from helpdesk.domain.models import (
    Assignment,
    AuditEntry,
    CoverPeriod,
    Device,
    Scheme,
    Staff,
    Student,
)
from helpdesk.services.csv.export import export_csv
from helpdesk.services.csv.importer import import_cover, import_devices, import_students
from helpdesk.services.csv.reader import format_problem

FILES = Path(__file__).parent / "files"
NOT_UTF8 = 'is not UTF-8 text; in Excel use Save As > "CSV UTF-8 (Comma delimited)".'


def data(name: str) -> bytes:
    return (FILES / name).read_bytes()


def count(factory, model) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def report(exc: pytest.ExceptionInfo[ImportFailed]) -> list[str]:
    return [format_problem(p) for p in exc.value.problems]


@pytest.fixture
def school(session_factory):
    """Five students and the Standard scheme."""
    import_students(session_factory, "admin", data("students.csv"))
    with session_factory() as session, session.begin():
        session.add(Scheme(name="Standard", claims_allowed=2))
    return session_factory


def test_students_import_and_names_survive(session_factory):
    result = import_students(session_factory, "admin", data("students.csv"))
    assert (result.added, result.updated, result.unchanged) == (5, 0, 0)
    assert result.summary() == "students: 5 added, 0 updated, 0 unchanged."
    with session_factory() as session:
        zoe = session.scalar(select(Student).where(Student.card_code == "100005"))
        assert (zoe.first_name, zoe.last_name, zoe.year_group, zoe.form) == (
            "Zoë",
            "Brontë",
            11,
            "11D",
        )
        assert zoe.status == "active"


def test_excel_file_with_bom_semicolons_and_crlf_updates_existing_students(session_factory):
    import_students(session_factory, "admin", data("students.csv"))
    result = import_students(session_factory, "admin", data("students_excel_semicolon.csv"))
    # 100001 the same, 100002 the same, 100006 new (and left)
    assert (result.added, result.updated, result.unchanged) == (1, 0, 2)
    with session_factory() as session:
        jack = session.scalar(select(Student).where(Student.card_code == "100006"))
        assert jack.status == "left" and jack.left_on.isoformat() == "2025-12-20"
    changed = data("students.csv").replace(b"Amelia,Jones,7,7B", b"Amelia,Jones,8,8B")
    result = import_students(session_factory, "admin", changed)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 4)
    with session_factory() as session:
        amelia = session.scalar(select(Student).where(Student.card_code == "100002"))
        assert (amelia.year_group, amelia.form) == (8, "8B")


def test_missing_column_is_reported_and_nothing_written(session_factory):
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", data("students_missing_column.csv"))
    assert report(exc) == [
        "line 1, column last_name: the column 'last_name' is missing "
        "(the header has: card_code, first_name, year, form)."
    ]
    assert count(session_factory, Student) == 0


def test_missing_column_stops_even_with_skip_bad(session_factory):
    with pytest.raises(ImportFailed):
        import_students(
            session_factory, "admin", data("students_missing_column.csv"), skip_bad=True
        )
    assert count(session_factory, Student) == 0


def test_unknown_year_groups_report_each_row_and_write_nothing(session_factory):
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", data("students_bad_year.csv"))
    assert str(exc.value) == "The students file has 3 bad rows; nothing was imported."
    assert report(exc) == [
        "line 3, column year: 'Y7' is not a year group (7-13).",
        "line 4, column year: '14' is not a year group (7-13).",
        "line 5, column year: this value is empty (a year group, 7-13).",
    ]
    assert count(session_factory, Student) == 0


def test_skip_bad_imports_the_good_rows_and_lists_the_rest(session_factory):
    result = import_students(session_factory, "admin", data("students_bad_year.csv"), skip_bad=True)
    assert result.added == 1
    assert [line for line, _c, _w in result.left_out] == [3, 4, 5]
    assert result.summary() == "students: 1 added, 0 updated, 0 unchanged; 3 rows left out."
    with session_factory() as session:
        assert session.scalars(select(Student.card_code)).all() == ["100001"]


def test_latin1_file_is_reported_with_the_way_to_save_it(session_factory):
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", data("students_latin1.csv"))
    assert report(exc) == [f"line 3, column first_name: 'Zoë' {NOT_UTF8}"]
    assert count(session_factory, Student) == 0


def test_duplicate_card_code_in_the_file(session_factory):
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", data("students_duplicate.csv"))
    assert report(exc) == ["line 4, column card_code: the card code '100001' is also on line 2."]
    assert count(session_factory, Student) == 0


def test_quoted_field_with_a_line_break_keeps_line_numbers_right(session_factory):
    text = (
        'card_code,first_name,last_name,year,form\n100001,"Anne\nMarie",Smith,7,7A\n'
        "100002,Bob,Jones,Y8,8A\n"
    )
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", text.encode())
    assert report(exc) == ["line 4, column year: 'Y8' is not a year group (7-13)."]


def test_empty_file_and_header_only(session_factory):
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", b"")
    assert report(exc) == ["line 1: the file is empty; the first line must name the columns"]
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", b"card_code,first_name,last_name,year,form\n")
    assert report(exc) == ["line 1: there are no rows below the header."]


def test_devices_with_assignments_and_both_date_forms(school):
    result = import_devices(school, "admin", data("devices.csv"))
    assert (result.added, result.updated, result.unchanged) == (5, 0, 0)
    with school() as session:
        devices = {d.asset_tag: d for d in session.scalars(select(Device))}
        assert devices["LT-0001"].status == "assigned"
        assert devices["LT-0001"].purchased_on.isoformat() == "2025-09-01"
        assert devices["LT-0001"].warranty_until.isoformat() == "2028-08-31"
        assert devices["LT-0003"].status == "in_stock"
        assert devices["LNR-001"].pool == "loan"
        held = {
            (a.device.asset_tag, a.student.card_code)
            for a in session.scalars(select(Assignment).where(Assignment.ended_at.is_(None)))
        }
        assert held == {("LT-0001", "100001"), ("LT-0002", "100002"), ("CHG-0001", "100001")}


def test_reassigning_a_device_ends_the_old_assignment(school):
    import_devices(school, "admin", data("devices.csv"))
    moved = data("devices.csv").replace(b"2028-08-31,100002", b"2028-08-31,100003")
    result = import_devices(school, "admin", moved)
    assert (result.added, result.updated, result.unchanged) == (0, 1, 4)
    with school() as session:
        rows = session.execute(
            select(Student.card_code, Assignment.ended_at)
            .join(Student, Student.id == Assignment.student_id)
            .join(Device, Device.id == Assignment.device_id)
            .where(Device.asset_tag == "LT-0002")
        ).all()
    assert sorted((code, ended is None) for code, ended in rows) == [
        ("100002", False),
        ("100003", True),
    ]


def test_bad_dates_are_reported(school):
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", data("devices_bad_date.csv"))
    assert report(exc) == [
        "line 3, column purchased_on: '31/02/2025' is not a date (use 2025-09-01 or 01/09/2025).",
        "line 4, column purchased_on: '09/01/25' is not a date (use 2025-09-01 or 01/09/2025).",
    ]
    assert count(school, Device) == 0


def test_duplicate_tags_and_serials_in_the_file_and_against_the_database(school):
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", data("devices_duplicate_tag.csv"))
    assert report(exc) == [
        "line 4, column asset_tag: the asset tag 'LT-0001' is also on line 2.",
        "line 5, column serial: the serial 'PF1AAA02' is also on line 3.",
    ]
    assert count(school, Device) == 0
    import_devices(school, "admin", data("devices.csv"))
    clash = b"asset_tag,serial,make,model,kind,pool\nLT-0100,PF1AAA01,Dell,3120,laptop,allocation\n"
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", clash)
    assert report(exc) == [
        "line 2, column serial: the serial 'PF1AAA01' belongs to LT-0001 already."
    ]


def test_device_rows_that_break_the_rules(school):
    text = (
        "asset_tag,serial,make,model,kind,pool,status,assigned_to\n"
        "LT-0001,S1,Lenovo,11e,tablet,allocation,,\n"
        "LT-0002,S2,Lenovo,11e,laptop,spare,,\n"
        "LT-0003,S3,Lenovo,11e,laptop,allocation,on loan,\n"
        "LT-0004,S4,Lenovo,11e,laptop,allocation,,999999\n"
        "LNR-005,S5,Lenovo,100e,laptop,loan,,100001\n"
    )
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", text.encode())
    assert report(exc) == [
        "line 2, column kind: 'tablet' is not a kind of device (laptop, charger, case, other).",
        "line 3, column pool: 'spare' is not a pool (allocation, loan).",
        "line 4, column status: 'on loan' is set by issuing a loan at the counter, "
        "not by an import.",
        "line 5, column assigned_to: no student has the card code '999999'.",
        "line 6, column assigned_to: a loan pool device is lent, not assigned; "
        "give it the pool allocation or leave assigned_to empty.",
    ]


def test_cover_periods_and_an_unknown_scheme(school):
    result = import_cover(school, "admin", data("cover.csv"))
    assert (result.added, result.updated, result.unchanged) == (3, 0, 0)
    with school() as session:
        periods = {
            p.student.card_code: (p.status.value, p.claims_allowed)
            for p in session.scalars(select(CoverPeriod))
        }
    assert periods == {
        "100001": ("insured", 2),
        "100002": ("pending_payment", 2),
        "100003": ("uninsured", 0),
    }
    with pytest.raises(ImportFailed) as exc:
        import_cover(school, "admin", data("cover_unknown_scheme.csv"))
    assert report(exc) == [
        "line 3, column scheme: 'Gold' is not an insurance scheme (the schemes are: Standard).",
        "line 4, column card_code: no student has the card code '100099'.",
        "line 5, column end: the cover ends (2024-08-31) before it starts (2025-09-01).",
    ]
    again = import_cover(school, "admin", data("cover.csv").replace(b"insured,\n", b"lapsed,\n"))
    assert (again.added, again.updated, again.unchanged) == (0, 1, 2)


def test_an_import_is_audited_as_the_acting_staff_member(session_factory):
    import_students(session_factory, "admin", data("students.csv"))
    with session_factory() as session:
        rows = session.execute(
            select(AuditEntry.action, Staff.username)
            .join(Staff, Staff.id == AuditEntry.staff_id)
            .where(AuditEntry.entity == "students")
        ).all()
    assert len(rows) == 5 and set(rows) == {("insert", "admin")}


def test_export_then_import_gives_the_same_records(school):
    import_devices(school, "admin", data("devices.csv"))
    import_cover(school, "admin", data("cover.csv"))
    exported = {}
    for kind in ("students", "devices", "cover"):
        out = io.StringIO()
        export_csv(school, "admin", kind, out)
        exported[kind] = out.getvalue()
    assert exported["devices"].splitlines()[0] == (
        "asset_tag,serial,make,model,kind,pool,status,purchased_on,warranty_until,assigned_to,"
        "location"
    )
    assert (
        "LT-0001,PF1AAA01,Lenovo,ThinkPad 11e,laptop,allocation,assigned,2025-09-01,"
        in (exported["devices"])
    )
    # the same file again changes nothing
    for kind, fn in (
        ("students", import_students),
        ("devices", import_devices),
        ("cover", import_cover),
    ):
        result = fn(school, "admin", exported[kind].encode())
        assert result.added == result.updated == 0, kind


def test_round_trip_into_a_new_database(school, tmp_path):
    from helpdesk.db import open_database
    from helpdesk.services.core.staff import ensure_admin

    import_devices(school, "admin", data("devices.csv"))
    import_cover(school, "admin", data("cover.csv"))
    other = open_database(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    ensure_admin(other)
    with other() as session, session.begin():
        session.add(Scheme(name="Standard", claims_allowed=2))
    for kind, fn in (
        ("students", import_students),
        ("devices", import_devices),
        ("cover", import_cover),
    ):
        out = io.StringIO()
        export_csv(school, "admin", kind, out)
        fn(other, "admin", out.getvalue().encode())
        again = io.StringIO()
        export_csv(other, "admin", kind, again)
        assert again.getvalue() == out.getvalue(), kind
    other.kw["bind"].dispose()


def test_a_thousand_rows_in_one_transaction(session_factory):
    rows = ["card_code;first_name;last_name;year;form"] + [
        f"C{n:05d};Pupil;Number{n};{7 + n % 5};{7 + n % 5}A" for n in range(1000)
    ]
    result = import_students(session_factory, "admin", "\n".join(rows).encode())
    assert result.added == 1000
    assert count(session_factory, Student) == 1000


@pytest.mark.postgres
def test_imports_on_postgresql(pg_session_factory):
    factory = pg_session_factory
    with pytest.raises(ImportFailed):
        import_students(factory, "admin", data("students_bad_year.csv"))
    assert count(factory, Student) == 0
    assert import_students(factory, "admin", data("students.csv")).added == 5
    with factory() as session, session.begin():
        session.add(Scheme(name="Standard", claims_allowed=2))
    assert import_devices(factory, "admin", data("devices.csv")).added == 5
    assert import_cover(factory, "admin", data("cover.csv")).added == 3
    with pytest.raises(ImportFailed) as exc:
        import_devices(factory, "admin", data("devices_duplicate_tag.csv"))
    assert len(exc.value.problems) == 2
    for kind, fn in (
        ("students", import_students),
        ("devices", import_devices),
        ("cover", import_cover),
    ):
        out = io.StringIO()
        export_csv(factory, "admin", kind, out)
        again = fn(factory, "admin", out.getvalue().encode())
        assert again.added == again.updated == 0, kind


def test_tab_separated_file_with_year_group_header(session_factory):
    text = "Card code\tFirst name\tLast name\tYear Group\tForm\n100001\tOliver\tSmith\t7\t7A\n"
    result = import_students(session_factory, "admin", text.encode())
    assert result.added == 1


def test_an_assigned_device_cannot_move_to_the_loan_pool(school):
    import_devices(school, "admin", data("devices.csv"))
    moved = data("devices.csv").replace(
        b"LT-0001,PF1AAA01,Lenovo,ThinkPad 11e,laptop,allocation,,01/09/2025,31/08/2028,100001",
        b"LT-0001,PF1AAA01,Lenovo,ThinkPad 11e,laptop,loan,,01/09/2025,31/08/2028,",
    )
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", moved)
    assert report(exc) == [
        "line 2, column pool: LT-0001 is assigned to Oliver Smith (100001); "
        "unassign it before it joins the loan pool."
    ]


def test_a_device_out_on_loan_keeps_its_status(school):
    from helpdesk.services.counter.loans import issue_loan

    import_devices(school, "admin", data("devices.csv"))
    issue_loan(school, "admin", student_code="100003", device_code="LNR-001")
    out = io.StringIO()
    export_csv(school, "admin", "devices", out)
    assert "LNR-001,PF1BBB01,Lenovo,100e,laptop,loan,on_loan," in out.getvalue()
    again = import_devices(school, "admin", out.getvalue().encode())
    assert again.unchanged == 5
    retire = out.getvalue().replace("laptop,loan,on_loan,", "laptop,loan,retired,")
    with pytest.raises(ImportFailed) as exc:
        import_devices(school, "admin", retire.encode())
    assert report(exc) == [
        "line 3, column status: LNR-001 is out on loan; its status changes when it is returned."
    ]


def test_excel_separator_line(session_factory):
    text = "sep=;\r\ncard_code;first_name;last_name;year;form\r\n100001;Oliver;Smith;Y7;7A\r\n"
    with pytest.raises(ImportFailed) as exc:
        import_students(session_factory, "admin", text.encode())
    assert report(exc) == ["line 3, column year: 'Y7' is not a year group (7-13)."]
    result = import_students(session_factory, "admin", text.replace(";Y7;", ";7;").encode())
    assert result.added == 1


def test_date_forms():
    from datetime import date

    from helpdesk.services.csv.reader import RowError, parse_date

    for text in ("2025-09-01", "01/09/2025", "1/9/2025", "01.09.2025", "01-09-2025"):
        assert parse_date(text, "start") == date(2025, 9, 1), text
    assert parse_date("2025-09-01T00:00:00", "start") == date(2025, 9, 1)
    for text in ("09/01/25", "2025/09/01", "32/01/2025", "01/09-2025", "next monday"):
        with pytest.raises(RowError):
            parse_date(text, "start")
