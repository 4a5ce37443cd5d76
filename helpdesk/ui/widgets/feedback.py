"""Feedback on a scan: a short sound and a colour flash on a good read, another sound on a refusal.

The two sounds are small WAV files made with Python's ``wave`` module (``write_sound_files``) and
shipped in ``resources/sounds/``; they are played with QSoundEffect (low latency, no decoding).
A computer with no sound device (none is opened then), or without Qt's multimedia backend, stays
silent and still flashes: feedback never stops a scan.
"""

from __future__ import annotations

import logging
import math
import struct
import wave
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtWidgets import QWidget

from helpdesk.resource_files import resource

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050
GOOD_FILE = "good.wav"
REFUSED_FILE = "refused.wav"
GOOD_COLOUR = "#b9f6ca"
REFUSED_COLOUR = "#ffcdd2"
SOFT_COLOUR = "#e4e7eb"
SOFT_VOLUME = 0.25  # a repeat scan: the good sound, quietly


def _tone(parts: Sequence[tuple[float, float, float]]) -> bytes:
    """16-bit mono samples for (frequency Hz, seconds, volume 0..1) parts, with soft edges."""
    frames = bytearray()
    for freq, seconds, volume in parts:
        count = int(SAMPLE_RATE * seconds)
        fade = max(1, int(SAMPLE_RATE * 0.005))
        for i in range(count):
            edge = min(1.0, i / fade, (count - 1 - i) / fade)
            if freq <= 0:
                value = 0.0
            else:
                phase = 2 * math.pi * freq * i / SAMPLE_RATE
                value = math.sin(phase) + 0.3 * math.sin(3 * phase)  # a little body
            frames += struct.pack("<h", int(max(-1.0, min(1.0, value * volume * edge)) * 32767))
    return bytes(frames)


def write_sound_files(folder: Path) -> tuple[Path, Path]:
    """Write ``good.wav`` (a short rising double beep) and ``refused.wav`` (a low double buzz)."""
    folder.mkdir(parents=True, exist_ok=True)
    sounds = {
        GOOD_FILE: [(1320, 0.06, 0.5), (0, 0.02, 0), (1760, 0.08, 0.5)],
        REFUSED_FILE: [(220, 0.15, 0.6), (0, 0.06, 0), (196, 0.2, 0.6)],
    }
    paths = []
    for name, parts in sounds.items():
        path = folder / name
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(SAMPLE_RATE)
            out.writeframes(_tone(parts))
        paths.append(path)
    return paths[0], paths[1]


def sound_path(name: str) -> Path | None:
    node = resource("sounds", name)
    try:
        path = Path(str(node))
    except TypeError:  # pragma: no cover - resources inside a zip
        return None
    return path if path.is_file() else None


class Feedback(QObject):
    """``good(widget)`` and ``refused(widget)``: play the sound and flash ``widget``'s background.

    ``enabled`` turns the sounds off (the per-computer "sounds" setting); flashes stay.
    ``sound_due(name)`` is emitted for every sound due while sounds are on (``good.wav`` or
    ``refused.wav``), whether or not this computer has a device to play it on.
    """

    sound_due = Signal(str)

    def __init__(self, parent: QObject | None = None, *, enabled: bool = True, flash_ms: int = 350):
        super().__init__(parent)
        self.enabled = enabled
        self.flash_ms = flash_ms
        self._effects: dict[str, object] = {}
        self._flashing: dict[int, tuple[QWidget, str]] = {}

    def good(self, widget: QWidget | None = None) -> None:
        self._play(GOOD_FILE)
        if widget is not None:
            self.flash(widget, GOOD_COLOUR)

    def soft(self, widget: QWidget | None = None) -> None:
        """A harmless repeat (a code already done): the good sound, quietly, and a grey flash."""
        self._play(GOOD_FILE, volume=SOFT_VOLUME)
        if widget is not None:
            self.flash(widget, SOFT_COLOUR)

    def refused(self, widget: QWidget | None = None) -> None:
        self._play(REFUSED_FILE)
        if widget is not None:
            self.flash(widget, REFUSED_COLOUR)

    def flash(self, widget: QWidget, colour: str) -> None:
        key = id(widget)
        if key not in self._flashing:
            self._flashing[key] = (widget, widget.styleSheet())
        original = self._flashing[key][1]
        if "{" in original:  # a style sheet with selectors: add a rule for this widget's class
            rule = f"{type(widget).__name__} {{ background-color: {colour}; }}"
        else:  # bare declarations (or none): add one more
            rule = f"background-color: {colour};"
        widget.setStyleSheet(f"{original}\n{rule}" if original else rule)
        QTimer.singleShot(self.flash_ms, lambda: self._restore(key))

    def _restore(self, key: int) -> None:
        entry = self._flashing.pop(key, None)
        if entry is None:
            return
        widget, original = entry
        try:
            widget.setStyleSheet(original)
        except RuntimeError:  # the widget was closed meanwhile
            pass

    def _play(self, name: str, volume: float = 0.8) -> None:
        if not self.enabled:
            return
        self.sound_due.emit(name if volume >= 0.8 else f"{name} (soft)")
        effect = self._effect(name, volume)
        if effect is None:
            return
        try:
            effect.play()
        except Exception as exc:  # noqa: BLE001 - no sound is never an error at the counter
            log.info("sound %s not played: %s", name, exc)

    def _effect(self, name: str, volume: float = 0.8):
        key = f"{name}@{volume}"
        if key in self._effects:
            return self._effects[key]
        effect = None
        path = sound_path(name)
        if path is not None:
            try:
                from PySide6.QtMultimedia import QMediaDevices, QSoundEffect

                if QMediaDevices.defaultAudioOutput().isNull():
                    log.info("no sound device: scan sounds are off")
                    self._effects[key] = None
                    return None
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(volume)
            except Exception as exc:  # noqa: BLE001 - no multimedia backend: silent feedback
                log.info("sounds unavailable: %s", exc)
                effect = None
        self._effects[key] = effect
        return effect
