"""Assessments of one site over time: what changed, what the plan retired, added and moved.

`isp-advisor compare OLD NEW [NEWER ...]` gives the cases in any order: they are put in order of
`assessed_on` when every one states it (ties keep the argument order), else in argument order.
Each assessment is evaluated with the one before it as `previous`, so the change rules
(rules/perspectives.yaml) see `change.*` facts just as `recommend NEW --previous OLD` does.

The JSON contract: `{"case_id", "assessments": [dates or labels], "changes": [{"path", "from", "to",
"direction"}], "recommendations": {"retired", "new", "moved": [{"rule_id", "from", "to"}]}}`,
changes and recommendations from the first assessment to the last; `steps` holds the same per pair
of consecutive assessments, `series` each rated fact's values in order, and `debrief` the
questions for the improvement-cycle debrief.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.assessments.changes import FactChange, fact_changes, resolved
from engine.assessments.perspectives import effective_facts
from engine.errors import CaseError, Problem
from engine.evaluation.runner import Engine
from engine.model.case import Case
from engine.model.conditions import fmt_value
from engine.model.facts import FACTS
from engine.model.placement import PlanOptions
from engine.model.results import Result


@dataclass(frozen=True)
class Assessment:
    source: str
    case: Case
    label: str
    result: Result


@dataclass(frozen=True)
class AssessmentStep:
    """From one assessment to the next (or the first to the last)."""

    old: str
    new: str
    changes: tuple[FactChange, ...]
    retired: tuple[dict[str, Any], ...]
    added: tuple[dict[str, Any], ...]
    moved: tuple[dict[str, Any], ...]

    def recommendations(self) -> dict[str, Any]:
        return {"retired": list(self.retired), "new": list(self.added), "moved": list(self.moved)}

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "changes": [c.to_dict() for c in self.changes],
                "recommendations": self.recommendations()}


@dataclass(frozen=True)
class Comparison:
    case_id: str
    assessments: tuple[Assessment, ...]
    overall: AssessmentStep
    steps: tuple[AssessmentStep, ...]
    series: dict[str, list[Any]]
    debrief: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "assessments": [a.label for a in self.assessments],
            "sources": [a.source for a in self.assessments],
            "changes": [c.to_dict() for c in self.overall.changes],
            "recommendations": self.overall.recommendations(),
            "steps": [s.to_dict() for s in self.steps],
            "series": self.series,
            "labels": {p: FACTS[p].label for p in _paths_of(self)},
            "debrief": list(self.debrief),
        }


def _paths_of(c: Comparison) -> list[str]:
    seen = {ch.path for s in (c.overall, *c.steps) for ch in s.changes} | set(c.series)
    return [p for p in FACTS if p in seen]


def order(cases: Sequence[tuple[str, Case]]) -> list[tuple[str, Case]]:
    """By assessed_on when every case states it (stable), else as given; one case_id only."""
    if len(cases) < 2:
        raise CaseError(Problem(field="CASES", code="too_few", message="compare needs two or more assessments",
                                hint="give the earlier and the later case file of the same site"))
    first_id = cases[0][1].case_id
    wrong = [(src, c) for src, c in cases if c.case_id != first_id]
    if wrong:
        src, c = wrong[0]
        raise CaseError(Problem(file=src, field="case_id", code="other_site",
                                message=f"case_id '{c.case_id}' is not '{first_id}' of {cases[0][0]}",
                                hint="compare assessments of one site: give them the same case_id"))
    if all(c.assessed_on for _, c in cases):
        return sorted(cases, key=lambda t: t[1].assessed_on or "")
    return list(cases)


def _labels(cases: list[tuple[str, Case]]) -> list[str]:
    labels = [c.assessed_on or f"assessment {i}" for i, (_, c) in enumerate(cases, 1)]
    seen: dict[str, int] = {}
    out = []
    for label in labels:  # two assessments on one day stay apart
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _horizons(result: Result) -> dict[str, tuple[str, str, str]]:
    """Item key -> (rule id, title, horizon): items are matched across assessments by their key,
    which survives edits to a rule's title or id."""
    return {rec.key: (rec.rule_id, rec.title, place.horizon) for rec, place in result.placed()}


