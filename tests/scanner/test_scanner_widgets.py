"""The scan box, the live preview, the feedback and the camera window (pytest-qt)."""

from __future__ import annotations

import wave

import cv2
import pytest
from clocks import HandClock, type_keys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget
from scanner_drawing import clutter, code_image, place

from helpdesk.scanner import CameraSource, CodeClassifier, ImageFolderSource
from helpdesk.ui.widgets.feedback import GOOD_COLOUR, Feedback, sound_path, write_sound_files
from helpdesk.ui.widgets.scan_box import ScanBox
from helpdesk.ui.widgets.scan_preview import ScanPreview

# --- scan box -----------------------------------------------------------------------------------


class BoxWindow(QWidget):
    """A window with the scan box (on a clock the test moves) and the field after it."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.clock = HandClock()
        self.scan = ScanBox(self, clock=self.clock)
        self.after = QLineEdit(self)
        layout.addWidget(self.scan)
        layout.addWidget(self.after)


@pytest.fixture
def window(qtbot) -> BoxWindow:
    window = BoxWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.scan.setFocus()
    return window


@pytest.fixture
def box(window: BoxWindow) -> ScanBox:
    return window.scan


def _keys(qtbot, box: ScanBox, text: str, every_ms: float) -> None:  # noqa: ANN001
    type_keys(qtbot, box, text, box.window().clock, every_ms)


def _collect(box: ScanBox) -> list[tuple[str, bool]]:
    got: list[tuple[str, bool]] = []
    box.scanned.connect(lambda code, burst: got.append((code, burst)))
    return got


def test_scanner_burst_ending_in_enter(qtbot, box: ScanBox):
    got = _collect(box)
    _keys(qtbot, box, "PER-000123", 3)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert got == [("PER-000123", True)]
    assert box.text() == ""


def test_typed_code_with_enter_is_accepted_as_typed(qtbot, box: ScanBox):
    got = _collect(box)
    _keys(qtbot, box, "S12345", 110)
    qtbot.keyClick(box, Qt.Key.Key_Enter)
    assert got == [("S12345", False)]


def test_burst_ending_in_tab_is_a_scan_and_stray_keys_are_dropped(qtbot, box: ScanBox):
    got = _collect(box)
    _keys(qtbot, box, "xy", 120)  # someone leant on the keyboard
    box.window().clock.advance(500)  # and then scanned a loan slip
    _keys(qtbot, box, "LOAN-000017", 3)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert got == [("LOAN-000017", True)]
    assert box.hasFocus()  # a scan's Tab does not move on


def test_typing_then_tab_moves_on_without_a_scan(qtbot, window: BoxWindow):
    box = window.scan
    got = _collect(box)
    _keys(qtbot, box, "PER-1", 110)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert got == []
    assert box.text() == "PER-1"
    assert window.after.hasFocus()


def test_edited_or_short_input_is_never_a_burst(qtbot, box: ScanBox):
    got = _collect(box)
    _keys(qtbot, box, "PER-000124X", 3)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    _keys(qtbot, box, "AB", 2)  # too short for a scanner burst
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.keyClick(box, Qt.Key.Key_Return)  # empty: nothing
    assert got == [("PER-000124", False), ("AB", False)]


def test_a_slow_enter_after_a_burst_is_typing(qtbot, box: ScanBox):
    got = _collect(box)
    _keys(qtbot, box, "PER-000125", 3)
    box.window().clock.advance(150)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert got == [("PER-000125", False)]


# --- preview ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def held_tag(tmp_path_factory):
    """Two seconds of a tag held in the middle of a 640x480 frame, then an empty desk."""
    folder = tmp_path_factory.mktemp("held")
    desk = clutter(640, 480, seed=4)
    held = desk.copy()
    place(held, code_image("PER-000321", scale=2), (320, 240), 8)
    for i in range(40):
        frame = held if i < 25 else desk
        cv2.imwrite(str(folder / f"{i:03d}.png"), frame)
    return folder


def test_preview_shows_frames_outlines_and_emits_once(qtbot, held_tag):
    preview = ScanPreview(classifier=CodeClassifier(r"PER-\d{6}", None))
    qtbot.addWidget(preview)
    preview.resize(640, 480)
    preview.show()
    scanned = []
    preview.codeScanned.connect(lambda text, fmt: scanned.append((text, fmt)))
    with qtbot.waitSignal(preview.sourceFinished, timeout=30000):
        preview.start(ImageFolderSource(held_tag, fps=20, realtime=True))
        qtbot.waitUntil(
            lambda: preview.state is not None and bool(preview.state.reads), timeout=20000
        )
        shot = preview.grab().toImage()
        outline = [shot.pixelColor(x, y).name() for x in range(0, 640, 4) for y in range(0, 480, 4)]
        assert "#00e676" in outline  # the green outline on the code
    assert scanned == [("PER-000321", "Code 128")]
    assert preview.last_text == "PER-000321" and preview.error is None
    assert preview.state.roi is not None
    photo = preview.snapshot()
    assert photo is not None and (photo.width(), photo.height()) == (640, 480)
    preview.stop()


def test_preview_refuses_codes_outside_the_patterns(qtbot, held_tag):
    preview = ScanPreview(classifier=CodeClassifier(r"ABC\d+", r"S\d{6}"))
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.codeRefused, timeout=20000) as blocker:
        preview.start(ImageFolderSource(held_tag, fps=30, realtime=True))
    text, message = blocker.args
    assert text == "PER-000321" and "not an asset tag" in message
    preview.stop()


def test_preview_without_a_camera_says_so(qtbot):
    preview = ScanPreview()
    qtbot.addWidget(preview)
    assert preview.snapshot() is None
    with qtbot.waitSignal(preview.sourceFailed, timeout=10000) as blocker:
        preview.start(CameraSource(63))
    assert "No camera 63" in blocker.args[0]
    assert preview.error == blocker.args[0]
    preview.grab()  # painting the message does not fail
    preview.stop()


# --- feedback -----------------------------------------------------------------------------------


def test_sound_files_are_shipped_short_and_made_by_the_generator(tmp_path):
    good, refused = sound_path("good.wav"), sound_path("refused.wav")
    assert good is not None and refused is not None
    made = write_sound_files(tmp_path)
    assert made[0].read_bytes() == good.read_bytes()
    assert made[1].read_bytes() == refused.read_bytes()
    for path in (good, refused):
        with wave.open(str(path)) as sound:
            assert sound.getnchannels() == 1 and sound.getsampwidth() == 2
            assert 0.1 <= sound.getnframes() / sound.getframerate() <= 0.5
    assert good.read_bytes() != refused.read_bytes()


def test_feedback_flashes_and_never_fails_without_sound(qtbot):
    widget = QLineEdit()
    widget.setStyleSheet("color: black;")
    qtbot.addWidget(widget)
    feedback = Feedback(flash_ms=50)
    due: list[str] = []
    feedback.sound_due.connect(due.append)
    feedback.good(widget)
    assert GOOD_COLOUR in widget.styleSheet()
    qtbot.waitUntil(lambda: widget.styleSheet() == "color: black;", timeout=2000)
    feedback.refused(widget)
    assert "#ffcdd2" in widget.styleSheet()
    assert due == ["good.wav", "refused.wav"]
    styled = QLineEdit()
    styled.setStyleSheet("QLineEdit { color: navy; }")
    qtbot.addWidget(styled)
    feedback.good(styled)
    assert "QLineEdit { background-color: #b9f6ca; }" in styled.styleSheet()
    qtbot.waitUntil(lambda: styled.styleSheet() == "QLineEdit { color: navy; }", timeout=2000)
    silent = Feedback(enabled=False)
    with qtbot.assertNotEmitted(silent.sound_due):
        silent.good(styled)
        silent.refused()
    assert GOOD_COLOUR in styled.styleSheet()  # the flash stays when the sounds are off


# --- camera window ------------------------------------------------------------------------------


def test_camera_window_shows_reads_and_saves_the_choice(qtbot, held_tag, tmp_path):
    from helpdesk.ui.camera_window import CameraWindow, saved_size
    from helpdesk.ui.machine_settings import MachineSettings

    machine = MachineSettings(str(tmp_path / "machine.ini"))
    window = CameraWindow(source=str(held_tag), machine=machine)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.reads.count() == 1, timeout=20000)
    assert "PER-000321" in window.reads.item(0).text()
    window.use.click()
    assert MachineSettings(machine.path).camera == str(held_tag)
    assert saved_size(machine) == (1280, 720)
    window.close()


def test_camera_window_without_cameras_explains(qtbot, tmp_path, monkeypatch):
    from helpdesk.ui import camera_window
    from helpdesk.ui.machine_settings import MachineSettings

    monkeypatch.setattr(camera_window, "list_cameras", lambda: [])
    window = camera_window.CameraWindow(machine=MachineSettings(str(tmp_path / "m.ini")))
    qtbot.addWidget(window)
    assert "No camera was found" in window.status.text()
    assert not window.use.isEnabled()
