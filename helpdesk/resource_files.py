"""Access to the packaged resources (label templates, sounds, icons, terms texts).

In an installed wheel the top-level ``resources/`` folder is the package ``helpdesk.resources``;
in a source checkout (editable install) the same folder is read beside the package.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    try:
        return resources.files("helpdesk.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Traversable:
    node = resource_root()
    for part in parts:
        node = node / part
    return node
