"""The permission table, held to the services: for every action in it, the real service function
is called as each of the four roles on a copy of one prepared school (permission_scenarios.py),
on SQLite and PostgreSQL; exactly the roles allowed succeed, and the others are refused with the
one sentence naming the role needed, with nothing written. The table and the code are also held
to each other: every action has a scenario, and every unit of work in helpdesk/ names an action
that is in the table."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from permission_scenarios import NO_SERVICE_YET, READS, ROLE_STAFF, SCENARIOS, prepare
from service_school import BACKENDS

import helpdesk
from helpdesk.db import make_engine, make_session_factory, upgrade
from helpdesk.domain.base import Base
from helpdesk.domain.enums import StaffRole
from helpdesk.domain.models import Setting
from helpdesk.services.core.permissions import (
    ARTICLE,
    PERMISSIONS,
    RANK,
    PermissionRefused,
    may,
)
from helpdesk.services.core.staff import role_of, staff_may
from helpdesk.services.core.unit_of_work import unit_of_work

ROLES = list(StaffRole)
# Who may do what, as the school decided it (the table must say the same).
EXPECTED = {
    StaffRole.COUNTER: (
        "loan.issue loan.return loan.accessories loan.swap ticket.open ticket.collect "
        "device.assign labels.printed counter.refusal staff.sign_in staff.own_password "
        "staff.own_pin staff.refused demo.build session.start session.scan session.close"
    ),
    StaffRole.TECHNICIAN: (
        "ticket.move ticket.part ticket.vendor ticket.time ticket.photo ticket.diagnosis "
        "device.unassign devices.relocate"
    ),
    StaffRole.MANAGER: (
        "payment.record payment.reverse charge.waive ticket.write_off cover.add cover.edit "
        "csv.import audit.read report.read notices.make csv.export students.subject_access"
    ),
    StaffRole.ADMIN: (
        "settings.save settings.closures db.photos staff.add staff.role staff.disable staff.enable "
        "staff.password staff.pin db.grants database.restore students.purge"
    ),
}
LOWEST = {action: role for role, names in EXPECTED.items() for action in names.split()}


class Template:
    """A prepared school, copied for each run of a scenario."""

    def __init__(self, backend: str, tmp: Path, pg_server=None) -> None:  # noqa: ANN001
        self.backend, self.tmp, self.pg, self.copies = backend, tmp, pg_server, 0
        if backend == "sqlite":
            self.path = tmp / "template.sqlite3"
            url = f"sqlite:///{self.path}"
        else:
            self.name = pg_server.new_name("perm_template")
            url = pg_server.create_database(self.name)
        engine = make_engine(url)
        try:
            upgrade(engine)
            self.ids = prepare(make_session_factory(engine))
        finally:
            engine.dispose()
        self.made: list[tuple[object, str | None]] = []

    def copy(self):  # noqa: ANN201 - the services' session factory
        self.copies += 1
        if self.backend == "sqlite":
            path = self.tmp / f"copy{self.copies}.sqlite3"
            shutil.copyfile(self.path, path)
            engine, name = make_engine(f"sqlite:///{path}"), None
        else:
            name = self.pg.new_name("perm_copy")
            engine = make_engine(self.pg.create_database(name, template=self.name))
        self.made.append((engine, name))
        return make_session_factory(engine)

    def release(self) -> None:
        """Close and drop the copies made so far (a server has a limit on connections)."""
        for engine, name in self.made:
            engine.dispose()  # type: ignore[attr-defined]
            if name is not None:
                self.pg.drop_database(name)
        self.made.clear()

    def close(self) -> None:
        self.release()
        if self.backend != "sqlite":
            self.pg.drop_database(self.name)


@pytest.fixture(scope="module", params=BACKENDS)
def school_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    pg = request.getfixturevalue("pg_server") if request.param == "postgres" else None
    made = Template(request.param, tmp_path_factory.mktemp("permissions"), pg)
    yield made
    made.close()


@pytest.fixture
def template(school_template: Template):
    """The module's prepared school; the copies a test makes are dropped after it."""
    yield school_template
    school_template.release()


