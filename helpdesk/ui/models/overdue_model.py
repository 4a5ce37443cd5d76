"""The overdue loans as a table model: one row per loan (a :class:`browse.OverdueRow`), the days
over in amber, and in red from two days."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from helpdesk.services.records import browse
from helpdesk.ui.style import BAD, WARN

COLUMNS = (
    ("Student", lambda r: r.student),
    ("Form", lambda r: r.form),
    ("Year", lambda r: str(r.year_group)),
    ("Device", lambda r: r.asset_tag),
    ("Loan", lambda r: r.loan_type),
    ("Issued", lambda r: r.issued_at.strftime("%a %d/%m %H:%M")),
    ("Due", lambda r: r.due_at.strftime("%a %d/%m %H:%M")),
    ("Days over", lambda r: str(r.days_overdue)),
)


class OverdueModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[browse.OverdueRow] = []

    def set_rows(self, rows: list[browse.OverdueRow]) -> None:
        self.beginResetModel()
        self.rows = rows
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
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[index.column()][1](row)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == len(COLUMNS) - 1:
            return QBrush(QColor(BAD if row.days_overdue >= 2 else WARN))
        return None
