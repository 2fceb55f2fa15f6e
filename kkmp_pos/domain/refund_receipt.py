"""The refund receipt (struk retur): which sale it reverses, what came back, how much and how it was paid out."""

from __future__ import annotations

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.domain.payment import METHOD_LABELS
from kkmp_pos.domain.quantity import format_quantity, line_amount
from kkmp_pos.domain.receipt import (
    Barcode,
    Cut,
    Element,
    Feed,
    Pair,
    ReceiptDocument,
    Rule,
    Text,
    _audit_line,
    buyer_text,
    slip_header,
)
from kkmp_pos.domain.refund import RefundRecord, ReturnedLine
from kkmp_pos.i18n import tr


def build_refund_receipt(refund: RefundRecord, *, copy: bool = False) -> ReceiptDocument:
    """The slip of one refund; `copy` marks a reprint (SALINAN)."""
    out = slip_header(
        refund.outlet, copy=copy, title=tr("RETUR PENJUALAN"),
        numbers=[(tr("No. Retur"), refund.refund_no), (tr("Struk asal"), refund.sale_receipt_no)],
        moment=refund.created_at, cashier=refund.cashier_name,
        party=(tr("Pelanggan"), buyer_text(refund.member_no)),
        party_name=refund.member_name,
    )
    for line in refund.lines:
        out += _returned_line(line)
    method = tr(METHOD_LABELS.get(refund.method, refund.method))
    out += [
        Rule("-"),
        Pair(tr("TOTAL RETUR"), format_rupiah(refund.total), bold=True, double=True),
        Pair(tr("Dikembalikan: {method}", method=method), format_rupiah(refund.total)),
    ]
    if refund.reference:
        out.append(Text(tr("Ref: {reference}", reference=refund.reference)))
    if refund.to_kasbon:
        out.append(Text(tr("Mengurangi saldo kasbon pelanggan.")))
    out += [Text(tr("Alasan: {reason}", reason=refund.reason)), Rule("-")]
    if not refund.to_kasbon:
        # The koperasi keeps proof that the customer received the money back.
        out += [Feed(2), Text("_" * 20, align="center"), Text(tr("Tanda tangan penerima"), align="center")]
    if copy:
        out.append(Text(tr("SALINAN"), align="center", bold=True))
    out += [Feed(1), Barcode(refund.refund_no)]
    if refund.journal_seq is not None:
        out.append(Text(_audit_line(refund.journal_seq, refund.journal_hash), align="center", small=True))
    out.append(Cut())
    return ReceiptDocument(tuple(out))


def _returned_line(line: ReturnedLine) -> list[Element]:
    quantity = format_quantity(line.qty_milli, weighed=line.sold_by_weight)
    if line.sold_by_weight:
        quantity = f"{quantity} {line.unit}"
    gross = line_amount(line.unit_price, line.qty_milli)
    elements: list[Element] = [
        Text(line.name),
        Pair(f"{quantity} x {format_rupiah(line.unit_price)}", format_rupiah(max(gross, line.amount)), indent=2),
    ]
    if line.amount < gross:
        # The customer paid less than the list price (discounts): only what was paid comes back.
        elements.append(Pair(tr("Potongan"), format_rupiah(line.amount - gross), indent=2))
    return elements
