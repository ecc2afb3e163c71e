"""summary.html: the portfolio summary as pictures, for people (one self-contained page).

Inline SVG and CSS only: no scripts, no fonts or images fetched, so the page opens the same from
a shared drive, an e-mail attachment or a browser with scripts blocked. Every text from a case
(site names, ids) is escaped. The figures are the ones summary.md gives as tables:

- sites x category: how many recommendations each of the busiest sites gets in each category;
- CFIR barriers by domain: how many sites rate each construct -1 or -2;
- engagement along the Spectrum of Community Engagement to Ownership: where sites are and aim;
- the most common Start-here (now) items, and the sites with the most of them (with their
  high-priority items, so that the picture still tells sites apart when each has a full Start here);
- for sites assessed more than once, what moved between their last two assessments (a list).

Every picture is drawn WIDTH px wide with 13 px text and scales down with the page, so on a 390 px
phone its text is still above 10 px and nothing runs off the screen; labels wrap onto two lines
(a site's assessment date is never cut) instead of being cut alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from engine.model.sitemoves import LISTED_SITES, SiteMove
from engine.model.vocabulary import CATEGORIES, CFIR_DOMAINS, CFIR_IDS, CFIR_SUBCONSTRUCTS, ENGAGEMENT_LEVELS

if TYPE_CHECKING:
    from engine.model.portfolio import Portfolio
    from engine.model.sitemoves import AssessmentMoves

BAR = "#2f6f9f"
BAR_2 = "#d98c2b"
INK = "#1d2733"
MUTED = "#5b6673"
WIDTH = 440
"""Every picture's width in px: at 390 px (358 px of page) its 13 px text is drawn at 10.6 px."""
FONT = 13
ADVANCE: dict[str, int] = {
    **dict(
        zip(
            "abcdefghijklmnopqrstuvwxyz",
            (
                1255,
                1300,
                1126,
                1300,
                1260,
                721,
                1300,
                1298,
                569,
                569,
                1186,
                569,
                1995,
                1298,
                1253,
                1300,
                1300,
                842,
                1067,
                803,
                1298,
                1212,
                1675,
                1212,
                1212,
                1075,
            ),
            strict=True,
        )
    ),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                1401,
                1405,
                1430,
                1577,
                1294,
                1178,
                1587,
                1540,
                604,
                604,
                1343,
                1141,
                1767,
                1532,
                1612,
                1235,
                1612,
                1423,
                1300,
                1251,
                1499,
                1401,
                2025,
                1403,
                1251,
                1403,
            ),
            strict=True,
        )
    ),
    **dict.fromkeys("0123456789", 1303),
    " ": 651,
    ".": 651,
    ",": 651,
    ":": 690,
    ";": 690,
    "(": 799,
    ")": 799,
    "[": 799,
    "]": 799,
    "-": 739,
    "'": 563,
    "’": 563,
    "&": 1595,
    "/": 690,
    "…": 2048,
}
"""Advance widths (of 2048 units an em) of DejaVu Sans, the widest of the usual system-ui fonts: labels
measured with them fit in every browser (other characters count as 1300)."""
ROW = 22
"""Height of a one-line bar or heat-map row, in px; a two-line label makes it ROW_2."""
ROW_2 = 36
LINE = 15
"""Line height of a wrapped label."""

