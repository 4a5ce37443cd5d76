"""`helpdesk` with no subcommand: the main window on the chosen database.

``--db URL`` picks the database, ``--camera SOURCE`` the counter's camera (an index, a video file
or a folder of images). A hidden ``--smoke-test`` opens the window and quits once it is shown.

The window opens on its sign-in screen. With ``--as USERNAME`` (or $HELPDESK_USER) and
$HELPDESK_PASSWORD set it opens already signed in as that person (a kiosk, a scripted check); a
wrong one is one line and exit status 1, with no window.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from helpdesk.commands.common import CommandError, open_database


def calm_garbage_collector() -> None:
    """Move everything made at start-up out of the collector's way.

    Python's full collections walk every object; with the window's few hundred thousand start-up
    objects one takes 60-180 ms and freezes the counter mid-scan. Frozen objects are skipped, so
    later collections only look at what was made since.
    """
    import gc

    gc.collect()
    gc.freeze()


WINDOW_BUSY_MS = 1000


def signed_in_from_environment(args: argparse.Namespace, factory):  # noqa: ANN001, ANN201
    """The staff member named by ``--as`` (or $HELPDESK_USER), signed in with $HELPDESK_PASSWORD
    before the window is made; None (the sign-in screen) without both. A refusal is one line."""
    password = os.environ.get("HELPDESK_PASSWORD")
    username = (getattr(args, "acting_as", None) or os.environ.get("HELPDESK_USER") or "").strip()
    if password is None or not username:
        return None
    from helpdesk.domain.errors import HelpdeskError
    from helpdesk.services.core import auth

    try:
        if not auth.anyone_can_sign_in(factory):
            return None  # a new database: the window asks for its first admin
        return auth.sign_in(factory, username, password)
    except HelpdeskError as exc:
        factory.kw["bind"].dispose()
        raise CommandError(str(exc)) from exc


def run_gui(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from helpdesk.db import describe
    from helpdesk.logs import configure_logging
    from helpdesk.ui.context import AppContext
    from helpdesk.ui.errors import install_excepthook
    from helpdesk.ui.style import apply_style
    from helpdesk.ui.workers import Runner

    configure_logging()
    # A locked file holds the window's database thread for a second at a time, so the counter
    # can say "another counter is saving; retrying" instead of waiting silently. The window
    # signs its person in on its own screen.
    factory = open_database(args, signed_in=False, busy_ms=WINDOW_BUSY_MS, create=True)
    member = signed_in_from_environment(args, factory)

    running = QApplication.instance()
    app = running if isinstance(running, QApplication) else QApplication(sys.argv[:1])
    from helpdesk.ui.collector import GuiThreadCollector

    collector = GuiThreadCollector(app)  # garbage collected on the GUI thread only
    collector.start()
    app.setApplicationName("Helpdesk")
    app.setOrganizationName("Helpdesk")
    apply_style(app)
    install_excepthook()

    smoke = bool(getattr(args, "smoke_test", False))
    ctx = AppContext(
        factory=factory,
        actor=member.username if member is not None else "",
        database=describe(factory.kw["bind"]),
        runner=Runner(app),
        camera_source=getattr(args, "camera", None),
    )
    if ctx.camera_source is None and ctx.machine.camera:
        ctx.camera_source = ctx.machine.camera

    from helpdesk.services.records.browse import database_is_empty

    if not smoke and database_is_empty(factory):
        from helpdesk.ui.first_run import FirstRunDialog

        FirstRunDialog(ctx).exec()

    from helpdesk.services.core.settings import get_settings
    from helpdesk.ui.main_window import MainWindow
    from helpdesk.ui.signin.gate import SignInGate

    window = MainWindow(ctx, school_name=get_settings(factory).school_name)
    window.sign_in_gate = SignInGate(window)  # type: ignore[attr-defined]
    if member is not None:
        window.sign_in_gate.signed_in_as(member)  # type: ignore[attr-defined]
    else:
        window.sign_in_gate.start()  # type: ignore[attr-defined]
    window.show()

    def shown() -> None:
        elapsed = time.perf_counter() - started
        calm_garbage_collector()
        if smoke:
            who = f"signed in: {ctx.actor}" if member is not None else "the sign-in screen"
            print(f"helpdesk: counter ready in {elapsed * 1000:.0f} ms ({who})", file=sys.stderr)
            window.close()
            app.quit()

    if smoke or os.environ.get("HELPDESK_QUIT_WHEN_SHOWN"):
        QTimer.singleShot(0, shown)
    else:
        QTimer.singleShot(0, calm_garbage_collector)
    code = app.exec()
    ctx.db.stop(5000)
    ctx.runner.wait(5000)
    collector.stop()
    factory.kw["bind"].dispose()
    return int(code)
