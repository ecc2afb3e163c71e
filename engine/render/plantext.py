"""The plan in words: one-line reasons, 'why for this site', 'by when', and what a view shows.

Shared by the table, Markdown and HTML printers; works from the result's data only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, assert_never

import msgspec

from engine.model.conditions import fmt_value
from engine.model.placement import (
    AfterReason,
    BarrierSeverityReason,
    BreadthReason,
    CapacityReason,
    DueReason,
    EricPerBarrierReason,
    EvidenceReason,
    FirstStepReason,
    NotBeforeReason,
    PacingReason,
    PlaceReason,
    PlanReason,
    PriorityReason,
    RankReason,
    RelationshipReason,
    SafetyReason,
    StageFitReason,
    StatedProblemReason,
    UrgentReason,
)
from engine.model.traces import barriers_matched
from engine.model.vocabulary import (
    CAPACITY_TYPES,
    CFIR_IDS,
    ENGAGEMENT_LEVELS,
    EQUITY_ELEMENTS,
    HORIZONS,
    ISP_COMPETENCIES,
)

if TYPE_CHECKING:  # annotations only: `isp-advisor --help` imports this module for the format list
    from engine.model.case import Case
    from engine.model.placement import HeldBack, Placement
    from engine.model.results import Recommendation, Result
    from engine.model.rules import Source

HORIZON_TITLES: dict[str, str] = HORIZONS


class View(msgspec.Struct, frozen=True):
    """What a printer shows: which items (filters) and how (layout, proofs, width)."""

    explain: bool = False
    categories: tuple[str, ...] = ()
    horizons: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    top: int | None = None
    by: str = "plan"
    """'plan' (Start here, Next, Later, then the detail by category) or 'category' (only the detail)."""
    width: int = 100
    appendix: bool = True
    """HTML: include the full catalogue (actions, rationale, tags, proofs) as a collapsible appendix."""
    assessed_on: str | None = None
    """The assessment date to show when the case has no `assessed_on` (never today's date implicitly)."""
    color: bool = False
    """Table: colour priorities and horizons (only on a terminal, never with NO_COLOR)."""


def shown(result: Result, view: View) -> list[tuple[Recommendation, Placement]]:
    """The placed recommendations a view shows, in plan order."""
    out = [
        (r, p)
        for r, p in result.placed()
        if (not view.categories or r.category in view.categories)
        and (not view.horizons or p.horizon in view.horizons)
        and (not view.priorities or r.priority in view.priorities)
    ]
    return out[: view.top] if view.top is not None else out


def reason_text(r: PlanReason, refs: Mapping[str, str] | None = None) -> str:
    """One reason in words. Exhaustive over the factor classes (mypy checks it through `assert_never`); an
    object that is none of them fails loudly here rather than vanishing from the line."""
    match r:
        case (
            SafetyReason()
            | RelationshipReason()
            | UrgentReason()
            | StatedProblemReason()
            | PriorityReason()
            | BarrierSeverityReason()
            | EvidenceReason()
            | BreadthReason()
            | StageFitReason()
        ):
            return _rank_text(r)
        case _:
            return _place_text(r, refs)


def _rank_text(r: RankReason) -> str:
    """A reason from the item's rank in words (see reason_text)."""
    match r:
        case StatedProblemReason(value=tags):
            return "works on the stated problem (" + ", ".join(str(t).replace("_", " ") for t in tags) + ")"
        case SafetyReason():
            return "people's safety and wellbeing first"
        case RelationshipReason():
            return "relationships first"
        case UrgentReason(value=value):
            return "time-bound" + ("" if value == "time-bound" else f" ({value})")
        case PriorityReason(value=value):
            return f"{value} priority"
        case BarrierSeverityReason(value=value, cfir=cfir):
            return f"barrier {fmt_value(value)} ({CFIR_IDS.get(cfir, cfir)})"
        case EvidenceReason(level=level, value=value, cfir=cfir):
            if value is not None:
                where = f" for {CFIR_IDS.get(cfir, cfir)}" if cfir else ""
                return f"endorsed by {value}% of experts{where} (CFIR-ERIC Level {level})"
            return f"CFIR-ERIC Level {level}"
        case BreadthReason(value=value):
            return f"addresses {value} barriers"
        case StageFitReason(value=value):
            return f"suits {str(value).replace('_', ' ')}"
        case _:
            assert_never(r)


def _place_text(r: PlaceReason, refs: Mapping[str, str] | None) -> str:
    """A reason from the plan's placement in words (see reason_text)."""
    match r:
        case AfterReason(rule=rule):
            if refs is None:
                return f"after {rule}"
            return f"after {refs.get(rule, 'an earlier item')}"
        case PacingReason(spectrum_level=spectrum, engagement_level=engagement):
            stated = engagement or "not stated"
            return f"paced: works at {spectrum.replace('_', ' ')}, engagement is {stated.replace('_', ' ')}"
        case DueReason(value=value):
            return f"due by {value} (kept there though it is full)"
        case NotBeforeReason(value=value):
            return f"not before {value}"
        case EricPerBarrierReason(cfir=cfir, limit=limit):
            return f"{limit} ERIC items already address {CFIR_IDS.get(cfir, cfir)}"
        case CapacityReason(horizon=horizon, limit=limit):
            where = {"now": "Start here", "next": "Next"}.get(horizon, horizon)
            return f"{where} is full ({limit} items)"
        case FirstStepReason():
            return "the first step"
        case _:
            assert_never(r)


def reasons_line(place: Placement, refs: Mapping[str, str] | None = None) -> str:
    """'first because: time-bound (...), high priority, barrier -2 (...)' for now items; 'here because: ...'
    for the others, leading with what moved them. With `refs` (`plan_refs`) an item that waits for another
    says 'after item 2' instead of naming the other's rule id."""
    texts = [reason_text(r, refs) for r in place.reasons]
    lead = "first because" if place.horizon == "now" else "here because"
    return f"{lead}: " + ", ".join(texts)


def plan_refs(result: Result) -> dict[str, str]:
    """Rule id -> 'item N', its place in the plan, for every rule behind a placed item (merged rules and
    folded strategies name the item that carries them): the plain-language way to point at another item."""
    out: dict[str, str] = {}
    for rec, place in result.placed():
        for rule_id in (*rec.rule_ids, *(r for a in place.also for r in a.rule_ids)):
            out.setdefault(rule_id, f"item {place.rank}")
    return out


def rule_ref(rec: Recommendation) -> str:
    """The item's rule id, and how many more rules merged into it: 'SM-x-2 (+1 merged)' (for --explain)."""
    more = len(rec.rule_ids) - 1
    return rec.rule_id + (f" (+{more} merged)" if more else "")


def held_line(held: HeldBack, refs: Mapping[str, str] | None = None) -> str:
    """A held-back item as 'rule id: reason' (refs None, for --explain) or in words, 'title: reason', where
    the rule an item waits for is named by its place in the plan ('(item 27)') instead of its id."""
    if refs is None:
        return f"{held.rule_id}: {held.reason}"
    if held.by.startswith("cue:"):  # the question itself is listed once, under 'Not stated'
        return f"{held.recommendation.title}: waits for an answer to a question the case raises (below)"
    reason = held.reason
    for rule_id in sorted({held.by, *refs}, key=len, reverse=True):
        if rule_id and f" ({rule_id})" in reason:
            reason = reason.replace(f" ({rule_id})", f" ({refs[rule_id]})" if rule_id in refs else "")
    return f"{held.recommendation.title}: {reason}"


def also_line(place: Placement) -> list[str]:
    """'also the ERIC strategy X: 71% of experts for Innovation Complexity' for each folded strategy; a
    folded item that merges several figures gives each against its own barrier."""
    out = []
    for a in place.also:
        name = a.title.removeprefix("ERIC strategy: ")
        if a.figures:
            parts = [
                f"{f:g}% of experts (Level {1 if f >= 50 else 2}) for {CFIR_IDS.get(c, c) or 'this site'}"
                for c, f in a.figures
            ]
            out.append(f"also the ERIC strategy {name}: " + "; ".join(parts))
            continue
        where = ", ".join(CFIR_IDS.get(b, b) for b in a.barriers) or "this site"
        if a.score:
            figure = f"{a.score:g}% of experts (Level {1 if a.score >= 50 else 2})"
        elif a.evidence_level:
            figure = f">= 20% of experts (Level {a.evidence_level})"
        else:
            figure = "the authors' judgement"
        out.append(f"also the ERIC strategy {name}: {figure} for {where}")
    return out


def decision_line(place: Placement) -> str | None:
    """'Accepted · owner Dr. Elena Ortiz · due 1 April 2026 · under way · note: ...' (None when undecided)."""
    from engine.model.dates import long_date
    from engine.model.decisions import STATUSES

    d = place.decision
    if d is None:
        return None
    parts = []
    if d.decision:
        parts.append("accepted" if d.decision == "accepted" else "set aside")
    if d.owner:
        parts.append(f"owner {d.owner}")
    if d.due:
        parts.append(f"due {long_date(d.due)}")
    if d.status:
        parts.append(STATUSES.get(d.status, d.status))
    if d.note:
        parts.append(f"note: {d.note}")
    if d.carried_from:
        parts.append(f"carried from {d.carried_from}")
    if not parts:
        return None
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def working_lines(result: Result) -> list[tuple[str, str]]:
    """The decisions outside the plan: ('Set aside', 'title (key): reason') and ('No longer recommended',
    'key: why') pairs, in that order."""
    if result.plan is None:
        return []
    w = result.plan.working
    out = [("Set aside", f"{s.title} ({s.key}): {s.reason}") for s in w.set_aside]
    out += [("No longer recommended", f"{n.decision.key}: {n.why}") for n in w.not_recommended]
    return out


def working_groups(result: Result) -> list[tuple[str, list[str]]]:
    """`working_lines` grouped under their headings, in order: [('Set aside', [...]), ...]."""
    groups: dict[str, list[str]] = {}
    for title, line in working_lines(result):
        groups.setdefault(title, []).append(line)
    return list(groups.items())


def lent_actions(place: Placement) -> list[str]:
    """The actions folded strategies lend their host: 'For <strategy>: <action>' each, in fold order."""
    return [f"For {a.title.removeprefix('ERIC strategy: ')}: {act}" for a in place.also for act in a.actions]


def first_action(rec: Recommendation) -> str:
    return rec.actions[0] if rec.actions else rec.title


# ---------------------------------------------------------------- shared by the reports (HTML, Markdown)

TAG_KINDS: dict[str, str] = {
    "isp_competency": "ISP competency",
    "equity_element": "Equity element",
    "eric_strategy": "ERIC strategy",
    "cfir": "CFIR",
    "facilitation_mode": "Facilitation",
    "capacity_type": "Capacity",
    "participation_value": "Participation",
    "implementation_outcome": "Outcome",
    "spectrum_level": "Engagement",
}
"""Human names of the tag kinds (engine/model/vocabulary.py TAG_VOCABULARIES)."""


def eric_names(result: Result) -> dict[str, str]:
    """ERIC strategy id -> its name, read from the result's own 'ERIC strategy: X' titles (the vocabulary
    holds ids only)."""
    out: dict[str, str] = {}
    for rec, place in result.placed():
        tags = rec.tags.get("eric_strategy", ())
        if rec.category == "implementation_strategy" and len(tags) == 1 and rec.title.startswith(ERIC_PREFIX):
            out.setdefault(tags[0], rec.title.removeprefix(ERIC_PREFIX))
        for a in place.also:
            if a.title.startswith(ERIC_PREFIX):
                out.setdefault(a.eric_strategy, a.title.removeprefix(ERIC_PREFIX))
    return out


ERIC_PREFIX = "ERIC strategy: "


def _readable(ident: str) -> str:
    text = ident.replace("_", " ")
    return text[:1].upper() + text[1:]


def tag_label(kind: str, value: str, eric: Mapping[str, str] | None = None) -> str:
    """A tag as people say it: 'Co-design', 'Build trusting relationships', 'Innovation Complexity'."""
    if kind == "isp_competency":
        return ISP_COMPETENCIES.get(value, _readable(value))
    if kind == "equity_element":
        return EQUITY_ELEMENTS.get(value, _readable(value))
    if kind == "cfir":
        return CFIR_IDS.get(value, _readable(value))
    if kind == "eric_strategy":
        return (eric or {}).get(value) or _readable(value)
    if kind == "capacity_type":
        return CAPACITY_TYPES.get(value, _readable(value))
    if kind == "facilitation_mode":
        return f"{_readable(value)} facilitation"
    if kind == "spectrum_level":
        stance = ENGAGEMENT_LEVELS.get(value)
        return f"{_readable(value)}" + (f" ({stance})" if stance else "")
    return _readable(value)


class Evidence(msgspec.Struct, frozen=True):
    """One ERIC endorsement figure: the share of experts who chose the strategy for a barrier."""

    strategy: str
    percent: float | None
    """None when the source gives only the level (the CFIR-ERIC tool's lists without figures)."""
    level: int | None
    barriers: tuple[str, ...]

    @property
    def text(self) -> str:
        if self.percent:
            return f"{self.percent:g}% of experts (Level {self.level})"
        if self.level:
            return "≥ 20% of experts (Level 1 or 2)"
        return "the authors' judgement"


def _level(score: float, declared: int | None) -> int | None:
    if score >= 50 or declared == 1:
        return 1
    if score >= 20 or declared == 2:
        return 2
    return None


def evidence(rec: Recommendation, place: Placement, eric: Mapping[str, str] | None = None) -> list[Evidence]:
    """The ERIC figures behind an item: its own (a stand-alone ERIC item) and those of folded strategies."""
    out = _own_evidence(rec, place, eric)
    for a in place.also:
        name = a.title.removeprefix(ERIC_PREFIX)
        if a.figures:
            out += [Evidence(name, f, _level(f, None), (c,) if c else ()) for c, f in a.figures]
        elif a.score or a.evidence_level:
            out.append(Evidence(name, a.score or None, _level(a.score, a.evidence_level or None), a.barriers))
    return out


def _own_evidence(rec: Recommendation, place: Placement, eric: Mapping[str, str] | None) -> list[Evidence]:
    """A stand-alone ERIC item's own figures: one per barrier when it carries several, else its score or
    declared level; nothing for any other item."""
    tags = rec.tags.get("eric_strategy", ())
    if rec.category != "implementation_strategy" or len(tags) != 1:
        return []
    name = tag_label("eric_strategy", tags[0], eric)
    if place.figures:
        return [Evidence(name, f, _level(f, None), (c,) if c else ()) for c, f in place.figures]
    declared = next((r.level for r in place.reasons if isinstance(r, EvidenceReason)), None)
    if rec.score or declared:
        return [Evidence(name, rec.score or None, _level(rec.score, declared), tuple(rec.tags.get("cfir", ())))]
    return []


def item_barriers(rec: Recommendation, place: Placement) -> tuple[str, ...]:
    """The case's CFIR barriers an item addresses: matched by its proofs or by a folded strategy's."""
    return tuple(dict.fromkeys(barriers_matched(rec.explanation) + tuple(b for a in place.also for b in a.barriers)))


def report_date(case: Case, given: str | None) -> str | None:
    """The assessment date shown: the case's `assessed_on`, else the date given on the command line.
    Never today's date: the same inputs give the same bytes."""
    stated = getattr(case, "assessed_on", None)
    return str(stated) if stated else given


def engagement_step(case: Case) -> str | None:
    """'consult → involve (the next step) → collaborate (wanted)', or None when the level is not stated."""
    en = case.engagement
    if en is None or en.level is None:
        return None
    levels = list(ENGAGEMENT_LEVELS)
    now = levels.index(en.level)
    parts = [f"{en.level.replace('_', ' ')} now"]
    target = levels.index(en.target) if en.target else None
    if now + 1 < len(levels) and (target is None or target > now):
        parts.append(f"{levels[now + 1].replace('_', ' ')} next")
    if target is not None and target > now + 1:
        parts.append(f"{en.target.replace('_', ' ') if en.target else ''} wanted")
    elif target is not None and target <= now:
        parts.append(f"wanted: {en.target.replace('_', ' ') if en.target else ''} (reached)")
    return " → ".join(parts)


def references(items: Sequence[tuple[Recommendation, Placement]]) -> dict[str, tuple[int, Source]]:
    """Every source cited by the items shown, numbered once in order of first citation: {key: (n, source)}."""
    out: dict[str, tuple[int, Source]] = {}
    for rec, _ in items:
        for s in rec.sources:
            if s.key not in out:
                out[s.key] = (len(out) + 1, s)
    return out
