"""The ticket page: the device and student, the damage and its photos, diagnosis notes, parts and
their costs, vendor, RMA and warranty, time on the bench, the cover check and the charge with the
rule, payment or waiver, the moves the lifecycle allows, and the full history.

The page is made of parts it owns: its sections (group boxes in
:mod:`helpdesk.ui.bench.ticket_sections` and :mod:`helpdesk.ui.bench.ticket_decisions`, each
with its own widgets and signals) and its actions (:class:`TicketActions`, as ``ticket_actions``). Every
action is a service call off the GUI thread; a refusal shows as one red sentence.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from helpdesk.domain.enums import TicketState
from helpdesk.services.core import staff
from helpdesk.services.repairs import ticket_queue as bench
from helpdesk.ui.bench.ticket_actions import TicketActions
from helpdesk.ui.bench.ticket_decisions import PAGE_ACTIONS, ChargeBox, MovesBox
from helpdesk.ui.bench.ticket_sections import DamageBox, PartsBox, PhotosBox, VendorBox
from helpdesk.ui.bench.widgets import RIGHT_WIDTH, fill_table, make_table, money, say, submit
from helpdesk.ui.context import AppContext
from helpdesk.ui.errors import describe_failure
from helpdesk.ui.style import BAD, BAD_BG, GOOD, GOOD_BG, MUTED, WARN, WARN_BG, badge_html

DISABLED_STYLE = "QPushButton:disabled, QLineEdit:disabled { color: #9aa5b1; background: #eef1f4; }"


class TicketPage(QDialog):
    """One repair ticket. ``changed`` after every action that succeeded."""

    changed = Signal()

    def __init__(self, ctx: AppContext, ticket_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ticket_id = ticket_id
        self.page: bench.TicketPage | None = None
        self.setWindowTitle("Repair ticket")
        self.setObjectName("ticketPage")
        self.setStyleSheet(DISABLED_STYLE)
        # as big as the page wants, but never bigger than the screen (a 1280x720 bench PC)
        screen = (parent.screen() if parent is not None else None) or self.screen()
        room = screen.availableGeometry().size() if screen is not None else None
        width, height = 1280, 960
        if room is not None:
            width, height = min(width, room.width()), min(height, room.height() - 40)
        self.resize(width, height)

        self.title = QLabel("Loading…")
        self.title.setObjectName("cardTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("cardSub")
        self.subtitle.setWordWrap(True)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()

        self.ticket_actions = TicketActions(self)
        self.damage_box = DamageBox()
        self.vendor_box = VendorBox()
        self.parts_box = PartsBox()
        self.moves_box = MovesBox(ctx)
        self.charge_box = ChargeBox()
        self.photos_box = PhotosBox(ctx)
        self._connect_sections()

        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        right_column = QWidget()
        right_column.setFixedWidth(RIGHT_WIDTH)
        right = QVBoxLayout(right_column)
        right.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addWidget(right_column)
        left.addWidget(self.damage_box)
        left.addWidget(self.vendor_box)
        left.addWidget(self.parts_box, 1)
        right.addWidget(self.moves_box)
        right.addWidget(self.charge_box)
        right.addWidget(self.photos_box)
        right.addStretch(1)

        self.history = QTabWidget()
        self.changes_table = make_table(["When", "Who", "What happened"], 2)
        self.device_table = make_table(["When", "What", "Ref"], 1)
        self.history.addTab(self.changes_table, "Ticket history")
        self.history.addTab(self.device_table, "Device history")
        self.history.setFixedHeight(190)

        print_button = QPushButton("Print receipt")
        print_button.setObjectName("printReceipt")
        print_button.clicked.connect(self.ticket_actions.print_receipt)
        pdf_button = QPushButton("Receipt as PDF…")
        pdf_button.setObjectName("receiptPdf")
        pdf_button.clicked.connect(lambda: self.ticket_actions.save_receipt())
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(print_button)
        top.addWidget(pdf_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.message)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.history)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter in a field never presses a move button
        self.reload()

    def _connect_sections(self) -> None:
        """Each section's request goes to the action that answers it."""
        actions = self.ticket_actions
        self.damage_box.note_added.connect(actions.add_note)
        self.parts_box.part_added.connect(actions.add_part)
        self.vendor_box.vendor_saved.connect(actions.save_vendor)
        self.vendor_box.time_added.connect(actions.add_time)
        self.moves_box.move_wanted.connect(actions.move_to)
        self.moves_box.replacement_wanted.connect(actions.assign_replacement)
        self.charge_box.pay_wanted.connect(lambda: actions.record_payment())
        self.charge_box.waive_wanted.connect(actions.waive)
        self.charge_box.cover_wanted.connect(actions.edit_cover)
        self.charge_box.reverse_wanted.connect(lambda: actions.reverse_payment())
        self.photos_box.file_wanted.connect(lambda: actions.add_photo())
        self.photos_box.camera_wanted.connect(actions.take_photo)
        self.photos_box.said.connect(self.say)

    # --- loading and showing ---------------------------------------------------------------------

    def reload(self) -> None:
        factory, ticket_id, actor = self.ctx.factory, self.ticket_id, self.ctx.actor
        submit(
            self,
            lambda: (
                bench.ticket_page(factory, ticket_id),
                staff.actions_allowed(factory, actor, PAGE_ACTIONS),
            ),
            self._loaded,
            lambda exc: self.say(describe_failure("Loading the ticket", exc), "bad"),
            key=f"ticket-page-{id(self)}",
        )

    def _loaded(self, answer: tuple[bench.TicketPage, frozenset[str]]) -> None:
        page, allowed = answer
        self.charge_box.allowed = allowed  # what the acting staff member's role lets them do
        self.moves_box.allowed = allowed
        self.show_page(page)

    def show_page(self, page: bench.TicketPage) -> None:
        self.page = page
        t = page.ticket
        state = t.state
        self.setWindowTitle(f"{t.code} · {t.asset_tag}")
        title = f"{t.code}  {badge_html(state.label, *self._state_colours(state))}"
        if page.student_unpaid_pence > 0:  # the student owes money, on this or another ticket
            owed = f"Unpaid charges {money(page.student_unpaid_pence)}"
            title += f"  {badge_html(owed, BAD, BAD_BG)}"
        self.title.setText(title)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        who = f"{t.student_name} ({t.form}), card {t.card_code}" if t.student_id else "no student"
        self.subtitle.setText(
            f"{t.asset_tag} · {t.model} · serial {t.serial} · {page.device_status.replace('_', ' ')}"
            f"  —  {who}  —  logged {t.opened_at:%d/%m/%Y %H:%M}, "
            f"{page.age_school_days} school day{'' if page.age_school_days == 1 else 's'} old"
            + (f", technician {t.technician}" if t.technician else "")
        )
        for section in (self.damage_box, self.vendor_box, self.parts_box, self.moves_box,
                        self.charge_box, self.photos_box):  # fmt: skip
            section.show_ticket(page)
        self._fit_labels()
        fill_table(
            self.changes_table,
            [(f"{e.at:%d/%m/%Y %H:%M}", e.who, e.text) for e in page.events],
        )
        fill_table(
            self.device_table,
            [(f"{h.at:%d/%m/%Y %H:%M}", h.text, h.ref) for h in page.device_history],
        )

    @staticmethod
    def _state_colours(state: TicketState) -> tuple[str, str]:
        if state in (TicketState.COLLECTED, TicketState.READY_FOR_COLLECTION):
            return GOOD, GOOD_BG
        if state in (TicketState.WRITTEN_OFF, TicketState.CANCELLED):
            return MUTED, "#eef1f4"
        if state is TicketState.AWAITING_PAYMENT:
            return WARN, WARN_BG
        return "#2f6fde", "#e8f0fe"

    # --- messages and layout ------------------------------------------------------------------

    def say(self, sentence: str, tone: str) -> None:
        """One sentence at the top of the page, in its tone (good, bad, info, warn)."""
        say(self.message, sentence, tone)

    def _fit_labels(self) -> None:
        """Word-wrapped labels in the fixed right column take the height their text needs."""
        moves = self.moves_box
        for label in (self.charge_box.cover_text, self.photos_box.photo_where, moves.move_hint,
                      moves.confirm_text, moves.replacement_text):  # fmt: skip
            width = label.width() if label.width() > 50 else RIGHT_WIDTH - 40
            label.setMinimumHeight(label.heightForWidth(width))

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._fit_labels()
