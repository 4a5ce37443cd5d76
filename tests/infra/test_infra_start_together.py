"""Several counters start Helpdesk at the same moment on a database that needs its schema (a new
install, or a new version): one upgrades, the others wait for it, and every one of them opens."""

from __future__ import annotations

import multiprocessing

from sqlalchemy import text

from helpdesk import db as hdb

COUNTERS = 4


def test_counters_starting_together_all_open_the_database(empty_url):
    from race_worker import open_at_once

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(COUNTERS)
    results = ctx.Queue()
    processes = [
        ctx.Process(target=open_at_once, args=(empty_url, barrier, results))
        for _ in range(COUNTERS)
    ]
    for process in processes:
        process.start()
    try:
        outcomes = [results.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()

    engine = hdb.make_engine(empty_url)
    head = hdb.head_revision(engine)
    assert outcomes == [("opened", head)] * COUNTERS, "\n".join(o[1] for o in outcomes)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    engine.dispose()
