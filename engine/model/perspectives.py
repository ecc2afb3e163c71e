"""Several groups' views of one site: combining them, and the facts their differences give rules.

A case may hold `perspectives`: the same facts (cfir, relationships, engagement, power, capacity)
as each group sees them. Nothing here averages: where the case states no top-level value, the
**most critical** view is used (a barrier seen by community members is a barrier), and the proof
says whose view it was. Where groups differ by the thresholds below, the difference itself becomes
a fact (`derived.divergent.<path>`), so rules can call for co-learning rather than pick a side.

Computed facts (set before any rule runs, never derived by rules; see facts.COMPUTED_FAMILIES):

- `derived.divergent.<path>`: true when two groups differ by 2+ points on a CFIR rating or 1+
  step on an ordered scale; false when two or more groups state it and none differ so much.
- `derived.divergent.any`: true when any fact is divergent; false when groups were compared and
  none is.
- `derived.community_lower.<path>` and `.any`: true when community members' or recipients' view is
  more critical than leadership's by the same thresholds.
- `derived.lowest_group.<path>`, `derived.highest_group.<path>`: the group with the lowest or
  highest value on the fact's scale (ties: the first in the case).
- `derived.missing_group.<group>`: true for each group with no perspective (only when the case has
  perspectives at all).

`mixed` CFIR ratings take part in the combination (more critical than 0, less than -1) but not in
the divergence thresholds (a mixed view is not a number of points away from anything).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from engine.model.case import Case
from engine.model.conditions import fmt_value
from engine.model.facts import FACTS, GROUPS, Facts, flatten

Origin = tuple[str, str]
"""(source, note) of a fact that did not come straight from the case's top level: the trace shows
the note next to the value (e.g. whose view it is)."""
Origins = dict[str, Origin]

RATING_GAP = 2
"""Points apart on a CFIR rating (-2..+2) for two groups' views to count as divergent."""
SCALE_GAP = 1
"""Steps apart on an ordered scale (trust, capacity, engagement, power) for divergence."""

COMMUNITY = ("community_members", "recipients")
"""The groups whose view is the community's (for derived.community_lower.* and missing views)."""

_CRITICAL_HIGH = frozenset({"power.differential"})
"""Ordered facts whose high end is the critical one (a high power differential)."""
_AMBITION = frozenset({"engagement.target"})
"""Facts that are aims, not judgements: combined by taking the furthest any group wants to go."""
_RATING_ORDER = {-2: 0.0, -1: 1.0, "mixed": 1.5, 0: 2.0, 1: 3.0, 2: 4.0}


class GroupView(msgspec.Struct, frozen=True):
    """One group's stated facts."""

    group: str
    label: str
    facts: Facts

    @property
    def name(self) -> str:
        return f"{self.group} ({self.label})" if self.label else self.group


def views(case: Case) -> list[GroupView]:
    """The case's perspectives as flat facts, in the case's order."""
    out = []
    for p in case.perspectives or ():
        data = p.model_dump(exclude_none=True, exclude={"group", "label"})
        out.append(GroupView(p.group, p.label or "", flatten(data)))
    return out


def scale(path: str, value: Any) -> float | None:
    """Position on the fact's own scale (ratings: the number; mixed: none)."""
    spec = FACTS[path]
    rank = spec.rank(value)
    return None if rank is None else float(rank)


def critical(path: str, value: Any) -> float:
    """Lower is more critical: -2 before -1 before mixed before 0; low trust or capacity; a high
    power differential; solo decisions; little engagement."""
    spec = FACTS[path]
    if spec.kind == "rating":
        return _RATING_ORDER[value]
    rank = float(spec.values.index(value))
    if path in _CRITICAL_HIGH or path in _AMBITION:
        return -rank
    return rank


def gap(path: str) -> int:
    return RATING_GAP if FACTS[path].kind == "rating" else SCALE_GAP


def _paths(vs: list[GroupView]) -> list[str]:
    stated = {p for v in vs for p in v.facts}
    return [p for p in FACTS if p in stated]


def _say(v: GroupView, path: str) -> str:
    return f"{v.name} {fmt_value(v.facts[path])}"


def effective_facts(case: Case) -> tuple[Facts, Origins]:
    """The case's top-level facts, plus, for each fact only the groups state, the most critical
    view (for engagement.target: the furthest any group wants to go), with whose view it was."""
    facts = case.facts()
    origins: Origins = {}
    vs = views(case)
    for path in _paths(vs):
        if path in facts:
            continue
        holders = [v for v in vs if path in v.facts]
        best = min(holders, key=lambda v: critical(path, v.facts[path]))  # min keeps the first of ties
        facts[path] = best.facts[path]
        others = [_say(v, path) for v in holders if v is not best]
        if not others:
            note = f"the view of {best.name}, the only group stating it"
        else:
            why = "the furthest any group wants" if path in _AMBITION else "the most critical"
            note = f"the view of {best.name}, {why} (also: {', '.join(others)})"
        origins[path] = ("case", note)
    return facts, origins


class CombinedViews(msgspec.Struct, frozen=True):
    """What the groups' views give, before filtering to what the rules read."""

    facts: Facts
    origins: Origins
    divergent: tuple[str, ...]
    community_lower: tuple[str, ...]
    missing: tuple[str, ...]


_Ranked = list[tuple[float, GroupView]]
"""(position on the fact's scale, group view) of each group stating a fact that has a position."""


