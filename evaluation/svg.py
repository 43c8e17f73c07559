"""Small server-side SVG charts for model cards: no JavaScript, nothing fetched.

Each chart is an accessible ``<svg role="img">`` with a <title> and a <desc> that states
the numbers in words, so a screen reader gets the same information as the picture.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT = 560, 300
M_LEFT, M_RIGHT, M_TOP, M_BOTTOM = 60, 20, 34, 46
BASE_COLOUR, TUNED_COLOUR, GRID = "#8a94a6", "#2754c5", "#e3e6ee"
_uid = 0


def _id(prefix: str) -> str:
    global _uid
    _uid += 1
    return f"{prefix}-{_uid}"


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) >= 0.01 else f"{v:.3g}"


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (the last tick is at or above hi)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=10 * mag)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while True:
        ticks.append(round(t, 10))
        if t >= hi - step * 1e-9:
            break
        t += step
    return ticks


def _tick_label(t: float, ticks: list[float]) -> str:
    """The fewest decimals that show every tick exactly enough to tell it from its neighbours."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    for decimals in range(0, 7):
        if all(abs(round(x, decimals) - x) <= step * 1e-3 for x in ticks):
            return f"{t:.{decimals}f}"
    return f"{t:g}"


def _open(title: str, desc: str, height: int = HEIGHT) -> tuple[str, str]:
    tid, did = _id("t"), _id("d")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
            f'height="{height}" role="img" aria-labelledby="{tid} {did}" font-family="system-ui, sans-serif" '
            f'font-size="12">'
            f'<title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>'
            f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>'
            f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">{escape(title)}</text>')
    return head, "</svg>"


def _axes(x_label: str, y_label: str) -> str:
    x0, y0, x1, y1 = M_LEFT, HEIGHT - M_BOTTOM, WIDTH - M_RIGHT, M_TOP
    return (f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#5b6478"/>'
            f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#5b6478"/>'
            f'<text x="{(x0 + x1) / 2}" y="{HEIGHT - 8}" text-anchor="middle">{escape(x_label)}</text>'
            f'<text transform="translate(14 {(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">{escape(y_label)}</text>')


def _legend(items: Sequence[tuple[str, str]], x: float = M_LEFT + 10, y: float = M_TOP + 6) -> str:
    out = []
    for k, (label, colour) in enumerate(items):
        yy = y + k * 16
        out.append(f'<rect x="{x}" y="{yy}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{x + 14}" y="{yy + 9}">{escape(label)}</text>')
    return "".join(out)


def line_chart(series: Sequence[tuple[str, Sequence[tuple[float, float]]]], *, title: str, x_label: str,
               y_label: str) -> str:
    """Lines for each (label, [(x, y), ...]) series (e.g. training and validation loss by step)."""
    points = [p for _, pts in series for p in pts]
    desc_parts = []
    for label, pts in series:
        if pts:
            desc_parts.append(f"{label}: {len(pts)} points, from {_fmt(pts[0][1])} at {x_label.lower()} "
                              f"{_fmt(pts[0][0])} to {_fmt(pts[-1][1])} at {_fmt(pts[-1][0])}")
    head, tail = _open(title, "; ".join(desc_parts) or "No data was recorded.")
    if not points:
        return head + f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">No data recorded</text>' + tail
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    xlo, xhi = min(xs), max(xs)
    yt = _nice_ticks(min(ys), max(ys))
    ylo, yhi = yt[0], yt[-1]
    if xhi == xlo:
        xhi = xlo + 1
    if yhi == ylo:
        yhi = ylo + 1

    def sx(x):
        return M_LEFT + (x - xlo) / (xhi - xlo) * (WIDTH - M_LEFT - M_RIGHT)

    def sy(y):
        return HEIGHT - M_BOTTOM - (y - ylo) / (yhi - ylo) * (HEIGHT - M_TOP - M_BOTTOM)

    body = [_axes(x_label, y_label)]
    for t in yt:
        body.append(f'<line x1="{M_LEFT}" x2="{WIDTH - M_RIGHT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>'
                    f'<text x="{M_LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{_tick_label(t, yt)}</text>')
    xt = _nice_ticks(xlo, xhi)
    for t in xt:
        if xlo <= t <= xhi:
            body.append(f'<text x="{sx(t):.1f}" y="{HEIGHT - M_BOTTOM + 16}" text-anchor="middle">'
                        f'{_tick_label(t, xt)}</text>')
    colours = [TUNED_COLOUR, "#c55a27", "#1f7a3d", BASE_COLOUR]
    legend = []
    for k, (label, pts) in enumerate(series):
        colour = colours[k % len(colours)]
        legend.append((label, colour))
        if len(pts) == 1:
            body.append(f'<circle cx="{sx(pts[0][0]):.1f}" cy="{sy(pts[0][1]):.1f}" r="3" fill="{colour}"/>')
        elif pts:
            path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
            body.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
    body.append(_legend(legend, x=WIDTH - M_RIGHT - 170))
    return head + "".join(body) + tail


