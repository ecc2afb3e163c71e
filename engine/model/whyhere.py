"""'Why for this site' in one line: the case's own facts a recommendation's proof rests on.

Plain text computed from data (the plan's specification justifies each strategy with it, and every
renderer shows it), so it lives with the data and the plan layer need not import a renderer.
"""

from __future__ import annotations

from typing import Any

from engine.model.conditions import fmt_value
from engine.model.facts import FACTS
from engine.model.results import Recommendation
from engine.model.traces import supporting_tests
from engine.model.vocabulary import CFIR_IDS


def fact_text(fact: str, actual: Any) -> str:
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
            facts.setdefault(t.fact, fact_text(t.fact, t.actual))
    items = list(facts.values())
    text = "; ".join(items[:limit])
    if len(items) > limit:
        text += f"; and {len(items) - limit} more"
    return text or "it applies to every case"
