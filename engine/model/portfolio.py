"""The portfolio at a glance: counts across every site of a batch run (rendered as summary.md and summary.html).

Each case contributes a small digest (a few facts of the case, the recommendations of its
result) and the aggregate keeps only counters and short top lists, so memory does not grow with
the number of cases. Recommendations are counted as people see them: one merged item of a site's
plan (what `recommend` shows as one row) counts once, whichever of its rules came first, and
items are told apart by what they recommend (category and merge key), not by rule id.
Everything is sorted with explicit tie-breaks: the same cases give the same bytes.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

import msgspec

from engine.model.placement import HORIZON_IDS
from engine.model.vocabulary import (
    CATEGORIES,
    CFIR_DOMAINS,
    ENGAGEMENT_LEVELS,
    cfir_domain,
)

TOP_SITES = 10
TOP_CONSTRUCTS = 5
TOP_NOW_ITEMS = 10
HEAT_SITES = 30
"""Sites in the heat-map (those with the most recommendations): a picture of hundreds of rows says nothing."""
LISTED_FAILURES = 20
NOT_STATED = "(not stated)"
HTML_NAME = "summary.html"


class PortfolioItem(msgspec.Struct):
    """One recommendation as people see it, counted over the portfolio."""

    title: str
    category: str
    rule_id: str
    """The first rule of the first site that had it (items merge rules; this one names it)."""
    sites: int = 0
    horizons: Counter[str] = msgspec.field(default_factory=Counter)


class Portfolio(msgspec.Struct):
    """Running totals over a batch, fed in input order."""

    cases: int = 0
    items: dict[str, PortfolioItem] = msgspec.field(default_factory=dict)
    categories: Counter[str] = msgspec.field(default_factory=Counter)
    category_recs: Counter[str] = msgspec.field(default_factory=Counter)
    barriers: Counter[str] = msgspec.field(default_factory=Counter)
    engagement: Counter[tuple[str, str]] = msgspec.field(default_factory=Counter)
    power: Counter[tuple[str, str]] = msgspec.field(default_factory=Counter)
    gaps: int = 0
    top: list[tuple[int, int, int, str, str]] = msgspec.field(default_factory=list)
    """(now items, high-priority items, -order, case id, site): the TOP_SITES sites with most now items"""
    heat: list[tuple[int, int, str, str, tuple[int, ...]]] = msgspec.field(default_factory=list)
    """(recommendations, -order, case id, site, per-category counts): the HEAT_SITES busiest sites"""
    trends: dict[str, list[tuple[str, int, int, str]]] = msgspec.field(default_factory=dict)
    """case id -> (assessed_on, barriers, high-priority items, trust) of each dated assessment: a few
    numbers per dated case, for the sites assessed more than once."""
    failures: int = 0
    failure_rows: list[dict[str, Any]] = msgspec.field(default_factory=list)

    def add(self, result: dict[str, Any], digest: dict[str, Any]) -> None:
        """Count one evaluated case. Each recommendation may carry `item` and `label` (see batch._slim):
        the key it is counted under and the title shown; without them its first rule id and title."""
        self.cases += 1
        if digest.get("assessed_on"):
            self.trends.setdefault(result["case_id"], []).append(
                (
                    str(digest["assessed_on"]),
                    len(digest["barriers"]),
                    sum(r["priority"] == "high" for r in result["recommendations"]),
                    digest.get("trust") or "-",
                )
            )
        per_cat: Counter[str] = Counter()
        high = now = 0
        for rec in result["recommendations"]:
            key = rec.get("item") or rec["rule_id"]
            item = self.items.get(key)
            if item is None:
                label = rec.get("label") or rec["title"]
                item = self.items[key] = PortfolioItem(label, rec["category"], rec["rule_id"])
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

    def ranked_items(self) -> list[PortfolioItem]:
        """Items by how many sites have them in Start here, then by sites, then by title."""
        return sorted(self.items.values(), key=lambda i: (-i.horizons["now"], -i.sites, i.title, i.rule_id))

    def top_sites(self) -> list[tuple[int, int, int, str, str]]:
        return sorted(self.top, reverse=True)

    def heat_sites(self) -> list[tuple[int, int, str, str, tuple[int, ...]]]:
        return sorted(self.heat, reverse=True)

    def horizon_totals(self) -> dict[str, int]:
        return {h: sum(i.horizons[h] for i in self.items.values()) for h in HORIZON_IDS}

    def barriers_by_domain(self, top: int = TOP_CONSTRUCTS) -> dict[str, list[tuple[str, int]]]:
        """{domain: [(construct id, sites)]}, most common first, the top `top` per domain."""
        out: dict[str, list[tuple[str, int]]] = {}
        for domain in CFIR_DOMAINS:
            found = sorted(
                ((cid, n) for cid, n in self.barriers.items() if cfir_domain(cid) == domain),
                key=lambda t: (-t[1], t[0]),
            )
            out[domain] = found[:top]
        return out

    def pct(self, n: int) -> str:
        return f"{100 * n / self.cases:.0f}%" if self.cases else "-"


def _keep(heap: list[Any], entry: tuple[Any, ...], size: int) -> None:
    if len(heap) < size:
        heapq.heappush(heap, entry)
    elif entry > heap[0]:
        heapq.heapreplace(heap, entry)
