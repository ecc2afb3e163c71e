"""Outcome measures: for each implementation outcome a plan targets, when to measure it and with what.

When: the stages at which Proctor et al. (2011) describe each outcome as most salient (paraphrased:
acceptability, appropriateness and feasibility early, before and during adoption; adoption early to
mid; fidelity early to mid; reach (penetration) mid to late; cost throughout; sustainability late),
laid over the five stages the case uses. What: a named, published measure where one exists (AIM, IAM
and FIM, Weiner et al. 2017; the Program Sustainability Assessment Tool, Luke et al. 2014), else the
published definition to count against (reach as RE-AIM's share of the eligible population; fidelity
against the innovation's core components, Carroll et al. 2007), else "to agree with the team".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.model.rules import Source
from engine.model.specdata import Measure
from engine.model.vocabulary import IMPLEMENTATION_OUTCOMES, STAGES


@dataclass(frozen=True)
class MeasureSpec:
    stages: tuple[str, ...]
    measure: str
    source: str


MEASURES: dict[str, MeasureSpec] = {
    "acceptability": MeasureSpec(
        ("exploration", "installation", "initial_implementation"),
        "Acceptability of Intervention Measure (AIM), 4 items, 1-5",
        "weiner-2017",
    ),
    "appropriateness": MeasureSpec(
        ("exploration", "installation"), "Intervention Appropriateness Measure (IAM), 4 items, 1-5", "weiner-2017"
    ),
    "feasibility": MeasureSpec(
        ("exploration", "installation", "initial_implementation"),
        "Feasibility of Intervention Measure (FIM), 4 items, 1-5",
        "weiner-2017",
    ),
    "adoption": MeasureSpec(
        ("installation", "initial_implementation"),
        "no named instrument: the share of intended settings or staff who start to use it "
        "(the denominator to agree with the team)",
        "proctor-2011",
    ),
    "fidelity": MeasureSpec(
        ("initial_implementation", "full_implementation"),
        "fidelity against the innovation's core components: adherence to each component, "
        "and its coverage, frequency and duration",
        "carroll-2007-fidelity",
    ),
    "reach": MeasureSpec(
        ("initial_implementation", "full_implementation", "sustainment"),
        "reach: the share of the eligible population who receive it (served / eligible)",
        "glasgow-1999-re-aim",
    ),
    "cost": MeasureSpec(
        tuple(STAGES),
        "no named instrument: the cost of the strategies and the innovation (staff time, "
        "resources) to agree with the team",
        "proctor-2011",
    ),
    "sustainability": MeasureSpec(
        ("full_implementation", "sustainment"),
        "Program Sustainability Assessment Tool (PSAT), 40 items in 8 domains",
        "luke-2014-psat",
    ),
}
assert set(MEASURES) == set(IMPLEMENTATION_OUTCOMES), "every implementation outcome needs a row"


def measures_for(outcomes: Sequence[str], sources: Mapping[str, Source]) -> tuple[Measure, ...]:
    """One measure per outcome, in the vocabulary's order (a source missing from a custom registry is None)."""
    return tuple(
        Measure(o, MEASURES[o].stages, MEASURES[o].measure, sources.get(MEASURES[o].source))
        for o in IMPLEMENTATION_OUTCOMES
        if o in outcomes
    )