def snapshot(factory) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row of every table, to show that a refused call wrote nothing."""
    with factory() as session:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in session.execute(table.select())), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("action", sorted(READS))
def test_exactly_the_roles_allowed_may_read(template, action, tmp_path):
    lowest, phrase = LOWEST[action], PERMISSIONS[action][1]
    factory = template.copy()
    before = snapshot(factory)
    for role in ROLES:
        if RANK[role] < RANK[lowest]:
            with pytest.raises(PermissionRefused) as err:
                READS[action](factory, ROLE_STAFF[role], template.ids, tmp_path)
            assert str(err.value) == f"{phrase} needs {ARTICLE[lowest]}.", role
        else:
            READS[action](factory, ROLE_STAFF[role], template.ids, tmp_path)
        assert snapshot(factory) == before, f"reading {action} as {role} wrote something"


@pytest.mark.parametrize("action", sorted(SCENARIOS))
def test_exactly_the_roles_allowed_may_do_the_action(template, action, tmp_path):
    scenario = SCENARIOS[action]
    lowest, phrase = LOWEST[action], PERMISSIONS[action][1]
    refused = [r for r in ROLES if RANK[r] < RANK[lowest]]
    allowed = [r for r in ROLES if RANK[r] >= RANK[lowest]]
    assert allowed, action
    factory = template.copy()
    before = snapshot(factory)
    for role in refused:
        with pytest.raises(PermissionRefused) as err:
            scenario(factory, ROLE_STAFF[role], template.ids, tmp_path)
        assert str(err.value) == f"{phrase} needs {ARTICLE[lowest]}.", role
        assert snapshot(factory) == before, f"{action} as {role} wrote something"
        assert not may(role, action)
    for n, role in enumerate(allowed):
        fresh = factory if n == 0 else template.copy()
        scenario(fresh, ROLE_STAFF[role], template.ids, tmp_path)
        assert snapshot(fresh) != before, f"{action} as {role} changed nothing"
        assert may(role, action)


def test_the_table_says_who_may_do_what_as_the_school_decided():
    assert {action: role for action, (role, _phrase) in PERMISSIONS.items()} == LOWEST


def test_the_sentence_names_the_role_needed():
    assert PERMISSIONS["charge.waive"] == (StaffRole.MANAGER, "Waiving a charge")
    assert f"{PERMISSIONS['charge.waive'][1]} needs {ARTICLE[StaffRole.MANAGER]}." == (
        "Waiving a charge needs a manager."
    )
    assert ARTICLE[StaffRole.ADMIN] == "an admin"


def test_every_action_in_the_table_has_a_scenario():
    assert set(SCENARIOS) <= set(PERMISSIONS), set(SCENARIOS) - set(PERMISSIONS)
    without = set(PERMISSIONS) - set(SCENARIOS) - set(READS) - NO_SERVICE_YET
    assert not without, f"actions with no scenario in permission_scenarios.py: {sorted(without)}"
    assert NO_SERVICE_YET <= set(PERMISSIONS)


def _constants(node: ast.AST) -> set[str]:
    return {
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def actions_named_in_the_code() -> list[tuple[str, set[str]]]:
    """Each ``unit_of_work(...)`` call in helpdesk/: where it is, and the action names it may
    pass (a constant, or a local name set in the same function to one of a few constants)."""
    root = Path(helpdesk.__file__).parent
    found: list[tuple[str, set[str]]] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            assigned: dict[str, set[str]] = {}
            for node in ast.walk(func):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name):
                            assigned.setdefault(target.id, set()).update(_constants(node.value))
            for node in ast.walk(func):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                if name != "unit_of_work":
                    continue
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                given = [k.value for k in node.keywords if k.arg == "action"]
                if not given:
                    found.append((where, set()))
                elif isinstance(given[0], ast.Constant):
                    found.append((where, {str(given[0].value)}))
                elif isinstance(given[0], ast.Name):
                    found.append((where, assigned.get(given[0].id, set())))
                else:
                    found.append((where, set()))
    return found


def test_every_unit_of_work_in_the_code_names_an_action_in_the_table():
    calls = actions_named_in_the_code()
    assert len(calls) >= 29  # the scan finds the calls (it would pass vacuously otherwise)
    for where, names in calls:
        assert names, f"{where}: unit_of_work without an action name the scan can read"
        missing = names - set(PERMISSIONS)
        assert not missing, f"{where}: {sorted(missing)} not in the permission table"


def test_an_action_missing_from_the_table_fails_before_any_transaction(session_factory):
    before = snapshot(session_factory)
    with pytest.raises(KeyError, match="no entry in the permission table"):
        with unit_of_work(session_factory, "admin", action="charge.forgive") as session:
            session.add(Setting(key="school_name", value="Never"))
    with pytest.raises(KeyError, match="no entry in the permission table"):
        with unit_of_work(session_factory, None, action="charge.forgive") as session:
            session.add(Setting(key="school_name", value="Never"))
    assert snapshot(session_factory) == before


def test_a_screen_can_ask_what_its_user_may_do(session_factory):
    from helpdesk.services.core.staff import add_staff

    add_staff(session_factory, "admin", username="jo", display_name="Jo", role="counter")
    add_staff(session_factory, "admin", username="mo", display_name="Mo", role="manager")
    assert role_of(session_factory, "jo") is StaffRole.COUNTER
    assert role_of(session_factory, "nobody") is None
    assert role_of(session_factory, None) is None
    assert not staff_may(session_factory, "jo", "charge.waive")
    assert staff_may(session_factory, "jo", "loan.issue")
    assert staff_may(session_factory, "mo", "charge.waive")
    assert not staff_may(session_factory, "mo", "staff.add")
    assert staff_may(session_factory, "admin", "staff.add")
    assert not staff_may(session_factory, "nobody", "loan.issue")
    assert may("technician", "ticket.move") and not may("counter", "ticket.move")
