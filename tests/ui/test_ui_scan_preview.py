"""A replayed camera (a folder of frames) that has been played to its end says so: the preview's
label reads "Camera: ended" instead of the last frame rate, and the status bar agrees."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def _frames(folder: Path, text: str, count: int = 30) -> Path:
    import segno

    folder.mkdir()
    segno.make_qr(text).save(str(folder / "001.png"), scale=12, border=4)
    for n in range(2, count + 1):
        (folder / f"{n:03d}.png").write_bytes((folder / "001.png").read_bytes())
    return folder


def test_replayed_camera_ends_and_the_fps_stops(qtbot, tmp_path):  # noqa: ANN001
    from helpdesk.scanner.sources import open_source
    from helpdesk.ui.widgets.scan_preview import ENDED_TEXT, ScanPreview

    preview = ScanPreview()
    qtbot.addWidget(preview)
    preview.show()
    seen: list[str] = []
    preview.start(open_source(str(_frames(tmp_path / "frames", "S0001"))))
    try:
        qtbot.waitUntil(
            lambda: seen.append(preview.overlay_text()) or "fps" in seen[-1], timeout=10_000
        )
        with qtbot.waitSignal(preview.sourceFinished, timeout=20_000):
            pass
        assert preview.ended
        assert preview.overlay_text() == ENDED_TEXT == "Camera: ended"
        shown = preview.grab()
        assert not shown.isNull()
        QApplication.processEvents()  # anything the source had queued is handled
        assert preview.overlay_text() == "Camera: ended"  # no frame rate comes back
        assert not [t for t in preview.findChildren(QTimer) if t.isActive()]  # no more polling
    finally:
        preview.stop()


def test_status_bar_says_the_replayed_camera_ended(qtbot, ctx, school, tmp_path):  # noqa: ANN001
    from helpdesk.ui.main_window import MainWindow

    ctx.machine.sounds = False
    ctx.camera_source = str(_frames(tmp_path / "frames", school.anna, count=15))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    try:
        qtbot.waitUntil(lambda: window.camera_label.text() == "Camera: ended", timeout=20_000)
        counter = window.panel("counter")
        assert counter.card.view is not None and counter.card.view.title == "Anna Smith"
    finally:
        window.close()
