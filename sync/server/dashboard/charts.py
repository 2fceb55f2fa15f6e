"""Inline SVG charts drawn on the server: no JavaScript, no library, no network resource."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from sync.server.dashboard.formatting import number

WIDTH = 480
"""viewBox width: small, so labels stay readable when a 360 px phone shrinks the chart."""
FONT = 14


def short_amount(value: int) -> str:
    """Axis labels: 1.500.000 → "1,5 jt", 250.000 → "250 rb", 2.000.000.000 → "2 M"."""
    value = int(value)
    for size, unit in ((1_000_000_000, "M"), (1_000_000, "jt"), (1_000, "rb")):
        if abs(value) >= size:
            text = f"{value / size:.1f}".replace(".", ",").removesuffix(",0")
            return f"{text} {unit}"
    return number(value)


def nice_max(value: int) -> int:
    """The smallest 1/2/5 × 10^k at or above `value` (at least 1), so gridlines fall on round numbers."""
    value = max(int(value), 1)
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _svg(height: int, label: str, body: list[str]) -> Markup:
    head = (f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-label="{escape(label)}" font-size="{FONT}"><title>{escape(label)}</title>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(points: Sequence[tuple[str, int, str]], *, label: str, label_every: int = 5,
              height: int = 220) -> Markup:
    """Vertical bars: points are (axis label, value, tooltip); every `label_every`-th label is written."""
    left, right, top, bottom = 56, 8, 10, 26
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = nice_max(max((p[1] for p in points), default=0))
    body: list[str] = []
    for i in range(5):
        value = top_value * i // 4
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>')
        body.append(f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{escape(short_amount(value))}</text>')
    slot = plot_w / max(len(points), 1)
    for i, (axis_label, value, tooltip) in enumerate(points):
        bar_h = plot_h * max(value, 0) / top_value
        x = left + i * slot + slot * 0.15
        body.append(f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{bar_h:.1f}"><title>{escape(tooltip)}</title></rect>')
        last = len(points) - 1
        # Every n-th label, and always the last one (today), but never two labels on top of each other.
        if i == last or (i % label_every == 0 and last - i >= label_every / 2):
            # The last label ends at its bar's right edge so it is never cut off by the chart's border.
            anchor, text_x = ("end", x + slot * 0.7) if i == last and i else ("middle", x + slot * 0.35)
            body.append(f'<text class="axis" x="{text_x:.1f}" y="{height - 8}" text-anchor="{anchor}">'
                        f'{escape(axis_label)}</text>')
    return _svg(height, label, body)


def hbar_chart(items: Sequence[tuple[str, int, str]], *, label: str) -> Markup:
    """Horizontal bars, one row per item: (name, value, value text shown at the bar's end)."""
    row_h, label_w, value_w = 26, 120, 120
    height = max(len(items), 1) * row_h + 4
    bar_w = WIDTH - label_w - value_w - 8
    top_value = max((max(v, 0) for _n, v, _t in items), default=0) or 1
    body: list[str] = []
    for i, (name, value, text) in enumerate(items):
        y = 2 + i * row_h
        width = bar_w * max(value, 0) / top_value
        short = name if len(name) <= 18 else name[:17] + "…"
        body.append(f'<text class="axis" x="{label_w - 6}" y="{y + 17}" text-anchor="end">{escape(short)}'
                    f'<title>{escape(name)}</title></text>')
        body.append(f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{width:.1f}" height="{row_h - 8}">'
                    f'<title>{escape(name)}: {escape(text)}</title></rect>')
        body.append(f'<text class="value" x="{label_w + width + 6:.1f}" y="{y + 17}">{escape(text)}</text>')
    return _svg(height, label, body)


def line_chart(points: Sequence[tuple[str, int]], *, label: str, reference: int | None = None,
               reference_label: str = "", height: int = 200,
               axis: Callable[[int], str] = number) -> Markup:
    """A line through (axis label, value) points, with an optional dashed reference level (e.g. allocation)."""
    left, right, top, bottom = 56, 12, 12, 26
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = nice_max(max([p[1] for p in points] + [reference or 0], default=0))
    body: list[str] = []
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        body.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>')
        body.append(f'<text class="axis" x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
                    f'{escape(axis(top_value * i // 4))}</text>')
    step = plot_w / max(len(points) - 1, 1)
    coords = [(left + i * step, top + plot_h - plot_h * max(v, 0) / top_value) for i, (_l, v) in enumerate(points)]
    if reference:
        y = top + plot_h - plot_h * reference / top_value
        body.append(f'<line class="reference" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>')
        body.append(f'<text class="axis" x="{WIDTH - right}" y="{y - 4:.1f}" text-anchor="end">'
                    f'{escape(reference_label)}</text>')
    if coords:
        body.append('<polyline class="line" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for (x, y), (axis_label, value) in zip(coords, points, strict=True):
        body.append(f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(axis_label)}: '
                    f'{escape(number(value))}</title></circle>')
        body.append(f'<text class="axis" x="{x:.1f}" y="{height - 8}" text-anchor="middle">'
                    f'{escape(axis_label)}</text>')
    return _svg(height, label, body)
