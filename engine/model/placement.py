"""Where recommendations sit in a case's plan, as plain data: placements, held-back and folded items.

Computed by engine/plan/planner.py; read by the renderers, explain and why-not.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias, get_args

import msgspec

from engine.errors import EngineError
from engine.model import resultjson
from engine.model.decisions import Decision, Working
from engine.model.jsontext import compact, number
from engine.model.sharing import NOTHING_SHARED, Shared
from engine.model.vocabulary import Horizon

if TYPE_CHECKING:
    from engine.model.results import Recommendation
    from engine.model.traces import Proof

HORIZON_IDS: tuple[Horizon, ...] = get_args(Horizon)


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


class _Reason(msgspec.Struct, frozen=True, gc=False, tag_field="factor", forbid_unknown_fields=True):
    """One factor that placed a plan item: a typed, frozen msgspec struct, one class per `Factor`, tagged by
    its `factor` (a tagged union: msgspec writes `{"factor": ..., <each field in declaration order>}` and
    reads it back, refusing an unknown factor or a missing field). As a read-only mapping it also reads as
    that JSON object (`r["factor"]`, `r == {"factor": "safety"}`), for readers that treat reasons as data;
    engine code reads the fields."""

    factor: ClassVar[Factor]
    """The reason's factor, read from its msgspec tag (set below, with REASON_TYPES)."""

    def to_dict(self) -> dict[str, Any]:
        """`{"factor": ..., <each field in declaration order>}`, tuples as lists (fresh data)."""
        data: dict[str, Any] = msgspec.to_builtins(self)  # keeps tuples as they are
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def keys(self) -> KeysView[str]:
        return self.to_dict().keys()

    def items(self) -> ItemsView[str, Any]:
        return self.to_dict().items()

    def values(self) -> ValuesView[Any]:
        return self.to_dict().values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Reason):
            return type(self) is type(other) and self.to_dict() == other.to_dict()
        if isinstance(other, Mapping):
            return self.to_dict() == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a dict, so not hashable (as a Mapping)


Mapping.register(_Reason)


class SafetyReason(_Reason, frozen=True, tag="safety"):
    """Care and safety after harm: the first tier of the precedence."""


class RelationshipReason(_Reason, frozen=True, tag="relationship"):
    """Relationship work (conflict, low trust, a community not yet heard): the second tier."""


class UrgentReason(_Reason, frozen=True, tag="urgent"):
    """Time-bound work: the rule's `urgent` text ('time-bound' or what makes it so)."""

    value: str


class StatedProblemReason(_Reason, frozen=True, tag="stated_problem"):
    """The item works on the problem tags the case states."""

    value: tuple[str, ...]


class PriorityReason(_Reason, frozen=True, tag="priority"):
    """The item's priority: 'high', 'medium' or 'low'."""

    value: str


class BarrierSeverityReason(_Reason, frozen=True, tag="barrier_severity"):
    """The worst rating among the item's barriers, and its CFIR construct."""

    value: int | str
    cfir: str


class EvidenceReason(_Reason, frozen=True, tag="evidence", omit_defaults=True):
    """CFIR-ERIC Level 1 or 2, with the endorsement figure when there is one; `cfir` (whose barrier the
    figure is) only when the item merges several figures."""

    level: int
    value: int | float | None
    cfir: str | None = None


class BreadthReason(_Reason, frozen=True, tag="breadth"):
    """How many barriers the item addresses (two or more)."""

    value: int


class StageFitReason(_Reason, frozen=True, tag="stage_fit"):
    """The item suits the case's stage."""

    value: str


class NotBeforeReason(_Reason, frozen=True, tag="not_before"):
    """A rule's `not_before`: the earliest horizon the item may take."""

    value: str


class PacingReason(_Reason, frozen=True, tag="pacing"):
    """Spectrum pacing: the item works at `spectrum_level`, two or more steps past the case's engagement
    level (None when the case does not state one)."""

    spectrum_level: str
    engagement_level: str | None


class AfterReason(_Reason, frozen=True, tag="after"):
    """The item follows another (`rule`, the other item's rule id), placed in `horizon`."""

    rule: str
    horizon: str


class EricPerBarrierReason(_Reason, frozen=True, tag="eric_per_barrier"):
    """`limit` ERIC items already address the item's barrier `cfir`."""

    cfir: str
    limit: int


