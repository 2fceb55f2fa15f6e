"""A manager's approval of a gated act (PIN and reason), and `ask_approval`, the one way UI code asks for it.

How to gate an act in the UI::

    ask_approval(parent, ctx, cashier, Action.PRICE_ABOVE_HET, subject=sku,
                 before={"het": 18_000}, after={"price": 19_000},
                 on_approved=lambda grant: keep(grant.id),          # pass grant.id to the service
                 open_dialog=till.open_dialog,                      # optional: how to show the dialog
                 on_cancelled=lambda: ...)                          # optional

- `cashier` is the logged-in user doing the act. When their own role covers it (manajer, admin) nothing
  is asked: the act is recorded as their own authority and `on_approved` runs at once, before
  ask_approval returns. A pengawas is refused (recorded) with ApprovalRefused, raised to the caller.
- Otherwise an ApprovalDialog opens, non-blocking. The cashier types the reason, a manager picks their
  name and types their PIN. A refusal (wrong PIN, not a manager, no reason) is recorded and shown; the
  dialog stays open for another try. On approval the dialog closes first, then `on_approved(grant)` runs,
  so it may open the next dialog. Esc cancels: nothing recorded, `on_cancelled` runs.
- `subject` names what the act is about (a SKU, "keranjang", a receipt number, a member number); it must
  be the same subject the service checks when it spends the approval. `before`/`after` are small JSON
  objects of strings and integers (rupiah, qty_milli, ...), shown as "before → after" and stored.
- `open_dialog` defaults to `dialog.open()` over `parent`'s window; the till passes its own opener so it
  knows a dialog is up (one at a time, focus back to the scan field after).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.quantity import MILLI, format_quantity
from kkmp_pos.domain.roles import ACTION_LABELS, Action, Role, needs_approval
from kkmp_pos.i18n import tr
from kkmp_pos.services.approvals import (
    ApprovalGrant,
    ApprovalRefused,
    ChangeValues,
    Refusal,
    approvers,
    record_own_authority,
    request_approval,
)
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.outlet import Cashier
from kkmp_pos.ui.login_dialog import make_pin_input, move_combo, person_text
from kkmp_pos.ui.messages import MessageBar, guarded
from kkmp_pos.ui.widgets import action_button

MONEY_KEYS = frozenset({"price", "het", "amount", "discount", "total", "limit", "balance", "kasbon", "credit"})


def _key_label(key: str) -> str:
    labels = {
        "price": tr("harga"), "het": tr("HET"), "amount": tr("nilai"), "discount": tr("diskon"),
        "total": tr("total"), "limit": tr("batas"), "balance": tr("saldo"), "kasbon": tr("kasbon"),
        "credit": tr("kasbon"), "qty_milli": tr("jumlah"), "lines": tr("baris"), "name": tr("barang"),
        "receipt_no": tr("struk"), "kelurahan": tr("kelurahan"),
    }
    return labels.get(key, key)


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return str(value)
    if key in MONEY_KEYS:
        return format_rupiah(value)
    if key == "qty_milli":
        return format_quantity(value, weighed=value % MILLI != 0)
    return str(value)


def values_text(values: Mapping[str, Any] | None) -> str:
    """`barang Minyakita 1 L, jumlah 2, total Rp31.400`; a dash when there is nothing."""
    if not values:
        return "—"
    return ", ".join(f"{_key_label(key)} {_value_text(key, value)}" for key, value in values.items())


def change_text(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> str:
    """`before → after` as one line, or empty when the act changes no value."""
    if not before and not after:
        return ""
    return f"{values_text(before)} → {values_text(after)}"


class ApprovalDialog(QDialog):
    """Shows what is asked, takes a reason and a manager's PIN; stays open after a refusal."""

    approved = Signal(object)
    """The ApprovalGrant, emitted after the dialog has closed."""

    def __init__(self, ctx: PosContext, cashier: Cashier, action: Action, subject: str | None,
                 before: ChangeValues | None, after: ChangeValues | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._cashier = cashier
        self._action = Action(action)
        self._subject = subject
        self._before = before
        self._after = after
        self.grant: ApprovalGrant | None = None
        self.setWindowTitle(tr("Persetujuan manajer"))

        self.action_label = QLabel(tr(ACTION_LABELS[self._action]))
        self.action_label.setStyleSheet("font-size:20px; font-weight:bold;")
        self.subject_label = QLabel(subject or "")
        self.subject_label.setVisible(bool(subject))
        self.change_label = QLabel(change_text(before, after))
        self.change_label.setWordWrap(True)
        self.change_label.setVisible(bool(self.change_label.text()))
        asked_by = QLabel(tr("Diminta oleh {person}", person=person_text(cashier)))

        self.reason_input = QLineEdit()
        self.reason_input.setMaxLength(500)
        self.reason_input.setPlaceholderText(tr("misalnya: salah pindai, pembeli batal"))
        self.approver_combo = QComboBox()
        for user in approvers(ctx):
            self.approver_combo.addItem(person_text(user), user.username)
        self.pin_input = make_pin_input(tr("PIN manajer"))
        self.messages = MessageBar()
        if self.approver_combo.count() == 0:
            self.messages.show_warning(tr("Belum ada manajer atau admin yang punya PIN. Minta admin mengatur "
                                          "pengguna di Menu > Pengguna."))
        self.approve_button = action_button(tr("Setujui (Enter)"))
        self.cancel_button = action_button(tr("Batal (Esc)"))

        self.reason_input.returnPressed.connect(self._reason_entered)
        self.pin_input.returnPressed.connect(self.submit)
        self.pin_input.navigate.connect(lambda step: move_combo(self.approver_combo, step))
        self.approve_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow(tr("Alasan"), self.reason_input)
        form.addRow(tr("Manajer"), self.approver_combo)
        form.addRow(tr("PIN"), self.pin_input)
        layout = QVBoxLayout(self)
        layout.addWidget(self.action_label)
        layout.addWidget(self.subject_label)
        layout.addWidget(self.change_label)
        layout.addWidget(asked_by)
        layout.addLayout(form)
        layout.addWidget(self.messages)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.approve_button)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        self.reason_input.setFocus()

    def show_exception(self, exc: BaseException) -> None:
        self.messages.show_exception(exc)
        self.pin_input.setFocus()

    def _reason_entered(self) -> None:
        self.pin_input.setFocus()

    def select_approver(self, username: str) -> None:
        self.approver_combo.setCurrentIndex(max(0, self.approver_combo.findData(username)))

    @guarded
    def submit(self) -> None:
        """Ask the service; the PIN is cleared whatever the answer, never left on screen."""
        username = self.approver_combo.currentData()
        pin = self.pin_input.text()
        self.pin_input.clear()
        if username is None:
            raise InvalidInput("Tidak ada manajer yang dapat dipilih. Minta admin mengatur pengguna.")
        try:
            grant = request_approval(self._ctx, action=self._action, cashier_id=self._cashier.id,
                                     approver_username=str(username), pin=pin, reason=self.reason_input.text(),
                                     subject=self._subject, before=self._before, after=self._after)
        except ApprovalRefused as refused:
            self.messages.show_exception(refused)
            (self.reason_input if refused.cause == Refusal.NO_REASON else self.pin_input).setFocus()
            return
        self.grant = grant
        self.accept()
        self.approved.emit(grant)


def _open_over_parent(dialog: QDialog) -> None:
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()


def ask_approval(parent: QWidget, ctx: PosContext, cashier: Cashier, action: Action, subject: str | None,
                 before: ChangeValues | None, after: ChangeValues | None,
                 on_approved: Callable[[ApprovalGrant], None], *,
                 open_dialog: Callable[[QDialog], object] | None = None,
                 on_cancelled: Callable[[], None] | None = None) -> ApprovalDialog | None:
    """Get `action` approved for `cashier`, then call `on_approved(grant)` (see the module docstring).

    Returns the dialog when one was opened, None when the user's own role covered the act.
    """
    if not needs_approval(cashier.role, action) or cashier.role == Role.PENGAWAS:
        # Own authority, recorded; for a pengawas this records the refusal and raises ApprovalRefused.
        on_approved(record_own_authority(ctx, action=action, user_id=cashier.id, subject=subject,
                                         before=before, after=after))
        return None
    dialog = ApprovalDialog(ctx, cashier, action, subject, before, after, parent)
    dialog.approved.connect(on_approved)
    if on_cancelled is not None:
        dialog.rejected.connect(on_cancelled)
    (open_dialog or _open_over_parent)(dialog)
    return dialog
