"""The bar chart the reports panel draws from a report's chart data (the table beside it is
:class:`helpdesk.ui.models.report_model.ReportModel`)."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from helpdesk.services.reporting import reports
from helpdesk.ui.style import ACCENT, BAD, GOOD, MUTED, WARN

# Bar colours: the age bands of open tickets are good / warning / bad; others take the palette.
AGE_COLOURS = (GOOD, WARN, BAD)
PALETTE = (ACCENT, "#f0a202", "#2a9d8f", "#e76f51", "#7b61ff", "#8d99ae", "#43aa8b",
           "#f94144", "#577590", "#f3722c", "#90be6d", "#b5838d", "#264653")  # fmt: skip


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
