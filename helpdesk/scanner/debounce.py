"""Acting once per presentation of a code.

A code held in front of the camera is read on frame after frame; it must be acted on once. It is
acted on when it has been read ``confirmations`` times (guarding against a one-frame misread) and
again only after it has left the view: not read for ``release_after`` seconds. Times are the
frames' own timestamps, so a replayed clip behaves exactly like the live camera.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from helpdesk.scanner.formats import Read


@dataclass
class _Seen:
    first: float
    last: float
    count: int = 0
    acted: bool = False


class Debouncer:
    def __init__(
        self, *, confirmations: int = 2, release_after: float = 0.6, confirm_within: float = 1.0
    ) -> None:
        if confirmations < 1:
            raise ValueError("confirmations must be at least 1")
        self.confirmations = confirmations
        self.release_after = release_after
        self.confirm_within = confirm_within
        self._seen: dict[tuple[str, str], _Seen] = {}

    def feed(self, reads: Iterable[Read], at: float) -> list[Read]:
        """The reads of one frame taken at ``at`` seconds; returns those to act on now."""
        self._forget(at)
        act: list[Read] = []
        for read in reads:
            key = (read.text, read.key)
            seen = self._seen.get(key)
            if seen is None:
                seen = self._seen[key] = _Seen(first=at, last=at)
            elif seen.last == at:
                continue  # the same code twice in one frame
            seen.last = at
            if not seen.acted and at - seen.first > self.confirm_within:
                seen.first, seen.count = at, 0  # stray reads long ago do not confirm this one
            seen.count += 1
            if not seen.acted and seen.count >= self.confirmations:
                seen.acted = True
                act.append(read)
        return act

    def _forget(self, at: float) -> None:
        gone = [k for k, s in self._seen.items() if at - s.last > self.release_after]
        for key in gone:
            del self._seen[key]

    def in_view(self) -> set[str]:
        """Texts acted on and not yet released."""
        return {text for (text, _), s in self._seen.items() if s.acted}

    def reset(self) -> None:
        self._seen.clear()
