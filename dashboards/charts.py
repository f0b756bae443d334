"""Charts as server-rendered SVG: nothing to load from a CDN, no script, printable and
readable by screen readers (a title and a description; each chart on a page comes with
a table of the same numbers)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe (Okabe–Ito) and distinguishable in grey by the dash patterns too.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "", "6 3"]
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 52, 40, 16, 56


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return float(step)
    return float(value)


def _axis(max_value: float, unit: str) -> list[str]:
    parts = []
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        value = max_value * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            '<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
            % (LEFT, WIDTH - RIGHT, y, y)
        )
        label = ("%g" % round(value, 1)) + ("%" if unit == "%" else "")
        parts.append(
            '<text x="%d" y="%.1f" font-size="11" text-anchor="end" fill="#444">%s</text>'
            % (LEFT - 6, y + 4, escape(label))
        )
    return parts


def _legend(names: list[str], *, target_label: str = "") -> list[str]:
    parts, x = [], LEFT
    y = HEIGHT - 12
    for i, name in enumerate(names):
        parts.append(
            '<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="3"%s/>'
            % (x, x + 18, y - 4, y - 4, COLOURS[i % 6], _dash(i))
        )
        parts.append(
            '<text x="%d" y="%d" font-size="11" fill="#222">%s</text>' % (x + 22, y, escape(name))
        )
        x += 30 + 7 * len(name) + (7 * sum(ord(c) > 0x2E80 for c in name))
    if target_label:
        parts.append(
            '<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000" stroke-width="1.5" '
            'stroke-dasharray="2 2"/>' % (x, x + 18, y - 4, y - 4)
        )
        parts.append(
            '<text x="%d" y="%d" font-size="11" fill="#222">%s</text>'
            % (x + 22, y, escape(target_label))
        )
    return parts


def _dash(i: int) -> str:
    dash = DASHES[i % len(DASHES)]
    return ' stroke-dasharray="%s"' % dash if dash else ""


def _svg(chart_id: str, title: str, description: str, body: list[str]) -> SafeString:
    # In a box of its own that scrolls on a phone rather than shrinking the labels.
    return mark_safe(
        '<div class="chart-scroll">'
        '<svg viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-t %s-d" '
        'xmlns="http://www.w3.org/2000/svg" class="kpi-chart">'
        '<title id="%s-t">%s</title><desc id="%s-d">%s</desc>%s</svg></div>'
        % (
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
            chart_id,
            escape(title),
            chart_id,
            escape(description),
            "".join(body),
        )
    )


class _LinePlot:
    """Where a period and a value land on a line chart's plot area."""

    def __init__(self, periods: int, top: float):
        self.periods, self.top = periods, top
        self.plot_w, self.plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        self.step = self.plot_w / max(periods - 1, 1)

    def x(self, i: int) -> float:
        return LEFT + (self.step * i if self.periods > 1 else self.plot_w / 2)

    def y(self, v: float) -> float:
        return TOP + self.plot_h - self.plot_h * min(v, self.top) / self.top


def _period_labels(plot: _LinePlot, labels: list[str]) -> list[str]:
    return [
        '<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#444">%s</text>'
        % (plot.x(i), HEIGHT - BOTTOM + 16, escape(label))
        for i, label in enumerate(labels)
    ]


def _target_steps(plot: _LinePlot, targets: list[float | None]) -> list[str]:
    half = plot.step / 2 if plot.periods > 1 else 20
    return [
        '<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" '
        'stroke-width="1.5" stroke-dasharray="2 2"/>'
        % (plot.x(i) - half, plot.x(i) + half, plot.y(t), plot.y(t))
        for i, t in enumerate(targets)
        if t is not None
    ]


def _series_line(plot: _LinePlot, n: int, vs: list[float | None]) -> list[str]:
    """One series: a polyline per run of present values (a gap where one is missing),
    then a dot on every value."""
    colour = COLOURS[n % len(COLOURS)]
    parts: list[str] = []
    run: list[str] = []
    for i, v in enumerate([*vs, None]):
        if v is not None:
            run.append("%.1f,%.1f" % (plot.x(i), plot.y(v)))
        elif run:
            if len(run) > 1:
                parts.append(
                    '<polyline points="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>'
                    % (" ".join(run), colour, _dash(n))
                )
            run = []
    parts.extend(
        '<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>' % (plot.x(i), plot.y(v), colour)
        for i, v in enumerate(vs)
        if v is not None
    )
    return parts


