"""summary.md: a batch's portfolio summary as GitHub-flavoured markdown tables, at most 100 columns.

Reads the portfolio's counters (engine/model/portfolio.py) and, for sites assessed more than once,
what moved between their last two assessments (engine/model/sitemoves.py), nothing else; long cells
are shortened with '…' (a site's assessment date is never cut) and every cell is escaped for a table row.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

from engine.model.portfolio import (
    HTML_NAME,
    NOT_STATED,
    TOP_CONSTRUCTS,
    TOP_SITES,
    Portfolio,
)
from engine.model.sitemoves import LISTED_SITES, AssessmentMoves, SiteMove
from engine.model.vocabulary import (
    CATEGORIES,
    CFIR_DOMAINS,
    CFIR_IDS,
    CFIR_SUBCONSTRUCTS,
    DECISION_MAKING,
    ENGAGEMENT_LEVELS,
    LEVELS,
)
from engine.render.mdtext import md_text

WIDTH = 100
"""summary.md's tables fit this many columns (long cells are shortened with '…')."""


def render_portfolio_markdown(p: Portfolio, engine: dict[str, Any], moves: AssessmentMoves | None = None) -> str:
    """summary.md: the portfolio's tables, no wider than WIDTH columns; `moves`, when given, adds what
    moved between the last two assessments of each site assessed more than once."""
    packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
    total = p.cases + p.failures
    out = [
        "# Portfolio summary",
        "",
        *textwrap.wrap(
            f"{total} cases: {p.cases} evaluated, {p.failures} failed. "
            f"Rules: {engine['name']} {engine['version']} ({packs}).",
            WIDTH,
            break_long_words=False,
            break_on_hyphens=False,
        ),
        "",
        f"Pictures of the same figures: [{HTML_NAME}]({HTML_NAME}).",
        "",
    ]
    out += _recommendations(p) + _barriers(p) + _engagement(p) + _top(p)
    out += _trends(p) + _moves(moves) + _failures(p)
    return "\n".join(out).rstrip("\n") + "\n"


def _recommendations(p: Portfolio) -> list[str]:
    out = ["## Recommendations", ""]
    if not p.items:
        return out + ["No recommendations.", ""]
    cat_rows = [
        [c, p.categories[c], p.pct(p.categories[c]), p.category_recs[c]] for c in CATEGORIES if p.category_recs[c]
    ]
    out += [_table(cat_rows, ["category", "sites", "share of sites", "recommendations"]), ""]
    totals = p.horizon_totals()
    out += [
        f"{len(p.items)} distinct recommendations. Across the sites, {totals['now']} items are in Start here (now),",
        f"{totals['next']} in Next and {totals['later']} in Later.",
        "",
    ]
    rows = [
        [i.title, i.rule_id, i.sites, i.horizons["now"], i.horizons["next"], i.horizons["later"]]
        for i in p.ranked_items()
    ]
    return out + [
        _table(rows, ["recommendation", "rule", "sites", "now", "next", "later"], flex=(0, 1), floors={1: 34}),
        "",
    ]


def _barriers(p: Portfolio) -> list[str]:
    out = [
        "## CFIR barriers by domain",
        "",
        f"Constructs rated -1 or -2, by number of sites (top {TOP_CONSTRUCTS} per domain).",
        "",
    ]
    rows = [
        [CFIR_DOMAINS[domain], CFIR_IDS.get(cid, cid), cid, n, p.pct(n)]
        for domain, found in p.barriers_by_domain().items()
        for cid, n in found
    ]
    if not rows:
        return out[:2] + ["No CFIR construct is rated a barrier.", ""]
    return out + [_table(rows, ["domain", "construct", "id", "sites", "share"], flex=(1, 2)), ""]


