"""Guards against PySide6 6.12.0's none_dealloc abort: thousands of void-returning calls on real widgets."""

from __future__ import annotations

from kkmp_pos.domain.money import format_rupiah
from kkmp_pos.ui.main_window import MainWindow

CALLS = 20_000


def test_twenty_thousand_clear_and_set_text_calls_complete(window: MainWindow) -> None:
    scan_input = window.till.scan_input
    total_label = window.till.total_label
    for amount in range(CALLS):
        scan_input.clear()
        total_label.setText(format_rupiah(amount))
    assert scan_input.text() == ""
    assert total_label.text() == "Rp19.999"
