"""The data of `isp-advisor compare`, typed: what changed between assessments of one site and what
became of each recommendation, as frozen msgspec structs.

engine/assessments/compare.py builds these; engine/render/comparison.py reads them; the published JSON
Schema (docs/schemas/compare.schema.json, `isp-advisor schema compare`) is generated from them
(msgspec.json.schema, by engine/authoring/schema.py): each struct's docstring and each field's
`Meta(description=...)` are its descriptions there, and the enumerations below its enums. This module is
the one declaration of the comparison's shape.

msgspec writes a struct's fields in declaration order and leaves out a field left UNSET, so each class
below is declared in the key order of the JSON, and an optional key is UNSET when the JSON does not carry
it. A field whose JSON key is a Python keyword (`from`) is renamed (`old`, with `to` as `new`).

Every struct refuses unknown keys when read back (`ComparisonReport.from_json`).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec
from msgspec import UNSET, Meta, UnsetType

from engine.model.changes import Direction, FactChange
from engine.model.decisions import Decision
from engine.model.facts import FactValue, Scalar
from engine.model.vocabulary import Horizon, Stage

StageDirection: TypeAlias = Literal["forward", "back", "unchanged", "new", "gone", "unstated"]
"""The implementation stage's way between two assessments (`unstated`: neither states a stage)."""

Status: TypeAlias = Literal["not_started", "under_way", "done"]
"""Where an accepted item stands (accepted without a status is not started)."""

Fate: TypeAlias = Literal["still_recommended", "folded", "held_back", "continued", "set_aside", "no_longer_recommended"]
"""What became of an accepted item in the later plan."""

TeamChoice: TypeAlias = Literal["accepted", "set_aside"]

_RULE_BEFORE = "the rule behind the item in the earlier plan (same key)"
_KEY = "the item's identity, `<category>:<key>`: items are matched by it across assessments"
_TEAM = "the team's decision on the item, when it made one (items of the later plan only)"


class _Row(msgspec.Struct, frozen=True, gc=False, kw_only=True, forbid_unknown_fields=True):
    """The configuration shared by the comparison's structs (subclasses inherit it)."""


# ---------------------------------------------------------------- stage and relationships


class StageChange(_Row, frozen=True, kw_only=True):
    """The implementation stage from one assessment to another; always given, `unstated` when neither
    assessment states a stage."""

    old: Stage | None = msgspec.field(name="from")
    new: Stage | None = msgspec.field(name="to")
    direction: StageDirection


class RelationshipChange(_Row, frozen=True, kw_only=True):
    """One relationship fact (trust, power, engagement, a conflict tag, critical incidents) stated in
    either assessment, and which way it went."""

    path: Annotated[
        str, Meta(description="the fact's path, `problem.<tag>` for a conflict tag, or `events.critical_incident`")
    ]
    label: str
    old: Scalar = msgspec.field(name="from")
    new: Scalar = msgspec.field(name="to")
    direction: Annotated[Direction, Meta(description="a conflict tag or the incidents: worsened, unchanged or gone")]
    note: (
        Annotated[str, Meta(description="critical incidents only, when new ones were recorded: 'new: <dates>'")]
        | UnsetType
    ) = UNSET


class BasisChange(_Row, frozen=True, kw_only=True):
    """A fact an item rested on (read by its proofs) whose value changed between the assessments."""

    path: str
    label: str
    old: FactValue = msgspec.field(name="from")
    new: FactValue = msgspec.field(name="to")


# ---------------------------------------------------------------- what became of each item


class TeamDecision(_Row, frozen=True, kw_only=True):
    """The later assessment's decision on an item of its plan (its own file's, or an accepted decision
    carried forward): only the fields the team set."""

    decision: TeamChoice | UnsetType = UNSET
    reason: str | UnsetType = UNSET
    owner: str | UnsetType = UNSET
    due: str | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    note: str | UnsetType = UNSET
    updated: str | UnsetType = UNSET
    updated_by: str | UnsetType = UNSET
    carried_from: (
        Annotated[str, Meta(description="the assessment whose decisions file holds the decision, when carried forward")]
        | UnsetType
    ) = UNSET

    @classmethod
    def of(cls, decision: Decision) -> TeamDecision | UnsetType:
        """The fields `decision` sets, or UNSET when it sets none (the row then carries no `team`)."""
        fields = decision.to_dict()
        return cls(**fields) if fields else UNSET


class ItemRow(_Row, frozen=True, kw_only=True):
    """An item of a compared plan, by the rule behind it, its key (its identity across assessments:
    `<category>:<key>`, '' when the rule states none) and its title."""

    rule_id: str
    key: Annotated[str, Meta(description=_KEY)]
    title: str