def _engagement(p: Portfolio) -> list[str]:
    out = ["## Engagement and power", ""]
    levels = [*ENGAGEMENT_LEVELS, NOT_STATED]
    rows = [
        [lvl, p.engagement[("level", lvl)], p.engagement[("target", lvl)]]
        for lvl in levels
        if p.engagement[("level", lvl)] or p.engagement[("target", lvl)]
    ]
    out += [
        _table(rows, ["engagement level", "sites now", "sites aiming for it"]),
        "",
        f"{p.gaps} sites want more community engagement than they have.",
        "",
    ]
    diffs = [*LEVELS, NOT_STATED]
    rows = [[d, p.power[("differential", d)]] for d in diffs if p.power[("differential", d)]]
    out += [_table(rows, ["power differential", "sites"]), ""]
    decisions = [*DECISION_MAKING, NOT_STATED]
    rows = [[d, p.power[("decision_making", d)]] for d in decisions if p.power[("decision_making", d)]]
    return out + [_table(rows, ["decision making", "sites"]), ""]


def _top(p: Portfolio) -> list[str]:
    out = [f"## Sites with the most Start-here items (top {TOP_SITES})", ""]
    rows = [[cid, site, now, high] for now, high, _, cid, site in p.top_sites() if now or high]
    if not rows:
        return out + ["No site has a recommendation.", ""]
    return out + [_table(rows, ["case", "site", "now", "high priority"], flex=(0, 1)), ""]


def _trends(p: Portfolio) -> list[str]:
    """Each site assessed more than once: its assessments in date order, barriers, high-priority
    items and trust at each (see `isp-advisor compare` for the detail)."""
    sites = {cid: sorted(rows) for cid, rows in p.trends.items() if len(rows) > 1}
    if not sites:
        return []
    out = [
        "## Sites assessed more than once",
        "",
        "Trust, barriers (CFIR ratings below 0) and high-priority recommendations at each",
        "assessment, oldest first (two tables, to fit 100 columns); `isp-advisor compare` shows",
        "what changed.",
        "",
    ]
    cols = {cid: [" → ".join(str(r[k]) for r in rows) for k in range(4)] for cid, rows in sites.items()}
    out += ["| case | assessments | trust |", "|---|---|---|"]
    out += [f"| {_cell(cid)} | {cols[cid][0]} | {_cell(cols[cid][3])} |" for cid in sorted(sites)]
    out += ["", "| case | barriers | high priority |", "|---|---|---|"]
    out += [f"| {_cell(cid)} | {cols[cid][1]} | {cols[cid][2]} |" for cid in sorted(sites)]
    return out + [""]


def _moves(moves: AssessmentMoves | None) -> list[str]:
    """Between the last two assessments of each site assessed more than once: barriers resolved and
    new, trust and engagement, items retired and new (matched by key); a table of counts, the most
    frequent changes across sites, then each site's (the first LISTED_SITES)."""
    found = moves.moves() if moves is not None else []
    if moves is None or not found:
        return []
    out = [
        "## What moved since the previous assessment",
        "",
        *textwrap.wrap(
            "Between the last two assessments of each site assessed more than once: CFIR barriers "
            "resolved and new, trust and engagement, and the plan's items retired and new (matched "
            "by their key, as `isp-advisor compare` matches them; it also shows why each moved).",
            WIDTH,
            break_on_hyphens=False,
        ),
        "",
    ]
    rows = [
        [
            m.case_id,
            f"{m.before.assessed_on} → {m.after.assessed_on}",
            f"{m.before.trust or '-'} → {m.after.trust or '-'}",
            f"{m.before.engagement[0] or '-'} → {m.after.engagement[0] or '-'}",
            f"-{len(m.barriers_resolved)} +{len(m.barriers_new)}",
            f"-{len(m.items_retired)} +{len(m.items_new)}",
        ]
        for m in found
    ]
    out += [
        _table(rows, ["case", "assessments", "trust", "engagement", "barriers", "items"], flex=(0,), floors={0: 16}),
        "",
        "Barriers: resolved (-) and new (+); items: retired (-) and new (+).",
        "",
    ]
    if len(found) > 1:
        totals = moves.totals(found)
        across = []
        for name, what, label in (
            ("barriers_resolved", "barrier resolved", _construct),
            ("barriers_new", "new barrier", _construct),
            ("items_retired", "item retired", moves.label),
            ("items_new", "new item", moves.label),
        ):
            across += [[what, label(k), n] for k, n in sorted(totals[name].items(), key=lambda kv: (-kv[1], kv[0]))[:5]]
        if across:
            out += [
                "Most frequent across the sites:",
                "",
                _table(across, ["change", "what", "sites"], flex=(1,), floors={1: 40}),
                "",
            ]
    for m in found[:LISTED_SITES]:
        out += [f"### {_cell(m.case_id)}: {m.before.assessed_on} → {m.after.assessed_on}", ""]
        out += [
            line
            for item in _move_items(moves, m)
            for line in textwrap.wrap(
                item, WIDTH, initial_indent="- ", subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
            )
        ]
        out += [""]
    if len(found) > LISTED_SITES:
        out += [
            f"... and {len(found) - LISTED_SITES} more sites: items.parquet (`--tables parquet`) holds every "
            "assessment.",
            "",
        ]
    return out


