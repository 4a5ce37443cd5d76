"""Settings that belong to this computer, not to the school: camera, printers, sounds, when the
window locks, the label stock and design last used, the daily backup (on or off, its folder,
when the last good one was made).

They live in an INI file in the user's data directory (QSettings), so two counters sharing one
database can each have their own camera and printer. Every read and write goes through
:class:`MachineSettings`. A stored value that cannot be read (``abc`` for a size, ``perhaps`` for
a yes/no, a slip format this version does not know) is written to the log (``helpdesk.settings``)
with its key and value, and the default is used instead; the file is left as it is until the
setting is saved again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QSettings

from helpdesk.logs import data_dir

log = logging.getLogger("helpdesk.settings")

# Kinds of printed document, each with its own remembered printer.
PRINT_KINDS = {
    "slip": "Loan slips and repair receipts",
    "label": "Asset labels",
    "report": "Reports (overdue list)",
}
SLIP_FORMATS = ("half-a4", "receipt-80mm")
LOCK_AFTER_MINUTES = 10  # the window locks after this long unused, unless set otherwise


@dataclass(frozen=True)
class LabelLook:
    """The label stock and design last used on this computer."""

    template: str = "avery-l7160"
    code: str = "code128"
    show_model: bool = True
    show_serial: bool = True


class MachineSettings:
    """Typed access to the per-machine settings file."""

    def __init__(self, path: str | None = None) -> None:
        self.path = path or str(data_dir() / "machine-settings.ini")
        self._qs = QSettings(self.path, QSettings.Format.IniFormat)
        self._reported: set[tuple[str, str]] = set()
        self._check_printer_kinds()

    # --- reading and writing ------------------------------------------------------------------

    def _damaged(self, key: str, value: object, default: object) -> None:
        """Log a stored value that cannot be read (once per key and value)."""
        seen = (key, repr(value))
        if seen in self._reported:
            return
        self._reported.add(seen)
        log.warning(
            "The setting %s in %s has the value %r, which cannot be read; %r is used instead.",
            key,
            self.path,
            value,
            default,
        )

    def _get(self, key: str, default: str) -> str:
        value = self._qs.value(key, default)
        if value is None:
            return default
        if not isinstance(value, str):  # e.g. "a, b" written by hand is read as a list
            self._damaged(key, value, default)
            return default
        return value

    def _set(self, key: str, value: str) -> None:
        self._qs.setValue(key, value)
        self._qs.sync()

    def _choice(self, key: str, default: str, allowed: Collection[str]) -> str:
        value = self._get(key, default)
        if value not in allowed:
            self._damaged(key, value, default)
            return default
        return value

    def _flag(self, key: str, default: bool) -> bool:
        value = self._get(key, "true" if default else "false").strip().lower()
        if value not in ("true", "false"):
            self._damaged(key, value, default)
            return default
        return value == "true"

    def _set_flag(self, key: str, value: bool) -> None:
        self._set(key, "true" if value else "false")

    def _check_printer_kinds(self) -> None:
        self._qs.beginGroup("printers")
        stored = self._qs.childKeys()
        self._qs.endGroup()
        for kind in stored:
            if kind not in PRINT_KINDS:
                self._damaged(f"printers/{kind}", self._qs.value(f"printers/{kind}"), None)

    # --- camera -------------------------------------------------------------------------------

    @property
    def camera(self) -> str:
        """The counter's camera: an index ("0"), a video file, a folder of images, or "" for none."""
        return self._get("camera/source", "")

    @camera.setter
    def camera(self, value: str) -> None:
        self._set("camera/source", value)

    @property
    def camera_size(self) -> tuple[int, int] | None:
        """The resolution chosen for the counter's camera (None: not chosen)."""
        value = self._get("camera/size", "")
        if not value:
            return None
        try:
            width, height = (int(v) for v in value.lower().split("x"))
        except ValueError:
            width = height = 0
        if width <= 0 or height <= 0:
            self._damaged("camera/size", value, None)
            return None
        return (width, height)

    @camera_size.setter
    def camera_size(self, value: tuple[int, int]) -> None:
        width, height = value
        self._set("camera/size", f"{width}x{height}")

    # --- printing -----------------------------------------------------------------------------

    def printer(self, kind: str) -> str:
        """The printer's name for a kind of document ('' = the system default / none chosen)."""
        return self._get(f"printers/{kind}", "")

    def set_printer(self, kind: str, name: str) -> None:
        if kind not in PRINT_KINDS:
            raise ValueError(f"unknown kind of document {kind!r}")
        self._set(f"printers/{kind}", name)

    @property
    def print_slips(self) -> bool:
        """Print a slip at the counter after every loan and swap."""
        return self._flag("printing/slips", True)

    @print_slips.setter
    def print_slips(self, value: bool) -> None:
        self._set_flag("printing/slips", value)

    @property
    def slip_format(self) -> str:
        """Loan slips and receipts on half an A4 sheet ("half-a4") or an 80 mm roll ("receipt-80mm")."""
        return self._choice("printing/slip_format", SLIP_FORMATS[0], SLIP_FORMATS)

    @slip_format.setter
    def slip_format(self, value: str) -> None:
        if value not in SLIP_FORMATS:
            raise ValueError(f"unknown slip format {value!r}")
        self._set("printing/slip_format", value)

    # --- the counter --------------------------------------------------------------------------

    @property
    def sounds(self) -> bool:
        return self._flag("sounds/enabled", True)

    @sounds.setter
    def sounds(self, value: bool) -> None:
        self._set_flag("sounds/enabled", value)

    @property
    def counter_name(self) -> str:
        """This counter's name in the audit log and its day list ("" = the computer's name)."""
        return self._get("counter/name", "")

    @counter_name.setter
    def counter_name(self, value: str) -> None:
        self._set("counter/name", value.strip())

    @property
    def lock_after_minutes(self) -> int:
        """Lock the window after this many minutes with no key or click (0: never)."""
        value = self._get("counter/lock_after_minutes", str(LOCK_AFTER_MINUTES))
        try:
            minutes = int(value)
        except ValueError:
            minutes = -1
        if minutes < 0:
            self._damaged("counter/lock_after_minutes", value, LOCK_AFTER_MINUTES)
            return LOCK_AFTER_MINUTES
        return minutes

    @lock_after_minutes.setter
    def lock_after_minutes(self, value: int) -> None:
        self._set("counter/lock_after_minutes", str(max(0, int(value))))

    # --- labels -------------------------------------------------------------------------------

    def label_look(self, templates: Collection[str], codes: Collection[str]) -> LabelLook:
        """The label stock and design last used here; a template or code not among those known
        now is reported and the default used."""
        default = LabelLook()
        template = self._get("labels/template", default.template)
        if template not in templates:
            self._damaged("labels/template", template, default.template)
            template = default.template
        return LabelLook(
            template=template,
            code=self._choice("labels/code", default.code, codes),
            show_model=self._flag("labels/model", default.show_model),
            show_serial=self._flag("labels/serial", default.show_serial),
        )

    def remember_label_look(self, look: LabelLook) -> None:
        self._qs.setValue("labels/template", look.template)
        self._qs.setValue("labels/code", look.code)
        self._qs.setValue("labels/model", "true" if look.show_model else "false")
        self._qs.setValue("labels/serial", "true" if look.show_serial else "false")
        self._qs.sync()

    @property
    def label_folder(self) -> str:
        """The folder label sheets were last saved to ("" = none yet)."""
        return self._get("labels/folder", "")

    @label_folder.setter
    def label_folder(self, folder: str) -> None:
        self._set("labels/folder", folder)

    # --- the daily backup ---------------------------------------------------------------------

    def daily_backup(self, default: bool) -> bool:
        """Whether the window makes a backup a day (``default``: on for a SQLite file)."""
        return self._flag("backups/daily", default)

    def set_daily_backup(self, value: bool) -> None:
        self._set_flag("backups/daily", value)

    @property
    def backup_folder(self) -> Path:
        """Where the daily backups go (default: the backups folder in the user's data folder)."""
        value = self._get("backups/folder", "").strip()
        return Path(value).expanduser() if value else data_dir() / "backups"

    @backup_folder.setter
    def backup_folder(self, folder: str) -> None:
        self._set("backups/folder", folder.strip())

    @property
    def last_backup(self) -> datetime | None:
        """When this computer last made a good backup (None: never)."""
        value = self._get("backups/last_good", "")
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            self._damaged("backups/last_good", value, None)
            return None

    @last_backup.setter
    def last_backup(self, at: datetime) -> None:
        self._set("backups/last_good", at.isoformat(timespec="seconds"))
