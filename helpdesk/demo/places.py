"""Where the demo school keeps its devices, given once the term's history is made (so a device's
place follows how the term left it), as a technician would record them:

- the loan laptops live in the ICT office and two charging carts, a third each by tag
  (LN-001..020 "ICT office", LN-021..040 "Cart A", LN-041..060 "Cart B"); one out on loan keeps
  its home, where it goes back to and where a stocktake misses it;
- allocation laptops and chargers in stock, and retired ones, in the "Store room";
- anything in for repair on the "Bench";
- assigned devices have no place: they are with their students (so are lost and stolen ones).

No random draw: the same school always gets the same places.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from helpdesk.domain.enums import DevicePool, DeviceStatus
from helpdesk.domain.models import Device
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work

LOAN_HOMES = ("ICT office", "Cart A", "Cart B")
PER_HOME = 20  # loan laptops in each of LOAN_HOMES
STORE = "Store room"
BENCH = "Bench"


def place_of(device: Device) -> str | None:
    """The demo's place for ``device`` as the term left it."""
    if device.status is DeviceStatus.IN_REPAIR:
        return BENCH
    if device.pool is DevicePool.LOAN:
        number = int(device.asset_tag.rsplit("-", 1)[-1])
        return LOAN_HOMES[min((number - 1) // PER_HOME, len(LOAN_HOMES) - 1)]
    if device.status in (DeviceStatus.IN_STOCK, DeviceStatus.RETIRED):
        return STORE
    return None


def place_devices(factory: SessionFactory, now: datetime) -> int:
    """Give every device of the demo its place (one transaction, as the admin); how many got
    one."""
    placed = 0
    with unit_of_work(factory, "admin", action="devices.relocate", now=now) as session:
        for device in session.scalars(select(Device).order_by(Device.asset_tag)):
            device.location = place_of(device)
            placed += device.location is not None
    return placed
