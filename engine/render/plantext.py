"""The plan in words: one-line reasons, 'why for this site', 'by when', and what a view shows.

Shared by the table, Markdown and HTML printers; works from the result's data only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..conditions import fmt_value
from ..explain import supporting_tests
from ..facts import FACTS
from ..plan import Placement
from ..results import Recommendation, Result
from ..vocabulary import CFIR_IDS, HORIZONS

BY_WHEN: dict[str, str] = {"now": "within 30 days", "next": "this quarter", "later": "when the earlier work is done"}
HORIZON_TITLES: dict[str, str] = HORIZONS


@dataclass(frozen=True)
class View:
    """What a printer shows: which items (filters) and how (layout, proofs, width)."""

    explain: bool = False
    categories: tuple[str, ...] = ()
    horizons: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    top: int | None = None
    by: str = "plan"
    """'plan' (Start here, Next, Later, then the detail by category) or 'category' (only the detail)."""
    width: int = 100


def shown(result: Result, view: View) -> list[tuple[Recommendation, Placement]]:
    """The placed recommendations a view shows, in plan order."""
    out = [(r, p) for r, p in result.placed()
           if (not view.categories or r.category in view.categories)
           and (not view.horizons or p.horizon in view.horizons)
           and (not view.priorities or r.priority in view.priorities)]
    return out[: view.top] if view.top is not None else out


def _fact_text(fact: str, actual: Any) -> str:
    if fact.startswith("cfir."):
        return f"{CFIR_IDS.get(fact[5:], fact[5:])} {fmt_value(actual)}"
    spec = FACTS.get(fact)
    label = spec.label if spec and spec.label else fact
    if isinstance(actual, bool):
        return f"{label}: {'yes' if actual else 'no'}"
    if isinstance(actual, list | tuple):
        return f"{label}: {', '.join(str(x) for x in actual)}"
    return f"{label}: {str(actual).replace('_', ' ')}"


def why_here(rec: Recommendation, limit: int = 4) -> str:
    """'Why for this site' in one line: the case's own facts the proof rests on."""
    facts: dict[str, str] = {}
    for proof in rec.explanation:
        for t in supporting_tests(proof):
            facts.setdefault(t.fact, _fact_text(t.fact, t.actual))
    items = list(facts.values())
    text = "; ".join(items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text or "it applies to every case"


def _reason(r: dict[str, Any]) -> str | None:
    f = r.get("factor")
    if f == "urgent":
        return "time-bound" + ("" if r["value"] == "time-bound" else f" ({r['value']})")
    if f == "priority":
        return f"{r['value']} priority" + (f" (from {r['from']})" if r.get("from") else "")
    if f == "barrier_severity":
        return f"barrier {fmt_value(r['value'])} ({CFIR_IDS.get(r['cfir'], r['cfir'])})"
    if f == "evidence":
        return f"Level {r['level']} evidence" + (f" {r['value']}%" if r.get("value") is not None else "")
    if f == "breadth":
        return f"addresses {r['value']} barriers"
    if f == "stage_fit":
        return f"suits {str(r['value']).replace('_', ' ')}"
    if f == "after":
        return f"after {r['rule']}"
    if f == "pacing":
        level = r.get("engagement_level") or "not stated"
        return f"paced: works at {r['spectrum_level'].replace('_', ' ')}, engagement is {level.replace('_', ' ')}"
    if f == "not_before":
        return f"not before {r['value']}"
    if f == "eric_per_barrier":
        return f"{r['limit']} ERIC items already address {CFIR_IDS.get(r['cfir'], r['cfir'])}"
    if f == "capacity":
        return f"{r['horizon']} is full ({r['limit']})"
    if f == "first_step":
        return "the first step"
    return None


def reasons_line(place: Placement) -> str:
    """'first because: time-bound (...), high priority, barrier -2 (...)' for now items; 'here because: ...'
    for the others, leading with what moved them."""
    texts = [t for t in (_reason(r) for r in place.reasons) if t]
    lead = "first because" if place.horizon == "now" else "here because"
    return f"{lead}: " + ", ".join(texts)


def also_line(place: Placement) -> list[str]:
    """'also the ERIC strategy X: 71% of experts for Innovation Complexity' for each folded strategy."""
    out = []
    for a in place.also:
        name = a.title.removeprefix("ERIC strategy: ")
        where = ", ".join(CFIR_IDS.get(b, b) for b in a.barriers) or "this site"
        if a.score:
            figure = f"{a.score:g}% of experts (Level {1 if a.score >= 50 else 2})"
        elif a.evidence_level:
            figure = f">= 20% of experts (Level {a.evidence_level})"
        else:
            figure = "the authors' judgement"
        out.append(f"also the ERIC strategy {name}: {figure} for {where}")
    return out


def first_action(rec: Recommendation) -> str:
    return rec.actions[0] if rec.actions else rec.title
