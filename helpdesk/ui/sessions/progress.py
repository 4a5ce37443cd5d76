"""The progress beside the scan screen: done / expected overall and by form (one small bar per
group), what is still missing grouped by form, and the last scans at every station. A stocktake
shows its four groups instead of the missing list: found here, belongs elsewhere, missing and
unknown tags, one tab each.

It only shows a :class:`~helpdesk.services.sessions.SessionStatus` it is given (read on the
database thread by the scan screen); it never reads anything itself, so a refresh never takes the
focus or the person's place in a list.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.sessions import MissingItem, ScanLine, SessionInfo, SessionStatus
from helpdesk.ui.style import BAD, GOOD, MUTED, WARN

OUTCOME_COLOURS = {"done": GOOD, "already": MUTED, "unexpected": WARN, "problem": BAD}
STOCK_GROUPS = (("found", "Found here"), ("elsewhere", "Belongs elsewhere"),
                ("missing", "Missing"), ("unknown", "Unknown"))  # fmt: skip
MAX_GROUP_BARS = 40  # a whole school's forms fit; more are summed up in the missing list


def scan_line_text(line: ScanLine) -> str:
    station = f" [{line.station}]" if line.station else ""
    return f"{line.at:%H:%M:%S}{station}  {line.outcome}: {line.sentence}"


def missing_texts(missing: tuple[MissingItem, ...], kind: str) -> list[str]:
    """The missing list as its lines: a heading per group ("7A: 3 to go"), the names under it."""
    lines: list[str] = []
    ordered = sorted(missing, key=lambda item: (item.group or "~", item.label, item.code))
    for group, items in groupby(ordered, key=lambda item: item.group):
        rows = list(items)
        name = group or ("(no place)" if kind == "stocktake" else "(no form)")
        lines.append(f"{name}: {len(rows)} to go")
        lines.extend(f"    {_item_text(item)}" for item in rows)
    return lines


def while_alive(widget: QWidget, fn: Callable[..., Any]) -> Callable[..., None]:
    """``fn`` for an answer from the database thread: dropped when ``widget`` is gone (an
    answer can come after its screen was closed)."""

    def call(*args: Any) -> None:
        if shiboken6.isValid(widget):
            fn(*args)

    return call


class ProgressView(QWidget):
    """Overall and per-group bars, the missing list (or a stocktake's four groups), last scans."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.status: SessionStatus | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.overall_label = QLabel("…")
        self.overall_label.setObjectName("sessionOverall")
        self.overall_label.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.overall = QProgressBar()
        self.overall.setTextVisible(True)
        layout.addWidget(self.overall_label)
        layout.addWidget(self.overall)

        self.groups_box = QWidget()
        self.groups_layout = QGridLayout(self.groups_box)
        self.groups_layout.setContentsMargins(0, 4, 0, 4)
        self.groups_layout.setHorizontalSpacing(8)
        self.groups_layout.setVerticalSpacing(2)
        self.group_bars: dict[str, tuple[QLabel, QProgressBar]] = {}
        layout.addWidget(self.groups_box)

        self.tabs = QTabWidget()
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.missing_list = self._list("missingList")
        self.found_list = self._list("foundList")
        self.elsewhere_list = self._list("elsewhereList")
        self.unknown_list = self._list("unknownList")
        self.recent_list = self._list("recentList")
        layout.addWidget(self.tabs, 3)
        self.stock_grid = QWidget()  # a stocktake's four groups, side by side
        grid = QGridLayout(self.stock_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        self.stock_boxes: dict[str, QGroupBox] = {}
        for index, (key, title) in enumerate(STOCK_GROUPS):
            box = QGroupBox(title)
            box.setObjectName(f"{key}Group")
            QVBoxLayout(box).setContentsMargins(4, 4, 4, 4)
            grid.addWidget(box, index // 2, index % 2)
            self.stock_boxes[key] = box
        self.stock_grid.hide()
        layout.addWidget(self.stock_grid, 3)
        layout.addWidget(QLabel("Last scans at every station"))
        layout.addWidget(self.recent_list, 2)

    @staticmethod
    def _list(name: str) -> QListWidget:
        view = QListWidget()
        view.setObjectName(name)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the scan box keeps the keyboard
        view.setAlternatingRowColors(True)
        view.setWordWrap(True)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        return view

    def set_kind(self, kind: str) -> None:
        """Tabs for a pickup or hand-in (the missing list, the odd scans); a stocktake's four
        groups side by side."""
        if kind == self.kind:
            return
        self.kind = kind
        self.tabs.clear()
        self.tabs.setVisible(kind != "stocktake")
        self.stock_grid.setVisible(kind == "stocktake")
        if kind == "stocktake":
            for key, _title in STOCK_GROUPS:
                layout = self.stock_boxes[key].layout()
                assert layout is not None
                layout.addWidget(self._stock_list(key))
        else:
            self.tabs.addTab(self.missing_list, "Still to collect, by form")
            if kind == "handin":
                self.tabs.setTabText(0, "Still to hand in, by form")
            self.tabs.addTab(self.unknown_list, "Unexpected and problems")

    def set_counts(self, session: SessionInfo) -> None:
        """The overall figure at once from a scan's answer (the rest follows with the status)."""
        self.overall.setRange(0, max(1, session.expected))
        self.overall.setValue(min(session.done, max(1, session.expected)))
        self.overall.setFormat(f"{session.done} / {session.expected}")
        left = session.expected - session.done
        self.overall_label.setText(
            f"{session.done} of {session.expected} done, {left} to go"
            if session.kind != "stocktake"
            else f"{session.done} of {session.expected} found, {left} not yet"
        )

    def show_status(self, status: SessionStatus) -> None:
        self.status = status
        self.set_kind(status.session.kind)
        self.set_counts(status.session)
        self._show_groups(status)
        kind = status.session.kind
        self._fill(self.missing_list, missing_texts(status.missing, kind))
        self._fill(self.recent_list, [scan_line_text(line) for line in status.recent])
        if kind == "stocktake":
            self._fill(self.found_list, [_item_text(item) for item in status.found])
            self._fill(self.elsewhere_list, [scan_line_text(line) for line in status.elsewhere])
            self._fill(self.unknown_list, [scan_line_text(line) for line in status.unknown])
            counts = {"found": len(status.found), "elsewhere": len(status.elsewhere),
                      "missing": len(status.missing), "unknown": len(status.unknown)}  # fmt: skip
            for key, title in STOCK_GROUPS:
                self.stock_boxes[key].setTitle(f"{title} ({counts[key]})")
        else:
            odd = status.unexpected + status.problems
            self._fill(self.unknown_list, [scan_line_text(line) for line in odd])
            self.tabs.setTabText(1, f"Unexpected and problems ({len(odd)})")
        for row in range(self.recent_list.count()):
            item = self.recent_list.item(row)
            outcome = status.recent[row].outcome
            item.setData(Qt.ItemDataRole.ForegroundRole, _colour(outcome))

    def _stock_list(self, key: str) -> QListWidget:
        return {"found": self.found_list, "elsewhere": self.elsewhere_list,
                "missing": self.missing_list, "unknown": self.unknown_list}[key]  # fmt: skip

    def stock_titles(self) -> list[str]:
        """The four groups' titles with their counts, in order."""
        return [self.stock_boxes[key].title() for key, _title in STOCK_GROUPS]

    def _show_groups(self, status: SessionStatus) -> None:
        groups = status.groups[:MAX_GROUP_BARS]
        wanted = [g.group for g in groups]
        for name in list(self.group_bars):
            if name not in wanted:
                label, bar = self.group_bars.pop(name)
                label.deleteLater()
                bar.deleteLater()
        for row, group in enumerate(groups):
            if group.group not in self.group_bars:
                label = QLabel()
                bar = QProgressBar()
                bar.setMaximumHeight(14)
                bar.setTextVisible(False)
                self.group_bars[group.group] = (label, bar)
            label, bar = self.group_bars[group.group]
            self.groups_layout.addWidget(label, row, 0)
            self.groups_layout.addWidget(bar, row, 1)
            label.setText(f"{group.group or '(none)'}  {group.done}/{group.expected}")
            bar.setRange(0, max(1, group.expected))
            bar.setValue(group.done)
        self.groups_box.setVisible(bool(groups))

    @staticmethod
    def _fill(view: QListWidget, lines: list[str]) -> None:
        """Make the lines of ``view`` read ``lines``, changing only the rows that differ (a
        whole school's list stays cheap to refresh), so the scroll position and the selected
        row stay where the person left them."""
        for row, line in enumerate(lines):
            item = view.item(row)
            if item is None:
                item = QListWidgetItem(line)
                view.addItem(item)
            elif item.text() == line:
                continue
            item.setText(line)
            font = item.font()
            font.setBold(not line.startswith("    ") and line.endswith("to go"))
            item.setFont(font)
        while view.count() > len(lines):
            view.takeItem(view.count() - 1)

    def group_text(self, group: str) -> str:
        """What the bar of ``group`` says (for a person reading the screen, and the tests)."""
        entry = self.group_bars.get(group)
        return entry[0].text() if entry else ""


def _item_text(item: MissingItem) -> str:
    """A student's name and card, or a device's tag and model, each once."""
    if item.code in item.label:
        return item.label
    return f"{item.label}  {item.code}" if item.label else item.code


def _colour(outcome: str):  # noqa: ANN202 - a QColor
    from PySide6.QtGui import QColor

    return QColor(OUTCOME_COLOURS.get(outcome, MUTED))
