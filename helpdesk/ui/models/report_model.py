"""A report's rows as a table model: dates and money written for people, numbers on the right, and
the cells of the report's alert column that are above nought in bold red."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeGuard

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from helpdesk.services.reporting import reports
from helpdesk.ui.style import BAD, BAD_BG


def display_text(value: reports.Cell) -> str:
    """A cell for people: dates as dd/mm/yyyy, nothing as empty."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
        return f"{value:,.2f}"  # money: 1,350.00
    return reports.cell_text(value)


def _is_number(value: object) -> TypeGuard[int | float | Decimal]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


class ReportModel(QAbstractTableModel):
    """The rows of one :class:`reports.ReportTable`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: reports.ReportTable | None = None

    def set_table(self, table: reports.ReportTable | None) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.table is None else len(self.table.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.table is None else len(self.table.headings)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):  # noqa: ANN201, N802
        if (
            self.table is not None
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return self.table.headings[section]
        return None

    def cell(self, row: int, column: int) -> str:
        assert self.table is not None
        return display_text(self.table.rows[row][column])

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):  # noqa: ANN201
        if not index.isValid() or self.table is None:
            return None
        value = self.table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and _is_number(value):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if self.stands_out(index.row(), index.column()):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(BAD))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(BAD_BG))
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return None

    def stands_out(self, row: int, column: int) -> bool:
        if self.table is None or column != self.table.alert_column:
            return False
        value = self.table.rows[row][column]
        return _is_number(value) and value > 0
