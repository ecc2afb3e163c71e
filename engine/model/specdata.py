"""A recommendation specified for a plan, its logic model, go-zone means and measures: plain data.

Computed in engine/plan/ (specification, logicmodel, gozone, measures, planspec); read by the
plan-spec renderers (engine/render/specdoc.py, planhtml.py, plansvg.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.model.jsontext import number
from engine.model.rules import Source

TO_AGREE = "to agree with the team"
MECHANISM_TBD = "mechanism: to be hypothesised by the team"
BY_WHEN: dict[str, str] = {"now": "within 30 days", "next": "this quarter", "later": "when the earlier work is done"}
SPEC_FIELDS: tuple[str, ...] = ("actor", "target", "frequency", "duration", "mechanism")
"""The specification fields whose provenance `field_sources` records."""


@dataclass(frozen=True)
class FieldSource:
    """Where one specification field came from (docs/plan-spec.md).

    by: 'rule' (a rule's own `specification:` block), 'decision' (the team's decided owner, actor only),
    'eric_default' (engine/data/eric_specification.yaml, for one of the item's ERIC strategies) or 'open'.
    """

    field: str
    by: str
    rule_id: str = ""
    eric_strategy: str = ""
    source: str = ""
    """A key of rules/sources.yaml: the default's source, or the rule's `mechanism_source`."""
    cite: str = ""
    """The source as a short citation ('Harvey & Kitson 2016'); '' when there is no source."""

    def to_dict(self) -> dict[str, str]:
        out = {"by": self.by}
        for k in ("rule_id", "eric_strategy", "source", "cite"):
            if getattr(self, k):
                out[k] = getattr(self, k)
        return out


@dataclass(frozen=True)
class Specified:
    """One strategy, specified: every text field is the knowledge base's words or TO_AGREE."""

    rule_id: str
    rule_ids: tuple[str, ...]
    title: str
    eric_strategy: tuple[str, ...]
    horizon: str
    rank: int
    actor: str
    action: str
    actions: tuple[str, ...]
    target: str
    target_cfir: tuple[str, ...]
    barriers: tuple[str, ...]
    """The CFIR barriers the proofs matched (the logic model's links)."""
    stage: str
    frequency: str
    duration: str
    outcomes: tuple[str, ...]
    justification: str
    sources: tuple[Source, ...]
    mechanism: str
    mechanism_source: str
    specified_by: tuple[str, ...]
    """The rules whose `specification:` gave a field (empty when none did)."""
    due: str = ""
    """The date the team set for the item (its decisions file), YYYY-MM-DD; '' when none."""
    key: str = ""
    """The item's key (`<category>:<key>`)."""
    field_sources: tuple[FieldSource, ...] = ()
    """Where actor, target, frequency, duration and mechanism came from, in SPEC_FIELDS order."""

    @property
    def mechanism_cite(self) -> str:
        """The mechanism's source as a short citation; '' when the mechanism is open."""
        return next((f.cite for f in self.field_sources if f.field == "mechanism" and f.by != "open"), "")


_YEAR = re.compile(r"\((\d{4})")


def short_cite(s: Source) -> str:
    """'Powell et al. 2015' from an APA citation; the authors' judgement says so."""
    if s.kind == "authors_judgement":
        return "the authors' judgement"
    year = _YEAR.search(s.citation)
    first = s.citation.split(",")[0].strip()
    many = s.citation.count(".,") > 1 or "&" in s.citation.split("(")[0]
    name = f"{first} et al." if many and len(first) < 40 else first[:60]
    return f"{name} {year.group(1)}" if year else name


@dataclass(frozen=True)
class Measure:
    outcome: str
    when: tuple[str, ...]
    measure: str
    source: Source | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "when": list(self.when),
            "measure": self.measure,
            "source": {"key": self.source.key, "citation": self.source.citation} if self.source else None,
        }


def when_text(stages: Sequence[str], current: str | None) -> str:
    """'installation (now), initial implementation' — the current stage marked."""
    return ", ".join(s.replace("_", " ") + (" (the site's stage)" if s == current else "") for s in stages)


NO_PRIOR = "no prior"
ZONES: dict[str, str] = {
    "I": "go-zone: above the mean on importance and feasibility",
    "II": "feasible, less important (feasibility above the mean, importance not)",
    "III": "below the mean on both",
    "IV": "important, less feasible (importance above the mean, feasibility not)",
    NO_PRIOR: "no published prior and no local rating yet: rate it with the team",
}


