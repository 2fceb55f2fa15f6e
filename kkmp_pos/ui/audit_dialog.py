"""The audit screen (manajer, pengawas, admin): approvals and refusals, and PIN attempts, with filters; read-only."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.clock import business_date, format_wita
from kkmp_pos.domain.roles import ACTION_LABELS, Action
from kkmp_pos.i18n import tr
from kkmp_pos.services.audit import (
    APPROVED,
    REFUSED,
    ApprovalEntry,
    AttemptEntry,
    AuditFilter,
    audit_people,
    list_approvals,
    list_login_attempts,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.approval_dialog import change_text
from kkmp_pos.ui.list_model import Column, ListTableModel
from kkmp_pos.ui.login_dialog import person_text
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button, configure_list_view

DEFAULT_DAYS = 7
"""The screen opens on the last week: enough to find yesterday's void without scrolling through months."""


def refusal_label(code: str | None) -> str:
    """Why an approval or a PIN attempt was refused, in a few words."""
    labels = {
        "wrong_pin": tr("PIN salah"), "locked": tr("pengguna terkunci"), "unknown_user": tr("pengguna tidak dikenal"),
        "inactive": tr("pengguna nonaktif"), "no_pin": tr("belum punya PIN"), "pin_key": tr("kunci PIN tidak cocok"),
        "bad_hash": tr("data PIN rusak"), "not_approver": tr("bukan manajer"), "no_reason": tr("tanpa alasan"),
        "may_not_act": tr("peran hanya melihat"),
    }
    return labels.get(code or "", code or "")


def action_label(action: str | None) -> str:
    try:
        return tr(ACTION_LABELS[Action(action)]) if action else ""
    except ValueError:
        return action or ""


def approval_outcome_text(entry: ApprovalEntry) -> str:
    if entry.outcome == APPROVED:
        return tr("Disetujui (wewenang sendiri)") if entry.own_authority else tr("Disetujui")
    return tr("Ditolak: {why}", why=refusal_label(entry.refusal))


def approval_columns() -> list[Column[ApprovalEntry]]:
    return [
        Column(tr("Waktu"), lambda e: format_wita(e.at)),
        Column(tr("Tindakan"), lambda e: action_label(e.action)),
        Column(tr("Subjek"), lambda e: e.subject or ""),
        Column(tr("Kasir"), lambda e: e.cashier_name),
        Column(tr("Penyetuju"), lambda e: e.approver_name or "—"),
        Column(tr("Hasil"), approval_outcome_text),
        Column(tr("Alasan"), lambda e: e.reason),
        Column(tr("Sebelum → sesudah"), lambda e: change_text(e.before, e.after)),
    ]


def attempt_columns() -> list[Column[AttemptEntry]]:
    return [
        Column(tr("Waktu"), lambda e: format_wita(e.at, seconds=True)),
        Column(tr("Pengguna"), lambda e: e.full_name or e.username),
        Column(tr("Untuk"), lambda e: tr("Persetujuan: {action}", action=action_label(e.action))
               if e.action else tr("Masuk")),
        Column(tr("Hasil"), lambda e: tr("Berhasil") if e.success else tr("Ditolak: {why}",
                                                                          why=refusal_label(e.outcome))),
    ]


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _table(model: ListTableModel[ApprovalEntry] | ListTableModel[AttemptEntry]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    configure_list_view(view)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return view


class AuditDialog(QDialog):
    """Every filter change reloads both lists; nothing here can change a record."""

    def __init__(self, ctx: PosContext, viewer: Cashier, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._viewer = viewer
        self.setWindowTitle(tr("Audit persetujuan dan login"))
        today = business_date(ctx.clock())

        self.first_day_edit = QDateEdit(_qdate(today - timedelta(days=DEFAULT_DAYS - 1)))
        self.last_day_edit = QDateEdit(_qdate(today))
        for edit in (self.first_day_edit, self.last_day_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd-MM-yyyy")
        self.action_combo = QComboBox()
        self.action_combo.addItem(tr("Semua tindakan"), None)
        for action in Action:
            self.action_combo.addItem(tr(ACTION_LABELS[action]), action.value)
        self.user_combo = QComboBox()
        self.user_combo.addItem(tr("Semua pengguna"), None)
        for person in audit_people(ctx, viewer_id=viewer.id):
            self.user_combo.addItem(person_text(person), person.id)
        self.outcome_combo = QComboBox()
        self.outcome_combo.addItem(tr("Semua hasil"), None)
        self.outcome_combo.addItem(tr("Disetujui / berhasil"), APPROVED)
        self.outcome_combo.addItem(tr("Ditolak"), REFUSED)

        self.approvals_model: ListTableModel[ApprovalEntry] = ListTableModel(approval_columns(), self)
        self.attempts_model: ListTableModel[AttemptEntry] = ListTableModel(attempt_columns(), self)
        self.approvals_view = _table(self.approvals_model)
        self.attempts_view = _table(self.attempts_model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.approvals_view, tr("Persetujuan"))
        self.tabs.addTab(self.attempts_view, tr("Percobaan PIN"))
        self.messages = MessageBar()
        self.close_button = action_button(tr("Tutup (Esc)"))
        self.close_button.clicked.connect(self.reject)

        for edit in (self.first_day_edit, self.last_day_edit):
            edit.dateChanged.connect(self.refresh)
        for combo in (self.action_combo, self.user_combo, self.outcome_combo):
            combo.currentIndexChanged.connect(self.refresh)

        filters = QHBoxLayout()
        filters.addWidget(QLabel(tr("Dari")))
        filters.addWidget(self.first_day_edit)
        filters.addWidget(QLabel(tr("sampai")))
        filters.addWidget(self.last_day_edit)
        filters.addWidget(self.action_combo, 1)
        filters.addWidget(self.user_combo, 1)
        filters.addWidget(self.outcome_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(1100, 600)
        self.refresh()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)

    def current_filter(self) -> AuditFilter:
        action = self.action_combo.currentData()
        return AuditFilter(
            first_day=self.first_day_edit.date().toPython(),  # type: ignore[arg-type]
            last_day=self.last_day_edit.date().toPython(),  # type: ignore[arg-type]
            action=Action(action) if action else None,
            user_id=self.user_combo.currentData(),
            outcome=self.outcome_combo.currentData(),
        )

    @guarded
    def refresh(self) -> None:
        flt = self.current_filter()
        approvals = list_approvals(self._ctx, flt, viewer_id=self._viewer.id)
        attempts = list_login_attempts(self._ctx, flt, viewer_id=self._viewer.id)
        self.approvals_model.set_rows(approvals)
        self.attempts_model.set_rows(attempts)
        self.tabs.setTabText(0, tr("Persetujuan ({n})", n=len(approvals)))
        self.tabs.setTabText(1, tr("Percobaan PIN ({n})", n=len(attempts)))
        self.messages.clear_message()
