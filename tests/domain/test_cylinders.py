"""Cylinder arithmetic: stock from movements, the delivery check, days of stock and the alert thresholds."""

from __future__ import annotations

import pytest

from kkmp_pos.domain.cylinders import (
    CylinderStock,
    check_delivery,
    clean_do_number,
    days_of_stock,
    nik_share_alerts,
    pengecer_share_alert,
    stock_from,
)
from kkmp_pos.domain.errors import InvalidInput
from kkmp_pos.domain.lpg import cylinder_deltas


def test_stock_follows_the_issue_proof() -> None:
    movements = [(0, 100), (100, -100)]  # opening, then a delivery of 100 with 100 empties back
    assert stock_from(movements) == CylinderStock(full=100, empty=0)
    movements += [cylinder_deltas("subsidi_refill", 1)] * 30
    assert stock_from(movements) == CylinderStock(full=70, empty=30)
    movements.append(cylinder_deltas("subsidi_new", 1))
    assert stock_from(movements) == CylinderStock(full=69, empty=30)


def test_the_delivery_check() -> None:
    check_delivery(full_received=10, empties_returned=5, on_hand=CylinderStock(0, 5))
    with pytest.raises(InvalidInput, match="\\(6\\) lebih banyak dari yang ada di gerai \\(5\\)"):
        check_delivery(full_received=10, empties_returned=6, on_hand=CylinderStock(0, 5))
    with pytest.raises(InvalidInput, match="tidak boleh negatif"):
        check_delivery(full_received=-1, empties_returned=0, on_hand=CylinderStock(0, 5))
    with pytest.raises(InvalidInput, match="tanpa tabung"):
        check_delivery(full_received=0, empties_returned=0, on_hand=CylinderStock(0, 5))
    assert clean_do_number("  DO  123 ") == "DO 123"
    with pytest.raises(InvalidInput, match="Nomor DO wajib"):
        clean_do_number(" ")


def test_days_of_stock_rounds_down_and_needs_sales() -> None:
    assert days_of_stock(70, 30, 10) == 23  # 3 a day: 23 whole days
    assert days_of_stock(70, 0, 10) is None
    assert days_of_stock(-2, 5, 5) == 0


def test_alerts_pass_only_above_the_threshold_and_zero_is_off() -> None:
    assert nik_share_alerts({"6472********0001": 10}, 100, 10) == []
    assert len(nik_share_alerts({"6472********0001": 11}, 100, 10)) == 1
    assert nik_share_alerts({"6472********0001": 99}, 100, 0) == []
    assert nik_share_alerts({"6472********0001": 5}, 0, 10) == []  # no allocation set: nothing to compare
    assert pengecer_share_alert(5, 10, 50) is None
    assert pengecer_share_alert(6, 10, 50) == "Pengecer membeli 6 dari 10 tabung 3 kg bulan ini, lebih dari 50%."
    assert pengecer_share_alert(6, 10, 0) is None
