"""The Z report PDF: written under <data_dir>/laporan/, its text read back with pdftotext."""

from __future__ import annotations

import subprocess

from sqlalchemy import select

from kkmp_pos.domain.cart import Cart
from kkmp_pos.domain.payment import cash_payment, non_cash_payment
from kkmp_pos.domain.roles import Action
from kkmp_pos.services import catalog, sales, shift_close
from kkmp_pos.services.approvals import request_approval
from kkmp_pos.services.context import PosContext
from kkmp_pos.services.shifts import current_shift
from kkmp_pos.store.models import User

MINYAKITA = "8999900000055"  # Rp15.700


def kasir_id(ctx: PosContext) -> str:
    with ctx.engine.connect() as connection:
        return connection.execute(select(User.id).where(User.username == "kasir")).scalar_one()


def test_the_z_pdf_holds_the_figures_the_count_and_the_signatures(ctx: PosContext) -> None:
    oil = catalog.find_by_barcode(ctx, MINYAKITA)
    assert oil is not None
    for method in ("tunai", "qris"):
        cart = Cart()
        cart.add(oil, 1000)
        payment = cash_payment(cart.total, 20_000) if method == "tunai" else non_cash_payment("qris", cart.total, reference="QR1")
        sales.complete_sale(ctx, cart, [payment], cashier_id=kasir_id(ctx))
    shift = current_shift(ctx)
    assert shift is not None
    grant = request_approval(ctx, action=Action.CLOSE_SHIFT, cashier_id=kasir_id(ctx), approver_username="manajer",
                             pin="2222", reason="akhir hari", subject=shift.shift_no)
    shift_close.close_shift(ctx, cashier_id=kasir_id(ctx), approval_id=grant.id,
                            counts={100_000: 1, 50_000: 1, 10_000: 1, 5_000: 1, 500: 1, 200: 1})  # Rp165.700

    path = shift_close.save_z_pdf(ctx, shift.id)
    assert path == ctx.data_dir / "laporan" / f"laporan-z-{shift.shift_no}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert any("LAPORAN Z" in line and shift.shift_no in line for line in lines)
    assert "Modal awal Rp150.000" in lines
    assert "Tunai Rp15.700" in lines and "QRIS menunggu Rp15.700" in lines
    assert "Kas seharusnya Rp165.700" in lines and "Kas dihitung Rp165.700" in lines
    assert "Selisih Rp0" in lines
    assert "Rp100.000 1 Rp100.000" in lines
    assert any("Kasir," in line and "Manajer," in line for line in lines)
