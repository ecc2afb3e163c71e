"""Inline SVG pictures of the specified plan: the go-zone scatter plot and the logic-model diagram.

Plain SVG text, no scripts, no external fonts or images; every label is escaped. Sizes are in
user units with a viewBox, so the pictures scale to the page and stay sharp when printed.

Both are drawn to stay readable on a phone (issue 26): the scatter is small enough (480 units, no text
under 14) to fit a 390 px screen with its labels at 10 px or more, and the page caps its width on a wide
screen; the logic model keeps its four columns and the page lets it pan sideways inside its figure at a
740 px minimum (engine/render/planhtml.py). A barrier and a mixed determinant differ in colour (red-orange,
violet), in outline (solid, dashed) and in words ("(-2)", "(mixed)").
"""

from __future__ import annotations

import math
import textwrap
from html import escape
from typing import Any

from engine.model.specdata import NO_PRIOR, LogicModel, Means, Node

INK, MUTED, LINE, ACCENT, GO = "#1d2430", "#5b6575", "#c5ccd6", "#1e3a8a", "#dcfce7"
BARRIER, MIXED = "#c2410c", "#5b21b6"  # as --neg and --mixed of the HTML report (engine/render/html.py)
SCATTER_FONT = 14  # the scatter's smallest text, in user units: 10.5 px when 480 units fill 362 px


def _e(x: Any) -> str:
    return escape(str(x), quote=True)


def scatter(points: list[tuple[int, float, float, str]], means: Means) -> str:
    """Go-zone plot: importance (x) against feasibility (y); each point carries its strategy's number."""
    W, H, L, R, T, B = 480, 400, 58, 16, 24, 54
    values = [v for _, i, f, _ in points for v in (i, f)]
    lo = max(1.0, math.floor(min(values, default=1.0) * 2) / 2 - 0.5) if values else 1.0
    hi = 5.0

    def x(v: float) -> float:
        return L + (v - lo) / (hi - lo) * (W - L - R)

    def y(v: float) -> float:
        return H - B - (v - lo) / (hi - lo) * (H - T - B)

    out = [
        f'<svg class="gozone" viewBox="0 0 {W} {H}" width="100%" role="img" '
        f'aria-label="Go-zone plot: importance against feasibility" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, Arial, sans-serif" font-size="{SCATTER_FONT}">'
    ]
    if means.importance is not None and means.feasibility is not None:
        mx, my = x(means.importance), y(means.feasibility)
        out.append(f'<rect x="{mx:.1f}" y="{T}" width="{W - R - mx:.1f}" height="{my - T:.1f}" fill="{GO}"/>')
    out.append(f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H - T - B}" fill="none" stroke="{MUTED}"/>')
    tick = lo
    while tick <= hi + 1e-9:
        out.append(
            f'<line x1="{x(tick):.1f}" y1="{H - B}" x2="{x(tick):.1f}" y2="{H - B + 5}" stroke="{MUTED}"/>'
            f'<text x="{x(tick):.1f}" y="{H - B + 21}" text-anchor="middle" fill="{INK}">{tick:g}</text>'
            f'<line x1="{L - 5}" y1="{y(tick):.1f}" x2="{L}" y2="{y(tick):.1f}" stroke="{MUTED}"/>'
            f'<text x="{L - 8}" y="{y(tick) + 5:.1f}" text-anchor="end" fill="{INK}">{tick:g}</text>'
        )
        tick += 0.5
    out.append(
        f'<text x="{(L + W - R) / 2:.0f}" y="{H - 10}" text-anchor="middle" font-weight="700" '
        f'fill="{INK}">Importance (1-5)</text>'
    )
    out.append(
        f'<text x="18" y="{(T + H - B) / 2:.0f}" text-anchor="middle" font-weight="700" fill="{INK}" '
        f'transform="rotate(-90 18 {(T + H - B) / 2:.0f})">Feasibility (1-5)</text>'
    )
    if means.importance is not None and means.feasibility is not None:
        mx, my = x(means.importance), y(means.feasibility)
        out.append(
            f'<line x1="{mx:.1f}" y1="{T}" x2="{mx:.1f}" y2="{H - B}" stroke="{INK}" stroke-dasharray="6 4"/>'
            f'<line x1="{L}" y1="{my:.1f}" x2="{W - R}" y2="{my:.1f}" stroke="{INK}" stroke-dasharray="6 4"/>'
        )
        for label, lx, ly, anchor in (
            ("I  go-zone", W - R - 8, T + 18, "end"),
            ("II", L + 8, T + 18, "start"),
            ("III", L + 8, H - B - 10, "start"),
            ("IV", W - R - 8, H - B - 10, "end"),
        ):
            out.append(
                f'<text x="{lx}" y="{ly}" text-anchor="{anchor}" font-weight="700" font-size="15" '
                f'fill="{ACCENT}">{_e(label)}</text>'
            )
        out.append(
            f'<text x="{mx + 4:.1f}" y="{H - B - 30}" fill="{MUTED}">mean '
            f'{means.importance:.2f}</text><text x="{L + 36}" y="{my - 5:.1f}" fill="{MUTED}">'
            f"mean {means.feasibility:.2f}</text>"
        )
    spots: dict[tuple[float, float], list[int]] = {}
    for n, imp, fea, _ in points:
        spots.setdefault((imp, fea), []).append(n)
    taken: list[tuple[float, float, float, float]] = []
    for (imp, fea), ns in sorted(spots.items()):
        cx, cy = x(imp), y(fea)
        text = ", ".join(str(n) for n in ns)
        tx, ty = _free_spot(cx, cy, 9 * len(text) + 4, taken)
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{ACCENT}"/>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" font-weight="700" fill="{INK}">{_e(text)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _free_spot(cx: float, cy: float, w: float, taken: list[tuple[float, float, float, float]]) -> tuple[float, float]:
    """A label position beside a point that overlaps no label placed before (tried in a fixed order)."""
    h = 16.0
    for dx, dy in (
        (8, -6),
        (8, 14),
        (-8 - w, -6),
        (-8 - w, 14),
        (8, -22),
        (8, 30),
        (-8 - w, -22),
        (-8 - w, 30),
        (8, -38),
        (8, 46),
    ):
        box = (cx + dx, cy + dy - h + 3, w, h)
        if not any(
            box[0] < t[0] + t[2] and t[0] < box[0] + w and box[1] < t[1] + t[3] and t[1] < box[1] + h for t in taken
        ):
            taken.append(box)
            return cx + dx, cy + dy
    taken.append((cx + 8, cy - 6 - h + 3, w, h))
    return cx + 8, cy - 6


def _lines(text: str, width: int = 26, most: int = 3) -> list[str]:
    lines = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: width - 3].rstrip() + "..."
    return lines


