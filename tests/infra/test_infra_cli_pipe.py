"""A command whose reader goes away (``helpdesk export students | head -1``) stops quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpdesk.domain.models import Student

HELPDESK = Path(sys.executable).with_name("helpdesk")
SIGN_IN = ("HELPDESK_USER", "HELPDESK_PASSWORD", "HELPDESK_TEST_ARGON2_CHEAP")
KEEP = (*SIGN_IN, "PYTHONPATH")  # the sign-in, and the checkout under test


def test_closed_pipe_is_not_an_error(session_factory, sqlite_url, tmp_path):  # noqa: ANN001
    with session_factory() as session, session.begin():
        for n in range(5000):
            session.add(
                Student(
                    card_code=f"C{n:05d}", first_name="Pupil", last_name=f"N{n}", year_group=7,
                    form="7A",
                )
            )  # fmt: skip
    done = subprocess.run(
        f"'{HELPDESK}' --db '{sqlite_url}' export students | head -1",
        shell=True,
        capture_output=True,
        text=True,
        env={
            "HELPDESK_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            **{k: os.environ[k] for k in KEEP if k in os.environ},
        },
        timeout=120,
    )
    assert done.stdout.strip().lower().startswith("card_code")
    assert "error" not in done.stderr.lower(), done.stderr
