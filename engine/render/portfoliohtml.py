"""summary.html: the portfolio summary as pictures, for people (one self-contained page).

Inline SVG and CSS only: no scripts, no fonts or images fetched, so the page opens the same from
a shared drive, an e-mail attachment or a browser with scripts blocked. Every text from a case
(site names, ids) is escaped. The figures are the ones summary.md gives as tables:

- sites x category: how many recommendations each of the busiest sites gets in each category;
- CFIR barriers by domain: how many sites rate each construct -1 or -2;
- engagement along the Spectrum of Community Engagement to Ownership: where sites are and aim;
- the most common Start-here (now) items, and the sites with the most of them.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from engine.model.vocabulary import CATEGORIES, CFIR_DOMAINS, CFIR_IDS, CFIR_SUBCONSTRUCTS, ENGAGEMENT_LEVELS

if TYPE_CHECKING:
    from engine.model.portfolio import Portfolio

BAR = "#2f6f9f"
BAR_2 = "#d98c2b"
INK = "#1d2733"
MUTED = "#5b6673"
ROW = 22
"""Height of one bar or heat-map row, in px."""

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;margin:2rem auto;
max-width:1100px;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dbe1}
p.note{color:#5b6673;margin:.3rem 0 .8rem}figure{margin:0 0 1rem}svg{max-width:100%;height:auto}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1d2733}
svg text.muted{fill:#5b6673}.legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;
vertical-align:-.1em}
"""


def render_portfolio(portfolio: Portfolio, engine: dict[str, Any]) -> str:
    """The whole page (deterministic: the same portfolio gives the same bytes)."""
    packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
    total = portfolio.cases + portfolio.failures
    totals = portfolio.horizon_totals()
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Portfolio summary</title>", f"<style>{CSS}</style></head><body>",
        "<h1>Portfolio summary</h1>",
        f'<p class="note">{total} cases: {portfolio.cases} evaluated, {portfolio.failures} failed. '
        f"{len(portfolio.items)} distinct recommendations; {totals['now']} items in Start here (now), "
        f"{totals['next']} in Next, {totals['later']} in Later. "
        f"Rules: {escape(str(engine['name']))} {escape(str(engine['version']))} ({escape(packs)}). "
        'The same figures as tables: <a href="summary.md">summary.md</a>.</p>',
        _heatmap(portfolio), _barriers(portfolio), _engagement(portfolio), _now_items(portfolio),
        _now_sites(portfolio), "</body></html>", ""]
    return "\n".join(parts)


# ---------------------------------------------------------------- the pictures


def _heatmap(p: Portfolio) -> str:
    sites = p.heat_sites()
    head = "<h2>Recommendations per site and category</h2>"
    if not sites:
        return head + '<p class="note">No site has a recommendation.</p>'
    shown = f"the {len(sites)} sites with the most recommendations" if p.cases > len(sites) else "every site"
    label_w, cell_w, top = 280, 118, 48
    peak = max(max(counts) for *_, counts in sites) or 1
    width = label_w + cell_w * len(CATEGORIES)
    height = top + ROW * len(sites) + 4
    out = [_svg_open(width, height, f"Heat-map of recommendations per category for {shown}")]
    for j, cat in enumerate(CATEGORIES):
        x = label_w + cell_w * j + cell_w / 2
        words = cat.replace("_", " ")
        first, _, rest = words.partition(" ") if len(words) > 16 else (words, "", "")
        out.append(f'<text x="{x:.0f}" y="{top - 26}" text-anchor="middle">{escape(first)}</text>')
        if rest:
            out.append(f'<text x="{x:.0f}" y="{top - 12}" text-anchor="middle">{escape(rest)}</text>')
    for i, (_, _, case_id, site, counts) in enumerate(sites):
        y = top + ROW * i
        out.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(_clip(site or case_id, 40))}'
                   f"<title>{escape(case_id)}</title></text>")
        for j, n in enumerate(counts):
            x = label_w + cell_w * j
            shade = _shade(n / peak)
            ink = "#ffffff" if n / peak > 0.55 else INK
            out.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{ROW - 2}" fill="{shade}">'
                       f"<title>{escape(case_id)}, {escape(CATEGORIES[j])}: {n}</title></rect>"
                       f'<text x="{x + cell_w / 2:.0f}" y="{y + 15}" text-anchor="middle" '
                       f'style="fill:{ink}">{n}</text>')
    out.append("</svg>")
    return (head + f'<p class="note">Number of recommendations in each category, for {shown}; darker is more.</p>'
            + "<figure>" + "".join(out) + "</figure>")


def _barriers(p: Portfolio) -> str:
    head = "<h2>CFIR barriers by domain</h2>"
    by_domain = p.barriers_by_domain()
    if not any(by_domain.values()):
        return head + '<p class="note">No CFIR construct is rated a barrier.</p>'
    rows: list[tuple[str, str, int, str]] = []  # (label, tooltip, value, kind: domain heading or bar)
    for domain, found in by_domain.items():
        if found:
            rows.append((CFIR_DOMAINS[domain], "", 0, "heading"))
            rows += [(construct_label(cid), cid, n, "bar") for cid, n in found]
    note = ('<p class="note">Sites rating each construct -1 or -2 (the five most common per domain), '
            "out of " + str(p.cases) + " evaluated.</p>")
    return head + note + "<figure>" + _bars(rows, p.cases, "CFIR barriers by domain") + "</figure>"


