"""What an evaluation returns: recommendations with their proofs, as plain data.

`Result.to_dict()` is the JSON output contract of `isp-advisor recommend --format json`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import msgspec

from engine.model import resultjson
from engine.model.facts import FactValue
from engine.model.jsontext import compact, number
from engine.model.rules import PRIORITY_RANK, Source
from engine.model.sharing import NOTHING_SHARED, Shared
from engine.model.sitefacts import AsOf
from engine.model.traces import Proof
from engine.model.vocabulary import TAG_KEYS

if TYPE_CHECKING:
    from engine.model.cues import Cue
    from engine.model.placement import Placement, Plan


class Recommendation(msgspec.Struct, frozen=True, gc=False):
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
    key: str = ""
    """The item's identity across rule edits and assessments: `<category>:<the rule's key>`."""
    addresses: tuple[str, ...] = ()
    """The problem tags the case states that this item answers."""

    @property
    def rule_id(self) -> str:
        return self.rule_ids[0]

    @property
    def sort_key(self) -> tuple[int, float, str]:
        return (PRIORITY_RANK[self.priority], -self.score, self.rule_id)

    def to_dict(self, proofs: bool = True) -> dict[str, Any]:
        """Fresh JSON-ready data (a caller may edit it); `proofs=False` leaves out the explanation."""
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "key": self.key,
            "rule_ids": list(self.rule_ids),
            "category": self.category,
            "title": self.title,
            "priority": self.priority,
            "score": number(self.score),
            "actions": list(self.actions),
            "tags": {k: list(self.tags.get(k, ())) for k in TAG_KEYS},
            "rationale": self.rationale,
            "addresses": list(self.addresses),
            "sources": [s.to_dict() for s in self.sources],
        }
        if proofs:
            out["explanation"] = [p.to_dict() for p in self.explanation]
        return out

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        """`to_dict()` as compact JSON text; the proofs' JSON is kept in `shared` (engine/model/resultjson.py)."""
        return compact(resultjson.recommendation(self, shared))


class Derivation(msgspec.Struct, frozen=True, gc=False):
    name: str
    value: FactValue
    rule_id: str
    proof: Proof

    def to_dict(self) -> dict[str, Any]:
        return {"value": copy.deepcopy(self.value), "rule_id": self.rule_id, "explanation": self.proof.to_dict()}

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        return compact(
            {"value": self.value, "rule_id": self.rule_id, "explanation": resultjson.proof(self.proof, shared)}
        )


class Result(msgspec.Struct, frozen=True, gc=False):
    case_id: str
    engine: dict[str, Any]
    recommendations: tuple[Recommendation, ...]
    derived_facts: dict[str, Derivation] = msgspec.field(default_factory=dict)
    missing_information: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    fired: tuple[str, ...] = ()
    """Ids of every rule that fired, derivations included, sorted."""
    plan: Plan | None = None
    """Where each recommendation sits (aligned with `recommendations`, which are in plan order)."""
    perspectives: dict[str, Any] | None = None
    """The groups' views (engine/perspectives.summary), when the case holds perspectives."""
    changes: list[dict[str, Any]] | None = None
    """The facts changed since the previous assessment (`recommend --previous`)."""
    assessed_on: str | None = None
    """The case's assessment date, when it states one (several assessments of a site in one batch)."""
    as_of: AsOf | None = None
    """The reference date of the day counts (events, people leaving), and where it came from."""
    cues: tuple[Cue, ...] = ()
    """Facts the case's own words suggest but it does not state (engine/model/cues.py): asked, never set."""

    def placed(self) -> list[tuple[Recommendation, Placement]]:
        """Each recommendation with its placement, in plan order."""
        if self.plan is None:
            return []
        return list(zip(self.recommendations, self.plan.items, strict=True))

    def by_category(self) -> dict[str, list[Recommendation]]:
        out: dict[str, list[Recommendation]] = {}
        for rec in self.recommendations:
            out.setdefault(rec.category, []).append(rec)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The output contract as fresh data: a caller may edit it without touching what is shared
        across cases. `json.loads(to_json())` equals it (tests/test_sharing.py)."""
        places = self.plan.items if self.plan is not None else (None,) * len(self.recommendations)
        recs = []
        for rec, place in zip(self.recommendations, places, strict=True):
            item = rec.to_dict()
            if place is not None:
                item.update(place.to_dict())
            recs.append(item)
        out: dict[str, Any] = {
            "case_id": self.case_id,
            "engine": copy.deepcopy(self.engine),
            "recommendations": recs,
            "derived_facts": {k: d.to_dict() for k, d in sorted(self.derived_facts.items())},
            "missing_information": list(self.missing_information),
            "warnings": list(self.warnings),
        }
        if self.plan is not None:
            out["plan"] = self.plan.to_dict(self.recommendations)
        out.update(copy.deepcopy(self.context()))
        return out

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        """`to_dict()` as compact JSON text (one line), encoded by msgspec with the shared parts (proofs,
        a rule's tags and sources) kept in `shared` (engine/model/resultjson.py): batch runs write thousands."""
        return compact(resultjson.result(self, shared))

    def context(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.assessed_on is not None:
            out["assessed_on"] = self.assessed_on
        if self.perspectives is not None:
            out["perspectives"] = self.perspectives
        if self.changes is not None:
            out["changes"] = self.changes
        out["as_of"] = self.as_of.to_dict() if self.as_of is not None else None
        out["cues"] = [c.to_dict() for c in self.cues]
        return out
