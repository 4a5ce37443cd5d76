"""Whether this database is the demo school, and the demo's sign-in accounts.

``helpdesk demo`` marks its database (the setting ``demo_database``) and gives one staff member
per role a password ``demo-<username>``, a PIN and a badge. The sign-in screen may show these
accounts, but only on a database so marked: a school's real database never shows any.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select

from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import Setting
from helpdesk.services.core.unit_of_work import SessionFactory, read_session, unit_of_work

DEMO_SETTING = "demo_database"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: StaffRole
    password: str
    badge: str
    pin: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "counter", "Casey Counter", StaffRole.COUNTER, "demo-counter", "STAFF-0001", "1111"
    ),
    DemoAccount(
        "technician",
        "Terry Technician",
        StaffRole.TECHNICIAN,
        "demo-technician",
        "STAFF-0002",
        "2222",
    ),  # fmt: skip
    DemoAccount(
        "manager", "Morgan Manager", StaffRole.MANAGER, "demo-manager", "STAFF-0003", "3333"
    ),
    DemoAccount("admin", "Administrator", StaffRole.ADMIN, "demo-admin", "STAFF-0004", "4444"),
)


def mark_demo_database(factory: SessionFactory) -> None:
    """Mark the database as the demo school (``helpdesk demo`` does, and nothing else)."""
    with unit_of_work(factory, None, action="demo.build") as session:
        setting = session.get(Setting, DEMO_SETTING)
        if setting is None:
            session.add(Setting(key=DEMO_SETTING, value=json.dumps(True)))
        else:
            setting.value = json.dumps(True)


def is_demo_database(factory: SessionFactory) -> bool:
    with read_session(factory) as session:
        value = session.scalar(select(Setting.value).where(Setting.key == DEMO_SETTING))
    return value is not None and json.loads(value) is True


def demo_accounts(factory: SessionFactory) -> tuple[DemoAccount, ...]:
    """The demo's accounts with their passwords and PINs on a demo database, else none."""
    return DEMO_ACCOUNTS if is_demo_database(factory) else ()
