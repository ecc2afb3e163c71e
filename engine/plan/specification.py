"""Strategy specification (Proctor, Powell & McMillen 2013) of one placed recommendation.

Actor, target, dose and mechanism come only from the rule's `specification:` block; the action is
the rule's own first action; the target's CFIR constructs, the outcomes and the justification come
from the proof and the tags. Whatever the knowledge base does not state is TO_AGREE — never filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.model.facts import Facts
from engine.model.placement import Placement
from engine.model.results import Recommendation
from engine.model.rules import Rule, Source
from engine.model.traces import barriers_matched, supporting_tests
from engine.rulepacks.placeholders import fill, values_for

TO_AGREE = "to agree with the team"
MECHANISM_TBD = "mechanism: to be hypothesised by the team"
BY_WHEN: dict[str, str] = {"now": "within 30 days", "next": "this quarter", "later": "when the earlier work is done"}


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


def specify(rec: Recommendation, place: Placement, rules: Mapping[str, Rule], facts: Facts,
            why: str) -> Specified:
    """Specify one placed recommendation; `why` is the one-line 'why for this site' of the plan views."""
    members = [rules[i] for i in rec.rule_ids if i in rules]
    barriers = tuple(dict.fromkeys((*barriers_matched(rec.explanation), *(b for a in place.also for b in a.barriers))))
    fields: dict[str, str] = {}
    by: list[str] = []
    for r in members:
        for key, text in r.specification.items():
            if key not in fields:
                fields[key] = fill(text, values_for(facts, barriers, r.fallbacks)) if key != "mechanism_source" \
                    else text
                if r.id not in by:
                    by.append(r.id)
    eric = tuple(dict.fromkeys((*rec.tags.get("eric_strategy", ()), *(a.eric_strategy for a in place.also))))
    target_cfir = barriers or tuple(rec.tags.get("cfir", ()))
    stage = facts.get("stage")
    return Specified(
        rule_id=rec.rule_id, rule_ids=rec.rule_ids, title=rec.title, eric_strategy=eric, horizon=place.horizon,
        rank=place.rank, actor=fields.get("actor", TO_AGREE),
        action=rec.actions[0] if rec.actions else rec.title, actions=rec.actions,
        target=fields.get("target", TO_AGREE), target_cfir=target_cfir, barriers=barriers,
        stage=str(stage).replace("_", " ") if stage else TO_AGREE,
        frequency=fields.get("frequency", TO_AGREE), duration=fields.get("duration", TO_AGREE),
        outcomes=tuple(rec.tags.get("implementation_outcome", ())),
        justification=justification(rec, why), sources=rec.sources,
        mechanism=fields.get("mechanism", MECHANISM_TBD), mechanism_source=fields.get("mechanism_source", ""),
        specified_by=tuple(by))


def justification(rec: Recommendation, why: str) -> str:
    """The proof's facts and the cited sources, in one or two lines."""
    cites = "; ".join(dict.fromkeys(short_cite(s) for s in rec.sources)) or "no source"
    figure = f" ({rec.score:g}% of experts endorse it for this barrier)" if rec.score else ""
    return f"Because {why}{figure}. Source: {cites}."


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


def supporting_facts(rec: Recommendation) -> tuple[str, ...]:
    """The case facts the recommendation's proofs rest on (for tests and the logic model)."""
    return tuple(dict.fromkeys(t.fact for p in rec.explanation for t in supporting_tests(p)))


def to_dict(s: Specified, importance: float | None, feasibility: float | None, zone: str,
            priors_source: str) -> dict[str, Any]:
    """The JSON contract of one strategy (issue 11)."""
    return {
        "rule_id": s.rule_id, "title": s.title, "eric_strategy": list(s.eric_strategy), "horizon": s.horizon,
        "actor": s.actor, "action": s.action, "target": {"text": s.target, "cfir": list(s.target_cfir)},
        "temporality": {"stage": s.stage, "horizon": s.horizon, "by_when": BY_WHEN[s.horizon]},
        "dose": {"frequency": s.frequency, "duration": s.duration},
        "outcomes": list(s.outcomes), "justification": s.justification,
        "sources": [{"key": x.key, "citation": x.citation} for x in s.sources],
        "importance": _num(importance), "feasibility": _num(feasibility), "zone": zone,
        "priors_source": priors_source,
    }


def _num(x: float | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else x


def names(values: Sequence[str]) -> str:
    return ", ".join(v.replace("_", " ") for v in values)
