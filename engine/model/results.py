"""What an evaluation returns: recommendations with their proofs, as plain data.

`Result.to_dict()` is the JSON output contract of `isp-advisor recommend --format json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.model.jsontext import compact, number
from engine.model.jsontext import string as _string
from engine.model.rules import PRIORITY_RANK, Source
from engine.model.sitefacts import AsOf
from engine.model.traces import Proof, memo
from engine.model.vocabulary import TAG_KEYS

if TYPE_CHECKING:
    from engine.model.cues import Cue
    from engine.model.placement import Placement, Plan


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

    def to_dict(self) -> dict[str, Any]:
        """Fresh JSON-ready data (a caller may edit it: recommendations are shared across cases, so
        the shared form is the immutable text of `to_json`)."""
        fresh: dict[str, Any] = json.loads(self.to_json())
        return fresh

    def to_json(self) -> str:
        """Compact JSON text, built once per Recommendation: the proofs' own cached text is spliced in
        (site-specific text makes many recommendations new objects, while their proofs are shared)."""
        return memo(self, "_json", self._build_json)  # type: ignore[no-any-return]

    def _build_json(self) -> str:
        # The same text as compact(self._build_dict()), assembled from pieces: what a rule fixes
        # (ids, category, priority, score, tags, sources) is serialized once and shared; only the
        # case's own title, actions and rationale are encoded here (most recommendations are new
        # objects on diverse cases because their text names the site).
        head, mid, tags, sources = self.fixed_json()
        return "".join(
            (
                head,
                _string(self.title),
                mid,
                "[" + ",".join(map(_string, self.actions)) + "]",
                tags,
                _string(self.rationale),
                ',"addresses":',
                compact(list(self.addresses)),
                sources,
                ",".join([p.to_json() for p in self.explanation]),
                "]}",
            )
        )

    def fixed_json(self) -> tuple[str, str, str, str]:
        """The JSON pieces around the title, the actions, the rationale and the proofs: what the
        rules behind a recommendation fix, the same for every case."""
        found = self.__dict__.get("_fixed_json")
        if found is None:
            found = (
                _piece(("head", self.rule_ids, self.category, self.key), self._head_json),
                _piece(("mid", self.priority, self.score), self._mid_json),
                _piece(("tags", *(tuple(self.tags.get(k, ())) for k in TAG_KEYS)), self._tags_json),
                _piece(("sources", self.sources), self._sources_json),
            )
            object.__setattr__(self, "_fixed_json", found)
        return found  # type: ignore[no-any-return]

    def share_fixed_json(self, pieces: tuple[str, str, str, str]) -> None:
        """Take `fixed_json()` from another recommendation of the same single rule (the engine's)."""
        object.__setattr__(self, "_fixed_json", pieces)

    def _head_json(self) -> str:
        return (
            f'{{"rule_id":{compact(self.rule_id)},"key":{compact(self.key)},'
            f'"rule_ids":{compact(list(self.rule_ids))},"category":{compact(self.category)},"title":'
        )

    def _mid_json(self) -> str:
        return f',"priority":{compact(self.priority)},"score":{compact(number(self.score))},"actions":'

    def _tags_json(self) -> str:
        return f',"tags":{compact({k: list(self.tags.get(k, ())) for k in TAG_KEYS})},"rationale":'

    def _sources_json(self) -> str:
        return f',"sources":{compact([s.as_dict for s in self.sources])},"explanation":['

    def _build_dict(self, proofs: bool = True) -> dict[str, Any]:
        out = {
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
            "sources": [s.as_dict for s in self.sources],
        }
        if proofs:
            out["explanation"] = [json.loads(p.to_json()) for p in self.explanation]
        return out


@dataclass(frozen=True)
class Derivation:
    name: str
    value: Any
    rule_id: str
    proof: Proof

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "rule_id": self.rule_id, "explanation": self.proof.to_dict()}

    def to_json(self) -> str:
        return (
            f'{{"value":{compact(self.value)},"rule_id":{compact(self.rule_id)},'
            f'"explanation":{_cached_json(self.proof)}}}'
        )


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
        """The output contract as fresh data: callers may edit it without touching what is shared
        across cases (it is parsed from `to_json`, so the two always agree)."""
        fresh: dict[str, Any] = json.loads(self.to_json())
        return fresh

    def to_json(self) -> str:
        """`to_dict()` as compact JSON text (one line), assembled from per-recommendation pieces
        that are serialized once and shared across cases: batch runs write thousands of these."""
        if self.plan is None:
            recs = ",".join(_cached_json(r) for r in self.recommendations)
            plan = ""
        else:  # the shared recommendation text, with this case's placement spliced in before its brace
            recs = ",".join(
                _spliced(_cached_json(r), p.to_json())
                for r, p in zip(self.recommendations, self.plan.items, strict=True)
            )
            plan = f',"plan":{compact(self.plan.to_dict(self.recommendations))}'
        derived = ",".join(f"{compact(k)}:{d.to_json()}" for k, d in sorted(self.derived_facts.items()))
        plan += "".join(f",{compact(k)}:{compact(v)}" for k, v in self._context().items())
        return (
            f'{{"case_id":{compact(self.case_id)},"engine":{compact(self.engine)},"recommendations":[{recs}],'
            f'"derived_facts":{{{derived}}},"missing_information":{compact(list(self.missing_information))},'
            f'"warnings":{compact(list(self.warnings))}{plan}}}'
        )

    def _context(self) -> dict[str, Any]:
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


PIECES_SIZE = 4_000
"""Shared JSON pieces of recommendations kept (emptied when full, like the engine's caches)."""

_pieces: dict[tuple[Any, ...], str] = {}


def _piece(key: tuple[Any, ...], build: Callable[[], str]) -> str:
    """A JSON piece fixed by `key` (values only, never object identity), built once."""
    text = _pieces.get(key)
    if text is None:
        if len(_pieces) >= PIECES_SIZE:
            _pieces.clear()
        text = _pieces[key] = build()
    return text


def _cached_json(obj: Recommendation | Proof) -> str:
    return obj.to_json()


def _spliced(shared: str, placement: str) -> str:
    """A recommendation's shared JSON object with this case's placement fields added."""
    return shared if placement == "{}" else shared[:-1] + "," + placement[1:]