def eric_name(strategy: str) -> str:
    """An ERIC strategy id in words ('promote_adaptability' -> 'Promote adaptability')."""
    return strategy.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Means:
    """Where the quadrants divide: the arithmetic mean of each rating over the strategies plotted."""

    importance: float | None
    feasibility: float | None
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "importance_mean": _round(self.importance),
            "feasibility_mean": _round(self.feasibility),
            "rated": self.count,
            "basis": "quadrants divide at the arithmetic mean of each rating over the strategies of this plan "
            "that have both (priors and local ratings alike), rounded to two decimals; above means "
            "strictly greater",
        }


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    """'determinant', 'strategy', 'mechanism', 'implementation', 'service' or 'client'."""
    detail: Any = None
    """A determinant's rating, a strategy's horizon, a mechanism's source key."""


@dataclass(frozen=True)
class LogicModel:
    determinants: tuple[Node, ...]
    strategies: tuple[Node, ...]
    mechanisms: tuple[Node, ...]
    outcomes: tuple[Node, ...]
    links: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "determinants": [
                {"id": n.id, "cfir": n.id.removeprefix("cfir:"), "name": n.label, "rating": n.detail}
                for n in self.determinants
            ],
            "strategies": [{"id": n.id, "title": n.label, "horizon": n.detail} for n in self.strategies],
            "mechanisms": [{"id": n.id, "text": n.label, "source": n.detail or None} for n in self.mechanisms],
            "outcomes": [{"id": n.id, "kind": n.kind, "name": n.label} for n in self.outcomes],
            "links": [list(link) for link in self.links],
        }

    def targets(self, node_id: str) -> list[str]:
        return [b for a, b in self.links if a == node_id]


@dataclass(frozen=True)
class SpecItem:
    spec: Specified
    rating: Rating
    zone: str

    def to_dict(self) -> dict[str, Any]:
        return specified_dict(self.spec, self.rating.importance, self.rating.feasibility, self.zone, self.rating.source)


@dataclass(frozen=True)
class PlanSpec:
    case_id: str
    engine: dict[str, Any]
    stage: str | None
    horizons: tuple[str, ...]
    items: tuple[SpecItem, ...]
    means: Means
    logic_model: LogicModel
    measures: tuple[Measure, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "engine": self.engine,
            "strategies": [i.to_dict() for i in self.items],
            "logic_model": self.logic_model.to_dict(),
            "measures": [m.to_dict() for m in self.measures],
            "go_zone": self.means.to_dict(),
        }

    def quadrants(self) -> dict[str, list[SpecItem]]:
        out: dict[str, list[SpecItem]] = {z: [] for z in ZONES}
        for i in self.items:
            out[i.zone].append(i)
        return out


def specified_dict(
    s: Specified, importance: float | None, feasibility: float | None, zone: str, priors_source: str
) -> dict[str, Any]:
    """The JSON contract of one strategy (issue 11)."""
    return {
        "rule_id": s.rule_id,
        "title": s.title,
        "eric_strategy": list(s.eric_strategy),
        "horizon": s.horizon,
        "actor": s.actor,
        "action": s.action,
        "target": {"text": s.target, "cfir": list(s.target_cfir)},
        "temporality": {
            "stage": s.stage,
            "horizon": s.horizon,
            "by_when": BY_WHEN[s.horizon],
            **({"due": s.due} if s.due else {}),
        },
        "dose": {"frequency": s.frequency, "duration": s.duration},
        "outcomes": list(s.outcomes),
        "justification": s.justification,
        "sources": [{"key": x.key, "citation": x.citation} for x in s.sources],
        "importance": _num(importance),
        "feasibility": _num(feasibility),
        "zone": zone,
        "priors_source": priors_source,
        "field_sources": {f.field: f.to_dict() for f in s.field_sources},
    }


def _num(x: float | None) -> int | float | None:
    return None if x is None else number(x)


@dataclass(frozen=True)
class Rating:
    """A strategy's importance and feasibility, and where each figure comes from."""

    importance: float | None
    feasibility: float | None
    source: str
    """'priors_source' in the JSON: the local rating's key, the prior's table row, or why there is none."""

    @property
    def rated(self) -> bool:
        return self.importance is not None and self.feasibility is not None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
