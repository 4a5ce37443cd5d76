"""Overdue loans: a live list (refreshed every minute and after every counter action), latest
first, filtered by form or year group; printable as a PDF and exportable as CSV.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from helpdesk.services.csv.cells import SafeWriter
from helpdesk.services.records import browse
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import report_unexpected
from helpdesk.ui.models.overdue_model import OverdueModel

CSV_HEADER = ("loan_id", "student", "card_code", "year", "form", "asset_tag", "model",
              "loan_type", "issued_at", "due_at", "days_overdue")  # fmt: skip


def write_csv(rows, path: str | Path) -> Path:  # noqa: ANN001
    """The overdue list as CSV (UTF-8 with a BOM, so Excel opens it right)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = SafeWriter(out)
        writer.writerow(CSV_HEADER)
        for r in rows:
            writer.writerow(
                [
                    r.loan_id,
                    r.student,
                    r.card_code,
                    r.year_group,
                    r.form,
                    r.asset_tag,
                    r.model,
                    r.loan_type,
                    r.issued_at.isoformat(sep=" "),
                    r.due_at.isoformat(sep=" "),
                    r.days_overdue,
                ]  # fmt: skip
            )
    return path


class OverduePanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel("Overdue loans")
        title.setObjectName("pageTitle")
        self.filter = QComboBox()
        self.filter.setObjectName("overdueFilter")
        self.filter.addItem("All forms", None)
        self.filter.currentIndexChanged.connect(self.refresh)
        self.count = QLabel("…")
        self.count.setObjectName("hint")
        print_button = QPushButton("Print list (PDF)…")
        print_button.clicked.connect(self.save_pdf)
        export_button = QPushButton("Export CSV…")
        export_button.clicked.connect(self.save_csv)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter)
        bar.addWidget(self.count, 1)
        bar.addWidget(print_button)
        bar.addWidget(export_button)
        self.model = OverdueModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.refresh)
        self._filters_loaded = False

    def activated(self) -> None:
        if not self._filters_loaded:
            self.ctx.db.submit(lambda: browse.forms_and_years(self.ctx.factory), self._fill_filters)
        self.refresh()
        self.timer.start()

    def _fill_filters(self, forms_years: tuple[list[str], list[int]]) -> None:
        forms, years = forms_years
        self.filter.blockSignals(True)
        for year in years:
            self.filter.addItem(f"Year {year}", f"year:{year}")
        for form in forms:
            self.filter.addItem(f"Form {form}", f"form:{form}")
        self.filter.blockSignals(False)
        self._filters_loaded = True

    def filter_text(self) -> str:
        return self.filter.currentText()

    def set_filter(self, kind: str, value: object) -> None:
        index = self.filter.findData(f"{kind}:{value}")
        if index >= 0:
            self.filter.setCurrentIndex(index)

    def refresh(self) -> None:
        kind, _, value = (self.filter.currentData() or "").partition(":")
        form = value if kind == "form" else None
        year = int(value) if kind == "year" else None
        factory = self.ctx.factory
        self.ctx.db.submit(
            lambda: browse.overdue_rows(factory, form=form, year_group=year),
            self._show,
            lambda exc: report_unexpected(self, "Loading the overdue list", exc),
            key="overdue",
        )

    def changed_elsewhere(self, changes: object) -> None:
        """A loan made or taken back anywhere: the list is read again."""
        touches = getattr(changes, "touches", None)
        if changes is None or touches is None or touches("loans", "students", "devices"):
            self.refresh()

    def _show(self, rows: list[browse.OverdueRow]) -> None:
        self.model.set_rows(rows)
        self.count.setText(f"{len(rows)} overdue" if rows else "Nothing overdue.")

    def save_csv(self, path: str | None = None) -> Path | None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export overdue loans", "overdue.csv",
                                                  "CSV files (*.csv)")  # fmt: skip
        if not path:
            return None
        return write_csv(self.model.rows, path)

    def save_pdf(self, path: str | None = None) -> Path | None:
        from helpdesk.labels.overdue_report import overdue_pdf

        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save the overdue list", "overdue.pdf",
                                                  "PDF files (*.pdf)")  # fmt: skip
        if not path:
            return None
        return overdue_pdf(self.model.rows, path, filter_text=self.filter_text())