def compare_views(case: Case) -> CombinedViews:
    vs = views(case)
    facts: Facts = {}
    origins: Origins = {}
    divergent: list[str] = []
    lower: list[str] = []
    if not vs:
        return CombinedViews(facts, origins, (), (), ())
    compared = False
    for path in _paths(vs):
        ranked = _ranked(vs, path)
        _note_extremes(path, ranked, facts, origins)
        if len(ranked) < 2:
            continue
        compared = True
        if _note_divergence(path, ranked, facts, origins):
            divergent.append(path)
        if _note_community_lower(path, ranked, facts, origins):
            lower.append(path)
    _note_any(compared, divergent, lower, facts, origins)
    missing = _note_missing(vs, facts, origins)
    return CombinedViews(facts, origins, tuple(divergent), tuple(lower), missing)


def _ranked(vs: list[GroupView], path: str) -> _Ranked:
    """The groups stating `path` with a position on its scale (mixed ratings have none), in case order."""
    holders = [v for v in vs if path in v.facts]
    return [(s, v) for v in holders if (s := scale(path, v.facts[path])) is not None]


def _note_extremes(path: str, ranked: _Ranked, facts: Facts, origins: Origins) -> None:
    """derived.lowest_group.<path> and derived.highest_group.<path> (when any group has a position)."""
    if not ranked:
        return
    low = min(ranked, key=lambda t: t[0])[1]
    high = max(ranked, key=lambda t: t[0])[1]  # max keeps the first of ties too
    facts[f"derived.lowest_group.{path}"] = low.group
    facts[f"derived.highest_group.{path}"] = high.group
    listed = ", ".join(_say(v, path) for _, v in ranked)
    origins[f"derived.lowest_group.{path}"] = ("perspectives", listed)
    origins[f"derived.highest_group.{path}"] = ("perspectives", listed)


def _note_divergence(path: str, ranked: _Ranked, facts: Facts, origins: Origins) -> bool:
    """derived.divergent.<path> for two or more ranked views; returns whether they diverge."""
    spread = max(s for s, _ in ranked) - min(s for s, _ in ranked)
    key = f"derived.divergent.{path}"
    facts[key] = spread >= gap(path)
    unit = "points" if FACTS[path].kind == "rating" else "steps"
    origins[key] = ("perspectives", f"{', '.join(_say(v, path) for _, v in ranked)}: {spread:g} {unit} apart")
    return bool(facts[key])


def _note_community_lower(path: str, ranked: _Ranked, facts: Facts, origins: Origins) -> bool:
    """derived.community_lower.<path> when both leadership and the community state a judgement (not an
    aim); returns whether the community's most critical view is lower by the threshold."""
    lead = [v for _, v in ranked if v.group == "leadership"]
    comm = [v for _, v in ranked if v.group in COMMUNITY]
    if not (lead and comm and path not in _AMBITION):
        return False
    worst = min(comm, key=lambda v: critical(path, v.facts[path]))
    best_lead = max(lead, key=lambda v: critical(path, v.facts[path]))
    behind = abs(scale(path, worst.facts[path]) - scale(path, best_lead.facts[path]))  # type: ignore[operator]
    is_lower = critical(path, worst.facts[path]) < critical(path, best_lead.facts[path]) and behind >= gap(path)
    facts[f"derived.community_lower.{path}"] = is_lower
    origins[f"derived.community_lower.{path}"] = (
        "perspectives",
        f"{_say(worst, path)} against {_say(best_lead, path)}",
    )
    return is_lower


def _note_any(compared: bool, divergent: list[str], lower: list[str], facts: Facts, origins: Origins) -> None:
    """derived.divergent.any (when groups were compared) and derived.community_lower.any (when any
    community_lower fact was set)."""
    if compared:
        facts["derived.divergent.any"] = bool(divergent)
        origins["derived.divergent.any"] = ("perspectives", "divergent: " + (", ".join(divergent) or "none"))
    if any(k.startswith("derived.community_lower.") for k in facts):
        facts["derived.community_lower.any"] = bool(lower)
        origins["derived.community_lower.any"] = ("perspectives", "lower: " + (", ".join(lower) or "none"))


def _note_missing(vs: list[GroupView], facts: Facts, origins: Origins) -> tuple[str, ...]:
    """derived.missing_group.<group> for every group; returns the groups with no perspective."""
    heard = [v.group for v in vs]
    missing = tuple(g for g in GROUPS if g not in heard)
    for g in GROUPS:
        facts[f"derived.missing_group.{g}"] = g in missing
        origins[f"derived.missing_group.{g}"] = ("perspectives", "views given: " + ", ".join(v.name for v in vs))
    return missing


def perspective_facts(case: Case, wanted: Callable[[str], bool] | None = None) -> tuple[Facts, Origins]:
    """The computed facts of the groups' views that `wanted` accepts (default: all)."""
    c = compare_views(case)
    keep = wanted or (lambda _: True)
    facts = {k: val for k, val in c.facts.items() if keep(k)}
    return facts, {k: o for k, o in c.origins.items() if k in facts}


def summary(case: Case) -> dict[str, Any] | None:
    """The output's `perspectives` object; None when the case has none."""
    vs = views(case)
    if not vs:
        return None
    c = compare_views(case)
    facts, origins = effective_facts(case)
    groups = []
    for v in vs:
        entry: dict[str, Any] = {"group": v.group}
        if v.label:
            entry["label"] = v.label
        entry["facts"] = {p: v.facts[p] for p in FACTS if p in v.facts}
        groups.append(entry)
    combined = [{"path": p, "value": facts[p], "note": origins[p][1]} for p in FACTS if p in origins]
    return {
        "groups": groups,
        "divergent": list(c.divergent),
        "missing_groups": list(c.missing),
        "community_lower": list(c.community_lower),
        "combined": combined,
    }


__all__ = [
    "GroupView",
    "CombinedViews",
    "views",
    "effective_facts",
    "compare_views",
    "perspective_facts",
    "summary",
    "RATING_GAP",
    "SCALE_GAP",
    "critical",
    "scale",
    "Origins",
    "Origin",
]