HEADERS = {
    "tailored_support": "Tailored support",
    "facilitation": "Facilitation",
    "equity": "Equity",
    "capacity_building": "Capacity building",
    "implementation_strategy": "ERIC strategies",
}
"""The heat-map's column headings (short: they stand upright above narrow columns)."""

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2733;margin:2rem auto;
max-width:1100px;padding:0 1rem;overflow-wrap:break-word}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d5dbe1}
h3{font-size:1rem;margin:1.2rem 0 .3rem}
p.note{color:#5b6673;margin:.3rem 0 .8rem}figure{margin:0 0 1rem}svg{max-width:100%;height:auto;display:block}
svg text{font:13px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;fill:#1d2733}
svg text.muted{fill:#5b6673}svg text.head{font-weight:600}.legend span{display:inline-block;width:.9em;height:.9em;
margin:0 .3em 0 1em;vertical-align:-.1em}.legend span:first-child{margin-left:0}
ul.moves{padding-left:1.2rem;margin:.2rem 0}ul.moves li{margin:.15rem 0}ul.moves ul{padding-left:1.1rem}
span.date{white-space:nowrap}
"""


def render_portfolio(portfolio: Portfolio, engine: dict[str, Any], moves: AssessmentMoves | None = None) -> str:
    """The whole page (deterministic: the same portfolio gives the same bytes); `moves`, when given,
    adds what moved between the last two assessments of each site assessed more than once."""
    packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
    total = portfolio.cases + portfolio.failures
    totals = portfolio.horizon_totals()
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Portfolio summary</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Portfolio summary</h1>",
        f'<p class="note">{total} cases: {portfolio.cases} evaluated, {portfolio.failures} failed. '
        f"{len(portfolio.items)} distinct recommendations; {totals['now']} items in Start here (now), "
        f"{totals['next']} in Next, {totals['later']} in Later. "
        f"Rules: {escape(str(engine['name']))} {escape(str(engine['version']))} ({escape(packs)}). "
        'The same figures as tables: <a href="summary.md">summary.md</a>.</p>',
        _heatmap(portfolio),
        _barriers(portfolio),
        _engagement(portfolio),
        _now_items(portfolio),
        _now_sites(portfolio),
        _moves(moves),
        "</body></html>",
        "",
    ]
    return "\n".join(parts)


# ---------------------------------------------------------------- the pictures


def _heatmap(p: Portfolio) -> str:
    sites = p.heat_sites()
    head = "<h2>Recommendations per site and category</h2>"
    if not sites:
        return head + '<p class="note">No site has a recommendation.</p>'
    shown = f"the {len(sites)} sites with the most recommendations" if p.cases > len(sites) else "every site"
    cell_w = 48
    label_w = WIDTH - cell_w * len(CATEGORIES)
    top = round(max(text_width(h) for h in HEADERS.values())) + 12
    peak = max(max(counts) for *_, counts in sites) or 1
    labels = distinct_labels([(site or case_id, case_id) for _, _, case_id, site, _ in sites], label_w - 10)
    height = top + sum(_row_height(lines) for lines in labels) + 4
    out = [_svg_open(WIDTH, height, f"Heat-map of recommendations per category for {shown}")]
    for j, cat in enumerate(CATEGORIES):
        x = label_w + cell_w * j + cell_w / 2 + 4
        out.append(
            f'<text transform="translate({x:.0f} {top - 6}) rotate(-90)">{escape(HEADERS.get(cat, cat))}'
            f"<title>{escape(cat)}</title></text>"
        )
    y = top
    for (_, _, case_id, site, counts), lines in zip(sites, labels, strict=True):
        h = _row_height(lines)
        out.append(_label(lines, label_w - 8, y, h, f"{site} ({case_id})" if site and site != case_id else case_id))
        for j, n in enumerate(counts):
            x = label_w + cell_w * j
            shade = _shade(n / peak)
            ink = "#ffffff" if n / peak > 0.55 else INK
            out.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{h - 2}" fill="{shade}">'
                f"<title>{escape(case_id)}, {escape(CATEGORIES[j])}: {n}</title></rect>"
                f'<text x="{x + cell_w / 2:.0f}" y="{y + h / 2 + 4.5:.1f}" text-anchor="middle" '
                f'style="fill:{ink}">{n}</text>'
            )
        y += h
    out.append("</svg>")
    return (
        head
        + f'<p class="note">Number of recommendations in each category, for {shown}; darker is more.</p>'
        + "<figure>"
        + "".join(out)
        + "</figure>"
    )


def _barriers(p: Portfolio) -> str:
    head = "<h2>CFIR barriers by domain</h2>"
    by_domain = p.barriers_by_domain()
    if not any(by_domain.values()):
        return head + '<p class="note">No CFIR construct is rated a barrier.</p>'
    rows: list[Bar] = []
    for domain, found in by_domain.items():
        if found:
            rows.append(Bar(CFIR_DOMAINS[domain], heading=True))
            rows += [Bar(construct_label(cid), cid, (n,)) for cid, n in found]
    note = (
        '<p class="note">Sites rating each construct -1 or -2 (the five most common per domain), '
        "out of " + str(p.cases) + " evaluated.</p>"
    )
    return head + note + "<figure>" + _bars(rows, p.cases, "CFIR barriers by domain") + "</figure>"


def _engagement(p: Portfolio) -> str:
    head = "<h2>Community engagement along the spectrum</h2>"
    levels = list(ENGAGEMENT_LEVELS)
    now = [p.engagement[("level", lvl)] for lvl in levels]
    aim = [p.engagement[("target", lvl)] for lvl in levels]
    unstated = p.engagement[("level", "(not stated)")]
    if not any(now) and not any(aim):
        return head + '<p class="note">No case states its engagement level.</p>'
    rows = [
        Bar(
            lvl.replace("_", " "),
            f"{lvl}: {ENGAGEMENT_LEVELS[lvl]}",
            (now[j], aim[j]),
            sub=ENGAGEMENT_LEVELS[lvl],
            what=("sites now", "sites aiming for it"),
        )
        for j, lvl in enumerate(levels)
    ]
    label_w = round(max(text_width(t) for lvl in levels for t in (lvl, ENGAGEMENT_LEVELS[lvl]))) + 16
    figure = _bars(
        rows, max(now + aim) or 1, "Sites by engagement level now and aimed for, along the spectrum", label_w=label_w
    )
    legend = (
        f'<p class="legend"><span style="background:{BAR}"></span>sites now'
        f'<span style="background:{BAR_2}"></span>sites aiming for it</p>'
    )
    note = (
        f'<p class="note">{p.gaps} sites want more community engagement than they have; '
        f"{unstated} do not state their level. From less community power (top) to more (bottom).</p>"
    )
    return head + note + "<figure>" + figure + legend + "</figure>"


def _now_items(p: Portfolio) -> str:
    from engine.model.portfolio import TOP_NOW_ITEMS

    head = "<h2>The most common Start-here items</h2>"
    items = [i for i in p.ranked_items() if i.horizons["now"]][:TOP_NOW_ITEMS]
    if not items:
        return head + '<p class="note">No site has a Start-here item.</p>'
    rows = [
        Bar(i.title, f"{i.rule_id} ({i.category}); {i.sites} sites have it at all", (i.horizons["now"],)) for i in items
    ]
    note = f'<p class="note">Sites with each item in Start here (the first 30 days), out of {p.cases} evaluated.</p>'
    return (
        head + note + "<figure>" + _bars(rows, p.cases, "The most common Start-here items", lines_max=3) + "</figure>"
    )


def _now_sites(p: Portfolio) -> str:
    head = "<h2>Sites with the most Start-here items</h2>"
    sites = [t for t in p.top_sites() if t[0]]
    if not sites:
        return head + '<p class="note">No site has a Start-here item.</p>'
    labels = distinct_labels([(site or case_id, case_id) for _, _, _, case_id, site in sites], 190)
    rows = [
        Bar(
            site or case_id,
            f"{site or case_id} ({case_id}): {now} in Start here, {high} high-priority items",
            (now, high),
            what=("in Start here", "high-priority items"),
            lines=tuple(lines),
        )
        for (now, high, _, case_id, site), lines in zip(sites, labels, strict=True)
    ]
    counts = {t[0] for t in sites}
    same = (
        (
            f"Every site shown has {sites[0][0]} items in Start here, as many as a plan holds there; "
            "they are told apart by their high-priority items. "
        )
        if len(counts) == 1 and len(sites) > 1
        else ""
    )
    note = (
        f'<p class="note">{same}Start-here items and high-priority items (in any horizon) per site, '
        "most Start-here items first, then most high-priority items.</p>"
    )
    legend = (
        f'<p class="legend"><span style="background:{BAR}"></span>in Start here'
        f'<span style="background:{BAR_2}"></span>high-priority items</p>'
    )
    peak = max(max(t[0], t[1]) for t in sites)
    return head + note + "<figure>" + _bars(rows, peak, "Sites with the most Start-here items") + legend + "</figure>"


def _moves(moves: AssessmentMoves | None) -> str:
    """What moved between the last two assessments of each site assessed more than once (a list: it
    reads on a phone as on a wide screen)."""
    found = moves.moves() if moves is not None else []
    if moves is None or not found:
        return ""
    out = [
        "<h2>What moved since the previous assessment</h2>",
        '<p class="note">Between the last two assessments of each site assessed more than once: CFIR barriers '
        "resolved and new, trust and engagement, and the plan's items retired and new (matched by their key, "
        "as <code>isp-advisor compare</code> matches them; it also shows why each moved).</p>",
    ]
    if len(found) > 1:
        out.append(_across(moves, found))
    for m in found[:LISTED_SITES]:
        out.append(
            f"<h3>{escape(m.after.site or m.case_id)} ({escape(m.case_id)}): "
            f'<span class="date">{escape(m.before.assessed_on)}</span> → '
            f'<span class="date">{escape(m.after.assessed_on)}</span></h3>'
        )
        out.append('<ul class="moves">' + "".join(f"<li>{line}</li>" for line in _move_lines(moves, m)) + "</ul>")
    if len(found) > LISTED_SITES:
        out.append(
            f'<p class="note">… and {len(found) - LISTED_SITES} more sites: items.parquet '
            "(<code>--tables parquet</code>) holds every assessment.</p>"
        )
    return "\n".join(out)


def _across(moves: AssessmentMoves, found: list[SiteMove]) -> str:
    totals = moves.totals(found)
    lines = []
    for name, what, label in (
        ("barriers_resolved", "Barriers most often resolved", construct_label),
        ("barriers_new", "New barriers most often", construct_label),
        ("items_retired", "Items most often retired", moves.label),
        ("items_new", "New items most often", moves.label),
    ):
        top = sorted(totals[name].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        if top:
            lines.append(f"<li>{what}: " + "; ".join(f"{escape(label(k))} ({n} sites)" for k, n in top) + "</li>")
    moved = sum(1 for m in found if m.moved)
    return f'<p class="note">{len(found)} sites assessed more than once; {moved} of them moved.</p>' + (
        '<ul class="moves">' + "".join(lines) + "</ul>" if lines else ""
    )


def _move_lines(moves: AssessmentMoves, m: SiteMove) -> list[str]:
    def listed(keys: Sequence[str], label: Any) -> str:
        if len(keys) > 2:  # a list of its own: long titles read one a line
            return f"{len(keys)}<ul>" + "".join(f"<li>{escape(label(k))}</li>" for k in keys) + "</ul>"
        return "; ".join(escape(label(k)) for k in keys) if keys else "none"

    words = {"up": "higher", "down": "lower", "same": "unchanged", "": "changed"}
    trust = f"{m.before.trust or '-'} → {m.after.trust or '-'}"
    level = f"{m.before.engagement[0] or '-'} → {m.after.engagement[0] or '-'}"
    return [
        f"Trust: {escape(trust)} ({words[m.trust]})" if m.before.trust or m.after.trust else "Trust: not stated",
        f"Engagement: {escape(level.replace('_', ' '))} ({words[m.engagement]})",
        f"Barriers resolved: {listed(m.barriers_resolved, construct_label)}",
        f"New barriers: {listed(m.barriers_new, construct_label)}",
        f"Items retired: {listed(m.items_retired, moves.label)}",
        f"New items: {listed(m.items_new, moves.label)}",
    ]


# ---------------------------------------------------------------- drawing


class Bar:
    """One row of a bar chart: a label (wrapped onto two lines) and one or two values; or a heading."""

    def __init__(
        self,
        label: str,
        tip: str = "",
        values: tuple[int, ...] = (),
        heading: bool = False,
        sub: str = "",
        what: tuple[str, ...] = (),
        lines: tuple[str, ...] = (),
    ) -> None:
        self.label, self.tip, self.values, self.heading = label, tip, values, heading
        self.sub, self.what, self.lines = sub, what, lines


def _bars(rows: Sequence[Bar], scale: int, title: str, label_w: int = 200, lines_max: int = 2) -> str:
    """Horizontal bars with labels on the left (`lines_max` lines at most, or a label and a muted line);
    headings are bold group labels; a row with two values draws two thinner bars (BAR, BAR_2)."""
    value_w = 36
    plot_w = WIDTH - label_w - value_w
    scale = max(scale, 1)
    laid = []
    for r in rows:
        if r.heading:
            laid.append((r, [r.label], ROW))
            continue
        lines = list(r.lines) or wrap_label(r.label, label_w - 10, lines_max)
        if r.sub:
            lines = [lines[0], r.sub]
        laid.append((r, lines, _row_height(lines)))
    height = sum(h for *_, h in laid) + 6
    out = [_svg_open(WIDTH, height, title)]
    y = 0
    for r, lines, h in laid:
        if r.heading:
            out.append(f'<text x="4" y="{y + 16}" class="head">{escape(r.label)}</text>')
            y += h
            continue
        tooltip = f"<title>{escape(r.tip)}</title>" if r.tip else ""
        for k, line in enumerate(lines):
            muted = ' class="muted"' if r.sub and k == 1 else ""
            out.append(
                f'<text x="{label_w - 8}" y="{_line_y(y, h, len(lines), k):.1f}" text-anchor="end"{muted}>'
                f"{escape(line)}{tooltip if k == 0 else ''}</text>"
            )
        thick = (ROW - 8) if len(r.values) == 1 else 9
        gap = 2
        block = thick * len(r.values) + gap * (len(r.values) - 1)
        by = y + (h - block) / 2
        for k, n in enumerate(r.values):
            w = plot_w * n / scale
            colour = BAR if k == 0 else BAR_2
            what = f", {r.what[k]}" if k < len(r.what) else ""
            out.append(
                f'<rect x="{label_w}" y="{by:.1f}" width="{w:.1f}" height="{thick}" fill="{colour}">'
                f"<title>{escape(r.label)}{escape(what)}: {n}</title></rect>"
                f'<text x="{label_w + w + 5:.1f}" y="{by + thick / 2 + 4.5:.1f}">{n}</text>'
            )
            by += thick + gap
        y += h
    out.append("</svg>")
    return "".join(out)


def _row_height(lines: Sequence[str]) -> int:
    return ROW if len(lines) <= 1 else ROW_2 + LINE * (len(lines) - 2)


def _line_y(y: float, h: float, n: int, k: int) -> float:
    """The baseline of line k of n in a row at y of height h (centred)."""
    first = y + h / 2 - (n - 1) * LINE / 2 + 4.5
    return first + k * LINE


def _label(lines: Sequence[str], right: float, y: float, h: float, tip: str) -> str:
    """A row's label, right-aligned at `right`, its lines centred in the row; `tip` is its tooltip."""
    return "".join(
        f'<text x="{right}" y="{_line_y(y, h, len(lines), k):.1f}" text-anchor="end">{escape(line)}'
        + (f"<title>{escape(tip)}</title>" if k == 0 else "")
        + "</text>"
        for k, line in enumerate(lines)
    )


DATE_TAIL = 13
"""' (YYYY-MM-DD)': how a site's label names one of its several assessments (engine.model.portfolio)."""


def _dated(text: str) -> tuple[str, str]:
    """(the label without its assessment date, ' (YYYY-MM-DD)' or '')."""
    tail = text[-DATE_TAIL:]
    if (
        len(text) > DATE_TAIL
        and tail.startswith(" (")
        and tail.endswith(")")
        and tail[2:6].isdigit()
        and tail[6] == "-"
        and tail[9] == "-"
    ):
        return text[:-DATE_TAIL], tail
    return text, ""


def text_width(text: str) -> float:
    """`text`'s width in px at 13 px (ADVANCE: generous for most fonts)."""
    return sum(ADVANCE.get(c, 1300) for c in text) * FONT / 2048


def _fill(words: list[str], width: float) -> list[str]:
    """Words on lines no wider than `width` px (a word wider than a line is split)."""
    lines: list[str] = []
    line = ""
    for word in words:
        while text_width(word) > width:  # split what no line can hold
            cut = len(word)
            while cut > 1 and text_width(word[:cut]) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if text_width(candidate) <= width:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line or not lines else lines


def _clip(text: str, width: float) -> str:
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap_label(text: str, width: float, lines: int = 2) -> list[str]:
    """`text` on at most `lines` lines of `width` px; what does not fit is cut with '…', but an
    assessment date at its end is always kept whole."""
    name, tail = _dated(text)
    wrapped = _fill(name.split(), width) or [""]
    if tail:
        if text_width(wrapped[-1] + tail) <= width:
            wrapped[-1] += tail
        else:
            wrapped.append(tail.strip())
    if len(wrapped) <= lines:
        return wrapped
    words = " ".join(name.split())
    head = _fill(words.split(), width)[: lines - 1]
    at = 0
    for line in head:  # what the first lines hold, found in order (a split word has no space inside)
        at = words.find(line, at) + len(line)
    return [*head, _clip(words[at:].strip(), width - text_width(tail)) + tail]


def distinct_labels(rows: Sequence[tuple[str, str]], width: float) -> list[list[str]]:
    """The wrapped label of each (label, case id), two lines at most in `width` px; labels that would
    still read alike (one site name for two case ids) name their case id too."""
    out = [wrap_label(label, width) for label, _ in rows]
    shown = [" ".join(lines) for lines in out]
    for i, (label, case_id) in enumerate(rows):
        if shown.count(shown[i]) > 1 and case_id not in label:
            out[i] = wrap_label(f"{label} [{case_id}]", width)
    return out


def construct_label(cid: str) -> str:
    """A construct's name; a subconstruct's with its construct's ('Engaging: Innovation Recipients'),
    since several subconstructs share a name."""
    name = CFIR_IDS.get(cid, cid)
    if cid in CFIR_SUBCONSTRUCTS:
        parent = cid.rsplit(".", 1)[0]
        return f"{CFIR_IDS.get(parent, parent)}: {name}"
    return name


def _svg_open(width: float, height: float, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-label="{escape(label)}">'
    )


def _shade(share: float) -> str:
    """From a pale to a deep blue; 0 is near white."""
    lo, hi = (0xF1, 0xF5, 0xF9), (0x1F, 0x4E, 0x79)
    r, g, b = (round(a + (c - a) * share) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"
