"""The permission table's scenarios: for every action, one call of the real service function that
changes data, made on a copy of a school prepared for it (``prepare``).

The school is the small one of service_school.py, plus one staff member per role (``as_counter``,
``as_technician``, ``as_manager``, ``as_admin``), two more students with laptops (Eve owns
LAP-0004, Fay owns LAP-0006), LAP-0005 in stock, and, made through the services as admin:
- ``due``: Ben's LAP-0002 booked in with a cracked screen, £85.00 due;
- ``paid``: LAP-0003 booked in for Dev (no cover), with £10.00 paid (``payment``);
- ``ready``: Anna's LAP-0001 with a software fault, ready for collection;
- ``open_loan``: LNR-001 lent to Dev;
- ``short_loan``: LNR-002 lent to Anna, back without its charger;
- ``pickup``: a pickup session for 9D (Dev); ``stocktake``: a stocktake of the tag LAP-0005
  for "Cart A", where LAP-0005 (recorded at no place) was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from photo_files import draw
from service_school import NOW, build_school
from sqlalchemy import select

from helpdesk.domain.enums import DeviceKind, DevicePool, DeviceStatus, StaffRole
from helpdesk.domain.models import (
    Assignment,
    CoverPeriod,
    Device,
    Staff,
    Student,
    TicketPhoto,
)
from helpdesk.services.care.backups import backup_postgres, backup_sqlite_file
from helpdesk.services.care.purge import purge_leavers
from helpdesk.services.care.restore import restore_database
from helpdesk.services.care.subject_access import subject_access
from helpdesk.services.core.auth import hash_secret, sign_in
from helpdesk.services.core.codes import session_code
from helpdesk.services.core.demo_accounts import mark_demo_database
from helpdesk.services.core.settings import add_closures, get_settings, save_settings
from helpdesk.services.core.staff import (
    add_staff,
    record_refused,
    set_active,
    set_password,
    set_pin,
    set_role,
)
from helpdesk.services.counter.accessories import accessories_returned
from helpdesk.services.counter.assignments import assign_device, unassign_device
from helpdesk.services.counter.counter_log import record_refusal
from helpdesk.services.counter.loans import issue_loan, return_loan
from helpdesk.services.counter.swaps import collect, swap
from helpdesk.services.csv.export import export_file
from helpdesk.services.csv.importer import import_students
from helpdesk.services.repairs.bench_actions import add_diagnosis_note, add_photo
from helpdesk.services.repairs.charges import record_payment, reverse_payment, waive_charge
from helpdesk.services.repairs.cover_periods import add_cover_period, edit_cover_period
from helpdesk.services.repairs.photos import fill_missing_photos
from helpdesk.services.repairs.tickets import (
    DamageReport,
    add_part,
    add_time,
    move_ticket,
    open_ticket,
    set_vendor,
)
from helpdesk.services.reporting.audit_trail import audit_trail
from helpdesk.services.reporting.documents import record_label_prints
from helpdesk.services.reporting.notices import (
    charge_letter,
    charge_letters_due,
    ready_for_collection,
)
from helpdesk.services.reporting.reports import run_report
from helpdesk.services.sessions import (
    close_session,
    move_found_here,
    scan_in_session,
    start_session,
)

LATER = NOW + timedelta(hours=2)
ROLE_STAFF = {role: f"as_{role.value}" for role in StaffRole}
PASSWORD = "the-right-password"
SCREEN = DamageReport(category="screen", description="Cracked in the corner")
SOFTWARE = DamageReport(category="software", description="Will not start")


# The smallest file add_photo takes for a photo: a PNG's signature.
def _png() -> bytes:
    """A real picture: photos are checked before they are kept."""
    import io

    out = io.BytesIO()
    draw(64, 48).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def prepare(factory) -> dict[str, int]:  # noqa: ANN001 - the services' session factory
    """Fill an empty database (at head) with the school above; the ids the scenarios need."""
    with factory() as session, session.begin():
        session.add(Staff(username="admin", display_name="Admin", role=StaffRole.ADMIN))
        hashed = hash_secret(PASSWORD)
        session.add_all(
            Staff(username=name, display_name=name.title(), role=role, password_hash=hashed)
            for role, name in ROLE_STAFF.items()
        )
        session.add(Staff(username="target9", display_name="Tar Get", role=StaffRole.COUNTER))
        session.add(
            Staff(username="away9", display_name="Gone Away", role=StaffRole.COUNTER, active=False)
        )
    build_school(factory)
    with factory() as session, session.begin():
        for n, (card, first) in enumerate((("S1005", "Eve"), ("S1006", "Fay"))):
            student = Student(
                card_code=card, first_name=first, last_name="Green", year_group=10, form="10E"
            )
            session.add(student)
            for tag in (f"LAP-000{4 + 2 * n}", f"LAP-000{5 + 2 * n}")[: 2 - n]:
                session.add(
                    Device(
                        asset_tag=tag,
                        serial=f"SNP-{tag}",
                        make="Dell",
                        model="3190",
                        kind=DeviceKind.LAPTOP,
                        pool=DevicePool.ALLOCATION,
                        status=DeviceStatus.IN_STOCK,
                    )
                )
            session.flush()
            own = session.scalar(select(Device).where(Device.asset_tag == f"LAP-000{4 + 2 * n}"))
            assert own is not None
            own.status = DeviceStatus.ASSIGNED
            session.add(Assignment(device=own, student=student, started_at=datetime(2026, 9, 1)))
    due = open_ticket(factory, "admin", device_code="LAP-0002", damage=SCREEN, now=NOW)
    paid = open_ticket(
        factory, "admin", device_code="LAP-0003", student_code="S1004", damage=SCREEN, now=NOW
    )
    paid = record_payment(factory, "admin", paid.id, 1000, "cash", "R-1", now=NOW)
    ready = open_ticket(factory, "admin", device_code="LAP-0001", damage=SOFTWARE, now=NOW)
    for state in ("diagnosing", "repaired", "ready_for_collection"):
        move_ticket(factory, "admin", ready.id, state, now=NOW)
    open_loan = issue_loan(factory, "admin", student_code="S1004", device_code="LNR-001", now=NOW)
    short = issue_loan(factory, "admin", student_code="S1001", device_code="LNR-002", now=NOW)
    return_loan(factory, "admin", device_code="LNR-002", missing=("charger",), now=NOW)
    with factory() as session, session.begin():  # a photo left on another bench computer
        session.add(
            TicketPhoto(ticket_id=due.id, path="TKT-OLD/1-crack.png", caption="", taken_at=NOW)
        )
    pickup = start_session(factory, "admin", "pickup", form="9D", now=NOW)
    stocktake = start_session(
        factory, "admin", "stocktake", tags=["LAP-0005"], location="Cart A", now=NOW
    )
    scan_in_session(factory, "admin", stocktake.code, "LAP-0005", now=NOW)
    with factory() as session:
        period = session.scalar(
            select(CoverPeriod.id).join(Student).where(Student.card_code == "S1001")
        )
        lap3 = session.scalar(select(Device.id).where(Device.asset_tag == "LAP-0003"))
    return {
        "due": due.id,
        "paid": paid.id,
        "payment": paid.payments[0].id,
        "ready": ready.id,
        "open_loan": open_loan.id,
        "short_loan": short.id,
        "period": period,
        "lap3": lap3,
        "pickup": pickup.id,
        "stocktake": stocktake.id,
    }


Scenario = Callable[..., object]


def _photo(f, who, ids, tmp: Path):  # noqa: ANN001, ANN202
    photo = tmp / "crack.png"
    photo.write_bytes(PNG)
    return add_photo(f, who, ids["due"], photo, now=LATER)


def _old_photos(f, who, ids, tmp: Path):  # noqa: ANN001, ANN202
    """A photo the upgrade could not find (kept on another bench computer), read in from that
    computer's old folder."""
    folder = tmp / "photos"
    (folder / "TKT-OLD").mkdir(parents=True, exist_ok=True)
    (folder / "TKT-OLD" / "1-crack.png").write_bytes(PNG)
    return fill_missing_photos(f, who, folder)


