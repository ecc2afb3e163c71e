"""The portfolio at a glance (summary.md, summary.html): counts across every site of a batch run.

Each case contributes a small digest (a few facts of the case, the recommendations of its
result) and the aggregate keeps only counters and short top lists, so memory does not grow with
the number of cases. Recommendations are counted as people see them: one merged item of a site's
plan (what `recommend` shows as one row) counts once, whichever of its rules came first, and
items are told apart by what they recommend (category and merge key), not by rule id.
Everything is sorted with explicit tie-breaks: the same cases give the same bytes.
"""

from __future__ import annotations

import heapq
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.assessments.perspectives import effective_facts
from engine.model.case import Case
from engine.model.vocabulary import (
    CATEGORIES,
    CFIR_DOMAINS,
    CFIR_IDS,
    DECISION_MAKING,
    ENGAGEMENT_LEVELS,
    LEVELS,
    RATING_VALUES,
    cfir_domain,
)

TOP_SITES = 10
TOP_CONSTRUCTS = 5
TOP_NOW_ITEMS = 10
HEAT_SITES = 30
"""Sites in the heat-map (those with the most recommendations): a picture of hundreds of rows says nothing."""
LISTED_FAILURES = 20
NOT_STATED = "(not stated)"
WIDTH = 100
"""summary.md's tables fit this many columns (long cells are shortened with '…')."""
HORIZONS = ("now", "next", "later")
HTML_NAME = "summary.html"


def case_digest(case: Case) -> dict[str, Any]:
    """What the summary needs from a case, small enough to keep in the resume index (the groups'
    views combined as the rules see them; the date and trust for a site's trend)."""
    facts = effective_facts(case)[0]
    dated = {"assessed_on": case.assessed_on, "trust": facts.get("relationships.trust")} if case.assessed_on else {}
    return {**dated,
        "site": facts.get("site", ""),
        "engagement": [facts.get("engagement.level"), facts.get("engagement.target")],
        "power": [facts.get("power.differential"), facts.get("power.decision_making")],
        "barriers": sorted(p[5:] for p, v in facts.items()
                           if p.startswith("cfir.") and v in RATING_VALUES and v < 0),
    }


@dataclass
class Item:
    """One recommendation as people see it, counted over the portfolio."""

    title: str
    category: str
    rule_id: str
    """The first rule of the first site that had it (items merge rules; this one names it)."""
    sites: int = 0
    horizons: Counter[str] = field(default_factory=Counter)


