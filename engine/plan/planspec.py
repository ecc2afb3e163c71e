"""`isp-advisor plan`: a result's now and next items as a specified plan (docs/plan-spec.md).

specification (Proctor, Powell & McMillen 2013) -> go-zones (Waltz et al. 2015 priors, local
ratings) -> logic model (Smith, Li & Rafferty 2020) -> outcome measures. A pure function of the
result, the rules and the case; `to_dict()` is the JSON contract.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from engine.errors import CaseError, Problem, did_you_mean
from engine.io.documents import load
from engine.model.case import Case
from engine.model.facts import text_value
from engine.model.placement import HeldBack
from engine.model.results import Result
from engine.model.rules import RuleBase
from engine.model.specdata import PlanSpec, SpecItem
from engine.model.traces import barriers_matched
from engine.model.vocabulary import ERIC_STRATEGIES
from engine.model.whyhere import why_here
from engine.plan import gozone
from engine.plan.logicmodel import build as build_logic_model
from engine.plan.measures import measures_for
from engine.plan.specification import specify

DEFAULT_HORIZONS: tuple[str, ...] = ("now", "next")


def build_plan_spec(result: Result, case: Case, base: RuleBase, horizons: Sequence[str] = DEFAULT_HORIZONS) -> PlanSpec:
    """Specify, rate and link the items of `horizons` (default: now and next)."""

    facts = case.facts()
    rules = {r.id: r for r in base.rules}
    held = result.plan.held_back if result.plan is not None else ()
    specs = [
        specify(rec, place, rules, facts, why_here(rec), superseded_barriers(rec.rule_ids, held))
        for rec, place in result.placed()
        if place.horizon in horizons
    ]
    local = dict(case.ratings or {})
    ratings = [gozone.rate(s.rule_ids, s.eric_strategy, local) for s in specs]
    m = gozone.means(ratings)
    items = tuple(SpecItem(s, r, gozone.zone(r, m)) for s, r in zip(specs, ratings, strict=True))
    outcomes = case.outcomes
    model = build_logic_model(
        specs, facts, (outcomes.service or []) if outcomes else [], (outcomes.client or []) if outcomes else []
    )
    targeted = sorted({o for s in specs for o in s.outcomes})
    return PlanSpec(
        case.case_id,
        result.engine,
        text_value(facts, "stage"),
        tuple(horizons),
        items,
        m,
        model,
        measures_for(targeted, base.sources),
    )


def superseded_barriers(rule_ids: Sequence[str], held: Sequence[HeldBack]) -> tuple[str, ...]:
    """The CFIR barriers of the items an item holds back by superseding them: the item takes their place, so
    it addresses their barriers in the logic model (a Tribal community's own-knowledge item standing for
    the generic capture-and-share rows of its Innovation Source barrier). Items waiting for an answer
    (`by` = cue:...) are held by no item and lend nothing."""
    return tuple(
        dict.fromkeys(b for h in held if h.by in rule_ids for b in barriers_matched(h.recommendation.explanation))
    )


def check_ratings(case: Case, base: RuleBase, path: str | os.PathLike[str] | None = None) -> None:
    """Every key of the case's `ratings:` names a loaded rule or an ERIC strategy; otherwise a located
    CaseError (exit 2) with a did-you-mean. Needs the loaded rules, hence not part of the case model."""
    if not case.ratings:
        return
    ids = {r.id for r in base.rules if not r.derive}
    unknown = [k for k in case.ratings if k not in ids and k not in ERIC_STRATEGIES]
    if not unknown:
        return
    lines = load(path, CaseError) if path is not None else None
    problems = []
    for key in unknown:
        hint = did_you_mean(key, [*ids, *ERIC_STRATEGIES]) or (
            "rate a recommending rule by its id (isp-advisor rules list) or an ERIC strategy by its id"
        )
        problems.append(
            Problem(
                file=str(path) if path is not None else "<input>",
                line=lines.line_of(("ratings", key)) if lines else 0,
                field=f"ratings.{key}",
                code="unknown_id",
                message=f"'{key}' is neither a loaded rule id nor an ERIC strategy id",
                hint=hint,
            )
        )
    raise CaseError(problems)
