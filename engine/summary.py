"""The portfolio at a glance (summary.md): counts across every site of a batch run.

Each case contributes a small digest (a few facts of the case, the recommendations of its
result) and the aggregate keeps only counters and a short top list, so memory does not grow with
the number of cases. Everything is sorted with explicit tie-breaks: the same cases give the same
bytes.
"""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tabulate import tabulate

from .case import Case
from .perspectives import effective_facts
from .vocabulary import (
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
LISTED_FAILURES = 20
NOT_STATED = "(not stated)"


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
class Portfolio:
    """Running totals over a batch, fed in input order."""

    cases: int = 0
    recs: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    category_recs: Counter[str] = field(default_factory=Counter)
    horizons: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(rule id, horizon) -> sites"""
    barriers: Counter[str] = field(default_factory=Counter)
    engagement: Counter[tuple[str, str]] = field(default_factory=Counter)
    power: Counter[tuple[str, str]] = field(default_factory=Counter)
    gaps: int = 0
    top: list[tuple[int, int, str, str]] = field(default_factory=list)
    trends: dict[str, list[tuple[str, int, int, str]]] = field(default_factory=dict)
    """case id -> (assessed_on, barriers, high-priority items, trust) of each dated assessment: a few
    numbers per dated case, for the sites assessed more than once."""
    failures: int = 0
    failure_rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: dict[str, Any], digest: dict[str, Any]) -> None:
        self.cases += 1
        if digest.get("assessed_on"):
            self.trends.setdefault(result["case_id"], []).append(
                (str(digest["assessed_on"]), len(digest["barriers"]),
                 sum(r["priority"] == "high" for r in result["recommendations"]), digest.get("trust") or "-"))
        cats: set[str] = set()
        high = 0
        for rec in result["recommendations"]:
            self.recs[(rec["rule_id"], rec["title"], rec["category"], rec["priority"])] += 1
            self.horizons[(rec["rule_id"], rec.get("horizon", ""))] += 1
            self.category_recs[rec["category"]] += 1
            cats.add(rec["category"])
            high += rec["priority"] == "high"
        self.categories.update(cats)
        self.barriers.update(digest["barriers"])
        level, target = digest["engagement"]
        self.engagement[("level", level or NOT_STATED)] += 1
        self.engagement[("target", target or NOT_STATED)] += 1
        if level and target and list(ENGAGEMENT_LEVELS).index(level) < list(ENGAGEMENT_LEVELS).index(target):
            self.gaps += 1
        diff, decision = digest["power"]
        self.power[("differential", diff or NOT_STATED)] += 1
        self.power[("decision_making", decision or NOT_STATED)] += 1
        # keep the TOP_SITES with most high-priority needs; earlier cases win ties
        entry = (high, -self.cases, result["case_id"], digest["site"])
        if len(self.top) < TOP_SITES:
            heapq.heappush(self.top, entry)
        elif entry > self.top[0]:
            heapq.heapreplace(self.top, entry)

    def fail(self, row: dict[str, Any]) -> None:
        self.failures += 1
        if len(self.failure_rows) < LISTED_FAILURES:
            self.failure_rows.append(row)

    def markdown(self, engine: dict[str, Any]) -> str:
        packs = ", ".join(f"{p['name']} {p['version']}" for p in engine["rulesets"])
        total = self.cases + self.failures
        out = ["# Portfolio summary", "",
               f"{total} cases: {self.cases} evaluated, {self.failures} failed. "
               f"Rules: {engine['name']} {engine['version']} ({packs}).", ""]
        out += self._recommendations() + self._barriers() + self._engagement() + self._top()
        out += self._trends() + self._failures()
        return "\n".join(out).rstrip("\n") + "\n"

    def _pct(self, n: int) -> str:
        return f"{100 * n / self.cases:.0f}%" if self.cases else "-"

    def _recommendations(self) -> list[str]:
        out = ["## Recommendations", ""]
        if not self.recs:
            return out + ["No recommendations.", ""]
        cat_rows = [[c, self.categories[c], self._pct(self.categories[c]), self.category_recs[c]]
                    for c in CATEGORIES if self.category_recs[c]]
        out += [_table(cat_rows, ["category", "sites", "share of sites", "recommendations"]), ""]
        now = sum(n for (_, h), n in self.horizons.items() if h == "now")
        out += [f"Across the sites, {now} items are in Start here (now), "
                f"{sum(n for (_, h), n in self.horizons.items() if h == 'next')} in Next and "
                f"{sum(n for (_, h), n in self.horizons.items() if h == 'later')} in Later.", ""]
        ranked = sorted(self.recs.items(), key=lambda kv: (-self.horizons[(kv[0][0], "now")], -kv[1], kv[0][0],
                                                           kv[0][1]))
        rows = [[_cell(title), rid, prio, n, self.horizons[(rid, "now")], self.horizons[(rid, "next")],
                 self.horizons[(rid, "later")]] for (rid, title, cat, prio), n in ranked]
        return out + [_table(rows, ["recommendation", "rule", "priority", "sites", "now", "next", "later"]), ""]

    def _barriers(self) -> list[str]:
        out = ["## CFIR barriers by domain", "", "Constructs rated -1 or -2, by number of sites "
               f"(top {TOP_CONSTRUCTS} per domain).", ""]
        rows = []
        for domain, label in CFIR_DOMAINS.items():
            found = sorted(((n, cid) for cid, n in self.barriers.items() if cfir_domain(cid) == domain),
                           key=lambda t: (-t[0], t[1]))
            rows += [[label, CFIR_IDS.get(cid, cid), cid, n, self._pct(n)] for n, cid in found[:TOP_CONSTRUCTS]]
        if not rows:
            return out[:2] + ["No CFIR construct is rated a barrier.", ""]
        return out + [_table(rows, ["domain", "construct", "id", "sites", "share"]), ""]

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
        out = [f"## Sites with the most high-priority needs (top {TOP_SITES})", ""]
        ranked = sorted(self.top, reverse=True)
        rows = [[cid, _cell(site), high] for high, _, cid, site in ranked if high]
        if not rows:
            return out + ["No site has a high-priority recommendation.", ""]
        return out + [_table(rows, ["case", "site", "high-priority recommendations"]), ""]

    def _trends(self) -> list[str]:
        """Each site assessed more than once: its assessments in date order, barriers, high-priority
        items and trust at each (see `isp-advisor compare` for the detail)."""
        sites = {cid: sorted(rows) for cid, rows in self.trends.items() if len(rows) > 1}
        if not sites:
            return []
        out = ["## Sites assessed more than once", "",
               "Barriers (CFIR ratings below 0), high-priority recommendations and trust at each",
               "assessment, oldest first; `isp-advisor compare` shows what changed.", "",
               "| case | assessments | barriers | high priority | trust |", "|---|---|---|---|---|"]
        for cid in sorted(sites):
            rows = sites[cid]
            cols = [" → ".join(str(r[k]) for r in rows) for k in range(4)]
            out.append(f"| {_cell(cid)} | {cols[0]} | {cols[1]} | {cols[2]} | {cols[3]} |")
        return out + [""]

    def _failures(self) -> list[str]:
        out = ["## Failures", ""]
        if not self.failures:
            return out + ["None.", ""]
        rows = [[_where(r), _cell(r.get("case_id") or ""), _cell(_problem(r))] for r in self.failure_rows]
        more = self.failures - len(self.failure_rows)
        tail = ([f"... and {more} more.", ""] if more else []) + ["See errors.jsonl for every problem.", ""]
        return out + [f"{self.failures} cases failed.", "", _table(rows, ["where", "case", "problem"]), ""] + tail


def _table(rows: list[list[Any]], headers: list[str]) -> str:
    return tabulate(rows, headers=headers, tablefmt="github", disable_numparse=True)


def _where(row: dict[str, Any]) -> str:
    return f"{row['source']}:{row['line']}" if row.get("line") else str(row["source"])


def _problem(row: dict[str, Any]) -> str:
    return f"{row['field']}: {row['message']}" if row.get("field") else str(row["message"])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
