"""Where a device is kept: a room, a cart or a cupboard (``Device.location``), the place a
stocktake counts. A technician sets one device's place (:func:`set_location`); a CSV import sets
many (``services/csv/devices.py``); a stocktake moves what it found (``sessions/stocktake``).

A place is typed by people and matched exactly by a stocktake, so it is kept tidy: spaces at the
ends are taken off, a control character (which no one can type back) is refused, at most 64
characters, and a place typed in another letter case than one already recorded ("cart a") takes
the recorded spelling ("Cart A"), so one cart never becomes two.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.domain.errors import NotFound, ValidationError
from helpdesk.domain.models import Device
from helpdesk.services.core.records import device_by_code
from helpdesk.services.core.unit_of_work import SessionFactory, unit_of_work
from helpdesk.services.core.views import DeviceSummary, device_summary

PLACE_LIMIT = 64  # Device.location is String(64)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def place_problem(text: str) -> str | None:
    """Why ``text`` (already stripped) cannot be a place, in a sentence; None when it can."""
    found = _CONTROL.search(text)
    if found:
        return (
            f"A place cannot hold a control character (\\x{ord(found.group()):02x}), which no one "
            "can type back at a stocktake; retype it."
        )
    if len(text) > PLACE_LIMIT:
        return f"'{text[:20]}...' is longer than {PLACE_LIMIT} characters, the most a place holds."
    return None


def known_places(session: Session) -> dict[str, str]:
    """Every place recorded now, by its lower-case form: the spelling to keep."""
    rows = session.scalars(select(Device.location).where(Device.location.is_not(None)).distinct())
    places: dict[str, str] = {}
    for place in sorted(p for p in rows if p):
        places.setdefault(place.casefold(), place)
    return places


def recorded_spelling(session: Session, place: str) -> str:
    """``place`` as it is already recorded on another device, when it is, in any letter case."""
    found = session.scalar(
        select(Device.location)
        .where(func.lower(Device.location) == place.lower())
        .order_by(Device.location)
        .limit(1)
    )
    return found or place


def set_location(
    factory: SessionFactory,
    actor: str,
    tag: str,
    location: str,
    *,
    now: datetime | None = None,
) -> DeviceSummary:
    """Give the device with the asset tag (or serial) ``tag`` the place ``location``; an empty
    ``location`` clears it (the device is with a student, or nowhere known). A technician's."""
    place = location.strip()
    problem = place_problem(place)
    if problem:
        raise ValidationError(problem)
    with unit_of_work(factory, actor, action="devices.relocate", now=now) as session:
        device = device_by_code(session, tag.strip(), lock=True)
        if device is None:
            raise NotFound(f"No device has the tag {tag.strip()}.")
        new = recorded_spelling(session, place) if place else None
        if device.location != new:
            device.location = new
            session.flush()
        return device_summary(device)


def place_sentence(device: DeviceSummary) -> str:
    """``LT-00001 is now at Cart A``, or that it has no place now."""
    if device.location:
        return f"{device.asset_tag} is now at {device.location}"
    return f"{device.asset_tag} now has no place recorded"
