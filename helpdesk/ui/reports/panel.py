"""Reports: pick one of the bench's reports and its dates; see it as a table and a bar chart;
export it as CSV. Also prints the charge letters for every charge due and the ready-for-collection
notices for form tutors. Every query and PDF runs off the GUI thread. Reports, letters and notices
are a manager's (the permission table's ``report.read`` and ``notices.make``): anyone below sees
the services' refusal in one sentence at the top of the area instead.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCharts import (
    QChart,
    QChartView,
)
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from helpdesk.services.core.codes import parse_ticket_code
from helpdesk.services.core.permissions import PermissionRefused
from helpdesk.services.records import browse
from helpdesk.services.reporting import notices, reports
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import report_unexpected
from helpdesk.ui.models.report_model import ReportModel
from helpdesk.ui.reports.views import draw_chart
from helpdesk.ui.style import BAD


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


class ReportsPanel(QWidget):
    """The reports area: ``ReportsPanel(ctx, parent=None)``."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today: date | None = None  # the day ages are counted to; None: the real today
        self.table: reports.ReportTable | None = None
        title = QLabel("Reports")
        title.setObjectName("pageTitle")

        self.report_box = QComboBox()
        self.report_box.setObjectName("reportName")
        for info in reports.report_infos():
            self.report_box.addItem(info.title, info.name)
            self.report_box.setItemData(
                self.report_box.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole
            )
        self.from_check = QCheckBox("From")
        self.from_date = self._date_edit(QDate.currentDate().addMonths(-3))
        self.to_check = QCheckBox("to")
        self.to_date = self._date_edit(QDate.currentDate())
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self.refresh)
            edit.dateChanged.connect(self.refresh)
        self.report_box.currentIndexChanged.connect(self.refresh)

        export_button = QPushButton("Export CSV…")
        export_button.clicked.connect(lambda: self.save_csv())
        print_button = QPushButton("Print (PDF)…")
        print_button.setToolTip("The report with its chart as a page to print")
        print_button.clicked.connect(lambda: self.save_pdf())
        letters_button = QPushButton("Charge letters (PDF)…")
        letters_button.setToolTip("A letter to parents for every charge still due")
        letters_button.clicked.connect(lambda: self.save_charge_letters())
        ready_button = QPushButton("Ready for collection (PDF)…")
        ready_button.setToolTip("One page per form for the form tutors")
        ready_button.clicked.connect(lambda: self.save_collection_notices())

        self.report_bar = QWidget()
        bar = QHBoxLayout(self.report_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(QLabel("Report"))
        bar.addWidget(self.report_box)
        bar.addSpacing(12)
        bar.addWidget(self.from_check)
        bar.addWidget(self.from_date)
        bar.addWidget(self.to_check)
        bar.addWidget(self.to_date)
        bar.addStretch(1)
        bar.addWidget(print_button)
        bar.addWidget(export_button)
        self.form_box = QComboBox()
        self.form_box.setObjectName("noticesForm")
        self.form_box.setToolTip("The form for the letters and notices")
        self.form_box.addItem("All forms", None)
        notices_bar = QHBoxLayout()
        self.summary = QLabel("…")
        self.summary.setObjectName("hint")
        self.summary.setWordWrap(True)
        notices_bar.addWidget(self.summary, 1)
        notices_bar.addWidget(self.form_box)
        notices_bar.addWidget(letters_button)
        notices_bar.addWidget(ready_button)
        self.notice_controls = (self.form_box, letters_button, ready_button)

        self.model = ReportModel(self)
        self.view = QTableView()
        self.view.setObjectName("reportTable")
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        self.view.setToolTip("Double-click a charge for its letter to parents")
        self.view.doubleClicked.connect(lambda index: self.save_letter_for_row(index.row()))

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("reportChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(280)

        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.chart_view)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([340, 380])

        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.report_bar)
        layout.addLayout(notices_bar)
        layout.addWidget(splitter, 1)
        layout.addStretch(0)  # takes the room the table leaves when a refusal hides it
        self.refused = False
        self._forms_loaded = False

    @staticmethod
    def _date_edit(initial: QDate) -> QDateEdit:
        edit = QDateEdit(initial)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("dd/MM/yyyy")
        return edit

    # --- choosing ---------------------------------------------------------------------------------

    def activated(self) -> None:
        if not self._forms_loaded:
            self._forms_loaded = True  # asked once; the list fills in when the answer comes
            factory = self.ctx.factory
            self.ctx.db.submit(lambda: browse.forms_and_years(factory)[0], self._fill_forms)
        self.refresh()

    def _fill_forms(self, forms: list[str]) -> None:
        def natural(form: str) -> tuple[int, str]:  # 7A before 10C
            digits = form[: len(form) - len(form.lstrip("0123456789"))]
            return (int(digits) if digits else 99, form)

        for form in sorted(forms, key=natural):
            if self.form_box.findData(form) < 0:
                self.form_box.addItem(f"Form {form}", form)

    def notices_form(self) -> str | None:
        return self.form_box.currentData()

    def set_notices_form(self, form: str | None) -> None:
        index = self.form_box.findData(form)
        if index < 0:
            self.form_box.addItem(f"Form {form}", form)
            index = self.form_box.count() - 1
        self.form_box.setCurrentIndex(index)

    def report_name(self) -> str:
        return str(self.report_box.currentData())

    def set_report(self, name: str) -> None:
        index = self.report_box.findData(name)
        if index < 0:
            raise ValueError(f"no report called {name!r}")
        self.report_box.setCurrentIndex(index)

    def set_dates(self, date_from: date | None, date_to: date | None) -> None:
        """Set (or clear, with None) the date filters, then run the report once."""
        widgets = (
            (self.from_check, self.from_date, date_from),
            (self.to_check, self.to_date, date_to),
        )
        for check, edit, value in widgets:
            check.blockSignals(True)
            edit.blockSignals(True)
            check.setChecked(value is not None)
            edit.setEnabled(value is not None)
            if value is not None:
                edit.setDate(QDate(value.year, value.month, value.day))
            check.blockSignals(False)
            edit.blockSignals(False)
        self.refresh()

    def dates(self) -> tuple[date | None, date | None]:
        def read(check: QCheckBox, edit: QDateEdit) -> date | None:
            if not check.isChecked():
                return None
            d = edit.date()
            return date(d.year(), d.month(), d.day())

        return read(self.from_check, self.from_date), read(self.to_check, self.to_date)

    # --- running ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        name = self.report_name()
        date_from, date_to = self.dates()
        if date_from and date_to and date_from > date_to:
            self.summary.setText("The start date is after the end date: change one of them.")
            self.summary.setStyleSheet(f"color: {BAD};")
            return
        self.summary.setStyleSheet("")
        self.summary.setText("Working…")
        factory, actor, today = self.ctx.factory, self.ctx.actor, self.today
        self.ctx.db.submit(
            lambda: reports.run_report(
                factory, actor, name, date_from=date_from, date_to=date_to, today=today
            ),
            self._show,
            lambda exc: self._failed("Making the report", exc),
            key="reports",
        )

    def _failed(self, what: str, exc: BaseException) -> None:
        if isinstance(exc, PermissionRefused):
            self._refuse(exc)
            return
        self.summary.setText(report_unexpected(self, what, exc))
        self.summary.setStyleSheet(f"color: {BAD};")

    def _refuse(self, exc: PermissionRefused) -> None:
        """The refusal in one sentence at the top, with no report, letters or notices to try."""
        self.refused = True
        self.table = None
        self.model.set_table(None)
        self._show_controls(False)
        self.summary.setText(str(exc))
        self.summary.setStyleSheet(f"color: {BAD};")

    def _show_controls(self, shown: bool) -> None:
        self.report_bar.setVisible(shown)
        for widget in self.notice_controls:
            widget.setVisible(shown)
        self.splitter.setVisible(shown)
        self._layout.setStretch(self._layout.count() - 1, 0 if shown else 1)

    def _show(self, table: reports.ReportTable) -> None:
        if self.refused:
            self.refused = False
            self._show_controls(True)
        self.table = table
        self.model.set_table(table)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.summary.setText(f"{table.period} · {table.summary}")
        draw_chart(self.chart, table.chart, table.name)

    # --- saving -----------------------------------------------------------------------------------

    def _ask(self, caption: str, suggested: str, kind: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, caption, suggested, kind)
        return path

    def save_csv(self, path: str | None = None) -> Path | None:
        """The report on screen as CSV (UTF-8 with a BOM, so Excel opens it right)."""
        if self.table is None:
            return None
        table = self.table
        path = path or self._ask("Export the report", f"{table.name}.csv", "CSV files (*.csv)")
        if not path:
            return None
        target = Path(path)
        with target.open("w", newline="", encoding="utf-8-sig") as out:
            reports.write_csv(table, out)
        self.summary.setText(f"Saved {table.title.lower()} to {target}")
        return target

    def save_pdf(self, path: str | None = None, *, on_done=None) -> None:  # noqa: ANN001
        """The report on screen with its chart as a PDF (made off the GUI thread)."""
        table = self.table
        if table is None:
            return
        path = path or self._ask("Print the report", f"{table.name}.pdf", "PDF files (*.pdf)")
        if not path:
            return
        factory = self.ctx.factory

        def make(school: str) -> tuple[str, Path]:
            from helpdesk.labels.report_pdf import report_pdf

            return table.title.lower(), report_pdf(table, path, school_name=school)

        self._save_pdf(lambda: notices.school_name(factory), make, "Printing the report", on_done)

    def save_charge_letters(self, path: str | None = None, *, on_done=None) -> None:  # noqa: ANN001
        """A letter to parents for every charge still due, as one PDF (made off the GUI thread)."""
        path = path or self._ask("Save the charge letters", "charge-letters.pdf",
                                 "PDF files (*.pdf)")  # fmt: skip
        if not path:
            return
        factory, actor, form = self.ctx.factory, self.ctx.actor, self.notices_form()

        def make(letters: list) -> tuple[str, Path]:
            from helpdesk.labels.charge_letter import charge_letters_pdf

            return _count(len(letters), "charge letter"), charge_letters_pdf(letters, path)

        self._save_pdf(
            lambda: notices.charge_letters_due(factory, actor, form=form),
            make,
            "Printing the charge letters",
            on_done,
        )

    def save_letter_for_row(self, row: int, path: str | None = None, *, on_done=None) -> None:  # noqa: ANN001
        """The letter to parents for the charge on ``row`` of the charges report."""
        table = self.table
        if table is None or table.name != "charges" or not 0 <= row < len(table.rows):
            return
        reference = str(table.rows[row][0])
        ticket_id = parse_ticket_code(reference)
        if ticket_id is None:
            return
        path = path or self._ask(f"Save the charge letter for {reference}",
                                 f"charge-letter-{reference}.pdf", "PDF files (*.pdf)")  # fmt: skip
        if not path:
            return
        factory, actor = self.ctx.factory, self.ctx.actor

        def make(letter: notices.ChargeLetter) -> tuple[str, Path]:
            from helpdesk.labels.charge_letter import charge_letters_pdf

            return f"the charge letter for {reference}", charge_letters_pdf([letter], path)

        self._save_pdf(
            lambda: notices.charge_letter(factory, actor, ticket_id=ticket_id),
            make,
            "Printing the charge letter",
            on_done,
        )

    def save_collection_notices(self, path: str | None = None, *, on_done=None) -> None:  # noqa: ANN001
        """The ready-for-collection list, one page per form, as a PDF for the form tutors."""
        path = path or self._ask("Save the ready-for-collection notices",
                                 "ready-for-collection.pdf", "PDF files (*.pdf)")  # fmt: skip
        if not path:
            return
        factory, actor, form = self.ctx.factory, self.ctx.actor, self.notices_form()

        def read() -> tuple[tuple[notices.FormNotice, ...], str]:
            return notices.ready_for_collection(factory, actor, form=form), notices.school_name(
                factory
            )

        def make(found: tuple[tuple[notices.FormNotice, ...], str]) -> tuple[str, Path]:
            from helpdesk.labels.collection_notice import collection_notices_pdf

            forms, school = found
            laptops = sum(len(f.rows) for f in forms)
            what = f"{_count(len(forms), 'form notice')} ({_count(laptops, 'laptop')})"
            return what, collection_notices_pdf(forms, path, school_name=school)

        self._save_pdf(read, make, "Printing the ready-for-collection notices", on_done)

    def _save_pdf(self, read, make, failing: str, on_done) -> None:  # noqa: ANN001
        """``read()`` on the database thread, then ``make(data)`` (returning what was saved, in
        words, and the file) on the other worker: a long PDF never holds up the database."""

        def done(result: tuple[str, Path]) -> None:
            what, target = result
            self.summary.setStyleSheet("")
            self.summary.setText(f"Saved {what} to {target}")
            if on_done is not None:
                on_done(target)

        def failed(exc: BaseException) -> None:
            if isValid(self):
                self._failed(failing, exc)

        def render(data: object) -> None:
            if isValid(self):
                self.ctx.runner.submit(lambda: make(data), done, failed)

        self.ctx.db.submit(read, render, failed)
