"""The bench's ticket queue as a table model: one row per ticket, sortable by any column (oldest
first to begin with), the age in school days in amber nearly five and red past it while the ticket
is open; ``UserRole`` gives the row itself (a :class:`ticket_queue.QueueRow`)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from helpdesk.domain.enums import TicketState
from helpdesk.services.repairs import ticket_queue
from helpdesk.ui.style import BAD, BAD_BG, WARN, WARN_BG

AMBER_FROM = 4  # school days: amber from here, red past ticket_queue.OLD_AFTER_SCHOOL_DAYS

COLUMNS = (
    ("Ticket", lambda r: r.code, lambda r: r.id),
    ("Device", lambda r: r.asset_tag, lambda r: r.asset_tag),
    ("Student", lambda r: r.student, lambda r: r.student),
    ("Damage", lambda r: r.category.replace("_", " / "), lambda r: r.category),
    ("State", lambda r: r.state.label, lambda r: list(TicketState).index(r.state)),
    ("Technician", lambda r: r.technician or "—", lambda r: r.technician),
    ("Vendor", lambda r: r.vendor, lambda r: r.vendor),
    ("RMA", lambda r: r.rma_number, lambda r: r.rma_number),
    ("Logged", lambda r: r.opened_at.strftime("%a %d/%m/%y"), lambda r: r.opened_at),
    ("School days", lambda r: str(r.age_school_days), lambda r: r.age_school_days),
)
AGE_COLUMN = len(COLUMNS) - 1


def age_colours(days: int) -> tuple[str, str] | None:
    """(text, background) for an age: red past five school days, amber nearly there."""
    if days > ticket_queue.OLD_AFTER_SCHOOL_DAYS:
        return BAD, BAD_BG
    if days >= AMBER_FROM:
        return WARN, WARN_BG
    return None


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ticket_queue.QueueRow] = []
        self._sort = (AGE_COLUMN, Qt.SortOrder.DescendingOrder)

    def set_rows(self, rows: list[ticket_queue.QueueRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._apply_sort()
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):  # noqa: ANN201, N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: ANN201
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[column][1](row)
        if role == Qt.ItemDataRole.UserRole:
            return row
        still_open = row.state.is_open  # a closed ticket's age is history, not a worry
        colours = age_colours(row.age_school_days) if column == AGE_COLUMN and still_open else None
        if colours and role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(colours[0]))
        if colours and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(colours[1]))
        if colours and role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == AGE_COLUMN:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == AGE_COLUMN:
            return f"Logged {row.opened_at:%d/%m/%Y %H:%M}; weekends and closure days not counted"
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[column][1](row)  # the whole text of a cell cut short
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply_sort()
        self.layoutChanged.emit()

    def _apply_sort(self) -> None:
        column, order = self._sort
        key = COLUMNS[column][2]
        self.rows.sort(key=lambda r: (key(r), r.id), reverse=order == Qt.SortOrder.DescendingOrder)
