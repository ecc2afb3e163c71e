"""Where recommendations sit in a case's plan, as plain data: placements, held-back and folded items.

Computed by engine/plan/planner.py; read by the renderers, explain and why-not.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from engine.errors import EngineError
from engine.model import resultjson
from engine.model.decisions import Decision, Working
from engine.model.jsontext import compact, number
from engine.model.sharing import NOTHING_SHARED, Shared
from engine.model.vocabulary import HORIZONS

if TYPE_CHECKING:
    from engine.model.results import Recommendation
    from engine.model.traces import Proof

HORIZON_IDS: tuple[str, ...] = tuple(HORIZONS)


class Factor(StrEnum):
    """What placed a plan item where it is (docs/plan.md): the `factor` of each of its `rank_reasons`."""

    SAFETY = "safety"
    RELATIONSHIP = "relationship"
    URGENT = "urgent"
    STATED_PROBLEM = "stated_problem"
    PRIORITY = "priority"
    BARRIER_SEVERITY = "barrier_severity"
    EVIDENCE = "evidence"
    BREADTH = "breadth"
    STAGE_FIT = "stage_fit"
    NOT_BEFORE = "not_before"
    PACING = "pacing"
    AFTER = "after"
    ERIC_PER_BARRIER = "eric_per_barrier"
    DUE = "due"
    CAPACITY = "capacity"
    FIRST_STEP = "first_step"


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A reason class's fields, read once per class (to_dict runs for every reason of every item of every case)."""
    return tuple(f.name for f in fields(cls))


class _Reason(Mapping[str, Any]):
    """One factor that placed a plan item, typed. Its JSON form is `to_dict()` (`{"factor": ..., ...}`, the
    keys in the order docs/plan.md shows); as a read-only Mapping it reads as that dict too, for readers
    that treat reasons as data (`r["factor"]`, `r == {"factor": "safety"}`). Engine code reads the fields."""

    __slots__ = ()
    factor: ClassVar[Factor]

    def to_dict(self) -> dict[str, Any]:
        """`{"factor": ..., <each field in declaration order>}`, tuples as lists; a reason whose JSON leaves a
        field out when unset overrides this."""
        out: dict[str, Any] = {"factor": self.factor.value}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())


@dataclass(frozen=True, slots=True, eq=False)
class SafetyReason(_Reason):
    """Care and safety after harm: the first tier of the precedence."""

    factor: ClassVar[Factor] = Factor.SAFETY


@dataclass(frozen=True, slots=True, eq=False)
class RelationshipReason(_Reason):
    """Relationship work (conflict, low trust, a community not yet heard): the second tier."""

    factor: ClassVar[Factor] = Factor.RELATIONSHIP


@dataclass(frozen=True, slots=True, eq=False)
class UrgentReason(_Reason):
    """Time-bound work: the rule's `urgent` text ('time-bound' or what makes it so)."""

    value: str
    factor: ClassVar[Factor] = Factor.URGENT


@dataclass(frozen=True, slots=True, eq=False)
class StatedProblemReason(_Reason):
    """The item works on the problem tags the case states."""

    value: tuple[str, ...]
    factor: ClassVar[Factor] = Factor.STATED_PROBLEM


@dataclass(frozen=True, slots=True, eq=False)
class PriorityReason(_Reason):
    """The item's priority: 'high', 'medium' or 'low'."""

    value: str
    factor: ClassVar[Factor] = Factor.PRIORITY


@dataclass(frozen=True, slots=True, eq=False)
class BarrierSeverityReason(_Reason):
    """The worst rating among the item's barriers, and its CFIR construct."""

    value: int | str
    cfir: str
    factor: ClassVar[Factor] = Factor.BARRIER_SEVERITY


@dataclass(frozen=True, slots=True, eq=False)
class EvidenceReason(_Reason):
    """CFIR-ERIC Level 1 or 2, with the endorsement figure when there is one; `cfir` (whose barrier the
    figure is) only when the item merges several figures."""

    level: int
    value: int | float | None
    cfir: str | None = None
    factor: ClassVar[Factor] = Factor.EVIDENCE

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"factor": "evidence", "level": self.level, "value": self.value}
        if self.cfir is not None:
            out["cfir"] = self.cfir
        return out


@dataclass(frozen=True, slots=True, eq=False)
class BreadthReason(_Reason):
    """How many barriers the item addresses (two or more)."""

    value: int
    factor: ClassVar[Factor] = Factor.BREADTH


@dataclass(frozen=True, slots=True, eq=False)
class StageFitReason(_Reason):
    """The item suits the case's stage."""

    value: str
    factor: ClassVar[Factor] = Factor.STAGE_FIT


@dataclass(frozen=True, slots=True, eq=False)
class NotBeforeReason(_Reason):
    """A rule's `not_before`: the earliest horizon the item may take."""

    value: str
    factor: ClassVar[Factor] = Factor.NOT_BEFORE


@dataclass(frozen=True, slots=True, eq=False)
class PacingReason(_Reason):
    """Spectrum pacing: the item works at `spectrum_level`, two or more steps past the case's engagement
    level (None when the case does not state one)."""

    spectrum_level: str
    engagement_level: str | None
    factor: ClassVar[Factor] = Factor.PACING


