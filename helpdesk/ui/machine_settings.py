"""Settings that belong to this computer, not to the school: camera, printers, sounds.

They live in an INI file in the user's data directory (QSettings), so two counters sharing one
database can each have their own camera and printer.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from helpdesk.logs import data_dir

# Kinds of printed document, each with its own remembered printer.
PRINT_KINDS = {
    "slip": "Loan slips and repair receipts",
    "label": "Asset labels",
    "report": "Reports (overdue list)",
}


class MachineSettings:
    """Typed access to the per-machine settings file."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or str(data_dir() / "machine-settings.ini")
        self._qs = QSettings(self.path, QSettings.Format.IniFormat)

    def _get(self, key: str, default: str) -> str:
        value = self._qs.value(key, default)
        return default if value is None else str(value)

    def _set(self, key: str, value: str) -> None:
        self._qs.setValue(key, value)
        self._qs.sync()

    # camera: an index ("0"), a video file, a folder of images, or "" for none
    @property
    def camera(self) -> str:
        return self._get("camera/source", "")

    @camera.setter
    def camera(self, value: str) -> None:
        self._set("camera/source", value)

    def printer(self, kind: str) -> str:
        """The printer's name for a kind of document ('' = the system default / none chosen)."""
        return self._get(f"printers/{kind}", "")

    def set_printer(self, kind: str, name: str) -> None:
        self._set(f"printers/{kind}", name)

    @property
    def sounds(self) -> bool:
        return self._get("sounds/enabled", "true") == "true"

    @sounds.setter
    def sounds(self, value: bool) -> None:
        self._set("sounds/enabled", "true" if value else "false")

    @property
    def counter_name(self) -> str:
        """This counter's name in the audit log and its day list ("" = the computer's name)."""
        return self._get("counter/name", "")

    @counter_name.setter
    def counter_name(self, value: str) -> None:
        self._set("counter/name", value.strip())

    @property
    def print_slips(self) -> bool:
        """Print a slip at the counter after every loan and swap."""
        return self._get("printing/slips", "true") == "true"

    @print_slips.setter
    def print_slips(self, value: bool) -> None:
        self._set("printing/slips", "true" if value else "false")

    @property
    def slip_format(self) -> str:
        """Loan slips and receipts on half an A4 sheet ("half-a4") or an 80 mm roll ("receipt-80mm")."""
        return self._get("printing/slip_format", "half-a4")

    @slip_format.setter
    def slip_format(self, value: str) -> None:
        self._set("printing/slip_format", value)
