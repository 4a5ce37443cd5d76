"""Two ways into the database, and only two: an action runs in ``unit_of_work`` (the write lock
up front, the audit log told who acts, one commit) and a read in ``read_session``, both in
helpdesk/services/core/unit_of_work.py. A session or transaction opened anywhere else in
helpdesk/ (``with factory() as session``, ``factory.begin()``, ``engine.connect()``, a raw
``write_transaction``...) would skip the write lock or the audit, so it is refused here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "helpdesk"

# The two ways in, and the engine plumbing they (and the schema upgrade) are built on.
ALLOWED = {
    "services/core/unit_of_work.py",  # unit_of_work and read_session
    "db/__init__.py",  # the engine, write_transaction and read_connection under the two ways in
    "migrations/env.py",  # the schema upgrade's own transaction
}

# Calls that open a session, a connection or a transaction.
OPENERS = {"Session", "sessionmaker", "write_transaction", "read_connection"}
NO_ARGUMENT_METHODS = {"begin", "begin_nested", "connect"}  # a Qt signal's connect takes a slot


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def openings(source: str) -> list[tuple[int, str]]:
    """Where ``source`` opens a session or a transaction itself: (line, what)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if name.lower().endswith("factory") and not node.args:
            found.append((node.lineno, f"{name}()"))  # a session factory called opens a session
        elif name in OPENERS:
            found.append((node.lineno, f"{name}()"))
        elif name in NO_ARGUMENT_METHODS and receiver is not None and not node.args:
            found.append((node.lineno, f"{_name(receiver)}.{name}()"))
    return found


def test_only_the_two_ways_in_open_a_transaction() -> None:
    stray = [
        f"{path.relative_to(PACKAGE)}:{line}: {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() not in ALLOWED
        for line, what in openings(path.read_text(encoding="utf-8"))
    ]
    assert stray == [], "open these through unit_of_work or read_session:\n" + "\n".join(stray)


def test_the_allowed_modules_are_still_there() -> None:
    """A renamed module would otherwise leave the rule guarding nothing."""
    for name in ALLOWED:
        assert (PACKAGE / name).is_file(), name
    assert openings((PACKAGE / "services/core/unit_of_work.py").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "source",
    [
        "with factory() as session:\n    pass",
        "with self.factory() as s, s.begin():\n    pass",
        "with session_factory.begin() as session:\n    pass",
        "with factory.kw['bind'].connect() as conn:\n    pass",
        "with engine.begin() as conn:\n    pass",
        "with write_transaction(engine) as conn:\n    pass",
        "with read_connection(factory.kw['bind']) as conn:\n    pass",
        "session = Session(bind=engine)",
        "session = factory(bind=conn)",
    ],
)
def test_a_stray_opening_is_seen(source: str) -> None:
    assert openings(source)


@pytest.mark.parametrize(
    "source",
    [
        "with unit_of_work(factory, actor) as session:\n    pass",
        "with read_session(factory) as session:\n    conn = session.connection()",
        "button.clicked.connect(self.save)",
        "painter.begin(image)",
        "factory = open_factory(args)",
    ],
)
def test_the_two_ways_in_and_qt_pass(source: str) -> None:
    assert openings(source) == []


def _stand_ins(source: str) -> list[int]:
    """The lines of ``source`` that name SimpleNamespace (a fake record standing in for a row)."""
    return [n for n, line in enumerate(source.splitlines(), 1) if "SimpleNamespace" in line]


def test_no_fake_records_stand_in_for_rows() -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _stand_ins(path.read_text(encoding="utf-8")))
    }
    assert found == {}, f"typed rows, not SimpleNamespace: {found}"


def test_a_fake_record_is_seen() -> None:
    assert _stand_ins("import os\nfrom types import SimpleNamespace as Record\n") == [2]
