"""The report's charts (QtCharts): sales per day, per hour, top products and the payment mix."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QValueAxis,
)
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter

from kkmp_pos.domain.payment import METHOD_LABELS
from kkmp_pos.i18n import tr
from kkmp_pos.services.reports import SalesReport

TOP_PRODUCTS = 10
"""Ten bars stay readable on a 1366x768 laptop; the full list is in the product table."""


def _bar_chart(title: str, labels: list[str], amounts: list[int]) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    bars = QBarSet(tr("Penjualan (Rp)"))
    # QtCharts plots doubles; the figures shown to people stay in the integer tables.
    bars.append([float(amount) for amount in amounts])
    series = QBarSeries()
    series.append(bars)
    chart.addSeries(series)
    axis_x = QBarCategoryAxis()
    axis_x.append(labels)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_x)
    axis_y = QValueAxis()
    axis_y.setLabelFormat("%.0f")
    axis_y.setRange(0, float(max(amounts, default=0)) or 1.0)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(axis_y)
    chart.legend().setVisible(False)
    return chart


def _pie_chart(title: str, labels: list[str], amounts: list[int]) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    series = QPieSeries()
    for label, amount in zip(labels, amounts, strict=True):
        series.append(label, float(amount))
    chart.addSeries(series)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    return chart


def report_charts(report: SalesReport) -> list[QChart]:
    """Per day, per hour (WITA), top products, payment mix: in that order."""
    top = report.by_product[:TOP_PRODUCTS]
    return [
        _bar_chart(tr("Penjualan per hari"), [g.label[:5] for g in report.by_day], [g.amount for g in report.by_day]),
        _bar_chart(tr("Penjualan per jam (WITA)"), [g.key for g in report.by_hour],
                   [g.amount for g in report.by_hour]),
        _bar_chart(tr("Produk terlaris"), [p.sku for p in top], [p.amount for p in top]),
        _pie_chart(tr("Metode pembayaran"), [tr(METHOD_LABELS.get(g.key, g.key)) for g in report.by_payment],
                   [g.amount for g in report.by_payment]),
    ]


def chart_view(chart: QChart) -> QChartView:
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumSize(360, 240)
    return view
