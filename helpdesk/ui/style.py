"""Colours, fonts and the application style sheet: one place for the look of every screen."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

# The palette: calm neutrals, one accent, and signal colours for cover badges and refusals.
INK = "#1f2933"
MUTED = "#616e7c"
LINE = "#d9e2ec"
PAPER = "#ffffff"
CANVAS = "#f5f7fa"
SIDEBAR = "#243b53"
SIDEBAR_INK = "#d9e2ec"
ACCENT = "#2f6fde"
GOOD = "#1f8a4c"
GOOD_BG = "#e3f6ea"
WARN = "#b26b00"
WARN_BG = "#fff4db"
BAD = "#c62828"
BAD_BG = "#fde8e8"
INFO_BG = "#e8f0fe"

# Cover badge colours by CoverStatus value (text, background).
COVER_COLOURS: dict[str, tuple[str, str]] = {
    "insured": (GOOD, GOOD_BG),
    "pending_payment": (WARN, WARN_BG),
    "lapsed": (BAD, BAD_BG),
    "uninsured": (BAD, BAD_BG),
    "none": (MUTED, CANVAS),
}

# Device status colours (text only).
STATUS_COLOURS: dict[str, str] = {
    "in_stock": GOOD,
    "assigned": ACCENT,
    "on_loan": WARN,
    "in_repair": WARN,
    "lost": BAD,
    "stolen": BAD,
    "retired": MUTED,
}


def money(pence: int | None) -> str:
    """Whole pence as pounds for people: 5000 -> '£50.00', 0 -> 'no charge'."""
    if not pence:
        return "no charge"
    return f"£{pence / 100:,.2f}"


def badge_html(text: str, fg: str, bg: str) -> str:
    return (
        f'<span style="color:{fg}; background-color:{bg}; font-weight:600;">'
        f"&nbsp;{text}&nbsp;</span>"
    )


STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {CANVAS}; }}
QWidget {{ color: {INK}; }}
QListWidget#sidebar {{
    background: {SIDEBAR}; color: {SIDEBAR_INK}; border: none; outline: 0;
    font-size: 11pt; padding-top: 8px;
}}
QListWidget#sidebar::item {{ padding: 12px 16px; border-left: 4px solid transparent; }}
QListWidget#sidebar::item:selected {{
    background: #334e68; color: white; border-left: 4px solid {ACCENT};
}}
QLabel#appTitle {{
    background: {SIDEBAR}; color: white; font-size: 13pt; font-weight: 700; padding: 14px 16px 4px;
}}
QLabel#schoolName {{ background: {SIDEBAR}; color: {SIDEBAR_INK}; padding: 0 16px 10px; }}
QLabel#pageTitle {{ font-size: 16pt; font-weight: 700; padding: 4px 0 8px; }}
QLabel#hint {{ color: {MUTED}; }}
QFrame#card {{ background: {PAPER}; border: 1px solid {LINE}; border-radius: 8px; }}
QLabel#cardTitle {{ font-size: 15pt; font-weight: 700; }}
QLabel#cardSub {{ color: {MUTED}; font-size: 10.5pt; }}
QLineEdit#scanBox, QLineEdit#searchBox {{
    font-size: 15pt; padding: 8px 10px; border: 2px solid {LINE}; border-radius: 6px;
    background: {PAPER};
}}
QLineEdit#scanBox:focus, QLineEdit#searchBox:focus {{ border-color: {ACCENT}; }}
QLabel#message {{ font-size: 12.5pt; padding: 10px 12px; border-radius: 6px; }}
QLabel#message[tone="good"] {{ color: {GOOD}; background: {GOOD_BG}; }}
QLabel#message[tone="bad"] {{ color: {BAD}; background: {BAD_BG}; font-weight: 600; }}
QLabel#message[tone="info"] {{ color: {INK}; background: {INFO_BG}; }}
QLabel#message[tone="warn"] {{ color: {WARN}; background: {WARN_BG}; }}
QLabel#prompt {{ font-size: 12pt; color: {INK}; padding: 2px 2px; }}
QLabel#prompt[tone="warn"] {{ color: {WARN}; background: {WARN_BG}; font-weight: 600; }}
QTableView {{
    background: {PAPER}; border: 1px solid {LINE}; gridline-color: {LINE};
    selection-background-color: {INFO_BG}; selection-color: {INK};
    alternate-background-color: #fafbfc;
}}
QHeaderView::section {{
    background: {CANVAS}; border: none; border-bottom: 1px solid {LINE}; padding: 6px;
    font-weight: 600; color: {MUTED};
}}
QPushButton {{
    padding: 6px 14px; border: 1px solid {LINE}; border-radius: 5px; background: {PAPER};
}}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QStatusBar {{ background: {PAPER}; border-top: 1px solid {LINE}; }}
QStatusBar QLabel {{ padding: 0 10px; color: {MUTED}; }}
QGroupBox {{ font-weight: 600; border: 1px solid {LINE}; border-radius: 6px; margin-top: 12px;
    padding-top: 8px; background: {PAPER}; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion style, a readable base font and the style sheet above."""
    app.setStyle("Fusion")
    font = QFont(app.font())
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(CANVAS))
    palette.setColor(QPalette.ColorRole.Base, QColor(PAPER))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    app.setPalette(palette)
    app.setStyleSheet(STYLE_SHEET)