class DueReason(_Reason, frozen=True, tag="due"):
    """A rule's `due`: kept in that horizon though it is full."""

    value: str


class CapacityReason(_Reason, frozen=True, tag="capacity"):
    """The item moved on because `horizon` was full (`limit` items)."""

    horizon: str
    limit: int


class FirstStepReason(_Reason, frozen=True, tag="first_step"):
    """Nothing else could start: the item is moved up to be the plan's first step."""


RankReason: TypeAlias = (
    SafetyReason
    | RelationshipReason
    | UrgentReason
    | StatedProblemReason
    | PriorityReason
    | BarrierSeverityReason
    | EvidenceReason
    | BreadthReason
    | StageFitReason
)
"""A reason from the item's own rank: what about the item and the case put it where it is."""

PlaceReason: TypeAlias = (
    NotBeforeReason | PacingReason | AfterReason | EricPerBarrierReason | DueReason | CapacityReason | FirstStepReason
)
"""A reason from the plan's placement: a date, an order between items, pacing or a horizon's capacity."""

PlanReason: TypeAlias = RankReason | PlaceReason
"""A plan item's reason: one of the factor classes (a `match` on it with `assert_never` is exhaustive)."""

REASON_TYPES: dict[Factor, type[PlanReason]] = {}
for _cls in get_args(PlanReason):
    _cls.factor = Factor(_cls.__struct_config__.tag)  # the tag is the one declaration of a reason's factor
    REASON_TYPES[_cls.factor] = _cls
"""Each factor's class (tests/test_plan_reasons.py checks it covers every Factor)."""


def reason_from_dict(data: Mapping[str, Any]) -> PlanReason:
    """A reason read back from its JSON form (`to_dict()`), by msgspec's typed conversion into the tagged
    union: an unknown factor, a missing or unknown field, or a value of the wrong type is an error."""
    name = data.get("factor")
    if name not in _FACTORS:
        raise EngineError(f"plan reason: unknown factor {name!r} (the factors: {', '.join(_FACTORS)}): {dict(data)!r}")
    try:
        reason: PlanReason = msgspec.convert(dict(data), type=PlanReason)  # type: ignore[arg-type]
    except (msgspec.ValidationError, TypeError) as exc:
        raise EngineError(f"plan reason '{name}': {exc}: {dict(data)!r}") from exc
    return reason


_FACTORS = tuple(f.value for f in Factor)


class PlanOptions(msgspec.Struct, frozen=True):
    """How many items each horizon holds, and how many ERIC items one barrier gets before `later`."""

    now: int = 5
    next: int = 10
    eric_per_barrier: int = 2


class Also(msgspec.Struct, frozen=True, gc=False):
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


class Placement(msgspec.Struct, frozen=True, gc=False):
    """Where one recommendation sits in the plan, and why."""

    horizon: Horizon
    rank: int
    reasons: tuple[PlanReason, ...]
    also: tuple[Also, ...] = ()
    tie: tuple[Any, ...] = ()
    """The ranking key without the rule id: items with equal `tie` are exact ties (only the id orders them).
    Not part of a placement's equality (`__eq__`)."""
    decision: Decision | None = None
    """The team's decision on the item (its decisions file), when it has one."""
    figures: tuple[tuple[str, float], ...] = ()
    """(CFIR construct, endorsement figure) of each of the item's merged member rules, when there are
    several (the item's `score` is the highest of them)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Placement):
            return NotImplemented
        return (self.horizon, self.rank, self.reasons, self.also, self.decision, self.figures) == (
            other.horizon,
            other.rank,
            other.reasons,
            other.also,
            other.decision,
            other.figures,
        )

    __hash__ = None  # type: ignore[assignment]

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


class HeldBack(msgspec.Struct, frozen=True, gc=False):
    """A recommendation that fired but waits while another one, which supersedes it, is in the plan."""

    rule_id: str
    by: str
    reason: str
    recommendation: Recommendation

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "by": self.by, "reason": self.reason}


class Plan(msgspec.Struct, frozen=True, gc=False):
    """Placements aligned with the result's recommendations (which are in plan order)."""

    items: tuple[Placement, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    folded: dict[str, str] = msgspec.field(default_factory=dict)
    """Rule id of a folded ERIC item -> the rule id of the recommendation it was folded into."""
    working: Working = msgspec.field(default_factory=Working)
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


class Standing(msgspec.Struct, frozen=True, gc=False):
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
