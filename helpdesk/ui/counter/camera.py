"""The counter's camera: started once the school's settings (its code patterns) are read on the
database thread; a missing or failing camera is said once and the scan box carries on.
:class:`CounterCamera` is one part of :class:`~helpdesk.ui.counter.panel.CounterPanel`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtWidgets import QLabel, QVBoxLayout

from helpdesk.ui.context import AppContext
from helpdesk.ui.counter import actions as counter_actions
from helpdesk.ui.errors import describe_failure

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from helpdesk.services.core.settings import SchoolSettings
    from helpdesk.ui.counter.panel import CounterPanel
    from helpdesk.ui.widgets.scan_preview import ScanPreview


class CounterCamera:
    """The camera preview of the counter and the school's settings it needs."""

    ctx: AppContext
    camera_message: QLabel
    camera_holder: QVBoxLayout
    camera_state: SignalInstance
    preview: ScanPreview | None
    school: SchoolSettings | None

    def _refused(self, sentence: str) -> None:
        raise NotImplementedError

    def focus_scan_box(self) -> None:
        raise NotImplementedError

    # --- camera ------------------------------------------------------------------------------

    def settings_changed(self, then: Callable[[], None] | None = None) -> None:
        """Read the school's settings again (due times, code patterns) on the database thread."""

        def read(school: SchoolSettings) -> None:
            self.school = school
            if then is not None:
                then()

        def failed(_exc: BaseException) -> None:
            if then is not None:
                then()

        self.ctx.db.submit(lambda: counter_actions.school_settings(self.ctx), read, failed)

    def _start_camera(self) -> None:
        source = self.ctx.camera_source
        if not source:
            self._camera_absent("No camera chosen: scan with the handheld scanner or type codes.")
            return
        try:
            self.preview = counter_actions.make_preview(cast("CounterPanel", self), source)
        except Exception as exc:  # noqa: BLE001 - no camera must never stop the counter
            self._camera_absent(
                f"The camera '{source}' cannot be used ({describe_failure('The camera', exc)}). "
                "The scan box still works."
            )
            return
        self.camera_message.hide()
        self.camera_holder.insertWidget(0, self.preview)
        self.camera_state.emit(f"{source}")

    def camera_refused(self, text: str, sentence: str) -> None:
        """The camera read a code that matches none of the school's patterns."""
        self._refused(sentence)

    def _camera_absent(self, text: str) -> None:
        self.camera_message.setText(text)
        self.camera_message.show()
        self.camera_state.emit("none")

    def camera_failed(self, text: str) -> None:
        """The camera went away mid-use: say so; the scan box keeps working."""
        self._camera_absent(f"{text} The scan box still works.")
        self.focus_scan_box()

    def shutdown(self) -> None:
        if self.preview is not None and hasattr(self.preview, "stop"):
            self.preview.stop()
