"""Signing in at the window: a password, a badge and its PIN, the lock after the idle time and a
badge switching the person in with the counter's card still there, a counter-role sign-in that
cannot waive a charge, a new database's first admin, and `helpdesk --as` with $HELPDESK_PASSWORD."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from staff_passwords import TEST_PASSWORD

from helpdesk.services.core import auth
from helpdesk.services.core.staff import add_staff, set_pin

HELPDESK = Path(sys.executable).with_name("helpdesk")
CASEY_BADGE, CASEY_PIN = "STAFF-0101", "4821"


@pytest.fixture
def casey(ctx, school):  # noqa: ANN001, ANN201
    """A counter-role staff member with a password, a badge and a PIN."""
    add_staff(
        ctx.factory, "admin", username="casey", display_name="Casey Counter", role="counter",
        badge=CASEY_BADGE, password=TEST_PASSWORD,
    )  # fmt: skip
    set_pin(ctx.factory, "admin", "casey", CASEY_PIN)
    return "casey"


@pytest.fixture
def window(qtbot, ctx, school):  # noqa: ANN001, ANN201
    """The window behind its sign-in screen, nobody signed in yet."""
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.signin.gate import SignInGate

    ctx.machine.print_slips = False
    ctx.machine.sounds = False
    ctx.actor = ""
    win = MainWindow(ctx, school_name="Northfield")
    win.sign_in_gate = SignInGate(win)
    qtbot.addWidget(win)
    win.show()
    win.sign_in_gate.start()
    qtbot.waitExposed(win)
    yield win
    win.close()


def type_slowly(qtbot, widget, text: str) -> None:  # noqa: ANN001
    """A person typing (slower than a scanner's burst)."""
    for char in text:
        qtbot.keyClicks(widget, char)
        qtbot.wait(60)


def sign_in_with_password(qtbot, screen, username: str, password: str) -> None:  # noqa: ANN001
    type_slowly(qtbot, screen.username, username)
    qtbot.keyClick(screen.username, Qt.Key.Key_Return)
    assert screen.password.hasFocus()
    qtbot.keyClicks(screen.password, password)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.busy, timeout=10000)


def badge_and_pin(qtbot, screen, badge: str, pin: str) -> None:  # noqa: ANN001
    qtbot.keyClicks(screen.username, badge)  # a scanner's burst
    qtbot.keyClick(screen.username, Qt.Key.Key_Return)
    assert screen.badge == badge and screen.password.hasFocus()
    qtbot.keyClicks(screen.password, pin)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.busy, timeout=10000)


def on_card(counter) -> bool:  # noqa: ANN001
    view = counter.card.view
    return view is not None and "Anna Smith" in view.title


def test_a_wrong_password_is_one_sentence_and_a_right_one_opens_the_window(qtbot, window, ctx):  # noqa: ANN001
    gate = window.sign_in_gate
    screen = gate.screen
    assert gate.locked() and screen.isVisible()
    assert screen.username.hasFocus()
    assert not screen.demo.isVisible()  # not the demo school: no accounts shown
    sign_in_with_password(qtbot, screen, "admin", "not-the-password")
    assert screen.message.text() == "That password is wrong for admin."
    assert gate.locked() and ctx.actor == "" and gate.member is None
    assert window.sign_in_gate.who.text() == "Nobody signed in"
    screen.password.setFocus()
    qtbot.keyClicks(screen.password, TEST_PASSWORD)  # the username is still there
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    assert ctx.actor == "admin"
    assert gate.who.text() == "Signed in: Admin (admin)"
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert gate.locked() and ctx.actor == "" and gate.who.text() == "Nobody signed in"
    assert "signed out" in screen.note.text()


def test_a_badge_needs_its_pin(qtbot, window, ctx, casey):  # noqa: ANN001
    gate, screen = window.sign_in_gate, window.sign_in_gate.screen
    badge_and_pin(qtbot, screen, CASEY_BADGE, "")
    assert screen.message.text() == "A badge alone never signs in: enter the PIN too."
    assert gate.locked()
    qtbot.keyClicks(screen.password, "9999")
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not screen.busy, timeout=10000)
    assert screen.message.text() == f"That PIN is wrong for the badge {CASEY_BADGE}."
    assert gate.locked()
    qtbot.keyClicks(screen.password, CASEY_PIN)
    qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    assert ctx.actor == "casey"
    assert gate.who.text() == "Signed in: Casey Counter (counter)"


@pytest.mark.threaded  # the sign-in runs on the real database thread
def test_idle_lock_then_a_badge_switches_the_person_with_the_card_still_there(
    qtbot, window, ctx, school, casey, monkeypatch
):  # noqa: ANN001
    gate, screen = window.sign_in_gate, window.sign_in_gate.screen
    threads: list[threading.Thread] = []
    real_badge = auth.sign_in_badge

    def on_which_thread(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread())
        return real_badge(*args, **kwargs)

    monkeypatch.setattr(auth, "sign_in_badge", on_which_thread)
    gate.idle_ms_override = 400
    sign_in_with_password(qtbot, screen, "admin", TEST_PASSWORD)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    counter = window.panel("counter")
    qtbot.keyClicks(counter.scan_box, school.anna)
    qtbot.keyClick(counter.scan_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: counter.idle() and on_card(counter), timeout=10000)
    mode, prompt = counter.flow.mode, counter.prompt.text()

    qtbot.waitUntil(gate.locked, timeout=5000)  # nobody touched it: locked
    assert "Locked: Admin (admin) was signed in." in screen.note.text()
    assert ctx.actor == "admin"  # locked, not signed out
    started = time.perf_counter()
    badge_and_pin(qtbot, screen, CASEY_BADGE, CASEY_PIN)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=3000)
    took = time.perf_counter() - started
    assert took < 3.0, f"the switch took {took:.2f} s"
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert ctx.actor == "casey"
    assert gate.who.text() == "Signed in: Casey Counter (counter)"
    assert window.panel("counter") is counter and on_card(counter)
    assert (counter.flow.mode, counter.prompt.text()) == (mode, prompt)


