"""Printers of `isp-advisor compare`: table, markdown, json and a self-contained HTML page whose
small multiples (inline SVG) show each CFIR rating over the assessments.

They read the comparison's JSON data only (engine.assessments.compare.Comparison.to_dict()).
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

from engine.model.conditions import fmt_value
from engine.model.vocabulary import ENGAGEMENT_LEVELS, LEVELS
from engine.render.jsonout import dumps

COMPARE_FORMATS: tuple[str, ...] = ("table", "markdown", "json", "html")
_ARROWS = {"improved": "+", "worsened": "-", "unchanged": "=", "new": "*", "gone": "x"}


def render_compare(data: dict[str, Any], fmt: str = "table", width: int = 100) -> str:
    if fmt == "json":
        return dumps(data)
    if fmt == "markdown":
        return _markdown(data)
    if fmt == "html":
        return _html(data)
    return _table(data, max(width, 40))


def name(path: str, labels: dict[str, str] | None = None) -> str:
    """A fact path in words: CFIR constructs by their CFIR 2.0 name, other facts by their label."""
    if path.startswith("cfir."):
        from engine.render.perspectiveview import fact_name

        return fact_name(path)
    return (labels or {}).get(path) or path


def _v(value: Any) -> str:
    return "not stated" if value is None else fmt_value(value)


def _moved(c: dict[str, Any]) -> list[dict[str, Any]]:
    return [x for x in c["changes"] if x["direction"] != "unchanged"]


# ---------------------------------------------------------------- table


def _table(d: dict[str, Any], width: int) -> str:
    out = [f"Assessments of {d['case_id']}: " + " -> ".join(d["assessments"])]
    moved = _moved(d)
    same = len(d["changes"]) - len(moved)
    out += ["", f"What changed, {d['assessments'][0]} to {d['assessments'][-1]} "
                f"({len(moved)} changed, {same} unchanged):"]
    if not moved:
        out.append("  nothing rated changed")
    for c in moved:
        label = name(c["path"], d.get("labels"))
        line = (f"  {_ARROWS[c['direction']]} {c['direction']:<9} {label} ({c['path']}): "
                f"{_v(c['from'])} -> {_v(c['to'])}")
        out += textwrap.wrap(line, width, subsequent_indent="      ", break_long_words=False) or [line]
    recs = d["recommendations"]
    out += ["", f"Recommendations: {len(recs['retired'])} retired, {len(recs['new'])} new, "
                f"{len(recs['moved'])} moved between horizons"]
    for r in recs["retired"]:
        out += _wrapped(f"  - retired  {r['rule_id']}: {r['title']} (was {r['horizon']})", width)
    for r in recs["new"]:
        out += _wrapped(f"  + new      {r['rule_id']}: {r['title']} ({r['horizon']})", width)
    for r in recs["moved"]:
        out += _wrapped(f"  ~ moved    {r['rule_id']}: {r['title']} ({r['from']} -> {r['to']})", width)
    if len(d["steps"]) > 1:
        out += ["", "Step by step:"]
        for s in d["steps"]:
            n = len([c for c in s["changes"] if c["direction"] != "unchanged"])
            r = s["recommendations"]
            out += _wrapped(f"  {s['from']} -> {s['to']}: {n} facts changed; {len(r['retired'])} recommendations "
                            f"retired, {len(r['new'])} new, {len(r['moved'])} moved", width)
    out += ["", "Ask in the debrief:"]
    for q in d["debrief"]:
        out += textwrap.wrap(q, width, initial_indent="  - ", subsequent_indent="    ", break_long_words=False)
    return "\n".join(out) + "\n"


def _wrapped(line: str, width: int) -> list[str]:
    return textwrap.wrap(line, width, subsequent_indent="             ", break_long_words=False) or [line]


# ---------------------------------------------------------------- markdown


def _md(text: Any) -> str:
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def _markdown(d: dict[str, Any]) -> str:
    out = [f"# Assessments of {_md(d['case_id'])}", "", "Assessments: " + " → ".join(_md(a) for a in d["assessments"]),
           "", "## What changed", ""]
    moved = _moved(d)
    if moved:
        out += ["| fact | path | from | to | direction |", "|---|---|---|---|---|"]
        out += [f"| {_md(name(c['path'], d.get('labels')))} | `{c['path']}` | {_md(_v(c['from']))} | "
                f"{_md(_v(c['to']))} | {c['direction']} |" for c in moved]
    else:
        out.append("Nothing rated changed.")
    out += ["", f"{len(d['changes']) - len(moved)} facts unchanged.", "", "## Recommendations", ""]
    recs = d["recommendations"]
    for kind, rows in (("Retired", recs["retired"]), ("New", recs["new"])):
        out.append(f"**{kind}:** " + ("; ".join(f"{_md(r['title'])} (`{r['rule_id']}`, {r['horizon']})"
                                               for r in rows) or "none"))
        out.append("")
    out.append("**Moved between horizons:** " + ("; ".join(f"{_md(r['title'])} (`{r['rule_id']}`, {r['from']} → "
                                                         f"{r['to']})" for r in recs["moved"]) or "none"))
    out += ["", "## Ask in the debrief", ""] + [f"- {_md(q)}" for q in d["debrief"]]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- html

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; margin: 24px auto;
       max-width: 980px; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 28px; }
.sub { color: #5a6270; margin-top: 0; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; }
figure { margin: 0; border: 1px solid #d9dde4; border-radius: 6px; padding: 6px 8px; background: #fbfcfd; }
figcaption { font-size: 12px; font-weight: 600; min-height: 30px; }
figure.improved { border-color: #3b8f5a; } figure.worsened { border-color: #c0392b; }
.dir { font-weight: 400; color: #5a6270; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid #e3e6eb; padding: 4px 6px; text-align: left; vertical-align: top; }
.improved-t { color: #2e7d4f; } .worsened-t { color: #b03a2e; }
@media print { figure { break-inside: avoid; } }
"""