def _engagement(p: Portfolio) -> str:
    head = "<h2>Community engagement along the spectrum</h2>"
    levels = list(ENGAGEMENT_LEVELS)
    now = [p.engagement[("level", lvl)] for lvl in levels]
    aim = [p.engagement[("target", lvl)] for lvl in levels]
    unstated = p.engagement[("level", "(not stated)")]
    if not any(now) and not any(aim):
        return head + '<p class="note">No case states its engagement level.</p>'
    col_w, plot_h, top, base = 150, 160, 16, 60
    width, height = col_w * len(levels) + 20, top + plot_h + base
    peak = max(now + aim) or 1
    out = [_svg_open(width, height, "Sites by engagement level now and aimed for, along the spectrum")]
    bottom = top + plot_h
    out.append(f'<line x1="10" y1="{bottom}" x2="{width - 10}" y2="{bottom}" stroke="{MUTED}"/>')
    for j, lvl in enumerate(levels):
        x0 = 10 + col_w * j
        for k, (n, colour, what) in enumerate(((now[j], BAR, "now"), (aim[j], BAR_2, "aiming for it"))):
            h = plot_h * n / peak
            x = x0 + 30 + k * 46
            out.append(f'<rect x="{x}" y="{bottom - h:.1f}" width="40" height="{h:.1f}" fill="{colour}">'
                       f"<title>{escape(lvl)}, {what}: {n} sites</title></rect>"
                       f'<text x="{x + 20}" y="{bottom - h - 3:.1f}" text-anchor="middle">{n}</text>')
        out.append(f'<text x="{x0 + col_w / 2:.0f}" y="{bottom + 18}" text-anchor="middle">'
                   f"{escape(lvl.replace('_', ' '))}</text>"
                   f'<text x="{x0 + col_w / 2:.0f}" y="{bottom + 34}" text-anchor="middle" class="muted">'
                   f"{escape(ENGAGEMENT_LEVELS[lvl])}</text>")
    out.append(f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle" class="muted">'
               "less community power → more community power</text></svg>")
    legend = (f'<p class="legend"><span style="background:{BAR}"></span>sites now'
              f'<span style="background:{BAR_2}"></span>sites aiming for it</p>')
    note = (f'<p class="note">{p.gaps} sites want more community engagement than they have; '
            f"{unstated} do not state their level.</p>")
    return head + note + "<figure>" + "".join(out) + legend + "</figure>"


def _now_items(p: Portfolio) -> str:
    from engine.model.portfolio import TOP_NOW_ITEMS

    head = "<h2>The most common Start-here items</h2>"
    items = [i for i in p.ranked_items() if i.horizons["now"]][:TOP_NOW_ITEMS]
    if not items:
        return head + '<p class="note">No site has a Start-here item.</p>'
    rows = [(i.title, f"{i.rule_id} ({i.category}); {i.sites} sites have it at all", i.horizons["now"], "bar")
            for i in items]
    note = '<p class="note">Sites with each item in Start here (the first 30 days).</p>'
    return head + note + "<figure>" + _bars(rows, p.cases, "The most common Start-here items", label_w=470) \
        + "</figure>"


def _now_sites(p: Portfolio) -> str:
    head = "<h2>Sites with the most Start-here items</h2>"
    sites = [t for t in p.top_sites() if t[0]]
    if not sites:
        return head + '<p class="note">No site has a Start-here item.</p>'
    rows = [(site or case_id, f"{case_id}: {high} high-priority items", now, "bar")
            for now, high, _, case_id, site in sites]
    note = '<p class="note">Start-here items per site (ties: more high-priority items first).</p>'
    peak = max(t[0] for t in sites)
    return head + note + "<figure>" + _bars(rows, peak, "Sites with the most Start-here items") + "</figure>"


# ---------------------------------------------------------------- drawing


def _bars(rows: list[tuple[str, str, int, str]], scale: int, title: str, label_w: int = 300) -> str:
    """Horizontal bars with labels on the left; 'heading' rows are bold group labels."""
    plot_w, value_w = 420, 60
    width = label_w + plot_w + value_w
    height = ROW * len(rows) + 6
    scale = max(scale, 1)
    out = [_svg_open(width, height, title)]
    for i, (label, tip, n, kind) in enumerate(rows):
        y = ROW * i
        if kind == "heading":
            out.append(f'<text x="4" y="{y + 16}" style="font-weight:600">{escape(label)}</text>')
            continue
        w = plot_w * n / scale
        tooltip = f"<title>{escape(tip)}</title>" if tip else ""
        out.append(f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">'
                   f"{escape(_clip(label, label_w // 7))}{tooltip}</text>"
                   f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{ROW - 8}" fill="{BAR}">'
                   f"<title>{escape(label)}: {n}</title></rect>"
                   f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{n}</text>')
    out.append("</svg>")
    return "".join(out)


def construct_label(cid: str) -> str:
    """A construct's name; a subconstruct's with its construct's ('Engaging: Innovation Recipients'),
    since several subconstructs share a name."""
    name = CFIR_IDS.get(cid, cid)
    if cid in CFIR_SUBCONSTRUCTS:
        parent = cid.rsplit(".", 1)[0]
        return f"{CFIR_IDS.get(parent, parent)}: {name}"
    return name


def _svg_open(width: float, height: float, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" aria-label="{escape(label)}">')


def _shade(share: float) -> str:
    """From a pale to a deep blue; 0 is near white."""
    lo, hi = (0xf1, 0xf5, 0xf9), (0x1f, 0x4e, 0x79)
    r, g, b = (round(a + (c - a) * share) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"
