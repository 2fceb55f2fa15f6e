"""The simpanan slip: a member's deposit or withdrawal of one kind of savings, with that kind's new balance."""

from __future__ import annotations

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.payment import CASH, METHOD_LABELS
from kkmp_pos.domain.receipt import (
    Barcode,
    Cut,
    Feed,
    Pair,
    ReceiptDocument,
    Rule,
    Text,
    _audit_line,
    slip_header,
)
from kkmp_pos.domain.savings import SavingsSlip, savings_kind_label
from kkmp_pos.i18n import tr


def build_savings_receipt(slip: SavingsSlip, *, copy: bool = False) -> ReceiptDocument:
    """The slip of one simpanan deposit or withdrawal, with the balance of that kind after it."""
    kind = savings_kind_label(slip.kind)
    title = tr("PENARIKAN {kind}", kind=kind.upper()) if slip.is_withdrawal else tr("SETORAN {kind}",
                                                                                    kind=kind.upper())
    out = slip_header(slip.outlet, copy=copy, numbers=[(tr("No. Slip"), slip.receipt_no)], moment=slip.created_at,
                      cashier=slip.cashier_name, party=(tr("Anggota"), slip.member_no),
                      party_name=slip.member_name)
    out += [
        Text(title, align="center", bold=True),
        Pair(tr("Jumlah"), format_rupiah(abs(slip.amount)), bold=True, double=True),
    ]
    label = tr(METHOD_LABELS.get(slip.method, slip.method))
    out.append(Pair(f"{label} {slip.bank}" if slip.bank else label, format_rupiah(slip.tendered)))
    if slip.reference:
        out.append(Text(tr("Ref: {reference}", reference=slip.reference)))
    if slip.method == CASH and not slip.is_withdrawal:
        out.append(Pair(tr("Kembalian"), format_rupiah(slip.change), bold=True))
    out += [Rule("-"), Pair(tr("Saldo {kind}", kind=kind.lower()), format_rupiah(slip.balance_after))]
    if slip.is_withdrawal:
        # The koperasi keeps proof that the member received the money.
        out += [Feed(2), Text(tr("Tanda tangan penerima: ____________"))]
    if copy:
        out.append(Text(tr("SALINAN"), align="center", bold=True))
    out += [Feed(1), Barcode(slip.receipt_no)]
    if slip.journal_seq is not None:
        out.append(Text(_audit_line(slip.journal_seq, slip.journal_hash), align="center", small=True))
    out.append(Cut())
    return ReceiptDocument(tuple(out))