def line_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    unit: str,
    targets: list[float | None] | None = None,
    target_label: str = "",
) -> SafeString:
    """Lines over periods; gaps where a value is missing; the target as a dotted step."""
    values = [v for _, vs in series for v in vs if v is not None]
    values += [t for t in (targets or []) if t is not None]
    top = 100.0 if unit == "%" else _nice_max(max(values, default=0) * 1.1)
    plot = _LinePlot(len(labels), top)
    has_target = bool(targets and any(t is not None for t in targets))
    body = _axis(top, unit) + _period_labels(plot, labels)
    if has_target:
        body += _target_steps(plot, targets)
    for n, (_name, vs) in enumerate(series):
        body += _series_line(plot, n, vs)
    body += _legend([name for name, _ in series], target_label=target_label if has_target else "")
    return _svg(chart_id, title, description, body)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    groups: list[str],
    series: list[tuple[str, list[float | None]]],
    unit: str,
) -> SafeString:
    """Grouped bars with their value written on them (no value: no bar, "—")."""
    values = [v for _, vs in series for v in vs if v is not None]
    top = 100.0 if unit == "%" else _nice_max(max(values, default=0) * 1.15)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group_w = plot_w / max(len(groups), 1)
    bar_w = group_w * 0.7 / max(len(series), 1)
    body = _axis(top, unit)
    for g, group in enumerate(groups):
        gx = LEFT + g * group_w + group_w * 0.15
        body.append(
            '<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#444">%s</text>'
            % (LEFT + g * group_w + group_w / 2, HEIGHT - BOTTOM + 16, escape(group))
        )
        for n, (_name, vs) in enumerate(series):
            v = vs[g]
            bx = gx + n * bar_w
            if v is None:
                body.append(
                    '<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" '
                    'fill="#444">—</text>' % (bx + bar_w / 2, TOP + plot_h - 4)
                )
                continue
            h = plot_h * min(v, top) / top
            body.append(
                '<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>'
                % (bx, TOP + plot_h - h, bar_w - 2, h, COLOURS[n % len(COLOURS)])
            )
            body.append(
                '<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" fill="#222">%s</text>'
                % (bx + bar_w / 2, TOP + plot_h - h - 4, "%g" % v)
            )
    body += _legend([name for name, _ in series])
    return _svg(chart_id, title, description, body)


def interval_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: list[tuple[str, float | None, tuple[float, float] | None]],
) -> SafeString:
    """Horizontal bars of shares (0–100 %) with their confidence interval as a whisker,
    so that a reader sees at once whether two groups' intervals overlap."""
    label_w = 170
    plot_w = WIDTH - label_w - RIGHT
    row_h = 52
    height = TOP + row_h * len(rows) + 30
    parts = []
    for i in range(5):
        x = label_w + plot_w * i / 4
        parts.append(
            '<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>'
            % (x, x, TOP, TOP + row_h * len(rows))
        )
        parts.append(
            '<text x="%.1f" y="%d" font-size="11" text-anchor="middle" fill="#444">%d%%</text>'
            % (x, TOP + row_h * len(rows) + 16, 25 * i)
        )
    for n, (name, value, interval) in enumerate(rows):
        y = TOP + n * row_h
        parts.append(
            '<text x="%d" y="%.1f" font-size="12" text-anchor="end" fill="#222">%s</text>'
            % (label_w - 8, y + row_h / 2 + 4, escape(name))
        )
        if value is None:
            parts.append(
                '<text x="%d" y="%.1f" font-size="12" fill="#444">—</text>'
                % (label_w + 4, y + row_h / 2 + 4)
            )
            continue
        width = plot_w * value / 100
        parts.append(
            '<rect x="%d" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>'
            % (label_w, y + 12, width, row_h - 24, COLOURS[n % len(COLOURS)])
        )
        if interval:
            low, high = (label_w + plot_w * v / 100 for v in interval)
            mid = y + row_h / 2
            parts.append(
                '<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="1.5"/>'
                '<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="1.5"/>'
                '<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="1.5"/>'
                % (low, high, mid, mid, low, low, mid - 8, mid + 8, high, high, mid - 8, mid + 8)
            )
        parts.append(
            '<text x="%.1f" y="%.1f" font-size="12" fill="#222">%s%%</text>'
            % (label_w + min(width, plot_w - 40) + 6, y + 10, "%g" % value)
        )
    return mark_safe(
        _svg(chart_id, title, description, parts).replace(
            'viewBox="0 0 %d %d"' % (WIDTH, HEIGHT), 'viewBox="0 0 %d %d"' % (WIDTH, height), 1
        )
    )