_W, _H, _PAD = 200, 92, 16


def _y(value: float, lo: float, hi: float) -> float:
    return _H - _PAD - (value - lo) / (hi - lo) * (_H - 2 * _PAD)


def _x(i: int, n: int) -> float:
    return _PAD + 8 + (i * (_W - 2 * _PAD - 16) / (n - 1) if n > 1 else (_W - 2 * _PAD - 16) / 2)


def _scale(path: str) -> tuple[list[Any], float, float]:
    if path.startswith("cfir."):
        return [-2, -1, 0, 1, 2], -2, 2
    values = list(ENGAGEMENT_LEVELS) if path.startswith("engagement.") else list(LEVELS)
    return values, 0, len(values) - 1


def _pos(path: str, value: Any) -> float | None:
    if value is None or value == "mixed":
        return None
    if path.startswith("cfir."):
        return float(value)
    values, _, _ = _scale(path)
    return float(values.index(value)) if value in values else None


def svg_panel(path: str, values: list[Any], labels: list[str]) -> str:
    """One small multiple: the fact's value at each assessment on its own scale."""
    ticks, lo, hi = _scale(path)
    n = len(values)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" '
             f'role="img" aria-label="{html.escape(name(path))}: '
             + html.escape(", ".join(f"{lab} {_v(v)}" for lab, v in zip(labels, values, strict=True))) + '">']
    if path.startswith("cfir."):
        y0 = _y(0, lo, hi)
        parts.append(f'<rect x="{_PAD}" y="{_y(2, lo, hi):.1f}" width="{_W - 2 * _PAD}" '
                     f'height="{y0 - _y(2, lo, hi):.1f}" fill="#e8f4ec"/>')
        parts.append(f'<rect x="{_PAD}" y="{y0:.1f}" width="{_W - 2 * _PAD}" height="{_y(-2, lo, hi) - y0:.1f}" '
                     f'fill="#fbeaea"/>')
        parts.append(f'<line x1="{_PAD}" x2="{_W - _PAD}" y1="{y0:.1f}" y2="{y0:.1f}" stroke="#9aa1ab" '
                     'stroke-width="1"/>')
    for t in (ticks[0], ticks[-1]):
        pos = _pos(path, t)
        assert pos is not None
        parts.append(f'<text x="2" y="{_y(pos, lo, hi) + 3:.1f}" font-size="8" fill="#5a6270">'
                     f'{html.escape(_v(t))}</text>')
    pts = [(_x(i, n), _y(p, lo, hi)) for i, v in enumerate(values) if (p := _pos(path, v)) is not None]
    if len(pts) > 1:
        parts.append('<polyline fill="none" stroke="#34495e" stroke-width="1.6" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
    for i, v in enumerate(values):
        x = _x(i, n)
        parts.append(f'<text x="{x:.1f}" y="{_H - 3}" font-size="8" text-anchor="middle" fill="#5a6270">'
                     f'{html.escape(labels[i][:10])}</text>')
        p = _pos(path, v)
        if p is None:
            mark = "m" if v == "mixed" else "?"
            parts.append(f'<text x="{x:.1f}" y="{_y((lo + hi) / 2, lo, hi) + 3:.1f}" font-size="9" '
                         f'text-anchor="middle" fill="#7f8790">{mark}</text>')
            continue
        colour = "#c0392b" if path.startswith("cfir.") and p < 0 else "#2e7d4f" if path.startswith("cfir.") \
            and p > 0 else "#34495e"
        parts.append(f'<circle cx="{x:.1f}" cy="{_y(p, lo, hi):.1f}" r="3.2" fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _html(d: dict[str, Any]) -> str:
    e = html.escape
    labels = d["assessments"]
    direction = {c["path"]: c["direction"] for c in d["changes"]}
    figs = []
    for path, values in d["series"].items():
        way = direction.get(path, "")
        figs.append(f'<figure class="{e(way)}"><figcaption>{e(name(path, d.get("labels")))} '
                    f'<span class="dir">{e(way)}</span></figcaption>{svg_panel(path, values, labels)}</figure>')
    rows = "".join(f'<tr><td>{e(name(c["path"], d.get("labels")))}<br><code>{e(c["path"])}</code></td>'
                   f'<td>{e(_v(c["from"]))}</td><td>{e(_v(c["to"]))}</td>'
                   f'<td class="{e(c["direction"])}-t">{e(c["direction"])}</td></tr>'
                   for c in _moved(d))
    recs = d["recommendations"]

    def rec_list(items: list[dict[str, Any]], tail: str) -> str:
        if not items:
            return "<p>None.</p>"
        return "<ul>" + "".join(f"<li>{e(r['title'])} <code>{e(r['rule_id'])}</code> "
                                f"({e(tail.format(**r))})</li>" for r in items) + "</ul>"

    debrief = "".join(f"<li>{e(q)}</li>" for q in d["debrief"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Assessments of {e(d['case_id'])}</title><style>{_CSS}</style></head><body>"
        f"<h1>Assessments of {e(d['case_id'])}</h1>"
        f'<p class="sub">{e(" → ".join(labels))}</p>'
        "<h2>Each rating over the assessments</h2>"
        '<p class="sub">CFIR ratings from -2 (strong barrier, red band) to +2 (strong facilitator, green band); '
        "trust, capacity and engagement on their own scales. m: mixed, ?: not stated.</p>"
        f'<div class="multiples">{"".join(figs)}</div>'
        f"<h2>What changed, {e(labels[0])} to {e(labels[-1])}</h2>"
        + (f"<table><tr><th>fact</th><th>from</th><th>to</th><th>direction</th></tr>{rows}</table>" if rows
           else "<p>Nothing rated changed.</p>")
        + "<h2>Recommendations</h2><h3>Retired</h3>" + rec_list(recs["retired"], "was {horizon}")
        + "<h3>New</h3>" + rec_list(recs["new"], "{horizon}")
        + "<h3>Moved between horizons</h3>" + rec_list(recs["moved"], "{from} → {to}")
        + f"<h2>Ask in the debrief</h2><ul>{debrief}</ul></body></html>\n"
    )


__all__ = ["render_compare", "svg_panel", "COMPARE_FORMATS"]