def _step(a: Assessment, b: Assessment) -> AssessmentStep:
    old, new = _horizons(a.result), _horizons(b.result)
    changes = tuple(fact_changes(effective_facts(a.case)[0], effective_facts(b.case)[0]))
    retired = tuple({"rule_id": rid, "key": k, "title": t, "horizon": h}
                    for k, (rid, t, h) in sorted(old.items(), key=lambda kv: kv[1][0]) if k not in new)
    added = tuple({"rule_id": rid, "key": k, "title": t, "horizon": h}
                  for k, (rid, t, h) in sorted(new.items(), key=lambda kv: kv[1][0]) if k not in old)
    moved = tuple({"rule_id": new[k][0], "key": k, "title": new[k][1], "from": old[k][2], "to": new[k][2]}
                  for k in sorted(old, key=lambda k: old[k][0]) if k in new and old[k][2] != new[k][2])
    return AssessmentStep(a.label, b.label, changes, retired, added, moved)


def compare(engine: Engine, cases: Sequence[tuple[str, Case]], options: PlanOptions | None = None,
            date: str | None = None) -> Comparison:
    """Evaluate each assessment (with the one before as `previous`) and compare them; `date` is the
    reference date of any assessment that states no assessed_on."""
    ordered = order(cases)
    labels = _labels(ordered)
    assessments: list[Assessment] = []
    for i, ((src, case), label) in enumerate(zip(ordered, labels, strict=True)):
        previous = ordered[i - 1][1] if i else None
        assessments.append(Assessment(src, case, label, engine.evaluate(case, options, previous, date)))
    steps = tuple(_step(a, b) for a, b in zip(assessments, assessments[1:], strict=False))
    overall = _step(assessments[0], assessments[-1])
    facts = [effective_facts(a.case)[0] for a in assessments]
    wanted = [p for p in FACTS if p.startswith("cfir.")] + [p for p in FACTS if p in _TREND_FACTS]
    series = {p: [f.get(p) for f in facts] for p in wanted if any(p in f for f in facts)}
    return Comparison(ordered[0][1].case_id, tuple(assessments), overall, steps, series,
                      tuple(debrief(overall, facts, labels)))


_TREND_FACTS = ("relationships.trust", "engagement.level", "power.differential", "capacity.intervention_specific",
                "capacity.general", "capacity.analytic", "capacity.adaptive", "capacity_levels.individual",
                "capacity_levels.organization", "capacity_levels.network", "capacity_levels.system")


def _name(path: str) -> str:
    return FACTS[path].label.removeprefix("CFIR: ") or path


def debrief(overall: AssessmentStep, facts: list[dict[str, Any]], labels: list[str]) -> list[str]:
    """Questions for the improvement-cycle debrief, from what changed (most telling first)."""
    out: list[str] = []
    first, last = facts[0], facts[-1]
    for p in resolved(first, last):
        out.append(f"{_name(p)} went from {fmt_value(first[p])} to {fmt_value(last[p])}: what did the team do "
                   "that helped, and what will keep it there once its strategies are retired?")
    for c in overall.changes:
        if c.direction == "worsened":
            out.append(f"{_name(c.path)} worsened ({_val(c.old)} to {_val(c.new)}): what changed for the people "
                       f"involved since {labels[0]}, and who sees it that way?")
    stuck = [p for p in FACTS if p.startswith("cfir.") and all(isinstance(f.get(p), int) and f[p] < 0 for f in facts)]
    for p in stuck:
        out.append(f"{_name(p)} has stayed a barrier in all {len(facts)} assessments: are its strategies the "
                   "right ones, or is the barrier somewhere else?")
    for c in overall.changes:
        if c.direction == "new":
            out.append(f"{_name(c.path)} is rated for the first time ({_val(c.new)}): who rated it, and what "
                       "would the earlier assessment have said?")
        elif c.direction == "gone":
            out.append(f"{_name(c.path)} is no longer rated (was {_val(c.old)}): was it dropped on purpose?")
    if overall.retired:
        out.append(f"{len(overall.retired)} recommendations no longer apply: tell the people doing them, and "
                   "say what replaces them.")
    if not out:
        out.append("Nothing rated changed: is the work reaching the things it aims to move, or are the "
                   "ratings out of date?")
    return out


def _val(value: Any) -> str:
    return "not stated" if value is None else fmt_value(value)


__all__ = ["Assessment", "Comparison", "AssessmentStep", "compare", "order", "debrief", "load_previous"]


def load_previous(path: str, case: Case) -> Case:
    """The earlier assessment for `recommend --previous`: the same site (case_id), else refused."""
    from engine.io.caseload import load_case

    previous = load_case(path)
    if previous.case_id != case.case_id:
        raise CaseError(Problem(file=path, field="case_id", code="other_site",
                                message=f"case_id '{previous.case_id}' is not '{case.case_id}'",
                                hint="--previous takes an earlier assessment of the same site (same case_id)"))
    return previous