_BW, _GAP, _COLX, _TOP, _LH = 214, 10, (10, 262, 514, 766), 40, 17
"""The logic model's box width, gap between boxes, column x positions, top and line height."""
_FILLS = {
    "determinant": "#fee2e2",
    "strategy": "#e0e7ff",
    "mechanism": "#f1f5f9",
    "implementation": "#dcfce7",
    "service": "#fef9c3",
    "client": "#fef9c3",
}
_Box = tuple[float, float, float, list[str], str]
"""A laid-out box: x, y, height, its lines, its node kind."""


def logic_model(model: LogicModel, numbers: dict[str, int]) -> str:
    """Four columns (determinants, strategies, mechanisms, outcomes) of boxes, and an arrow per link."""
    W = _COLX[-1] + _BW + 10
    boxes = _layout(model, numbers)
    H = max([b[1] + b[2] for b in boxes.values()] + [_TOP + 40]) + 16
    out = [
        f'<svg class="logic" viewBox="0 0 {W} {H:.0f}" width="100%" role="img" aria-label="Logic model" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, Arial, sans-serif" font-size="14">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>',
    ]
    for title, cx in zip(("Determinants (CFIR)", "Strategies", "Mechanisms", "Outcomes"), _COLX, strict=True):
        out.append(
            f'<text x="{cx + _BW / 2}" y="22" text-anchor="middle" font-weight="700" font-size="15" '
            f'fill="{INK}">{_e(title)}</text>'
        )
    for a, b in model.links:
        if a in boxes and b in boxes:
            out.append(_arrow(boxes[a], boxes[b]))
    mixed = {n.id for n in model.determinants if n.detail == "mixed"}
    barrier = {n.id for n in model.determinants if isinstance(n.detail, int) and n.detail < 0}
    for key, box in boxes.items():
        out += _box_svg(box, key in mixed, key in barrier)
    out.append("</svg>")
    return "".join(out)