def reliability_diagram(base_bins: Sequence[dict], tuned_bins: Sequence[dict], *, title: str,
                        labels: tuple[str, str] = ("Base model", "Tuned model")) -> str:
    """Accuracy against confidence per bin for both models (or before and after calibration: ``labels``),
    with the diagonal of perfect calibration."""
    def summary(bins):
        used = [b for b in bins if b["count"]]
        return ", ".join(f"{b['lo']:.1f}–{b['hi']:.1f}: {b['accuracy']:.0%} right at {b['confidence']:.0%} "
                         f"confidence (n={b['count']})" for b in used)
    head, tail = _open(title, f"{labels[0]} bins: {summary(base_bins)}. {labels[1]} bins: {summary(tuned_bins)}.")
    pw, ph = WIDTH - M_LEFT - M_RIGHT, HEIGHT - M_TOP - M_BOTTOM

    def sx(x):
        return M_LEFT + x * pw

    def sy(y):
        return HEIGHT - M_BOTTOM - y * ph

    body = [_axes("Confidence", "Accuracy")]
    for t in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        body.append(f'<line x1="{M_LEFT}" x2="{WIDTH - M_RIGHT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>'
                    f'<text x="{M_LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>'
                    f'<text x="{sx(t):.1f}" y="{HEIGHT - M_BOTTOM + 16}" text-anchor="middle">{_fmt(t)}</text>')
    body.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(1)}" y2="{sy(1)}" stroke="#5b6478" stroke-dasharray="4 4"/>')
    n = max(len(base_bins), 1)
    bw = pw / n / 2 - 2
    for k, (b, t) in enumerate(zip(base_bins, tuned_bins)):
        x = sx(k / n) + 1
        for j, (bin_, colour) in enumerate(((b, BASE_COLOUR), (t, TUNED_COLOUR))):
            if bin_["count"]:
                h = bin_["accuracy"] * ph
                body.append(f'<rect x="{x + j * (bw + 1):.1f}" y="{sy(bin_["accuracy"]):.1f}" width="{bw:.1f}" '
                            f'height="{h:.1f}" fill="{colour}" opacity="0.85"/>')
    body.append(_legend([(labels[0], BASE_COLOUR), (labels[1], TUNED_COLOUR), ("Perfect calibration (dashed)", "#5b6478")]))
    return head + "".join(body) + tail


def paired_bars(groups: Sequence[dict], *, title: str, y_label: str = "Value", percent: bool = True) -> str:
    """Base and tuned bars per metric, with 95 % interval whiskers.

    Each group: {"label", "base", "tuned", "base_ci", "tuned_ci"}; values in [0, 1] when ``percent``.
    """
    def show(v):
        return f"{v:.1%}" if percent else _fmt(v)
    desc = "; ".join(f"{g['label']}: base {show(g['base'])}, tuned {show(g['tuned'])}" for g in groups)
    head, tail = _open(title, desc or "No metrics.")
    if not groups:
        return head + tail
    values = [v for g in groups for v in (g["base"], g["tuned"], *g.get("base_ci", []), *g.get("tuned_ci", []))]
    ylo = 0.0 if percent else min(0.0, min(values))
    yhi = 1.0 if percent else max(values) * 1.1 or 1.0
    pw, ph = WIDTH - M_LEFT - M_RIGHT, HEIGHT - M_TOP - M_BOTTOM

    def sy(y):
        return HEIGHT - M_BOTTOM - (y - ylo) / (yhi - ylo) * ph

    body = [_axes("", y_label)]
    for t in _nice_ticks(ylo, yhi):
        if ylo <= t <= yhi:
            body.append(f'<line x1="{M_LEFT}" x2="{WIDTH - M_RIGHT}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" stroke="{GRID}"/>'
                        f'<text x="{M_LEFT - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{show(t) if percent else _fmt(t)}</text>')
    slot = pw / len(groups)
    bw = min(40.0, slot / 2 - 8)
    for k, g in enumerate(groups):
        cx = M_LEFT + slot * (k + 0.5)
        for j, (key, colour) in enumerate((("base", BASE_COLOUR), ("tuned", TUNED_COLOUR))):
            v = g[key]
            x = cx - bw - 2 + j * (bw + 4)
            body.append(f'<rect x="{x:.1f}" y="{min(sy(v), sy(ylo)):.1f}" width="{bw:.1f}" '
                        f'height="{abs(sy(ylo) - sy(v)):.1f}" fill="{colour}"/>')
            # Every bar carries its value, so a pair of 0 % bars still reads as "0 %, 0 %", not as a gap.
            body.append(f'<text x="{x + bw / 2:.1f}" y="{min(sy(v), sy(ylo)) - 3:.1f}" text-anchor="middle" '
                        f'font-size="10" fill="{colour}">{show(v)}</text>')
            ci = g.get(f"{key}_ci")
            if ci and len(ci) == 2 and all(isinstance(c, (int, float)) and not math.isnan(c) for c in ci):
                mx = x + bw / 2
                body.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{sy(ci[0]):.1f}" y2="{sy(ci[1]):.1f}" '
                            f'stroke="#1d2433" stroke-width="1.5"/>')
        body.append(f'<text x="{cx:.1f}" y="{HEIGHT - M_BOTTOM + 16}" text-anchor="middle">{escape(g["label"])}</text>')
    body.append(_legend([("Base model", BASE_COLOUR), ("Tuned model", TUNED_COLOUR)], x=WIDTH - M_RIGHT - 120))
    return head + "".join(body) + tail