def _move_items(moves: AssessmentMoves, m: SiteMove) -> list[str]:
    def listed(keys: tuple[str, ...], label: Any) -> str:
        return "; ".join(label(k) for k in keys) if keys else "none"

    return [
        f"Barriers resolved: {_cell(listed(m.barriers_resolved, _construct))}.",
        f"New barriers: {_cell(listed(m.barriers_new, _construct))}.",
        f"Items retired: {_cell(listed(m.items_retired, moves.label))}.",
        f"New items: {_cell(listed(m.items_new, moves.label))}.",
    ]


def _construct(cid: str) -> str:
    """A construct's name with its id; a subconstruct's with its construct's name."""
    name = CFIR_IDS.get(cid, cid)
    if cid in CFIR_SUBCONSTRUCTS:
        parent = cid.rsplit(".", 1)[0]
        name = f"{CFIR_IDS.get(parent, parent)}: {name}"
    return f"{name} ({cid})"


def _failures(p: Portfolio) -> list[str]:
    out = ["## Failures", ""]
    if not p.failures:
        return out + ["None.", ""]
    rows = [[where(r), r.get("case_id") or "", problem(r)] for r in p.failure_rows]
    more = p.failures - len(p.failure_rows)
    tail = ([f"... and {more} more.", ""] if more else []) + ["See errors.jsonl for every problem.", ""]
    table = _table(rows, ["where", "case", "problem"], flex=(0, 1, 2), left=(0,), floors={2: 60, 1: 12})
    return out + [f"{p.failures} cases failed.", "", table, ""] + tail


def _table(
    rows: list[list[Any]],
    headers: list[str],
    flex: tuple[int, ...] = (),
    left: tuple[int, ...] = (),
    floors: dict[int, int] | None = None,
) -> str:
    """A GitHub table no wider than WIDTH: the widest `flex` column is shortened first ('…'), down
    to its floor (`floors`, else 8); columns in `left` keep their end (file paths), others their start."""
    cells = [[_cell(str(c)) for c in row] for row in rows]  # escaped first, so the widths are the shown ones
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    floor = {i: max(len(headers[i]), (floors or {}).get(i, 8)) for i in flex}
    while flex and sum(widths) + 3 * len(widths) + 1 > WIDTH:
        i = max((j for j in flex if widths[j] > floor[j]), key=lambda j: widths[j], default=None)
        if i is None:
            break
        widths[i] -= 1
    for row in cells:
        for i in flex:
            row[i] = _shorten(row[i], widths[i], keep_end=i in left)
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


DATED = re.compile(r" \(\d{4}-\d{2}-\d{2}\)\Z")
"""A site's label naming one of its several assessments: 'Millbrook Family Resource Center (2026-02-10)'."""


def _shorten(text: str, width: int, keep_end: bool = False) -> str:
    """`text` in `width` characters, cut with '…' at its end (`keep_end`: at its start); the date that
    tells a site's assessments apart is kept whole."""
    if len(text) <= width:
        return text
    if keep_end:
        return "…" + text[-(width - 1) :]
    dated = DATED.search(text)
    if dated and width > len(dated.group()) + 4:
        tail = dated.group()
        return text[: width - len(tail) - 1].rstrip().rstrip("\\") + "…" + tail
    return text[: width - 1].rstrip().rstrip("\\") + "…"  # never half an escape


def where(row: dict[str, Any]) -> str:
    return f"{row['source']}:{row['line']}" if row.get("line") else str(row["source"])


def problem(row: dict[str, Any]) -> str:
    return f"{row['field']}: {row['message']}" if row.get("field") else str(row["message"])


def _cell(text: str) -> str:
    return md_text(text)