def _restore(f, who, ids, tmp: Path):  # noqa: ANN001, ANN202
    """The database put back from a backup of itself: the restore's audit row is what changes."""
    engine = f.kw["bind"]
    backups = tmp / f"restore-{who}"
    backups.mkdir(exist_ok=True)
    if engine.dialect.name == "sqlite":
        made = backup_sqlite_file(Path(engine.url.database), backups / "school.sqlite")
    else:
        from helpdesk.db import current_revision

        made = backup_postgres(
            engine.url, current_revision(engine), backups / "school.dump", overwrite=False
        )
    return restore_database(f, who, made.target, aside_folder=backups / "aside", now=LATER)


def _settings(f, who, ids, tmp):  # noqa: ANN001, ANN202
    return save_settings(f, who, replace(get_settings(f), school_name="Hillside"), now=LATER)


# action -> scenario(factory, acting username, ids, a folder of the test's own)
SCENARIOS: dict[str, Scenario] = {
    "loan.issue": lambda f, who, ids, tmp: issue_loan(
        f, who, student_code="S1006", device_code="LNR-004", now=LATER
    ),
    "loan.return": lambda f, who, ids, tmp: return_loan(f, who, device_code="LNR-001", now=LATER),
    "loan.accessories": lambda f, who, ids, tmp: accessories_returned(
        f, who, loan_id=ids["short_loan"], now=LATER
    ),
    "loan.swap": lambda f, who, ids, tmp: swap(
        f,
        who,
        student_code="S1005",
        own_device_code="LAP-0004",
        loaner_code="LNR-003",
        damage=SOFTWARE,
        now=LATER,
    ),
    "ticket.open": lambda f, who, ids, tmp: open_ticket(
        f, who, device_code="LAP-0004", damage=SCREEN, now=LATER
    ),
    "ticket.collect": lambda f, who, ids, tmp: collect(f, who, ticket_id=ids["ready"], now=LATER),
    "device.assign": lambda f, who, ids, tmp: assign_device(
        f, who, device_code="LAP-0005", student_code="S1004", now=LATER
    ),
    "labels.printed": lambda f, who, ids, tmp: record_label_prints(
        f, who, [ids["lap3"]], "avery-l7651", now=LATER
    ),
    "counter.refusal": lambda f, who, ids, tmp: record_refusal(
        f, who, "desk-1", "LNR-009 is not a loan laptop.", "LNR-009", now=LATER
    ),
    "session.start": lambda f, who, ids, tmp: start_session(
        f, who, "handin", form="10E", now=LATER
    ),
    "session.scan": lambda f, who, ids, tmp: scan_in_session(
        f, who, session_code(ids["pickup"]), "S1004", now=LATER
    ),
    "session.close": lambda f, who, ids, tmp: close_session(
        f, who, session_code(ids["pickup"]), now=LATER
    ),
    "devices.relocate": lambda f, who, ids, tmp: move_found_here(
        f, who, session_code(ids["stocktake"]), now=LATER
    ),
    "ticket.move": lambda f, who, ids, tmp: move_ticket(
        f, who, ids["due"], "diagnosing", now=LATER
    ),
    "ticket.part": lambda f, who, ids, tmp: add_part(
        f, who, ids["due"], "Screen panel", unit_cost_pence=4500, now=LATER
    ),
    "ticket.vendor": lambda f, who, ids, tmp: set_vendor(
        f, who, ids["due"], "Lenovo depot", "RMA1", now=LATER
    ),
    "ticket.time": lambda f, who, ids, tmp: add_time(f, who, ids["due"], 20, now=LATER),
    "ticket.photo": _photo,
    "db.photos": _old_photos,
    "ticket.diagnosis": lambda f, who, ids, tmp: add_diagnosis_note(
        f, who, ids["due"], "Panel cracked, digitiser fine", now=LATER
    ),
    "device.unassign": lambda f, who, ids, tmp: unassign_device(
        f, who, device_code="LAP-0006", now=LATER
    ),
    "payment.record": lambda f, who, ids, tmp: record_payment(
        f, who, ids["due"], 1000, "card", "R-2", now=LATER
    ),
    "payment.reverse": lambda f, who, ids, tmp: reverse_payment(
        f, who, ids["payment"], "Wrong ticket", now=LATER
    ),
    "charge.waive": lambda f, who, ids, tmp: waive_charge(
        f, who, ids["due"], "Hardship fund", now=LATER
    ),
    "ticket.write_off": lambda f, who, ids, tmp: move_ticket(
        f, who, ids["due"], "written_off", now=LATER
    ),
    "cover.add": lambda f, who, ids, tmp: add_cover_period(
        f,
        who,
        student_code="S1004",
        scheme="Standard cover",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 8, 31),
        now=LATER,
    ),
    "cover.edit": lambda f, who, ids, tmp: edit_cover_period(
        f,
        who,
        ids["period"],
        scheme="Standard cover",
        starts_on=date(2026, 9, 1),
        ends_on=date(2027, 7, 31),
        status="insured",
        claims_allowed=3,
        now=LATER,
    ),
    "csv.import": lambda f, who, ids, tmp: import_students(
        f, who, b"card_code,first_name,last_name,year,form\nS2001,Gus,Grey,7,7A\n", now=LATER
    ),
    "settings.save": _settings,
    "database.restore": _restore,
    "staff.role": lambda f, who, ids, tmp: set_role(f, who, "target9", "technician"),
    "staff.disable": lambda f, who, ids, tmp: set_active(f, who, "target9", False),
    "staff.enable": lambda f, who, ids, tmp: set_active(f, who, "away9", True),
    "staff.password": lambda f, who, ids, tmp: set_password(f, who, "target9", "a-new-password-1"),
    "staff.pin": lambda f, who, ids, tmp: set_pin(f, who, "target9", "4321"),
    "staff.own_password": lambda f, who, ids, tmp: set_password(f, who, who, "my-own-password-1"),
    "staff.own_pin": lambda f, who, ids, tmp: set_pin(f, who, who, "9876"),
    "staff.sign_in": lambda f, who, ids, tmp: sign_in(f, who, PASSWORD),
    "staff.refused": lambda f, who, ids, tmp: record_refused(
        f, who, "staff.add", "Adding a staff member needs an admin."
    ),
    "demo.build": lambda f, who, ids, tmp: mark_demo_database(f),
    "settings.closures": lambda f, who, ids, tmp: add_closures(
        f, who, [date(2026, 10, 23)], "INSET day", now=LATER
    ),
    "staff.add": lambda f, who, ids, tmp: add_staff(
        f, who, username="newcomer", display_name="New Comer", role="counter"
    ),
    # Cara left on 20 July 2026 with nothing open
    "students.purge": lambda f, who, ids, tmp: purge_leavers(
        f, who, date(2026, 8, 1), apply=True, now=LATER
    ),
}

# Actions that change no row of the school's tables, each proved where it can be: the grants
# change the server's rights (tests/infra/test_infra_grants.py applies them for a real login).
NO_SERVICE_YET: frozenset[str] = frozenset({"db.grants"})

# Reads held to the table: refused below their role, and changing nothing when allowed.
READS: dict[str, Scenario] = {
    "audit.read": lambda f, who, ids, tmp: audit_trail(f, who),
    "report.read": lambda f, who, ids, tmp: run_report(f, who, "charges"),
    "notices.make": lambda f, who, ids, tmp: (
        ready_for_collection(f, who),
        charge_letters_due(f, who),
        charge_letter(f, who, ticket_id=ids["due"]),
    ),
    "csv.export": lambda f, who, ids, tmp: export_file(f, who, "students", tmp / f"{who}.csv"),
    "students.subject_access": lambda f, who, ids, tmp: subject_access(f, who, "S1001"),
}
