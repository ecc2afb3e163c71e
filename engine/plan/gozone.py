"""Go-zones: importance x feasibility (1-5) per specified strategy, and the quadrant each falls in.

Priors are the mean expert ratings of Waltz et al. (2015, Table 1), kept with their source in
engine/data/waltz_2015.yaml; the team's own ratings in the case file (`ratings:`) override them,
dimension by dimension. A strategy with neither has no rating and is placed under "no prior":
nothing is ever estimated. The quadrants divide at the mean of the ratings plotted (docs/plan-spec.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import EngineError, Problem
from engine.io.documents import load
from engine.model.specdata import NO_PRIOR, Means, Rating, eric_name

PRIORS_FILE = Path(__file__).resolve().parent.parent / "data" / "waltz_2015.yaml"


@dataclass(frozen=True)
class Prior:
    """One row of Waltz et al. 2015, Table 1."""

    strategy: str
    importance: float
    feasibility: float
    quadrant: str
    table_no: int

    @property
    def cite(self) -> str:
        name = eric_name(self.strategy)
        return f"Waltz et al. 2015, Table 1, #{self.table_no} {name} (published quadrant {self.quadrant})"


@functools.lru_cache(maxsize=1)
def priors() -> dict[str, Prior]:
    """The priors file, read once (safe YAML; a broken file is an engine error, never a guess)."""
    doc = load(PRIORS_FILE, EngineError)
    try:
        return {
            sid: Prior(
                sid, float(row["importance"]), float(row["feasibility"]), str(row["quadrant"]), int(row["table_no"])
            )
            for sid, row in doc.data["rows"].items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EngineError(Problem(file=str(PRIORS_FILE), message=f"malformed priors file: {exc}")) from None


def rate(rule_ids: Sequence[str], eric: Sequence[str], local: Mapping[str, Any]) -> Rating:
    """Local ratings (by rule id, then by ERIC strategy id) override the prior of the first of the item's
    ERIC strategies that has one, one dimension at a time."""
    mine = next(((k, local[k]) for k in (*rule_ids, *eric) if k in local), None)
    table = priors()
    prior = next((table[s] for s in eric if s in table), None)
    values: dict[str, float | None] = {}
    origin: dict[str, str] = {}
    for dim in ("importance", "feasibility"):
        own = getattr(mine[1], dim, None) if mine else None
        if own is not None:
            values[dim], origin[dim] = float(own), f"local rating (ratings.{mine[0]})"  # type: ignore[index]
        elif prior is not None:
            values[dim], origin[dim] = getattr(prior, dim), prior.cite
        else:
            values[dim], origin[dim] = None, _no_prior(eric)
    if origin["importance"] == origin["feasibility"]:
        source = origin["importance"]
    else:
        source = f"importance: {origin['importance']}; feasibility: {origin['feasibility']}"
    return Rating(values["importance"], values["feasibility"], source)


def _no_prior(eric: Sequence[str]) -> str:
    if not eric:
        return f"{NO_PRIOR}: Waltz et al. 2015 rated ERIC strategies, and this item carries none"
    names = ", ".join(eric_name(s) for s in eric)
    return f"{NO_PRIOR}: {names} not among the Waltz et al. 2015 Table 1 rows held (engine/data/waltz_2015.yaml)"


def means(ratings: Sequence[Rating]) -> Means:
    rated = [r for r in ratings if r.rated]
    if not rated:
        return Means(None, None, 0)
    # rounded to two decimals, the precision of the published figures, so the quadrants agree with the means shown
    importance = [r.importance for r in rated if r.importance is not None]
    feasibility = [r.feasibility for r in rated if r.feasibility is not None]
    return Means(
        round(sum(importance) / len(rated), 2),
        round(sum(feasibility) / len(rated), 2),
        len(rated),
    )


def zone(r: Rating, m: Means) -> str:
    """Quadrant I (above both means), II (feasibility only), III (neither), IV (importance only), or no prior."""
    if not r.rated or m.importance is None or m.feasibility is None:
        return NO_PRIOR
    hi_i = r.importance > m.importance  # type: ignore[operator]
    hi_f = r.feasibility > m.feasibility  # type: ignore[operator]
    return "I" if hi_i and hi_f else "IV" if hi_i else "II" if hi_f else "III"
