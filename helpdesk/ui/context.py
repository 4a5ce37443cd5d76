"""What every panel of the main window shares: the database, who is acting, the workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpdesk.ui.machine_settings import MachineSettings
from helpdesk.ui.workers import Runner


@dataclass
class AppContext:
    """Handed to each panel. ``factory`` is the services' session factory (opaque to the UI)."""

    factory: Any
    actor: str
    database: str
    runner: Runner
    machine: MachineSettings = field(default_factory=MachineSettings)
    camera_source: str | None = None
