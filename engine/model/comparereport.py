"""The data of `isp-advisor compare`, typed: what changed between assessments of one site and what
became of each recommendation, as frozen msgspec structs.

engine/assessments/compare.py builds these; engine/render/comparison.py reads them. msgspec writes a
struct's fields in declaration order and leaves out a field left UNSET, so each class below is declared
in the key order of the published JSON (docs/schemas/compare.schema.json, built from the pydantic models
of engine/authoring/schema.py), and an optional key is UNSET when the JSON does not carry it. A field whose
JSON key is a Python keyword (`from`) is renamed (`old`, with `to` as `new`).

Every struct refuses unknown keys when read back (`ComparisonReport.from_json`).
"""

from __future__ import annotations

from typing import TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from engine.model.changes import FactChange
from engine.model.conditions import Scalar
from engine.model.decisions import Decision

FactValues: TypeAlias = Scalar | list[Scalar]
"""A fact's value as a retired item's proof read it: one value, or a list (a list-valued fact)."""


class _Row(msgspec.Struct, frozen=True, gc=False, kw_only=True, forbid_unknown_fields=True):
    """The configuration shared by the comparison's structs (subclasses inherit it)."""


# ---------------------------------------------------------------- stage and relationships


class StageChange(_Row, frozen=True, kw_only=True):
    """The implementation stage from one assessment to another; always given, `unstated` when neither
    assessment states a stage."""

    old: str | None = msgspec.field(default=None, name="from")
    new: str | None = msgspec.field(default=None, name="to")
    direction: str = "unstated"
    """forward | back | unchanged | new | gone | unstated."""


class RelationshipChange(_Row, frozen=True, kw_only=True):
    """One relationship fact (trust, power, engagement, a conflict tag, critical incidents) stated in
    either assessment, and which way it went."""

    path: str
    """The fact's path, `problem.<tag>` for a conflict tag, or `events.critical_incident`."""
    label: str
    old: Scalar = msgspec.field(name="from")
    new: Scalar = msgspec.field(name="to")
    direction: str
    """improved | worsened | unchanged | new | gone (a tag or incident: worsened | unchanged | gone)."""
    note: str | UnsetType = UNSET
    """Critical incidents only, when new ones were recorded: "new: <dates>"."""


class BasisChange(_Row, frozen=True, kw_only=True):
    """A fact an item rested on (read by its proofs) whose value changed between the assessments."""

    path: str
    label: str
    old: FactValues = msgspec.field(name="from")
    new: FactValues = msgspec.field(name="to")


# ---------------------------------------------------------------- what became of each item


class TeamDecision(_Row, frozen=True, kw_only=True):
    """The later assessment's decision on an item of its plan (its own file's, or an accepted decision
    carried forward): only the fields the team set."""

    decision: str | UnsetType = UNSET
    reason: str | UnsetType = UNSET
    owner: str | UnsetType = UNSET
    due: str | UnsetType = UNSET
    status: str | UnsetType = UNSET
    note: str | UnsetType = UNSET
    updated: str | UnsetType = UNSET
    updated_by: str | UnsetType = UNSET
    carried_from: str | UnsetType = UNSET
    """The assessment whose decisions file holds the decision, when carried forward."""

    @classmethod
    def of(cls, decision: Decision) -> TeamDecision | UnsetType:
        """The fields `decision` sets, or UNSET when it sets none (the row then carries no `team`)."""
        fields = decision.to_dict()
        return cls(**fields) if fields else UNSET


class ItemRow(_Row, frozen=True, kw_only=True):
    """An item of a compared plan, by the rule behind it, its key (its identity across assessments:
    `<category>:<key>`, '' when the rule states none) and its title."""

    rule_id: str
    key: str
    title: str


class PlacedRow(ItemRow, frozen=True, kw_only=True):
    """An item with its horizon (now, next or later) in the plan it is read from."""

    horizon: str


class NewRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the later plan that the earlier plan did not hold."""

    team: TeamDecision | UnsetType = UNSET


class KeptRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later one holds at the same horizon (maybe from another rule)."""

    old_rule_id: str
    """The rule behind the item in the earlier plan."""
    team: TeamDecision | UnsetType = UNSET


