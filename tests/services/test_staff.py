"""The first admin and adding staff, on a real SQLite file."""

from __future__ import annotations

import pytest

from helpdesk.db import open_database
from helpdesk.domain.errors import Refused, ValidationError
from helpdesk.services.core.staff import add_staff, ensure_admin, list_staff


def test_first_admin_made_once(sqlite_url):  # noqa: ANN001
    factory = open_database(sqlite_url)
    made = ensure_admin(factory)
    assert made is not None and made.username == "admin" and made.role == "admin"
    assert ensure_admin(factory) is None
    assert [m.username for m in list_staff(factory)] == ["admin"]


def test_add_staff_and_refusals(session_factory):  # noqa: ANN001
    member = add_staff(
        session_factory, "admin", username="jbloggs", display_name="Jo Bloggs", role="counter"
    )
    assert member.role == "counter"
    with pytest.raises(Refused, match="already a staff member with the username 'jbloggs'"):
        add_staff(session_factory, "admin", username="jbloggs", display_name="J", role="counter")
    with pytest.raises(ValidationError, match="'cook' is not a staff role"):
        add_staff(session_factory, "admin", username="x", display_name="X", role="cook")
