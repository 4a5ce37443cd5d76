"""Rows written with plain SQL (no ORM, no services), for tests of what the database itself holds.

Every column the first revision (0001) declares NOT NULL is given, so the same helpers fill a
database at 0001 as well as at head.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, text

T0 = datetime(2026, 9, 7, 8, 30)


def insert(conn: Connection, table: str, **values: object) -> int:
    """INSERT one row and return its id."""
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({params})"
    if "id" not in values and table != "settings":
        sql += " RETURNING id"
        return conn.execute(text(sql), values).scalar_one()
    conn.execute(text(sql), values)
    return int(values.get("id", 0))  # type: ignore[arg-type]


def staff(conn: Connection, username: str, role: str = "counter") -> int:
    return insert(
        conn, "staff", username=username, display_name=username.title(), role=role, active=True
    )


def student(conn: Connection, card: str, year: int = 8, form: str = "8B", **extra: object) -> int:
    values = {
        "card_code": card,
        "first_name": "Amy",
        "last_name": f"Pupil{card}",
        "year_group": year,
        "form": form,
        "status": "active",
        "left_on": None,
    }
    values.update(extra)
    return insert(conn, "students", **values)


def device(conn: Connection, tag: str, *, pool: str = "loan", **extra: object) -> int:
    values = {
        "asset_tag": tag,
        "serial": f"SN-{tag}",
        "make": "Lenovo",
        "model": "300e",
        "kind": "laptop",
        "pool": pool,
        "status": "in_stock",
        "purchased_on": date(2024, 8, 1),
        "warranty_until": date(2027, 8, 1),
        "notes": "",
    }
    values.update(extra)
    return insert(conn, "devices", **values)


def loan(
    conn: Connection,
    device_id: int,
    student_id: int,
    staff_id: int,
    *,
    returned: bool = False,
    issued_at: datetime = T0,
) -> int:
    return insert(
        conn,
        "loans",
        device_id=device_id,
        student_id=student_id,
        loan_type="day",
        accessories="charger",
        condition_out="good",
        condition_in="good" if returned else None,
        notes="",
        issued_at=issued_at,
        issued_by_id=staff_id,
        due_at=issued_at + timedelta(hours=7),
        returned_at=issued_at + timedelta(hours=6) if returned else None,
        returned_to_id=staff_id if returned else None,
        ticket_id=None,
    )


def assignment(conn: Connection, device_id: int, student_id: int, *, ended: bool = False) -> int:
    return insert(
        conn,
        "assignments",
        device_id=device_id,
        student_id=student_id,
        started_at=T0,
        ended_at=T0 + timedelta(days=30) if ended else None,
    )


def ticket(conn: Connection, device_id: int, student_id: int | None, staff_id: int) -> int:
    return insert(
        conn,
        "tickets",
        device_id=device_id,
        student_id=student_id,
        damage_category="screen",
        fault="Cracked screen, top left corner",
        diagnosis="",
        state="logged",
        technician_id=None,
        vendor="",
        rma_number="",
        warranty=False,
        deliberate=False,
        in_case=True,
        minutes_spent=0,
        opened_at=T0,
        opened_by_id=staff_id,
        state_changed_at=T0,
        closed_at=None,
    )


def audit(conn: Connection, staff_id: int | None, entity: str, entity_id: int) -> int:
    return insert(
        conn,
        "audit_log",
        at=T0,
        staff_id=staff_id,
        action="insert",
        entity=entity,
        entity_id=entity_id,
        before=None,
        after='{"note": "seeded"}',
    )