class PlacedRow(ItemRow, frozen=True, kw_only=True):
    """An item with its horizon (now, next or later) in the plan it is read from."""

    horizon: Horizon


class NewRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the later plan that the earlier plan did not hold."""

    team: Annotated[TeamDecision, Meta(description=_TEAM)] | UnsetType = UNSET


class KeptRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later one holds at the same horizon (maybe from another rule)."""

    old_rule_id: Annotated[str, Meta(description=_RULE_BEFORE)]
    team: Annotated[TeamDecision, Meta(description=_TEAM)] | UnsetType = UNSET


class MovedRow(ItemRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later one holds at another horizon."""

    old: Annotated[Horizon, Meta(description="its horizon in the earlier plan")] = msgspec.field(name="from")
    new: Annotated[Horizon, Meta(description="its horizon in the later plan")] = msgspec.field(name="to")
    old_rule_id: Annotated[str, Meta(description=_RULE_BEFORE)]
    team: Annotated[TeamDecision, Meta(description=_TEAM)] | UnsetType = UNSET


class FoldedRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan that the later plan carries inside another item (the host)."""

    into_rule_id: str
    into_key: str
    into_title: str
    into_horizon: Horizon


class HeldBackRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan that fired again but waits behind another item of the later plan."""

    by: Annotated[str, Meta(description="the rule of the item it waits behind")]
    reason: str


class ContinuedRow(PlacedRow, frozen=True, kw_only=True):
    """Relationship work the later plan no longer lists while relationships worsened: kept going."""

    reason: Annotated[str, Meta(description="how relationships worsened, e.g. 'trust fell from moderate to low'")]


class RetiredRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later plan no longer recommends in any form."""

    because: Annotated[tuple[BasisChange, ...], Meta(description="the facts the item rested on that changed")]


class UnfoldedRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the later plan that the earlier plan carried inside another item."""

    was_in_rule_id: str
    was_in_key: str
    was_in_title: str
    team: Annotated[TeamDecision, Meta(description=_TEAM)] | UnsetType = UNSET


class RecommendationChanges(_Row, frozen=True, kw_only=True):
    """Each item of the earlier plan in exactly one of retired, moved, kept, folded, held_back or
    continued; each item of the later plan not in the earlier one in new or unfolded."""

    retired: tuple[RetiredRow, ...]
    new: tuple[NewRow, ...]
    moved: tuple[MovedRow, ...]
    kept: tuple[KeptRow, ...]
    folded: tuple[FoldedRow, ...]
    held_back: tuple[HeldBackRow, ...]
    continued: tuple[ContinuedRow, ...]
    unfolded: tuple[UnfoldedRow, ...]


# ---------------------------------------------------------------- the team's decisions


class DecisionEntry(_Row, frozen=True, kw_only=True):
    """An item the team took up (accepted, or gave a status, owner or due date) at an earlier assessment."""

    key: str
    title: str
    decided_at: Annotated[str, Meta(description="the label of the assessment whose decisions file holds the entry")]
    owner: str | None
    due: str | None
    status: Annotated[Status, Meta(description="accepted without a status is not_started")]


class SetAsideEntry(_Row, frozen=True, kw_only=True):
    """An item the team set aside at an earlier assessment, with the reason."""

    key: str
    title: str
    reason: str
    decided_at: str
    horizon: Annotated[Horizon | None, Meta(description="where the later plan recommends it again (null: it does not)")]


class AcceptedFate(_Row, frozen=True, kw_only=True):
    """What became of one accepted item in the later plan. The fields after `fate` are set by fate:
    still_recommended (rule_id, horizon, carried_from), folded (into_*), held_back (by, reason),
    continued (reason), set_aside by the later file (reason), no_longer_recommended (because, why)."""

    key: str
    title: str
    decided_at: str
    status: Status
    fate: Fate
    rule_id: Annotated[str, Meta(description="still_recommended: the rule behind it now")] | UnsetType = UNSET
    horizon: Annotated[Horizon, Meta(description="still_recommended: its horizon in the later plan")] | UnsetType = (
        UNSET
    )
    carried_from: (
        Annotated[
            str | None,
            Meta(
                description="still_recommended: the assessment the decision came forward from "
                "(null: the later file states it)"
            ),
        ]
        | UnsetType
    ) = UNSET
    into_rule_id: str | UnsetType = UNSET
    into_key: str | UnsetType = UNSET
    into_title: str | UnsetType = UNSET
    into_horizon: Horizon | UnsetType = UNSET
    by: Annotated[str, Meta(description="held_back: the rule of the item it waits behind")] | UnsetType = UNSET
    reason: Annotated[str, Meta(description="held_back, continued, set_aside (by the later file): why")] | UnsetType = (
        UNSET
    )
    because: (
        Annotated[
            tuple[BasisChange, ...], Meta(description="no_longer_recommended: the facts it rested on that changed")
        ]
        | UnsetType
    ) = UNSET
    why: (
        Annotated[
            str,
            Meta(
                description="no_longer_recommended: the same in words, e.g. 'trust rose from low to high' "
                "('' when nothing it rested on changed)"
            ),
        ]
        | UnsetType
    ) = UNSET


class DecisionCounts(_Row, frozen=True, kw_only=True):
    """How many items are in each list of the progress (`accepted`: the items with a fate)."""

    accepted: int
    done: int
    under_way: int
    not_started: int
    overdue: int
    set_aside: int


class DecisionProgress(_Row, frozen=True, kw_only=True):
    """The team's decisions up to an earlier assessment (the latest entry per key) and where they stand
    at the later one."""

    decisions_of: Annotated[
        tuple[str, ...], Meta(description="the labels of the assessments whose decisions files were read")
    ]
    as_of: Annotated[
        str | None, Meta(description="the date overdue is counted against: the later assessed_on, or --date")
    ]
    counts: DecisionCounts
    done: tuple[DecisionEntry, ...]
    under_way: tuple[DecisionEntry, ...]
    not_started: tuple[DecisionEntry, ...]
    overdue: Annotated[
        tuple[DecisionEntry, ...],
        Meta(description="due before as_of and not done (each also in under_way or not_started)"),
    ]
    set_aside: tuple[SetAsideEntry, ...]
    accepted_fate: tuple[AcceptedFate, ...]


# ---------------------------------------------------------------- the whole comparison


class StepReport(_Row, frozen=True, kw_only=True):
    """From one assessment to the next (or the first to the last), by their labels."""

    old: str = msgspec.field(name="from")
    new: str = msgspec.field(name="to")
    stage: StageChange
    relationships: tuple[RelationshipChange, ...]
    changes: tuple[FactChange, ...]
    recommendations: RecommendationChanges
    progress: Annotated[DecisionProgress | None, Meta(description="null when no decisions file was read")]


class ComparisonReport(_Row, frozen=True, kw_only=True):
    """`isp-advisor compare --format json`: the first assessment to the last (stage, relationships,
    changes, recommendations, progress), each step between consecutive ones, each rated fact's values in
    order (`series`) and the debrief's questions."""

    case_id: str
    assessments: Annotated[
        tuple[str, ...],
        Meta(description="each assessment's label (its assessed_on, else 'assessment N'), oldest first"),
    ]
    sources: tuple[str, ...]
    stage: Annotated[
        StageChange, Meta(description="the implementation stage, first assessment to the last (always given)")
    ]
    relationships: Annotated[
        tuple[RelationshipChange, ...],
        Meta(description="trust, power, engagement, conflict and critical incidents, first assessment to the last"),
    ]
    changes: Annotated[tuple[FactChange, ...], Meta(description="from the first assessment to the last")]
    recommendations: RecommendationChanges
    steps: tuple[StepReport, ...]
    series: Annotated[dict[str, tuple[Scalar, ...]], Meta(description="each rated fact's values, oldest first")]
    labels: Annotated[dict[str, str], Meta(description="the label of each fact path named in the comparison")]
    debrief: Annotated[tuple[str, ...], Meta(description="the questions for the improvement-cycle debrief")]
    progress: Annotated[
        DecisionProgress | None,
        Meta(
            description="the team's decisions up to the last assessment but one, as they stand at the last; "
            "null when no decisions file was read (--no-decisions, or none beside the cases)"
        ),
    ]

    def to_dict(self) -> dict[str, object]:
        """Fresh JSON data (dicts, lists, str, numbers, bools, None) as the JSON text reads back: keys in
        declaration order, UNSET fields left out, tuples as lists (msgspec.to_builtins would keep tuples)."""
        out: dict[str, object] = msgspec.json.decode(msgspec.json.encode(self))
        return out

    @classmethod
    def from_json(cls, text: str | bytes) -> ComparisonReport:
        """A comparison read back from its JSON; an unknown key or a value of the wrong type is refused
        (msgspec.ValidationError)."""
        return msgspec.json.decode(text, type=cls)


__all__ = [
    "AcceptedFate",
    "BasisChange",
    "ComparisonReport",
    "ContinuedRow",
    "DecisionCounts",
    "DecisionEntry",
    "DecisionProgress",
    "Fate",
    "FoldedRow",
    "HeldBackRow",
    "ItemRow",
    "KeptRow",
    "MovedRow",
    "NewRow",
    "PlacedRow",
    "RecommendationChanges",
    "RelationshipChange",
    "RetiredRow",
    "SetAsideEntry",
    "StageChange",
    "StageDirection",
    "Status",
    "StepReport",
    "TeamChoice",
    "TeamDecision",
    "UnfoldedRow",
]
