"""Printing a PDF through the operating system's print system (CUPS on Linux) with Qt.

Every document Helpdesk prints (labels, slips, receipts, reports) is made as a PDF first. It is
printed page by page: QtPdf renders each page at the printer's resolution (203 or 300 dpi for a
thermal label printer, so each bar is a whole number of dots) and the image goes to a QPrinter
at the page's own size with no margins. The printer is remembered per kind of document
(:data:`helpdesk.ui.machine_settings.PRINT_KINDS`), so the counter prints without a dialog.

A printer that is missing, stopped or refusing jobs raises :class:`PrintError` with a sentence
for the person at the counter, and the job is kept as a PDF in ``<data dir>/print-queue/`` for a
retry (:class:`PrintQueue`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QObject, QRect, QSize, QSizeF, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from helpdesk.logs import data_dir
from helpdesk.ui.machine_settings import PRINT_KINDS, MachineSettings

DEFAULT_DPI = 300


class PrintError(Exception):
    """The job did not reach the printer. ``str()`` is for the user; ``job`` is kept."""

    def __init__(self, message: str, job: PrintJob | None = None) -> None:
        super().__init__(message)
        self.job = job


@dataclass(frozen=True)
class PrintJob:
    kind: str  # a key of PRINT_KINDS
    title: str
    pdf: bytes
    printer: str = ""  # "" = the printer remembered for ``kind``, else the system default
    dpi: int | None = None  # the printer's resolution when known (thermal label printers)
    kept_at: Path | None = None  # where the PDF waits for a retry
    kept_when: datetime | None = None  # when it was kept
    reason: str = ""  # why the last try failed (a sentence for the person)
    tried: str = ""  # the printer the last try went to ("" = none could be chosen)
    # asset labels: the devices and the stock, recorded as labelled once the job is printed
    label_devices: tuple[int, ...] = ()
    label_template: str = ""


def printer_names() -> list[str]:
    return list(QPrinterInfo.availablePrinterNames())


def default_printer_name() -> str:
    return QPrinterInfo.defaultPrinterName()


def _cups_refusal(name: str) -> str | None:
    """Why CUPS would refuse a job for ``name`` (a stopped queue or one rejecting jobs)."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return None
    try:
        out = subprocess.run(
            [lpstat, "-a", name, "-p", name],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in out.splitlines():
        if line.startswith(f"{name} not accepting"):
            return "is not accepting jobs"
        if line.startswith(f"printer {name} disabled"):
            return "is stopped (disabled)"
    return None


def _check_printer(name: str) -> QPrinterInfo:
    info = QPrinterInfo.printerInfo(name)
    if info.isNull():
        known = ", ".join(printer_names()) or "none"
        raise PrintError(
            f"The printer '{name}' is not available on this computer (printers: {known}). "
            "Check it is switched on and connected, or choose another printer."
        )
    refusal = _cups_refusal(name)
    if refusal:
        raise PrintError(
            f"The printer '{name}' {refusal}. Ask for it to be restarted, or choose another printer."
        )
    return info


def _page_images(document: QPdfDocument, index: int, dpi: int) -> tuple[QImage, QSizeF]:
    points = document.pagePointSize(index)
    pixels = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
    rendered = document.render(index, pixels)
    image = QImage(pixels, QImage.Format.Format_Grayscale8)
    image.fill(0xFFFFFFFF)  # the page is paper white where the PDF draws nothing
    painter = QPainter(image)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return image, points


def preview_pages(pdf: bytes, dpi: int = 96) -> list[QImage]:
    """Every page of ``pdf`` as an image on white, for a preview before printing."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-preview-") as folder:
        path = Path(folder) / "preview.pdf"
        path.write_bytes(pdf)
        document = QPdfDocument()
        if document.load(str(path)) != QPdfDocument.Error.None_:
            raise PrintError("The document could not be read for the preview.")
        pages = [_page_images(document, i, dpi)[0] for i in range(document.pageCount())]
        document.close()
    return pages


def print_pdf(pdf: bytes, printer_name: str, *, title: str, dpi: int | None = None) -> int:
    """Print every page of ``pdf`` on ``printer_name``; returns the number of pages sent.

    Raises :class:`PrintError` when the printer is missing, stopped or refuses the job.
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("printing needs a QGuiApplication")
    info = _check_printer(printer_name)
    dpi = dpi or DEFAULT_DPI
    with tempfile.TemporaryDirectory(prefix="helpdesk-print-") as folder:
        path = Path(folder) / "job.pdf"
        path.write_bytes(pdf)
        document = QPdfDocument()
        if document.load(str(path)) != QPdfDocument.Error.None_ or document.pageCount() == 0:
            raise PrintError(f"'{title}' could not be read back for printing.")
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        printer.setDocName(title)
        printer.setFullPage(True)
        printer.setResolution(dpi)
        painter = QPainter()
        pages = document.pageCount()
        for index in range(pages):
            image, points = _page_images(document, index, dpi)
            size = QPageSize(points, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
            layout = QPageLayout(
                size,
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
                QPageLayout.Unit.Point,
            )
            printer.setPageLayout(layout)
            if index == 0:
                if not painter.begin(printer):
                    raise PrintError(
                        f"The printer '{printer_name}' refused the job. Check it is ready, or "
                        "choose another printer."
                    )
            elif not printer.newPage():
                painter.end()
                raise PrintError(
                    f"The printer '{printer_name}' stopped the job at page {index + 1}."
                )
            target = QRect(0, 0, printer.width(), printer.height())
            painter.drawImage(target, image)
        if not painter.end() or printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintError(f"The printer '{printer_name}' reported an error for '{title}'.")
        document.close()
    return pages


def save_pdf(pdf: bytes, target: str | Path) -> Path:
    """Save as PDF (the 'printer' for a file)."""
    target = Path(target)
    temporary = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pdf)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise PrintError(f"Cannot save the PDF as {target}: {exc.strerror or exc}.") from exc
    return target


# --- the queue of jobs kept for a retry ---------------------------------------------------------


def queue_dir() -> Path:
    return data_dir() / "print-queue"


class KeptJobsWatch(QObject):
    """``changed()`` whenever a job is kept, fails again or is forgotten, from any thread."""

    changed = Signal()


_watch: KeptJobsWatch | None = None
_watch_lock = threading.Lock()


def kept_watch() -> KeptJobsWatch:
    """The one watch of the print queue folder (it lives on the GUI thread)."""
    global _watch
    with _watch_lock:
        if _watch is None:
            _watch = KeptJobsWatch()
            app = QCoreApplication.instance()
            if app is not None and _watch.thread() is not app.thread():
                _watch.moveToThread(app.thread())
        return _watch


def _meta(job: PrintJob) -> dict:
    when = job.kept_when or datetime.now()
    return {
        "kind": job.kind,
        "title": job.title,
        "printer": job.printer,
        "dpi": job.dpi,
        "kept": when.isoformat(timespec="seconds"),
        "reason": job.reason,
        "tried": job.tried,
        "label_devices": list(job.label_devices),
        "label_template": job.label_template,
    }


def keep_job(job: PrintJob, *, reason: str = "", tried: str = "") -> PrintJob:
    """Store ``job`` in the print queue folder, so it survives a restart."""
    folder = queue_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time_ns()  # the names sort in the order the jobs were kept
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{now % 1_000_000_000:09d}-{job.kind}"
    path = folder / f"{stem}.pdf"
    path.write_bytes(job.pdf)
    kept = replace(
        job,
        kept_at=path,
        kept_when=datetime.now().replace(microsecond=0),
        reason=reason or job.reason,
        tried=tried or job.tried,
    )
    path.with_suffix(".json").write_text(json.dumps(_meta(kept)), encoding="utf-8")
    kept_watch().changed.emit()
    return kept


def note_failure(job: PrintJob, reason: str, tried: str) -> PrintJob:
    """A kept job failed again: remember the newest reason."""
    if job.kept_at is None:
        return keep_job(job, reason=reason, tried=tried)
    again = replace(job, reason=reason, tried=tried)
    try:
        job.kept_at.with_suffix(".json").write_text(json.dumps(_meta(again)), encoding="utf-8")
    except OSError:
        pass  # the job itself is still kept; only the reason is old
    kept_watch().changed.emit()
    return again


def _when(meta: dict, path: Path) -> datetime:
    try:
        return datetime.fromisoformat(str(meta["kept"]))
    except (KeyError, ValueError):
        return datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


def kept_jobs() -> list[PrintJob]:
    jobs = []
    for path in sorted(queue_dir().glob("*.pdf")) if queue_dir().is_dir() else []:
        try:
            meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            jobs.append(
                PrintJob(
                    kind=str(meta.get("kind", "report")),
                    title=str(meta.get("title", path.stem)),
                    pdf=path.read_bytes(),
                    printer=str(meta.get("printer") or ""),
                    dpi=meta.get("dpi"),
                    kept_at=path,
                    kept_when=_when(meta, path),
                    reason=str(meta.get("reason") or ""),
                    tried=str(meta.get("tried") or ""),
                    label_devices=tuple(int(i) for i in meta.get("label_devices") or ()),
                    label_template=str(meta.get("label_template") or ""),
                )
            )
        except (OSError, ValueError, TypeError):
            continue
    return jobs


def forget_job(job: PrintJob) -> None:
    """Drop a kept job (printed, or discarded by the person)."""
    if job.kept_at is not None:
        job.kept_at.unlink(missing_ok=True)
        job.kept_at.with_suffix(".json").unlink(missing_ok=True)
        kept_watch().changed.emit()


class PrintQueue(QObject):
    """Prints jobs on the printer remembered for their kind; a failed job is kept for a retry.

    Signals: ``printed(kind, printer, pages)``, ``failed(kind, message)`` and
    ``pending_changed(count)`` (jobs waiting for a retry).
    """

    printed = Signal(str, str, int)
    failed = Signal(str, str)
    pending_changed = Signal(int)

    def __init__(self, settings: MachineSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings or MachineSettings()

    def printer_for(self, kind: str) -> str:
        return self.settings.printer(kind) or default_printer_name()

    def remember(self, kind: str, printer: str) -> None:
        if kind not in PRINT_KINDS:
            raise ValueError(f"unknown kind of document {kind!r}")
        self.settings.set_printer(kind, printer)

    def pending(self) -> list[PrintJob]:
        return kept_jobs()

    def submit(self, job: PrintJob) -> bool:
        """Print ``job`` now; on failure keep it, emit ``failed`` and return False."""
        printer = job.printer or self.printer_for(job.kind)
        try:
            if not printer:
                raise PrintError(
                    "No printer is chosen for "
                    f"{PRINT_KINDS.get(job.kind, job.kind).lower()} and this computer has no "
                    "default printer. Choose one in the settings."
                )
            pages = print_pdf(job.pdf, printer, title=job.title, dpi=job.dpi)
        except PrintError as exc:
            job = note_failure(job, str(exc), printer)
            self.failed.emit(job.kind, f"{exc} The job is kept and can be printed again.")
            self.pending_changed.emit(len(kept_jobs()))
            return False
        forget_job(job)
        self.printed.emit(job.kind, printer, pages)
        if job.kept_at is not None:
            self.pending_changed.emit(len(kept_jobs()))
        return True

    def retry(self) -> tuple[int, int]:
        """Print every kept job again: (printed, still waiting)."""
        done = waiting = 0
        for job in kept_jobs():
            if self.submit(job):
                done += 1
            else:
                waiting += 1
        return done, waiting
