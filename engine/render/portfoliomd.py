"""summary.md: a batch's portfolio summary as GitHub-flavoured markdown tables, at most 100 columns.

Reads the portfolio's counters (engine/model/portfolio.py) and nothing else; long cells are
shortened with '…' and every cell is escaped for a table row.
"""

from __future__ import annotations

import textwrap
from typing import Any

from engine.model.portfolio import (
    HTML_NAME,
    NOT_STATED,
    TOP_CONSTRUCTS,
    TOP_SITES,
    Portfolio,
)
from engine.model.vocabulary import CATEGORIES, CFIR_DOMAINS, CFIR_IDS, DECISION_MAKING, ENGAGEMENT_LEVELS, LEVELS

WIDTH = 100
"""summary.md's tables fit this many columns (long cells are shortened with '…')."""


def render_portfolio_markdown(p: Portfolio, engine: dict[str, Any]) -> str:
    """summary.md: the portfolio's tables, no wider than WIDTH columns."""
    packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
    total = p.cases + p.failures
    out = ["# Portfolio summary", "",
           *textwrap.wrap(f"{total} cases: {p.cases} evaluated, {p.failures} failed. "
                          f"Rules: {engine['name']} {engine['version']} ({packs}).", WIDTH,
                          break_long_words=False, break_on_hyphens=False), "",
           f"Pictures of the same figures: [{HTML_NAME}]({HTML_NAME}).", ""]
    out += _recommendations(p) + _barriers(p) + _engagement(p) + _top(p)
    out += _trends(p) + _failures(p)
    return "\n".join(out).rstrip("\n") + "\n"

def _recommendations(p: Portfolio) -> list[str]:
    out = ["## Recommendations", ""]
    if not p.items:
        return out + ["No recommendations.", ""]
    cat_rows = [[c, p.categories[c], p.pct(p.categories[c]), p.category_recs[c]]
                for c in CATEGORIES if p.category_recs[c]]
    out += [_table(cat_rows, ["category", "sites", "share of sites", "recommendations"]), ""]
    totals = p.horizon_totals()
    out += [f"{len(p.items)} distinct recommendations. Across the sites, {totals['now']} items are in "
            f"Start here (now),", f"{totals['next']} in Next and {totals['later']} in Later.", ""]
    rows = [[i.title, i.rule_id, i.sites, i.horizons["now"], i.horizons["next"], i.horizons["later"]]
            for i in p.ranked_items()]
    return out + [_table(rows, ["recommendation", "rule", "sites", "now", "next", "later"], flex=(0, 1),
                         floors={1: 34}), ""]

def _barriers(p: Portfolio) -> list[str]:
    out = ["## CFIR barriers by domain", "", "Constructs rated -1 or -2, by number of sites "
           f"(top {TOP_CONSTRUCTS} per domain).", ""]
    rows = [[CFIR_DOMAINS[domain], CFIR_IDS.get(cid, cid), cid, n, p.pct(n)]
            for domain, found in p.barriers_by_domain().items() for cid, n in found]
    if not rows:
        return out[:2] + ["No CFIR construct is rated a barrier.", ""]
    return out + [_table(rows, ["domain", "construct", "id", "sites", "share"], flex=(1, 2)), ""]

def _engagement(p: Portfolio) -> list[str]:
    out = ["## Engagement and power", ""]
    levels = [*ENGAGEMENT_LEVELS, NOT_STATED]
    rows = [[lvl, p.engagement[("level", lvl)], p.engagement[("target", lvl)]] for lvl in levels
            if p.engagement[("level", lvl)] or p.engagement[("target", lvl)]]
    out += [_table(rows, ["engagement level", "sites now", "sites aiming for it"]), "",
            f"{p.gaps} sites want more community engagement than they have.", ""]
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
    out = ["## Sites assessed more than once", "",
           "Trust, barriers (CFIR ratings below 0) and high-priority recommendations at each",
           "assessment, oldest first (two tables, to fit 100 columns); `isp-advisor compare` shows",
           "what changed.", ""]
    cols = {cid: [" → ".join(str(r[k]) for r in rows) for k in range(4)] for cid, rows in sites.items()}
    out += ["| case | assessments | trust |", "|---|---|---|"]
    out += [f"| {_cell(cid)} | {cols[cid][0]} | {_cell(cols[cid][3])} |" for cid in sorted(sites)]
    out += ["", "| case | barriers | high priority |", "|---|---|---|"]
    out += [f"| {_cell(cid)} | {cols[cid][1]} | {cols[cid][2]} |" for cid in sorted(sites)]
    return out + [""]

def _failures(p: Portfolio) -> list[str]:
    out = ["## Failures", ""]
    if not p.failures:
        return out + ["None.", ""]
    rows = [[where(r), r.get("case_id") or "", problem(r)] for r in p.failure_rows]
    more = p.failures - len(p.failure_rows)
    tail = ([f"... and {more} more.", ""] if more else []) + ["See errors.jsonl for every problem.", ""]
    table = _table(rows, ["where", "case", "problem"], flex=(0, 1, 2), left=(0,), floors={2: 60, 1: 12})
    return out + [f"{p.failures} cases failed.", "", table, ""] + tail


def _table(rows: list[list[Any]], headers: list[str], flex: tuple[int, ...] = (),
           left: tuple[int, ...] = (), floors: dict[int, int] | None = None) -> str:
    """A GitHub table no wider than WIDTH: the widest `flex` column is shortened first ('…'), down
    to its floor (`floors`, else 8); columns in `left` keep their end (file paths), others their start."""
    cells = [[str(c).replace("\n", " ") for c in row] for row in rows]
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
    cells = [[_cell(c) for c in row] for row in cells]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(row: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def _shorten(text: str, width: int, keep_end: bool = False) -> str:
    if len(text) <= width:
        return text
    return "…" + text[-(width - 1):] if keep_end else text[:width - 1].rstrip() + "…"


def where(row: dict[str, Any]) -> str:
    return f"{row['source']}:{row['line']}" if row.get("line") else str(row["source"])


def problem(row: dict[str, Any]) -> str:
    return f"{row['field']}: {row['message']}" if row.get("field") else str(row["message"])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
