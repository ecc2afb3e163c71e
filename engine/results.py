"""What an evaluation returns: recommendations with their proofs, as plain data.

`Result.to_dict()` is the JSON output contract of `isp-advisor recommend --format json`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .explain import Proof
from .ruleset import PRIORITY_RANK, Source
from .vocabulary import TAG_KEYS


@dataclass(frozen=True)
class Recommendation:
    rule_ids: tuple[str, ...]
    category: str
    title: str
    priority: str
    score: float
    actions: tuple[str, ...]
    tags: dict[str, tuple[str, ...]]
    rationale: str
    sources: tuple[Source, ...]
    explanation: tuple[Proof, ...]

    @property
    def rule_id(self) -> str:
        return self.rule_ids[0]

    @property
    def sort_key(self) -> tuple[int, float, str]:
        return (PRIORITY_RANK[self.priority], -self.score, self.rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "rule_ids": list(self.rule_ids),
            "category": self.category,
            "title": self.title,
            "priority": self.priority,
            "score": _num(self.score),
            "actions": list(self.actions),
            "tags": {k: list(self.tags.get(k, ())) for k in TAG_KEYS},
            "rationale": self.rationale,
            "sources": [s.to_dict() for s in self.sources],
            "explanation": [p.to_dict() for p in self.explanation],
        }


@dataclass(frozen=True)
class Derivation:
    name: str
    value: Any
    rule_id: str
    proof: Proof

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "rule_id": self.rule_id, "explanation": self.proof.to_dict()}


@dataclass(frozen=True)
class Result:
    case_id: str
    engine: dict[str, Any]
    recommendations: tuple[Recommendation, ...]
    derived_facts: dict[str, Derivation] = field(default_factory=dict)
    missing_information: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    """Ids of every rule that fired, derivations included, sorted."""

    def by_category(self) -> dict[str, list[Recommendation]]:
        out: dict[str, list[Recommendation]] = {}
        for rec in self.recommendations:
            out.setdefault(rec.category, []).append(rec)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "engine": self.engine,
            "recommendations": [r.to_dict() for r in self.recommendations],
            "derived_facts": {k: d.to_dict() for k, d in sorted(self.derived_facts.items())},
            "missing_information": list(self.missing_information),
            "warnings": list(self.warnings),
        }


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x
