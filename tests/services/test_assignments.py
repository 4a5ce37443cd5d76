"""Assigning and unassigning 1:1 devices: refusals and the device's status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from service_school import NOW
from sqlalchemy import select

from helpdesk.domain.errors import NotFound, Refused
from helpdesk.domain.models import Device
from helpdesk.services.counter.assignments import assign_device, unassign_device
from helpdesk.services.repairs.tickets import DamageReport, open_ticket


def status(factory, tag):
    with factory() as session:
        return session.scalar(select(Device.status).where(Device.asset_tag == tag)).value


def test_assign_and_unassign(any_school):
    info = assign_device(any_school, "admin", device_code="LAP-0003", student_code="S1004", now=NOW)
    assert (info.device.asset_tag, info.student.label, info.ended_at) == (
        "LAP-0003",
        "Dev Patel (9D)",
        None,
    )
    assert status(any_school, "LAP-0003") == "assigned"
    ended = unassign_device(
        any_school, "admin", device_code="LAP-0003", now=NOW + timedelta(days=1)
    )
    assert ended.ended_at == NOW + timedelta(days=1)
    assert status(any_school, "LAP-0003") == "in_stock"


@pytest.mark.parametrize(
    ("device", "student", "message"),
    [
        ("LNR-001", "S1004", "LNR-001 is a loan-pool device; lend it instead of assigning it."),
        ("LAP-0001", "S1001", "LAP-0001 is already assigned to Anna Smith (7A)."),
        ("LAP-0001", "S1004", "LAP-0001 is assigned to Anna Smith (7A); unassign it first."),
        (
            "LAP-0003",
            "S1003",
            "Cara Brown (11C) has left the school; a device cannot be assigned to them.",
        ),
        (
            "LAP-0003",
            "S1002",
            "Ben Jones (8B) already has laptop LAP-0002 assigned; unassign it first.",
        ),
    ],
)
def test_assign_refusals(school, device, student, message):
    with pytest.raises(Refused) as err:
        assign_device(school, "admin", device_code=device, student_code=student, now=NOW)
    assert str(err.value) == message


def test_unassign_refusals_and_a_device_in_repair(school):
    with pytest.raises(Refused) as err:
        unassign_device(school, "admin", device_code="LAP-0003", now=NOW)
    assert str(err.value) == "LAP-0003 is not assigned to anyone."
    with pytest.raises(NotFound):
        unassign_device(school, "admin", device_code="LAP-0404", now=NOW)
    open_ticket(
        school,
        "tech1",
        device_code="LAP-0001",
        damage=DamageReport(category="hinge_ports", description="USB port loose"),
        now=NOW,
    )
    unassign_device(school, "admin", device_code="LAP-0001", now=NOW)
    assert status(school, "LAP-0001") == "in_repair"
    with pytest.raises(Refused) as err:
        assign_device(school, "admin", device_code="LAP-0001", student_code="S1004", now=NOW)
    assert str(err.value) == "LAP-0001 cannot be assigned: it is in repair."
