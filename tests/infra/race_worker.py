"""One counter in the race test, run in its own process (multiprocessing, spawn).

Each process opens its own connection first, then waits at the barrier with the others, so that
all of them ask for the same loaner at the same moment.
"""

from __future__ import annotations

import traceback


def issue_at_once(url: str, barrier, results, who: dict) -> None:  # noqa: ANN001 - mp objects
    """Issue the loaner to ``who["student"]`` as ``who["staff"]``; report the outcome."""
    try:
        from sqlalchemy import text

        from helpdesk.db import make_session_factory
        from helpdesk.domain.errors import HelpdeskError
        from helpdesk.services.counter.loans import issue_loan

        factory = make_session_factory(url)
        with factory() as session:  # connect (and warm the pool) before the start line
            session.execute(text("SELECT 1"))
    except BaseException:  # noqa: BLE001 - reported to the test
        barrier.abort()
        results.put(("setup-error", who["student"], traceback.format_exc()))
        return
    try:
        barrier.wait(timeout=60)
    except BaseException:  # noqa: BLE001
        results.put(("setup-error", who["student"], "the barrier broke"))
        return
    try:
        loan = issue_loan(
            factory, who["staff"], student_code=who["student"], device_code=who["device"]
        )
        results.put(("issued", who["student"], repr(loan)))
    except HelpdeskError as exc:
        results.put(("refused", who["student"], f"{type(exc).__name__}: {exc}"))
    except BaseException:  # noqa: BLE001 - anything else is a bug the test must show
        results.put(("crashed", who["student"], traceback.format_exc()))
    finally:
        factory.kw["bind"].dispose()


def open_at_once(url: str, barrier, results) -> None:  # noqa: ANN001 - mp objects
    """Start like the app does (open_database: upgrade, then a session factory) at the same
    moment as the other processes; report the revision found afterwards or the error."""
    try:
        from helpdesk.db import current_revision, open_database

        barrier.wait(timeout=60)
        factory = open_database(url)
        engine = factory.kw["bind"]
        results.put(("opened", current_revision(engine)))
        engine.dispose()
    except BaseException:  # noqa: BLE001 - reported to the test
        results.put(("failed", traceback.format_exc()))


def wrong_passwords_at_once(url: str, barrier, results, tries: int) -> None:  # noqa: ANN001
    """Sign in as 'admin' with a wrong password ``tries`` times, starting with the others;
    report each refusal's sentence."""
    try:
        from helpdesk.db import make_session_factory
        from helpdesk.domain.errors import HelpdeskError
        from helpdesk.services.core.auth import sign_in

        factory = make_session_factory(url)
        barrier.wait(timeout=60)
    except BaseException:  # noqa: BLE001 - reported to the test
        barrier.abort()
        results.put(("setup-error", traceback.format_exc()))
        return
    answers = []
    try:
        for _ in range(tries):
            try:
                sign_in(factory, "admin", "not the admin password")
                answers.append("signed in")
            except HelpdeskError as exc:
                answers.append(str(exc))
        results.put(("done", answers))
    except BaseException:  # noqa: BLE001 - anything else is a bug the test must show
        results.put(("crashed", traceback.format_exc()))
    finally:
        factory.kw["bind"].dispose()
