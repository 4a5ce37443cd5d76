"""A missing server, printer or sample folder skips a test with the reason; under .ci/run
(HELPDESK_TEST_REQUIRE_ALL=1) it fails it, whoever runs the tests."""

from __future__ import annotations

import pytest
from needs import REQUIRE_ALL, need, need_folder


@pytest.mark.parametrize("value", ["", "0"])
def test_locally_a_missing_thing_skips_with_the_reason(monkeypatch, value):
    monkeypatch.setenv(REQUIRE_ALL, value)
    with pytest.raises(pytest.skip.Exception, match="CUPS printer skipped: no scheduler"):
        need("CUPS printer", "no scheduler")


def test_under_ci_a_missing_thing_fails(monkeypatch, tmp_path):
    monkeypatch.setenv(REQUIRE_ALL, "1")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL server is missing .*no initdb"):
        need("PostgreSQL server", "no initdb")
    with pytest.raises(pytest.fail.Exception, match="no folder .*gone"):
        need_folder(tmp_path / "gone", "scanner sample photos")
    assert need_folder(tmp_path, "scanner sample photos") == tmp_path