def category_bars(rows: Sequence[dict], *, title: str, value_label: str = "Rate") -> str:
    """Horizontal base and tuned bars, one pair per category (labels too long to sit under vertical bars).

    Each row: {"label", "base", "tuned", "n"}; values in [0, 1].
    """
    desc = "; ".join(f"{r['label']} (n={r.get('n', '?')}): base {r['base']:.0%}, tuned {r['tuned']:.0%}" for r in rows)
    row_h, top, left, right = 30, M_TOP + 22, 190, 70
    height = max(HEIGHT // 2, top + row_h * len(rows) + 30)
    head, tail = _open(title, desc or "No categories.", height)
    pw = WIDTH - left - right
    body = [_legend([("Base model", BASE_COLOUR), ("Tuned model", TUNED_COLOUR)], x=left, y=M_TOP - 4)]
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = left + t * pw
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 4}" y2="{top + row_h * len(rows)}" stroke="{GRID}"/>'
                    f'<text x="{x:.1f}" y="{top + row_h * len(rows) + 14}" text-anchor="middle">{t:.0%}</text>')
    for k, r in enumerate(rows):
        y = top + k * row_h
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(str(r["label"]))}</text>')
        for j, (key, colour) in enumerate((("base", BASE_COLOUR), ("tuned", TUNED_COLOUR))):
            v = max(0.0, min(1.0, float(r[key])))
            yy = y + 3 + j * 12
            body.append(f'<rect x="{left}" y="{yy}" width="{v * pw:.1f}" height="10" fill="{colour}"/>')
            # Each bar is labelled with its own value and model, so a row never shows one number
            # without saying whose it is, and a 0 % bar (no width) still shows "base 0 %".
            body.append(f'<text x="{left + v * pw + 4:.1f}" y="{yy + 9}" font-size="10" fill="{colour}">'
                        f'{"base" if key == "base" else "tuned"} {float(r[key]):.0%}</text>')
    body.append(f'<text x="{left + pw / 2}" y="{height - 4}" text-anchor="middle">{escape(value_label)}</text>')
    return head + "".join(body) + tail


def monitoring_chart(days: Sequence[dict], *, title: str = "Requests and guard interventions per day") -> str:
    """A released model's monitoring counts (tuning.selectors.model_monitoring's ``days``) over time:
    requests, inputs and answers the guard blocked, and user reports; x is days before today."""
    n = len(days)
    series = [
        ("Requests", [(i - n + 1, float(d["requests"])) for i, d in enumerate(days)]),
        ("Blocked inputs", [(i - n + 1, float(sum(d["blocked_inputs"].values()))) for i, d in enumerate(days)]),
        ("Blocked answers", [(i - n + 1, float(sum(d["blocked_outputs"].values()))) for i, d in enumerate(days)]),
        ("User reports", [(i - n + 1, float(d["reports"])) for i, d in enumerate(days)]),
    ]
    if not any(y for _, pts in series for _, y in pts):
        series = [(label, []) for label, _ in series]
    return line_chart(series, title=title, x_label="Days before today", y_label="Count")
