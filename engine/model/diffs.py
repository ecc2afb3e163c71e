"""Differences between two evaluations, as plain data: a what-if's before and after, and a rule diff
over a corpus of cases (old packs against new).

Computed in engine/practitioner/whatif.py and engine/authoring/rulediff.py; rendered by
engine/render/whatifreport.py and authoringreport.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.model.facts import FactValue
from engine.model.results import Recommendation, Result


@dataclass(frozen=True)
class RuleChange:
    """One rule's recommendation on one case, before and after ('' = not recommended)."""

    rule_id: str
    title: str
    old_priority: str
    new_priority: str

    @property
    def kind(self) -> str:
        if not self.old_priority:
            return "added"
        return "removed" if not self.new_priority else "priority"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "change": self.kind,
            "old_priority": self.old_priority or None,
            "new_priority": self.new_priority or None,
        }


@dataclass(frozen=True)
class CaseDiff:
    case_id: str
    changes: tuple[RuleChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "changes": [c.to_dict() for c in self.changes]}


@dataclass(frozen=True)
class RuleDiff:
    cases: tuple[CaseDiff, ...]
    """Every case, changed or not, in corpus order."""

    def totals(self) -> dict[str, int]:
        out = {
            "cases": len(self.cases),
            "cases_changed": sum(bool(c.changes) for c in self.cases),
            "added": 0,
            "removed": 0,
            "priority": 0,
        }
        for c in self.cases:
            for ch in c.changes:
                out[ch.kind] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"cases": [c.to_dict() for c in self.cases], "totals": self.totals()}


@dataclass(frozen=True)
class Assignment:
    """One `PATH=VALUE` change; `value` None removes the fact from the case."""

    path: str
    value: FactValue
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"fact": self.path, "value": self.value}


@dataclass(frozen=True)
class PriorityChange:
    """A recommendation present on both sides whose priority moved."""

    before: Recommendation
    after: Recommendation

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.after.rule_id,
            "title": self.after.title,
            "category": self.after.category,
            "priority_before": self.before.priority,
            "priority_after": self.after.priority,
        }


@dataclass(frozen=True)
class WhatIfDiff:
    """Recommendations before and after a set of changes."""

    case_id: str
    changes: tuple[Assignment, ...]
    before: Result
    after: Result
    added: tuple[Recommendation, ...]
    removed: tuple[Recommendation, ...]
    changed: tuple[PriorityChange, ...]
    unchanged: int

    def to_dict(self) -> dict[str, Any]:
        def brief(r: Recommendation) -> dict[str, Any]:
            return {
                "rule_id": r.rule_id,
                "rule_ids": list(r.rule_ids),
                "title": r.title,
                "category": r.category,
                "priority": r.priority,
            }

        return {
            "case_id": self.case_id,
            "changes": [c.to_dict() for c in self.changes],
            "added": [brief(r) for r in self.added],
            "removed": [brief(r) for r in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "unchanged": self.unchanged,
            "before": {"recommendations": len(self.before.recommendations)},
            "after": {
                "recommendations": len(self.after.recommendations),
                "missing_information": list(self.after.missing_information),
            },
        }
