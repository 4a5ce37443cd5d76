"""The counter while the database cannot be reached: scans are kept in order, never acted on,
and once the database answers again the person is asked before anything kept is carried out.

The database thread (:class:`helpdesk.ui.db_worker.DbWorker`) says when the database goes away
and when it is back; :class:`KeptScans` holds what was scanned (and Enter and Esc pressed) in the
meantime. Nothing kept is acted on by itself: a loan made from a scan taken minutes ago, after the
student has left the counter, would be a loan nobody asked for. Enter acts on the kept scans in
order; Esc discards them, and the discarded codes go to the day's log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DOWN_PROMPT = (
    "The database cannot be reached. Scans are kept in order and not acted on; "
    "the counter carries on by itself once it is back."
)


def _scans(n: int) -> str:
    return f"{n} scan" if n == 1 else f"{n} scans"


@dataclass
class KeptScans:
    """What was scanned while the database was away, and whether the person is being asked."""

    keeping: bool = False  # the database is away: inputs are kept, not acted on
    asking: bool = False  # it is back and the question is on screen
    items: list[tuple[str, str]] = field(default_factory=list)  # (kind, code) in order

    def codes(self) -> list[str]:
        return [code for kind, code in self.items if kind == "code" and code]

    def keep(self, item: tuple[str, str]) -> str:
        """Keep one input; the sentence for the panel's message."""
        self.items.append(item)
        kind, code = item
        n = len(self.codes())
        if kind == "code" and code:
            return (
                f"The database cannot be reached: {code} is kept ({_scans(n)} kept) and "
                "waits until it is back."
            )
        return f"The database cannot be reached: {_scans(n)} kept, not acted on."

    def went_away(self) -> str:
        self.keeping = True
        self.asking = False
        return DOWN_PROMPT

    def came_back(self) -> str | None:
        """The database answers again: the question to ask, or ``None`` with nothing kept."""
        self.keeping = False
        codes = self.codes()
        if not codes:
            self.items.clear()
            return None
        self.asking = True
        listed = ", ".join(codes[:6]) + (", …" if len(codes) > 6 else "")
        return (
            f"The database is back. {_scans(len(codes))} kept while it was away ({listed}): "
            "Enter acts on them in order; Esc discards them."
        )

    def take(self) -> list[tuple[str, str]]:
        """The kept inputs, to be acted on in order (the question is answered)."""
        items, self.items, self.asking = self.items, [], False
        return items

    def discard(self) -> tuple[str, list[str]]:
        """Forget the kept scans: the sentence, and the codes for the day's log."""
        codes = self.codes()
        self.items, self.asking = [], False
        return f"{_scans(len(codes))} kept while the database was away discarded.", codes
