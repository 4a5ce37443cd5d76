"""What every panel of the main window shares: the database, who is acting, the workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpdesk.ui.db_worker import DbWorker
from helpdesk.ui.machine_settings import MachineSettings
from helpdesk.ui.workers import Runner


@dataclass
class AppContext:
    """Handed to each panel. ``factory`` is the services' session factory (opaque to the UI).

    ``db`` is the window's one database thread: every call that reads or writes the database
    goes through it. ``runner`` is for the other slow work (PDFs, printing, images)."""

    factory: Any
    actor: str
    database: str
    runner: Runner
    machine: MachineSettings = field(default_factory=MachineSettings)
    camera_source: str | None = None
    db: DbWorker = None  # type: ignore[assignment]  # made in __post_init__ unless given

    def __post_init__(self) -> None:
        if self.db is None:
            self.db = database_thread(self.factory, inline=self.runner.inline)


def database_thread(factory: Any, *, inline: bool = False) -> DbWorker:
    """The window's database thread for ``factory``: it tells a server that went away from a
    busy file (services' ``failure_kind``), tries the database again while it is away (``ping``)
    and, between jobs, hears changes made elsewhere (``ChangeWatcher``)."""
    from helpdesk.services.core.failures import failure_kind
    from helpdesk.services.core.health import ping
    from helpdesk.services.core.watcher import ChangeWatcher

    return DbWorker(
        inline=inline,
        classify=failure_kind,
        probe=lambda: ping(factory),
        watcher=lambda: ChangeWatcher(factory),
    )
