"""Where recommendations sit in a case's plan, as plain data: placements, held-back and folded items.

Computed by engine/plan/planner.py; read by the renderers, explain and why-not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.model.decisions import Decision, Working
from engine.model.jsontext import compact, number
from engine.model.vocabulary import HORIZONS

if TYPE_CHECKING:
    from engine.model.results import Recommendation
    from engine.model.traces import Proof

HORIZON_IDS: tuple[str, ...] = tuple(HORIZONS)


@dataclass(frozen=True)
class PlanOptions:
    """How many items each horizon holds, and how many ERIC items one barrier gets before `later`."""

    now: int = 5
    next: int = 10
    eric_per_barrier: int = 2


@dataclass(frozen=True)
class Also:
    """A stand-alone ERIC item folded into a recommendation that already carries its strategy."""

    rule_ids: tuple[str, ...]
    eric_strategy: str
    title: str
    priority: str
    score: float
    evidence_level: int
    barriers: tuple[str, ...]
    explanation: tuple[Proof, ...]
    key: str = ""
    """The folded item's own identity (`<category>:<rule key>`), kept so a working plan can still find it."""
    actions: tuple[str, ...] = ()
    """The folded item's own actions: a folded strategy lends them to its host (never its rank)."""
    figures: tuple[tuple[str, float], ...] = ()
    """(CFIR construct, endorsement figure) of each merged member rule, when there are several: each figure
    is shown against its own barrier, never the highest against all of them."""

    def to_dict(self) -> dict[str, Any]:
        return {"rule_ids": list(self.rule_ids), "key": self.key, "eric_strategy": self.eric_strategy,
                "title": self.title,
                "priority": self.priority, "score": number(self.score),
                "evidence_level": self.evidence_level or None, "cfir": list(self.barriers),
                "actions": list(self.actions), **_figures(self.figures),
                "explanation": [p.to_dict() for p in self.explanation]}

    def to_json(self) -> str:
        """`compact(to_dict())`, with the proofs' own cached text spliced in."""
        head = compact({"rule_ids": list(self.rule_ids), "key": self.key, "eric_strategy": self.eric_strategy,
                        "title": self.title,
                        "priority": self.priority, "score": number(self.score),
                        "evidence_level": self.evidence_level or None, "cfir": list(self.barriers),
                        "actions": list(self.actions), **_figures(self.figures)})
        return head[:-1] + ',"explanation":[' + ",".join(p.to_json() for p in self.explanation) + "]}"


def _figures(figures: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    """`{"figures": [{"cfir", "score"}]}` when an item merges several figures, else nothing."""
    return {"figures": [{"cfir": c, "score": number(f)} for c, f in figures]} if figures else {}


@dataclass(frozen=True)
class Placement:
    """Where one recommendation sits in the plan, and why."""

    horizon: str
    rank: int
    reasons: tuple[dict[str, Any], ...]
    also: tuple[Also, ...] = ()
    tie: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The ranking key without the rule id: items with equal `tie` are exact ties (only the id orders them)."""
    decision: Decision | None = None
    """The team's decision on the item (its decisions file), when it has one."""
    figures: tuple[tuple[str, float], ...] = ()
    """(CFIR construct, endorsement figure) of each of the item's merged member rules, when there are
    several (the item's `score` is the highest of them)."""

    def to_dict(self) -> dict[str, Any]:
        out = {"horizon": self.horizon, "rank": self.rank, "rank_reasons": [dict(r) for r in self.reasons],
               **_figures(self.figures), "also": [a.to_dict() for a in self.also]}
        if self.decision is not None:
            out.update(self.decision.to_dict())
        return out

    def to_json(self) -> str:
        """`compact(to_dict())` without parsing the folded items' proofs back from their text."""
        head = compact({"horizon": self.horizon, "rank": self.rank, "rank_reasons": list(self.reasons),
                        **_figures(self.figures), "also": []})
        if self.also:
            head = head[:-3] + "[" + ",".join(a.to_json() for a in self.also) + "]}"
        if self.decision is not None and (extra := self.decision.to_dict()):
            head = head[:-1] + "," + compact(extra)[1:]
        return head


@dataclass(frozen=True)
class HeldBack:
    """A recommendation that fired but waits while another one, which supersedes it, is in the plan."""

    rule_id: str
    by: str
    reason: str
    recommendation: Recommendation

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "by": self.by, "reason": self.reason}


@dataclass(frozen=True)
class Plan:
    """Placements aligned with the result's recommendations (which are in plan order)."""

    items: tuple[Placement, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    folded: dict[str, str] = field(default_factory=dict)
    """Rule id of a folded ERIC item -> the rule id of the recommendation it was folded into."""
    working: Working = field(default_factory=Working)
    """What the team's decisions did: items set aside, decisions no item of today's plan matches."""

    def ids(self, recs: Sequence[Recommendation]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {h: [] for h in HORIZON_IDS}
        for rec, place in zip(recs, self.items, strict=True):
            out[place.horizon].append(rec.rule_id)
        return out

    def to_dict(self, recs: Sequence[Recommendation]) -> dict[str, Any]:
        return {**self.ids(recs), "held_back": [h.to_dict() for h in self.held_back],
                "set_aside": [s.to_dict() for s in self.working.set_aside],
                "no_longer_recommended": [n.to_dict() for n in self.working.not_recommended]}


@dataclass(frozen=True)
class Standing:
    """Where one rule's recommendation ended up in a case's plan (for explain and why-not)."""

    rule_id: str
    state: str
    """'placed', 'held_back', 'folded' (into another item), 'derives' (a derivation) or 'not_fired'."""
    horizon: str = ""
    rank: int = 0
    by: str = ""
    """The rule that held it back, or the rule of the item it was folded into."""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"state": self.state}
        if self.horizon:
            out.update(horizon=self.horizon, rank=self.rank)
        if self.by:
            out["by"] = self.by
        if self.reason:
            out["reason"] = self.reason
        return out