def test_a_counter_sign_in_cannot_see_or_use_the_waiver(qtbot, window, ctx, school, casey):  # noqa: ANN001
    from helpdesk.domain.enums import DamageCategory
    from helpdesk.domain.models import UninsuredPrice
    from helpdesk.services.repairs.ticket_queue import ticket_page
    from helpdesk.services.repairs.tickets import DamageReport, open_ticket
    from helpdesk.ui.bench.ticket_page import TicketPage

    with ctx.factory.begin() as session:
        session.add(UninsuredPrice(damage_category=DamageCategory.SCREEN, charge_pence=3500))
    ticket = open_ticket(
        ctx.factory, "admin", device_code=school.ben_laptop,
        damage=DamageReport(category="screen", description="Cracked screen"),
    )  # fmt: skip
    gate = window.sign_in_gate
    sign_in_with_password(qtbot, gate.screen, "casey", TEST_PASSWORD)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    assert ctx.actor == "casey"
    page = TicketPage(ctx, ticket.id)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.page is not None, timeout=10000)
    assert page.page.ticket.charge_status == "due"
    assert not page.charge_box.waive_button.isVisible()
    assert not page.charge_box.pay_button.isVisible()
    page.charge_box.waive_reason.setText("Hardship fund")
    page.ticket_actions.waive()  # even if asked for another way, the service refuses
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=10000)
    assert page.message.text() == "Waiving a charge needs a manager."
    assert ticket_page(ctx.factory, ticket.id).ticket.charge_status == "due"
    page.close()


def test_a_database_with_no_staff_asks_for_its_first_admin(qtbot, qapp, runner, tmp_path):  # noqa: ANN001
    from helpdesk.db import open_database
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.signin.gate import FIRST_ADMIN, SignInGate

    factory = open_database(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    ctx = AppContext(factory=factory, actor="", database="SQLite: new", runner=runner)
    win = MainWindow(ctx)
    gate = SignInGate(win)
    qtbot.addWidget(win)
    win.show()
    gate.start()
    qtbot.waitUntil(lambda: gate.pages.currentIndex() == FIRST_ADMIN, timeout=10000)
    page = gate.first_admin
    assert page.name.hasFocus() and page.username.text() == "admin"
    type_slowly(qtbot, page.name, "Pat Head")
    for field, text in ((page.password, "a long password"), (page.again, "another password")):
        field.setText(text)
    qtbot.keyClick(page.again, Qt.Key.Key_Return)
    assert page.message.text() == "The two passwords are not the same."
    assert gate.locked() and not auth.anyone_can_sign_in(factory)
    page.again.setText("a long password")
    qtbot.keyClick(page.again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    assert ctx.actor == "admin" and gate.who.text() == "Signed in: Pat Head (admin)"
    assert auth.sign_in(factory, "admin", "a long password").role == "admin"
    win.close()
    ctx.db.stop(10000)
    factory.kw["bind"].dispose()


def _helpdesk(school, tmp_path, *extra: str, password: str | None):  # noqa: ANN001, ANN202
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HELPDESK_DATA_DIR=str(tmp_path / "d"))
    env.pop("HELPDESK_USER", None)
    env.pop("HELPDESK_PASSWORD", None)
    if password is not None:
        env["HELPDESK_PASSWORD"] = password
    return subprocess.run(
        [str(HELPDESK), "--db", school.url, *extra, "--smoke-test"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_as_with_a_password_opens_signed_in_and_a_wrong_one_is_one_line(school, tmp_path):  # noqa: ANN001
    done = _helpdesk(school, tmp_path, "--as", "admin", password=TEST_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert "counter ready in" in done.stderr and "(signed in: admin)" in done.stderr
    wrong = _helpdesk(school, tmp_path, "--as", "admin", password="wrong-password")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "helpdesk: That password is wrong for admin."
    screen = _helpdesk(school, tmp_path, "--as", "admin", password=None)
    assert screen.returncode == 0, screen.stderr
    assert "(the sign-in screen)" in screen.stderr


def test_the_demo_school_shows_its_accounts_and_the_admin_signs_in_with_them(qtbot, ctx, window):  # noqa: ANN001
    """Only a database `helpdesk demo` marked shows the demo's accounts; what it shows signs in."""
    from helpdesk.services.core.demo_accounts import mark_demo_database

    gate, screen = window.sign_in_gate, window.sign_in_gate.screen
    assert not screen.demo.isVisible()
    mark_demo_database(ctx.factory)
    gate.start()
    qtbot.waitUntil(screen.demo.isVisible, timeout=10000)
    first = screen.demo.text().splitlines()[0]
    assert first == (
        "Demo: counter / demo-counter · technician / demo-technician · "
        "manager / demo-manager · admin / demo-admin"
    )
    username, password = first.split(" · ")[-1].split(" / ")
    sign_in_with_password(qtbot, screen, username, password)
    qtbot.waitUntil(lambda: not gate.locked(), timeout=10000)
    assert ctx.actor == "admin"