@dataclass(frozen=True, slots=True, eq=False)
class AfterReason(_Reason):
    """The item follows another (`rule`, the other item's rule id), placed in `horizon`."""

    rule: str
    horizon: str
    factor: ClassVar[Factor] = Factor.AFTER


@dataclass(frozen=True, slots=True, eq=False)
class EricPerBarrierReason(_Reason):
    """`limit` ERIC items already address the item's barrier `cfir`."""

    cfir: str
    limit: int
    factor: ClassVar[Factor] = Factor.ERIC_PER_BARRIER


@dataclass(frozen=True, slots=True, eq=False)
class DueReason(_Reason):
    """A rule's `due`: kept in that horizon though it is full."""

    value: str
    factor: ClassVar[Factor] = Factor.DUE


@dataclass(frozen=True, slots=True, eq=False)
class CapacityReason(_Reason):
    """The item moved on because `horizon` was full (`limit` items)."""

    horizon: str
    limit: int
    factor: ClassVar[Factor] = Factor.CAPACITY


@dataclass(frozen=True, slots=True, eq=False)
class FirstStepReason(_Reason):
    """Nothing else could start: the item is moved up to be the plan's first step."""

    factor: ClassVar[Factor] = Factor.FIRST_STEP


PlanReason: TypeAlias = (
    SafetyReason
    | RelationshipReason
    | UrgentReason
    | StatedProblemReason
    | PriorityReason
    | BarrierSeverityReason
    | EvidenceReason
    | BreadthReason
    | StageFitReason
    | NotBeforeReason
    | PacingReason
    | AfterReason
    | EricPerBarrierReason
    | DueReason
    | CapacityReason
    | FirstStepReason
)
"""A plan item's reason: one of the factor classes (a `match` on it with `assert_never` is exhaustive)."""

REASON_TYPES: dict[Factor, type[PlanReason]] = {
    cls.factor: cls
    for cls in (
        SafetyReason,
        RelationshipReason,
        UrgentReason,
        StatedProblemReason,
        PriorityReason,
        BarrierSeverityReason,
        EvidenceReason,
        BreadthReason,
        StageFitReason,
        NotBeforeReason,
        PacingReason,
        AfterReason,
        EricPerBarrierReason,
        DueReason,
        CapacityReason,
        FirstStepReason,
    )
}
"""Each factor's class (tests/test_plan_reasons.py checks it covers every Factor)."""


def reason_from_dict(data: Mapping[str, Any]) -> PlanReason:
    """A reason read back from its JSON form (`to_dict()`); an unknown factor or missing key is an error."""
    name = data.get("factor")
    try:
        cls = REASON_TYPES[Factor(str(name))]
        args = {k: v for k, v in data.items() if k != "factor"}
        if cls is StatedProblemReason:
            args["value"] = tuple(args["value"])
        return cls(**args)
    except (ValueError, TypeError, KeyError) as exc:
        raise EngineError(f"plan reason: unknown factor or fields: {dict(data)!r}") from exc


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

    def head(self) -> dict[str, Any]:
        """Every field but the explanation, in output order."""
        return {
            "rule_ids": list(self.rule_ids),
            "key": self.key,
            "eric_strategy": self.eric_strategy,
            "title": self.title,
            "priority": self.priority,
            "score": number(self.score),
            "evidence_level": self.evidence_level or None,
            "cfir": list(self.barriers),
            "actions": list(self.actions),
            **_figures(self.figures),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.head(), "explanation": [p.to_dict() for p in self.explanation]}

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        return compact(resultjson.also(self, shared))


def _figures(figures: tuple[tuple[str, float], ...]) -> dict[str, Any]:
    """`{"figures": [{"cfir", "score"}]}` when an item merges several figures, else nothing."""
    return {"figures": [{"cfir": c, "score": number(f)} for c, f in figures]} if figures else {}


@dataclass(frozen=True)
class Placement:
    """Where one recommendation sits in the plan, and why."""

    horizon: str
    rank: int
    reasons: tuple[PlanReason, ...]
    also: tuple[Also, ...] = ()
    tie: tuple[Any, ...] = field(default=(), compare=False, repr=False)
    """The ranking key without the rule id: items with equal `tie` are exact ties (only the id orders them)."""
    decision: Decision | None = None
    """The team's decision on the item (its decisions file), when it has one."""
    figures: tuple[tuple[str, float], ...] = ()
    """(CFIR construct, endorsement figure) of each of the item's merged member rules, when there are
    several (the item's `score` is the highest of them)."""

    def reasons_data(self) -> list[dict[str, Any]]:
        return [r.to_dict() for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        out = {
            "horizon": self.horizon,
            "rank": self.rank,
            "rank_reasons": self.reasons_data(),
            **_figures(self.figures),
            "also": [a.to_dict() for a in self.also],
        }
        if self.decision is not None:
            out.update(self.decision.to_dict())
        return out

    def to_json(self, shared: Shared = NOTHING_SHARED) -> str:
        return compact(resultjson.placement(self, shared))


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
        return {
            **self.ids(recs),
            "held_back": [h.to_dict() for h in self.held_back],
            "set_aside": [s.to_dict() for s in self.working.set_aside],
            "no_longer_recommended": [n.to_dict() for n in self.working.not_recommended],
        }


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
