"""What the reports panel shows: the table model over a report's rows (cells that stand out in
red) and the bar chart drawn from its chart data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeGuard

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from helpdesk.services.reporting import reports
from helpdesk.ui.style import ACCENT, BAD, BAD_BG, GOOD, MUTED, WARN

# Bar colours: the age bands of open tickets are good / warning / bad; others take the palette.
AGE_COLOURS = (GOOD, WARN, BAD)
PALETTE = (ACCENT, "#f0a202", "#2a9d8f", "#e76f51", "#7b61ff", "#8d99ae", "#43aa8b",
           "#f94144", "#577590", "#f3722c", "#90be6d", "#b5838d", "#264653")  # fmt: skip


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


def draw_chart(chart: QChart, spec: reports.Chart, name: str) -> None:
    """Draw ``spec`` on ``chart`` (replacing what was there) as bars, stacked when it says so."""
    chart.removeAllSeries()
    for axis in list(chart.axes()):
        chart.removeAxis(axis)
    chart.setTitle(spec.title)
    if not spec.categories or not spec.series:
        chart.setTitle(f"{spec.title}: nothing to show")
        return
    series = QStackedBarSeries() if spec.stacked else QBarSeries()
    colours = AGE_COLOURS if name == "open-tickets" else PALETTE
    for n, data in enumerate(spec.series):
        bar_set = QBarSet(data.name)
        bar_set.append([float(v) for v in data.values])
        bar_set.setColor(QColor(colours[n % len(colours)]))
        bar_set.setBorderColor(QColor(colours[n % len(colours)]))
        series.append(bar_set)
    chart.addSeries(series)
    x_axis = QBarCategoryAxis()
    x_axis.append(list(spec.categories))
    y_axis = QValueAxis()
    y_axis.setTitleText(spec.unit)
    y_axis.setLabelFormat("%.0f")
    y_axis.setLabelsColor(QColor(MUTED))
    top = max(
        (sum(vals) for vals in zip(*(s.values for s in spec.series), strict=True))
        if spec.stacked
        else (max(s.values) for s in spec.series),
        default=0,
    )
    y_axis.setRange(0, max(1.0, float(top)) * 1.1)
    y_axis.applyNiceNumbers()
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x_axis)
    series.attachAxis(y_axis)
    chart.legend().setVisible(len(spec.series) > 1)