def _node_label(n: Node, numbers: dict[str, int]) -> str:
    if n.kind == "determinant":
        r = n.detail
        return f"{n.label} ({r:+d})" if isinstance(r, int) else f"{n.label} ({r})"
    if n.kind == "strategy":
        return f"{numbers.get(n.id, '')}. {n.label}"
    if n.kind in ("service", "client"):
        return f"{n.kind} outcome: {n.label}"
    return n.label


def _layout(model: LogicModel, numbers: dict[str, int]) -> dict[str, _Box]:
    """Every node's box: strategies and their mechanisms share rows; determinants and outcomes are
    centred on them."""
    boxes: dict[str, _Box] = {}

    def height(n: Node) -> float:
        return 12 + _LH * len(_lines(_node_label(n, numbers)))

    yy: float = _TOP
    for s, m in zip(model.strategies, model.mechanisms, strict=True):
        h = max(height(s), height(m))
        boxes[s.id] = (_COLX[1], yy, h, _lines(_node_label(s, numbers)), "strategy")
        boxes[m.id] = (_COLX[2], yy, h, _lines(_node_label(m, numbers)), "mechanism")
        yy += h + _GAP
    middle = yy
    for col, nodes in ((0, model.determinants), (3, model.outcomes)):
        total = sum(height(n) + _GAP for n in nodes)
        y0 = _TOP + max(0.0, (middle - _TOP - total) / 2)
        for n in nodes:
            h = height(n)
            boxes[n.id] = (_COLX[col], y0, h, _lines(_node_label(n, numbers)), n.kind)
            y0 += h + _GAP
    return boxes


def _arrow(a: _Box, b: _Box) -> str:
    """A curved arrow from the right edge of box `a` to the left edge of box `b`."""
    ax, ay = a[0] + _BW, a[1] + a[2] / 2
    bx, by = b[0], b[1] + b[2] / 2
    mid = (ax + bx) / 2
    return (
        f'<path d="M{ax:.1f},{ay:.1f} C{mid:.1f},{ay:.1f} {mid:.1f},{by:.1f} {bx - 2:.1f},{by:.1f}" '
        f'fill="none" stroke="{MUTED}" stroke-opacity="0.75" marker-end="url(#arrow)"/>'
    )


def _box_svg(box: _Box, mixed: bool, barrier: bool) -> list[str]:
    """A node's box and its lines: a mixed determinant dashed violet on violet and a barrier outlined in
    red-orange, as the report draws them; an open mechanism dashed."""
    bx, by, bh, lines, kind = box
    dash = ' stroke-dasharray="4 3"' if kind == "mechanism" and lines and lines[0].startswith("mechanism:") else ""
    fill, stroke = _FILLS[kind], LINE
    if mixed:
        fill, stroke, dash = "#ede9fe", MIXED, ' stroke-dasharray="6 3" stroke-width="2" class="mixed"'
    elif barrier:
        stroke, dash = BARRIER, ' stroke-width="1.5" class="barrier"'
    out = [
        f'<rect x="{bx}" y="{by:.1f}" width="{_BW}" height="{bh:.1f}" rx="5" fill="{fill}" stroke="{stroke}"{dash}/>'
    ]
    out += [
        f'<text x="{bx + 7}" y="{by + 19 + i * _LH:.1f}" fill="{INK}">{_e(line)}</text>' for i, line in enumerate(lines)
    ]
    return out


def zone_points(items: list[Any]) -> list[tuple[int, float, float, str]]:
    """(number, importance, feasibility, zone) of each rated item; numbers are the plan's order (1-based)."""
    return [
        (n, i.rating.importance, i.rating.feasibility, i.zone) for n, i in enumerate(items, 1) if i.zone != NO_PRIOR
    ]