class MovedRow(ItemRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later one holds at another horizon."""

    old: str = msgspec.field(name="from")
    """The horizon in the earlier plan."""
    new: str = msgspec.field(name="to")
    """The horizon in the later plan."""
    old_rule_id: str
    team: TeamDecision | UnsetType = UNSET


class FoldedRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan that the later plan carries inside another item (the host)."""

    into_rule_id: str
    into_key: str
    into_title: str
    into_horizon: str


class HeldBackRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan that fired again but waits behind another item of the later plan."""

    by: str
    """The rule of the item it waits behind."""
    reason: str


class ContinuedRow(PlacedRow, frozen=True, kw_only=True):
    """Relationship work the later plan no longer lists while relationships worsened: kept going."""

    reason: str
    """How relationships worsened ("trust fell from moderate to low")."""


class RetiredRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the earlier plan the later plan no longer recommends in any form."""

    because: tuple[BasisChange, ...]


class UnfoldedRow(PlacedRow, frozen=True, kw_only=True):
    """An item of the later plan that the earlier plan carried inside another item."""

    was_in_rule_id: str
    was_in_key: str
    was_in_title: str
    team: TeamDecision | UnsetType = UNSET


class RecommendationChanges(_Row, frozen=True, kw_only=True):
    """Each item of the earlier plan in exactly one of retired, moved, kept, folded, held_back or
    continued; each item of the later plan not in the earlier one in new or unfolded."""

    retired: tuple[RetiredRow, ...] = ()
    new: tuple[NewRow, ...] = ()
    moved: tuple[MovedRow, ...] = ()
    kept: tuple[KeptRow, ...] = ()
    folded: tuple[FoldedRow, ...] = ()
    held_back: tuple[HeldBackRow, ...] = ()
    continued: tuple[ContinuedRow, ...] = ()
    unfolded: tuple[UnfoldedRow, ...] = ()


# ---------------------------------------------------------------- the team's decisions


class DecisionEntry(_Row, frozen=True, kw_only=True):
    """An item the team took up (accepted, or gave a status, owner or due date) at an earlier assessment."""

    key: str
    title: str
    decided_at: str
    """The label of the assessment whose decisions file holds the entry."""
    owner: str | None
    due: str | None
    status: str
    """not_started | under_way | done (accepted without a status is not started)."""


class SetAsideEntry(_Row, frozen=True, kw_only=True):
    """An item the team set aside at an earlier assessment, with the reason."""

    key: str
    title: str
    reason: str
    decided_at: str
    horizon: str | None
    """Where the later plan recommends it again (None: it does not)."""


class AcceptedFate(_Row, frozen=True, kw_only=True):
    """What became of one accepted item in the later plan. The fields after `fate` are set by fate:
    still_recommended (rule_id, horizon, carried_from), folded (into_*), held_back (by, reason),
    continued (reason), set_aside by the later file (reason), no_longer_recommended (because, why)."""

    key: str
    title: str
    decided_at: str
    status: str
    fate: str
    rule_id: str | UnsetType = UNSET
    horizon: str | UnsetType = UNSET
    carried_from: str | None | UnsetType = UNSET
    """still_recommended: the assessment the decision came forward from (None: the later file states it)."""
    into_rule_id: str | UnsetType = UNSET
    into_key: str | UnsetType = UNSET
    into_title: str | UnsetType = UNSET
    into_horizon: str | UnsetType = UNSET
    by: str | UnsetType = UNSET
    reason: str | UnsetType = UNSET
    because: tuple[BasisChange, ...] | UnsetType = UNSET
    why: str | UnsetType = UNSET
    """The changed facts of `because` in words ('' when none changed)."""


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

    decisions_of: tuple[str, ...]
    """The labels of the assessments whose decisions files were read."""
    as_of: str | None
    """The date overdue is counted against: the later assessed_on, or --date."""
    counts: DecisionCounts
    done: tuple[DecisionEntry, ...]
    under_way: tuple[DecisionEntry, ...]
    not_started: tuple[DecisionEntry, ...]
    overdue: tuple[DecisionEntry, ...]
    """Due before as_of and not done (each also in under_way or not_started)."""
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
    progress: DecisionProgress | None
    """None when no decisions file was read."""


class ComparisonReport(_Row, frozen=True, kw_only=True):
    """`isp-advisor compare --format json`: the first assessment to the last (stage, relationships,
    changes, recommendations, progress), each step between consecutive ones, each rated fact's values in
    order (`series`) and the debrief's questions."""

    case_id: str
    assessments: tuple[str, ...]
    """Each assessment's label (its assessed_on, else 'assessment N'), oldest first."""
    sources: tuple[str, ...]
    stage: StageChange
    relationships: tuple[RelationshipChange, ...]
    changes: tuple[FactChange, ...]
    recommendations: RecommendationChanges
    steps: tuple[StepReport, ...]
    series: dict[str, tuple[Scalar, ...]]
    labels: dict[str, str]
    """The label of each fact path named in the comparison."""
    debrief: tuple[str, ...]
    progress: DecisionProgress | None

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
    "FactValues",
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
    "StepReport",
    "TeamDecision",
    "UnfoldedRow",
]