@dataclass
class Portfolio:
    """Running totals over a batch, fed in input order."""

    cases: int = 0
    items: dict[str, Item] = field(default_factory=dict)
    categories: Counter[str] = field(default_factory=Counter)
    category_recs: Counter[str] = field(default_factory=Counter)
    barriers: Counter[str] = field(default_factory=Counter)
    engagement: Counter[tuple[str, str]] = field(default_factory=Counter)
    power: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps: int = 0
    top: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    """(now items, high-priority items, -order, case id, site): the TOP_SITES sites with most now items"""
    heat: list[tuple[int, int, str, str, tuple[int, ...]]] = field(default_factory=list)
    """(recommendations, -order, case id, site, per-category counts): the HEAT_SITES busiest sites"""
    trends: dict[str, list[tuple[str, int, int, str]]] = field(default_factory=dict)
    """case id -> (assessed_on, barriers, high-priority items, trust) of each dated assessment: a few
    numbers per dated case, for the sites assessed more than once."""
    failures: int = 0
    failure_rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: dict[str, Any], digest: dict[str, Any]) -> None:
        """Count one evaluated case. Each recommendation may carry `item` and `label` (see batch._slim):
        the key it is counted under and the title shown; without them its first rule id and title."""
        self.cases += 1
        if digest.get("assessed_on"):
            self.trends.setdefault(result["case_id"], []).append(
                (str(digest["assessed_on"]), len(digest["barriers"]),
                 sum(r["priority"] == "high" for r in result["recommendations"]), digest.get("trust") or "-"))
        per_cat: Counter[str] = Counter()
        high = now = 0
        for rec in result["recommendations"]:
            key = rec.get("item") or rec["rule_id"]
            item = self.items.get(key)
            if item is None:
                item = self.items[key] = Item(rec.get("label") or rec["title"], rec["category"], rec["rule_id"])
            item.sites += 1
            horizon = rec.get("horizon", "")
            item.horizons[horizon] += 1
            self.category_recs[rec["category"]] += 1
            per_cat[rec["category"]] += 1
            high += rec["priority"] == "high"
            now += horizon == "now"
        self.categories.update(per_cat.keys())
        self.barriers.update(digest["barriers"])
        level, target = digest["engagement"]
        self.engagement[("level", level or NOT_STATED)] += 1
        self.engagement[("target", target or NOT_STATED)] += 1
        if level and target and list(ENGAGEMENT_LEVELS).index(level) < list(ENGAGEMENT_LEVELS).index(target):
            self.gaps += 1
        diff, decision = digest["power"]
        self.power[("differential", diff or NOT_STATED)] += 1
        self.power[("decision_making", decision or NOT_STATED)] += 1
        site = str(digest.get("site") or "")
        if digest.get("assessed_on"):  # several assessments of one site are told apart by their date
            site = f"{site or result['case_id']} ({digest['assessed_on']})"
        # bounded top lists; earlier cases win ties (-order)
        _keep(self.top, (now, high, -self.cases, result["case_id"], site), TOP_SITES)
        counts = tuple(per_cat[c] for c in CATEGORIES)
        _keep(self.heat, (sum(counts), -self.cases, result["case_id"], site, counts), HEAT_SITES)

    def fail(self, row: dict[str, Any]) -> None:
        self.failures += 1
        if len(self.failure_rows) < LISTED_FAILURES:
            self.failure_rows.append(row)

    # ------------------------------------------------------------ views the renderers share

    def ranked_items(self) -> list[Item]:
        """Items by how many sites have them in Start here, then by sites, then by title."""
        return sorted(self.items.values(), key=lambda i: (-i.horizons["now"], -i.sites, i.title, i.rule_id))

    def top_sites(self) -> list[tuple[int, int, int, str, str]]:
        return sorted(self.top, reverse=True)

    def heat_sites(self) -> list[tuple[int, int, str, str, tuple[int, ...]]]:
        return sorted(self.heat, reverse=True)

    def horizon_totals(self) -> dict[str, int]:
        return {h: sum(i.horizons[h] for i in self.items.values()) for h in HORIZONS}

    def barriers_by_domain(self, top: int = TOP_CONSTRUCTS) -> dict[str, list[tuple[str, int]]]:
        """{domain: [(construct id, sites)]}, most common first, the top `top` per domain."""
        out: dict[str, list[tuple[str, int]]] = {}
        for domain in CFIR_DOMAINS:
            found = sorted(((cid, n) for cid, n in self.barriers.items() if cfir_domain(cid) == domain),
                           key=lambda t: (-t[1], t[0]))
            out[domain] = found[:top]
        return out

    # ------------------------------------------------------------ summary.md

    def markdown(self, engine: dict[str, Any]) -> str:
        packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
        total = self.cases + self.failures
        out = ["# Portfolio summary", "",
               *textwrap.wrap(f"{total} cases: {self.cases} evaluated, {self.failures} failed. "
                              f"Rules: {engine['name']} {engine['version']} ({packs}).", WIDTH,
                              break_long_words=False, break_on_hyphens=False), "",
               f"Pictures of the same figures: [{HTML_NAME}]({HTML_NAME}).", ""]
        out += self._recommendations() + self._barriers() + self._engagement() + self._top()
        out += self._trends() + self._failures()
        return "\n".join(out).rstrip("\n") + "\n"

    def html(self, engine: dict[str, Any]) -> str:
        from engine.render.portfoliohtml import render_portfolio

        return render_portfolio(self, engine)

    def pct(self, n: int) -> str:
        return f"{100 * n / self.cases:.0f}%" if self.cases else "-"

    def _recommendations(self) -> list[str]:
        out = ["## Recommendations", ""]
        if not self.items:
            return out + ["No recommendations.", ""]
        cat_rows = [[c, self.categories[c], self.pct(self.categories[c]), self.category_recs[c]]
                    for c in CATEGORIES if self.category_recs[c]]
        out += [_table(cat_rows, ["category", "sites", "share of sites", "recommendations"]), ""]
        totals = self.horizon_totals()
        out += [f"{len(self.items)} distinct recommendations. Across the sites, {totals['now']} items are in "
                f"Start here (now),", f"{totals['next']} in Next and {totals['later']} in Later.", ""]
        rows = [[i.title, i.rule_id, i.sites, i.horizons["now"], i.horizons["next"], i.horizons["later"]]
                for i in self.ranked_items()]
        return out + [_table(rows, ["recommendation", "rule", "sites", "now", "next", "later"], flex=(0, 1),
                             floors={1: 34}), ""]

    def _barriers(self) -> list[str]:
        out = ["## CFIR barriers by domain", "", "Constructs rated -1 or -2, by number of sites "
               f"(top {TOP_CONSTRUCTS} per domain).", ""]
        rows = [[CFIR_DOMAINS[domain], CFIR_IDS.get(cid, cid), cid, n, self.pct(n)]
                for domain, found in self.barriers_by_domain().items() for cid, n in found]
        if not rows:
            return out[:2] + ["No CFIR construct is rated a barrier.", ""]
        return out + [_table(rows, ["domain", "construct", "id", "sites", "share"], flex=(1, 2)), ""]

    def _engagement(self) -> list[str]:
        out = ["## Engagement and power", ""]
        levels = [*ENGAGEMENT_LEVELS, NOT_STATED]
        rows = [[lvl, self.engagement[("level", lvl)], self.engagement[("target", lvl)]] for lvl in levels
                if self.engagement[("level", lvl)] or self.engagement[("target", lvl)]]
        out += [_table(rows, ["engagement level", "sites now", "sites aiming for it"]), "",
                f"{self.gaps} sites want more community engagement than they have.", ""]
        diffs = [*LEVELS, NOT_STATED]
        rows = [[d, self.power[("differential", d)]] for d in diffs if self.power[("differential", d)]]
        out += [_table(rows, ["power differential", "sites"]), ""]
        decisions = [*DECISION_MAKING, NOT_STATED]
        rows = [[d, self.power[("decision_making", d)]] for d in decisions if self.power[("decision_making", d)]]
        return out + [_table(rows, ["decision making", "sites"]), ""]

    def _top(self) -> list[str]:
        out = [f"## Sites with the most Start-here items (top {TOP_SITES})", ""]
        rows = [[cid, site, now, high] for now, high, _, cid, site in self.top_sites() if now or high]
        if not rows:
            return out + ["No site has a recommendation.", ""]
        return out + [_table(rows, ["case", "site", "now", "high priority"], flex=(0, 1)), ""]

    def _trends(self) -> list[str]:
        """Each site assessed more than once: its assessments in date order, barriers, high-priority
        items and trust at each (see `isp-advisor compare` for the detail)."""
        sites = {cid: sorted(rows) for cid, rows in self.trends.items() if len(rows) > 1}
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

    def _failures(self) -> list[str]:
        out = ["## Failures", ""]
        if not self.failures:
            return out + ["None.", ""]
        rows = [[where(r), r.get("case_id") or "", problem(r)] for r in self.failure_rows]
        more = self.failures - len(self.failure_rows)
        tail = ([f"... and {more} more.", ""] if more else []) + ["See errors.jsonl for every problem.", ""]
        table = _table(rows, ["where", "case", "problem"], flex=(0, 1, 2), left=(0,), floors={2: 60, 1: 12})
        return out + [f"{self.failures} cases failed.", "", table, ""] + tail


def _keep(heap: list[Any], entry: tuple[Any, ...], size: int) -> None:
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)


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
