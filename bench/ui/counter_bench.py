"""A scan to its card on the counter, on the bench database: a keyboard-wedge burst into the scan
box, and a camera frame (a barcode image played through the scanner's own worker), each timed
from the code arriving to the card painted."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text


def _codes(ctx, limit: int = 40) -> list[str]:  # noqa: ANN001
    """Student card codes and asset tags spread through the tables."""
    with ctx.factory() as session:
        cards = [
            row[0]
            for row in session.execute(
                text("SELECT card_code FROM students ORDER BY id LIMIT :n OFFSET 1000"),
                {"n": limit // 2},
            )
        ]
        tags = [
            row[0]
            for row in session.execute(
                text("SELECT asset_tag FROM devices ORDER BY id DESC LIMIT :n OFFSET 500"),
                {"n": limit // 2},
            )
        ]
    mixed = []
    for card, tag in zip(cards, tags, strict=False):
        mixed += [card, tag]
    return mixed


def _pump(app, until, timeout: float = 10.0) -> bool:  # noqa: ANN001
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        app.processEvents()
        if until():
            return True
        time.sleep(0.0005)
    return False


def bench_keyboard(ctx, app) -> list[float]:  # noqa: ANN001
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from helpdesk.ui.counter.panel import CounterPanel

    ctx.machine.sounds = False
    panel = CounterPanel(ctx)
    panel.show()
    _pump(app, lambda: False, 0.3)
    shown: list[float] = []
    panel.card_shown.connect(lambda _kind: shown.append(time.perf_counter()))
    times = []
    for code in _codes(ctx):
        panel.cancel()
        QTest.keyClicks(panel.scan_box, code)
        before = len(shown)
        t0 = time.perf_counter()
        QTest.keyClick(panel.scan_box, Qt.Key.Key_Return)
        _pump(app, lambda b=before: len(shown) > b)
        if len(shown) > before:
            times.append((shown[-1] - t0) * 1000)
    panel.shutdown()
    panel.close()
    return times


def bench_camera(ctx, app) -> list[float]:  # noqa: ANN001
    """Each code shown to the 'camera' (a folder of frames replayed in real time) in turn."""
    import segno

    from helpdesk.ui.counter.panel import CounterPanel

    codes = _codes(ctx, 10)
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-bench-frames-"))
    from PIL import Image

    blank = folder / "blank.png"
    Image.new("L", (640, 480), 255).save(blank)
    frame = 0
    for code in codes:
        image = folder / f"{frame:05d}.png"
        segno.make_qr(code).save(str(image), scale=10, border=6)
        for _ in range(14):  # held for about half a second
            frame += 1
            (folder / f"{frame:05d}.png").write_bytes(image.read_bytes())
        for _ in range(30):  # then a second of nothing
            frame += 1
            (folder / f"{frame:05d}.png").write_bytes(blank.read_bytes())
    blank.unlink()
    ctx.camera_source = str(folder)
    ctx.machine.sounds = False
    shown: list[tuple[float, str]] = []
    panel = CounterPanel(ctx)
    panel.card_shown.connect(
        lambda _kind: shown.append((time.perf_counter(), panel.card.view.title))
    )
    started_reads: list[float] = []
    original = panel.handle_code

    def timed(text: str) -> None:
        started_reads.append(time.perf_counter())
        original(text)

    panel.handle_code = timed  # the preview's signal calls the panel through this name
    panel.show()
    _pump(app, lambda: len(shown) >= len(codes), timeout=60)
    panel.shutdown()
    panel.close()
    ctx.camera_source = None
    return [(s - r) * 1000 for r, (s, _title) in zip(started_reads, shown, strict=False)]


def bench_counter(ctx, db) -> dict[str, object]:  # noqa: ANN001
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    figures: dict[str, object] = {}
    keyboard = bench_keyboard(ctx, app)
    if keyboard:
        figures["scan box burst to card shown, median ms"] = round(statistics.median(keyboard), 1)
        figures["scan box burst to card shown, max ms"] = round(max(keyboard), 1)
    camera = bench_camera(ctx, app)
    if camera:
        figures["camera read to card shown, median ms"] = round(statistics.median(camera), 1)
        figures["camera read to card shown, max ms"] = round(max(camera), 1)
    else:
        figures["camera read to card shown"] = "no reads"
    return figures
