"""The password every test school's staff sign in with, and its hash (made once per session).

The command line signs in as ``admin`` with this password (tests/conftest.py sets
HELPDESK_USER and HELPDESK_PASSWORD for every test); it is the demo's admin password too, so a
database filled by ``helpdesk demo`` signs in the same way. The tests hash with cheap argon2
parameters (HELPDESK_TEST_ARGON2_CHEAP, set by tests/conftest.py and nowhere else)."""

from __future__ import annotations

from functools import cache

TEST_PASSWORD = "demo-admin"


@cache
def test_password_hash() -> str:
    from helpdesk.services.core.auth import hash_secret

    return hash_secret(TEST_PASSWORD)
