"""The GUI thread's longest stall, and where it was spent: a QTimer heartbeat (bench/ui/run.py's
``Heartbeat``) and a thread that samples the GUI thread's stack whenever the heartbeat is late,
with what the window's database thread was doing meanwhile. A stack that ends in the bench's own
``pump`` or ``wait_until`` means the time went inside Qt's event handling (painting, layout: C++,
out of Python's sight) or to waiting for a CPU."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class StallWatch:
    """A heartbeat on the GUI thread and a sampler thread: while the heartbeat is late by more
    than ``after_ms`` the GUI thread's stack is noted, so the longest stall can be named."""

    def __init__(self, after_ms: float = 20.0) -> None:
        from run import Heartbeat

        self.beat = Heartbeat()
        self.after = after_ms / 1000
        self.samples: list[tuple[float, str]] = []  # (the tick before the stall, the stack)
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.samples = []
        self.beat.start()
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True, name="stall-watch")
        self._thread.start()

    def stop(self) -> float:
        """The longest stall in ms."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.beat.stop()

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            last = self.beat._last
            if last is None or time.perf_counter() - last < self.after:
                continue
            frames = sys._current_frames()
            frame = frames.get(self._main)
            if frame is None:
                continue
            stack = stack_of(frame)
            for thread in threading.enumerate():  # what the database thread did meanwhile
                other = frames.get(thread.ident or 0)
                if thread.name == "helpdesk-db" and other is not None:
                    stack += f"\n      | database thread: {stack_of(other, 2)}"
            self.samples.append((last, stack))

    def worst(self) -> list[str]:
        """Where the GUI thread was during its longest sampled stall, most seen first."""
        if not self.samples:
            return ["(no stack sampled: the stall was shorter than the sampling)"]
        stalls = Counter(start for start, _stack in self.samples)
        start, _n = stalls.most_common(1)[0]
        stacks = Counter(stack for at, stack in self.samples if at == start)
        return [f"{n} x {stack}" for stack, n in stacks.most_common(3)]


def spent(watch: StallWatch | list[str]) -> str:
    lines = watch.worst() if isinstance(watch, StallWatch) else watch
    return "\n    " + "\n    ".join(lines)


def stack_of(frame, depth: int = 6) -> str:  # noqa: ANN001
    """The project's frames of a stack, innermost first (the rest is Qt and the library); the
    innermost frame of all in brackets when it is not the project's."""
    frames = traceback.extract_stack(frame)
    mine = [f for f in frames if str(ROOT) in f.filename and ".venv" not in f.filename]
    inner = frames[-1]
    parts = [
        f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}" for f in mine[::-1][:depth]
    ]
    if inner not in mine:
        parts.insert(0, f"[{Path(inner.filename).name}:{inner.lineno} {inner.name}]")
    return " < ".join(parts)


def in_thread(fn: Callable[[], object]) -> float:
    """Run ``fn`` on a thread while the GUI thread goes on; the time it finished."""
    from run import wait_until

    done: list[BaseException | None] = []

    def run() -> None:
        try:
            fn()
            done.append(None)
        except BaseException as exc:  # noqa: BLE001 - raised again on the GUI thread
            done.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    wait_until(lambda: bool(done), 120_000)
    finished = time.perf_counter()
    if done and done[0] is not None:
        raise done[0]
    return finished
