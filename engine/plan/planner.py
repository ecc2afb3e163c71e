"""The plan: a result's recommendations placed in three horizons (now, next, later), ranked, with reasons.

A pure function of the recommendations that fired, the rules behind them and the case's facts;
nothing here is in Python that a rule author cannot see: the factors are documented in
docs/plan.md and every placement carries the factors that decided it as data.

Steps: hold back superseded items; fold stand-alone ERIC items into a recommendation that already
carries their strategy; rank by the factors below; place in rank order, respecting `after`,
spectrum pacing, `not_before`, the per-horizon limits and the ERIC-per-barrier limit.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, cast

import msgspec

from engine.model.decisions import Decision, Decisions, NotRecommended, SetAside, Working
from engine.model.facts import Facts, text_value
from engine.model.jsontext import number
from engine.model.placement import (
    HORIZON_IDS,
    AfterReason,
    Also,
    BarrierSeverityReason,
    BreadthReason,
    CapacityReason,
    DueReason,
    EricPerBarrierReason,
    EvidenceReason,
    Factor,
    FirstStepReason,
    HeldBack,
    NotBeforeReason,
    PacingReason,
    Placement,
    Plan,
    PlanOptions,
    PlanReason,
    PriorityReason,
    RelationshipReason,
    SafetyReason,
    StageFitReason,
    Standing,
    StatedProblemReason,
    UrgentReason,
)
from engine.model.results import Recommendation
from engine.model.rules import PRIORITY_RANK, Rule, Source
from engine.model.sharing import NOTHING_SHARED, Shared
from engine.model.traces import barriers_matched, supporting_tests
from engine.model.vocabulary import CATEGORIES, ENGAGEMENT_LEVELS

SPECTRUM: tuple[str, ...] = tuple(ENGAGEMENT_LEVELS)
PACE_UNKNOWN = "inform"
"""The engagement level pacing assumes when the case does not state one (docs/plan.md)."""


def standing(rule_id: str, recs: Sequence[Recommendation], plan: Plan, fired: Sequence[str], derives: bool) -> Standing:
    """Where `rule_id` stands in a plan built from `recs` (the result's recommendations, in plan order)."""
    if rule_id not in fired:
        return Standing(rule_id, "not_fired")
    if derives:
        return Standing(rule_id, "derives")
    for h in plan.held_back:
        if rule_id in h.recommendation.rule_ids:
            return Standing(rule_id, "held_back", by=h.by, reason=h.reason)
    if rule_id in plan.folded:
        host = plan.folded[rule_id]
        place = next((p for r, p in zip(recs, plan.items, strict=True) if r.rule_id == host), None)
        return Standing(
            rule_id,
            "folded",
            place.horizon if place else "",
            place.rank if place else 0,
            host,
            f"folded into {host}, which already carries its ERIC strategy",
        )
    for rec, place in zip(recs, plan.items, strict=True):
        if rule_id in rec.rule_ids:
            return Standing(rule_id, "placed", place.horizon, place.rank)
    return Standing(rule_id, "not_fired")


# ---------------------------------------------------------------- ranking


class _Item(msgspec.Struct):
    rec: Recommendation
    rules: list[Rule]
    also: list[Also] = msgspec.field(default_factory=list)
    key: tuple[Any, ...] = ()
    reasons: list[PlanReason] = msgspec.field(default_factory=list)
    barriers: tuple[str, ...] = ()
    figures: tuple[tuple[str, float], ...] = ()
    """(CFIR construct, figure) of each merged member rule, when they differ (`_figures_of`)."""


def _standalone_eric(rec: Recommendation) -> str | None:
    """The strategy of an ERIC item that is only that strategy (category implementation_strategy, one tag)."""
    tags = rec.tags.get("eric_strategy", ())
    return tags[0] if rec.category == "implementation_strategy" and len(tags) == 1 else None


def _evidence(figure: float, declared: int, literature: bool) -> tuple[int, int | str | None]:
    """Evidence tier (0 best) and the level shown: Level 1 >= 50%, Level 2 20-49%, a published source
    without a figure, or the authors' judgement."""
    if figure >= 50 or declared == 1:
        return 0, 1
    if figure >= 20 or declared == 2:
        return 1, 2
    return (2, "published") if literature else (3, "authors_judgement")


def _severity(barriers: Sequence[str], facts: Facts) -> tuple[int, Any, str]:
    """(order, worst rating, its construct): -2 before -1 before mixed before no barrier."""
    best: tuple[int, Any, str] = (3, None, "")
    for b in barriers:
        value = facts.get(f"cfir.{b}")
        order = 0 if value == -2 else 1 if value == -1 else 2
        if order < best[0]:
            best = (order, value, b)
    return best


class _Static(NamedTuple):
    """What ranking reads from a recommendation alone (computed once per shared Recommendation;
    a tuple: a frozen dataclass costs more to build than the rest of it for a new proof)."""

    urgent: str
    barriers: tuple[str, ...]
    declared: int
    literature: bool
    stages: frozenset[str]
    support: int
    category: int


def _static(rec: Recommendation, rules: list[Rule], shared: Shared) -> _Static:
    """What the item ranks by before the case's own facts. A one-proof recommendation's is kept in
    `shared.ranks` under its proof: proofs are shared across cases, while a recommendation whose text
    names the site is new in each case."""
    if len(rec.explanation) != 1:
        return _build_static(rec, rules, shared)
    proof = rec.explanation[0]
    key = (id(proof), rec.rule_ids, rec.category)
    entry = shared.ranks.get(key)
    if entry is not None and entry[0] is proof and (entry[1] is rec.sources or entry[1] == rec.sources):
        return cast(_Static, entry[2])
    found = _build_static(rec, rules, shared)
    shared.ranks.put(key, (proof, rec.sources, found))
    return found


def _build_static(rec: Recommendation, rules: list[Rule], shared: Shared) -> _Static:
    urgent, declared, literature, stages, category = _rule_statics(rec, rules, shared)
    proofs = rec.explanation
    support = (
        len(supporting_tests(proofs[0], shared))
        if len(proofs) == 1  # one proof's tests are one per fact
        else len({t.fact for p in proofs for t in supporting_tests(p, shared)})
    )
    return _Static(urgent, barriers_matched(proofs, shared), declared, literature, stages, support, category)


_RuleStatics = tuple[str, int, bool, frozenset[str], int]


def _rule_statics(rec: Recommendation, rules: list[Rule], shared: Shared) -> _RuleStatics:
    """What ranking reads from the rules and sources alone, kept in `shared.rule_ranks`: a new proof
    (a case's own fact values) then costs only its barriers and supporting tests."""
    key = (rec.rule_ids, rec.category)
    entry = shared.rule_ranks.get(key)
    if entry is not None and (entry[0] is rec.sources or entry[0] == rec.sources):
        return cast(_RuleStatics, entry[1])
    found = (
        next((r.urgent for r in rules if r.urgent), ""),
        min([r.evidence_level for r in rules if r.evidence_level] or [0]),
        _published(rec.sources),
        frozenset(s for r in rules for s in r.stages),
        CATEGORIES.index(rec.category) if rec.category in CATEGORIES else len(CATEGORIES),
    )
    shared.rule_ranks.put(key, (rec.sources, found))
    return found


def _published(sources: Sequence[Source]) -> bool:
    return any(s.kind != "authors_judgement" for s in sources)


PRECEDENCE_TIERS: tuple[str, ...] = ("safety", "relationship", "urgent", "")
_PRECEDENCE_REASONS: dict[str, PlanReason] = {"safety": SafetyReason(), "relationship": RelationshipReason()}
"""A rule's `precedence` as the reason it gives (the loader admits only these two)."""
_WAITED = (PacingReason, AfterReason)
"""Reasons that hold an item back: such an item is never moved up to Start here."""
_PINNED = (SafetyReason, UrgentReason)
"""Reasons that keep an item in Start here when room is made for the stated problem."""
"""The plan's precedence, first to last (docs/plan.md, 'Precedence'): care and safety after harm, then
relationship work (conflict, low trust, a community or site not yet heard), then time-bound work, then
the rest, in which an item on the site's stated problem comes before barriers by severity and evidence."""


def _rank(item: _Item, facts: Facts, shared: Shared) -> None:
    """The item's sort key and the factors worth telling (docs/plan.md, 'Ranking'). An item ranks on its
    own rules and evidence only: folded items lend it their actions, never their priority or figure."""
    rec = item.rec
    st = _static(rec, item.rules, shared)
    reasons: list[PlanReason] = []
    urgent = st.urgent
    precedence = _precedence(item.rules)
    if precedence:
        reasons.append(_PRECEDENCE_REASONS[precedence])
    if urgent:
        reasons.append(UrgentReason(urgent))
    stated = bool(rec.addresses)
    if stated:
        reasons.append(StatedProblemReason(tuple(rec.addresses)))
    prio = PRIORITY_RANK[rec.priority]
    reasons.append(PriorityReason(("high", "medium", "low")[prio]))
    barriers = st.barriers
    item.barriers = barriers
    sev, worst, worst_id = _severity(barriers, facts)
    if worst is not None:
        reasons.append(BarrierSeverityReason(worst, worst_id))
    figure = rec.score
    tier, level = _evidence(figure, st.declared, st.literature)
    if tier <= 1:
        reasons.append(_evidence_reason(item, figure, level))
    if len(barriers) >= 2:
        reasons.append(BreadthReason(len(barriers)))
    stage = facts.get("stage")
    fit = 1 if not st.stages or stage is None else (0 if stage in st.stages else 2)
    if fit == 0:
        reasons.append(StageFitReason(str(stage)))  # one of the rules' stages: a str
    first = PRECEDENCE_TIERS.index(precedence) if precedence else 2 if urgent else 3
    item.key = (
        first,
        0 if stated else 1,
        prio,
        sev,
        tier,
        -figure,
        -len(barriers),
        fit,
        -st.support,
        st.category,
        rec.rule_id,
    )
    item.reasons = reasons


def _precedence(rules: Sequence[Rule]) -> str:
    """The item's precedence: safety if any of its rules says so, else the first one stated, else ''."""
    return next((r.precedence for r in rules if r.precedence == "safety"), "") or next(
        (r.precedence for r in rules if r.precedence), ""
    )


def _evidence_reason(item: _Item, figure: float, level: int | str | None) -> EvidenceReason:
    """The evidence an item of tier 0 or 1 ranks by: its figure, against the barrier whose figure it is
    when several members' figures were merged into it."""
    figures = item.figures
    whose = max(figures, key=lambda cf: cf[1])[0] if figures else None
    assert isinstance(level, int)  # tier 0 or 1: Level 1 or 2
    return EvidenceReason(level, number(figure) if figure else None, whose)


# ---------------------------------------------------------------- building the plan


def build_plan(
    recs: Sequence[Recommendation],
    rules: Mapping[str, Rule],
    facts: Facts,
    options: PlanOptions | None = None,
    waiting: Mapping[str, str] | None = None,
    decisions: Decisions | None = None,
    shared: Shared = NOTHING_SHARED,
) -> tuple[tuple[Recommendation, ...], Plan]:
    """Recommendations in plan order and their placements; superseded, waiting and folded items taken
    out. `waiting`: protective fact path -> the question that answers it, for the facts the case leaves
    unstated while its own words cue them (the items whose rules wait for one are held back).
    `decisions`: the team's decisions file: set-aside items leave the plan (the rest close up), the
    others' placements carry their decision; decisions no item matches are reported, never dropped."""
    options = options or PlanOptions()
    items = [
        _Item(rec, members, figures=_figures_of(members))
        for rec in recs
        for members in ([rules[i] for i in rec.rule_ids],)
    ]
    decided = decisions.by_key() if decisions else {}
    items, set_aside = _set_aside(items, decided)
    items, waits = _wait(items, waiting or {})
    items, held = _hold_back(items)
    held = sorted([*held, *waits], key=lambda h: h.rule_id)
    for it in items:
        _rank(it, facts, shared)
    items, conflicted = _resolve_conflicts(items)
    held = sorted([*held, *conflicted], key=lambda h: h.rule_id)
    items, folded = _fold(items)
    order, deps = _order(items)
    horizon = _place(order, deps, facts, options)
    placed = _first_step(order, horizon)
    if any(v is True and k.startswith("problem.") for k, v in facts.items()):
        placed = _stated_problem_first(order, horizon, placed, options)
    out_recs = tuple(order[i].rec for i in placed)
    placements = tuple(
        Placement(
            HORIZON_IDS[horizon[i]],
            n,
            tuple(order[i].reasons),
            tuple(order[i].also),
            order[i].key[:-1],
            decided.get(order[i].rec.key),
            order[i].figures,
        )
        for n, i in enumerate(placed, 1)
    )
    working = Working()
    if decisions is not None:
        working = Working(
            tuple(sorted(set_aside, key=lambda x: x.key)),
            _not_recommended(decisions, out_recs, placements, held),
            decisions.path,
            tuple(d.key for d in decisions.items if d.carried_from),
        )
    return out_recs, Plan(placements, tuple(held), folded, working)


def _set_aside(items: list[_Item], decided: Mapping[str, Decision]) -> tuple[list[_Item], list[SetAside]]:
    """The items the team kept, and those it set aside (with its reason): they leave the plan."""
    if not decided:
        return items, []
    kept, aside = [], []
    for it in items:
        d = decided.get(it.rec.key)
        if d is not None and d.decision == "set_aside":
            aside.append(SetAside(it.rec.key, it.rec.title, d.reason, it.rec.rule_id))
        else:
            kept.append(it)
    return kept, aside


def _first_step(order: list[_Item], horizon: list[int]) -> list[int]:
    """Item indexes in plan order (by horizon, then rank). When nothing could start, the first item not
    held back by pacing or `after` is moved up to be the plan's first step (a first_step reason)."""
    placed = sorted(range(len(order)), key=lambda i: (horizon[i], i))
    if not placed or any(h == 0 for h in horizon):
        return placed
    first = next((i for i in placed if not any(isinstance(r, _WAITED) for r in order[i].reasons)), None)
    if first is None:
        return placed
    horizon[first] = 0
    order[first].reasons.append(FirstStepReason())
    return sorted(range(len(order)), key=lambda i: (horizon[i], i))


def _figures_of(rules: Sequence[Rule]) -> tuple[tuple[str, float], ...]:
    """(CFIR construct, figure) of each merged member with a figure, when the members' figures or
    constructs differ: each figure belongs to its own barrier (docs/plan.md, 'One item per strategy')."""
    if len(rules) < 2:
        return ()
    found = tuple(
        dict.fromkeys((r.tags.get("cfir", ("",))[0] if r.tags.get("cfir") else "", r.score) for r in rules if r.score)
    )
    return found if len(found) > 1 else ()


def _not_recommended(
    decisions: Decisions, recs: Sequence[Recommendation], placements: Sequence[Placement], held: Sequence[HeldBack]
) -> tuple[NotRecommended, ...]:
    """Decisions (other than set-aside items of today's plan) whose key no placed item has: where the
    item went instead (held back, folded) or that today's facts no longer recommend it."""
    placed = {r.key for r in recs}
    folded = {a.key: r for r, p in zip(recs, placements, strict=True) for a in p.also}
    held_by_key = {h.recommendation.key: h for h in held}
    out = []
    for d in decisions.items:
        if d.key in placed or (d.decision == "set_aside" and d.key in {h.recommendation.key for h in held}):
            continue
        if d.key in folded:
            why = f"folded into '{folded[d.key].title}', which carries its strategy"
        elif d.key in held_by_key:
            why = held_by_key[d.key].reason
        else:
            why = "not recommended for this case now: the facts that called for it no longer hold"
        out.append(NotRecommended(d, why))
    return tuple(out)


def _stated_problem_first(order: list[_Item], horizon: list[int], placed: list[int], options: PlanOptions) -> list[int]:
    """When the case states its problem, Start here holds at least one item that works on it: the first
    such item not held later by pacing or `after` moves up, and the last movable item of a full Start
    here moves to Next to make room."""
    if any(horizon[i] == 0 and order[i].rec.addresses for i in placed):
        return placed
    pick = next(
        (
            i
            for i in placed
            if order[i].rec.addresses and not any(isinstance(r, (*_WAITED, NotBeforeReason)) for r in order[i].reasons)
        ),
        None,
    )
    if pick is None:
        return placed
    now = [i for i in placed if horizon[i] == 0]
    if len(now) >= options.now:
        out = next((i for i in reversed(now) if not any(isinstance(r, _PINNED) for r in order[i].reasons)), None)
        if out is None:
            return placed
        horizon[out] = 1
        order[out].reasons.append(CapacityReason("now", options.now))
    horizon[pick] = 0
    order[pick].reasons = [r for r in order[pick].reasons if r.factor is not Factor.CAPACITY]
    if not any(r.factor is Factor.STATED_PROBLEM for r in order[pick].reasons):
        order[pick].reasons.append(StatedProblemReason(tuple(order[pick].rec.addresses)))
    return sorted(range(len(order)), key=lambda i: (horizon[i], i))


def _wait(items: list[_Item], waiting: Mapping[str, str]) -> tuple[list[_Item], list[HeldBack]]:
    """Items one of whose rules waits for a protective fact the case leaves unstated but cues."""
    if not waiting:
        return items, []
    keep: list[_Item] = []
    held: list[HeldBack] = []
    for it in items:
        path = next((p for r in it.rules for p in r.waits_for if p in waiting), None)
        if path is None:
            keep.append(it)
        else:
            held.append(HeldBack(it.rec.rule_id, f"cue:{path}", f"waits for an answer: {waiting[path]}", it.rec))
    return keep, held


def _hold_back(items: list[_Item]) -> tuple[list[_Item], list[HeldBack]]:
    """Items every one of whose rules is superseded by a rule of another item in the result."""
    by_rule = {r.id: it for it in items for r in it.rules}
    superseded: dict[str, str] = {}
    for it in items:
        for r in it.rules:
            for target in r.supersedes:
                if target in by_rule and by_rule[target] is not it:
                    superseded.setdefault(target, r.id)
    keep: list[_Item] = []
    held: list[HeldBack] = []
    for it in items:
        if it.rules and it.rules[0].id in superseded and all(r.id in superseded for r in it.rules):
            by = superseded[it.rules[0].id]
            by_item = by_rule[by]
            held.append(
                HeldBack(it.rec.rule_id, by, f"held back while '{by_item.rec.title}' ({by}) is in the plan", it.rec)
            )
        else:
            keep.append(it)
    return keep, sorted(held, key=lambda h: h.rule_id)


def _resolve_conflicts(items: list[_Item]) -> tuple[list[_Item], list[HeldBack]]:
    """Of two items whose rules declare `conflicts_with` (either way), the better-ranked stays and the
    other is held back: a plan never gives both pieces of contrary advice."""
    if not any(r.conflicts_with for it in items for r in it.rules):
        return items, []
    keep: list[_Item] = []
    held: list[HeldBack] = []
    for it in sorted(items, key=lambda x: x.key):
        mine = {r.id for r in it.rules}
        against = {c for r in it.rules for c in r.conflicts_with}
        winner = next(
            (
                k
                for k in keep
                if against & {r.id for r in k.rules} or mine & {c for r in k.rules for c in r.conflicts_with}
            ),
            None,
        )
        if winner is None:
            keep.append(it)
        else:
            held.append(
                HeldBack(
                    it.rec.rule_id,
                    winner.rec.rule_id,
                    f"held back: '{winner.rec.title}' ({winner.rec.rule_id}) gives contrary advice and ranks higher",
                    it.rec,
                )
            )
    return keep, held


def _fold(items: list[_Item]) -> tuple[list[_Item], dict[str, str]]:
    """Fold each stand-alone ERIC item into the best-ranked other item carrying its strategy: an item
    that is not stand-alone, or a stand-alone one of the same strategy that ranks above it (a site item
    written for the stated problem hosts the generic strategy-matching item of that strategy)."""
    items = sorted(items, key=lambda it: it.key)
    strategies = [_standalone_eric(it.rec) for it in items]
    first_host: dict[str, _Item] = {}  # strategy -> the best-ranked item that is not stand-alone and carries it
    for it, strategy in zip(items, strategies, strict=True):
        if strategy is None:
            for tag in it.rec.tags.get("eric_strategy", ()):
                first_host.setdefault(tag, it)
    first_alone: dict[str, _Item] = {}  # strategy -> the best-ranked stand-alone item of it that stays
    folded: dict[str, str] = {}
    keep: list[_Item] = []
    for it, strategy in zip(items, strategies, strict=True):
        host = (first_host.get(strategy) or first_alone.get(strategy)) if strategy else None
        if host is None:
            keep.append(it)
            if strategy:
                first_alone[strategy] = it
            continue
        rec = it.rec
        host.also.append(
            Also(
                rec.rule_ids,
                strategy or "",
                rec.title,
                rec.priority,
                rec.score,
                min([r.evidence_level for r in it.rules if r.evidence_level] or [0]),
                it.barriers,  # set by _rank: barriers_matched(rec.explanation)
                rec.explanation,
                rec.key,
                rec.actions,
                _figures_of(it.rules),
            )
        )
        for rid in rec.rule_ids:
            folded[rid] = host.rec.rule_id
    return keep, folded


def _order(items: list[_Item]) -> tuple[list[_Item], dict[int, list[int]]]:
    """Items in rank order, each after the items it follows (`after`); an edge that would close a
    cycle is dropped (lint reports cycles)."""
    items = sorted(items, key=lambda it: it.key)
    deps = _after_edges(items)
    if not any(deps.values()):  # the common case: rank order is the order
        return items, {i: [] for i in deps}
    seq = _topological(deps)
    pos = {old: new for new, old in enumerate(seq)}
    return [items[i] for i in seq], {pos[i]: sorted([pos[j] for j in deps[i]]) if deps[i] else [] for i in seq}


def _after_edges(items: list[_Item]) -> dict[int, set[int]]:
    """Item index -> the indexes of the items it follows (its rules' `after`: rule ids or tag references)."""
    by_rule = {r.id: i for i, it in enumerate(items) for r in it.rules}
    deps: dict[int, set[int]] = {i: set() for i in range(len(items))}
    for i, it in enumerate(items):
        for r in it.rules:
            for ref in r.after:
                if ":" in ref:
                    key, _, tag = ref.partition(":")
                    targets = [j for j, other in enumerate(items) if tag in other.rec.tags.get(key, ())]
                else:
                    targets = [by_rule[ref]] if ref in by_rule else []
                for j in targets:
                    if j != i and not _reaches(deps, j, i):
                        deps[i].add(j)
    return deps


def _topological(deps: dict[int, set[int]]) -> list[int]:
    """Kahn's algorithm, taking the best-ranked item (lowest index) whose predecessors are placed."""
    waiting = {i: len(d) for i, d in deps.items()}
    followers: dict[int, list[int]] = {i: [] for i in deps}
    for i, d in deps.items():
        for j in d:
            followers[j].append(i)
    ready = [i for i, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    seq: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        seq.append(i)
        for f in followers[i]:
            waiting[f] -= 1
            if waiting[f] == 0:
                heapq.heappush(ready, f)
    return seq


def _reaches(deps: dict[int, set[int]], start: int, goal: int) -> bool:
    todo, seen = [start], set()
    while todo:
        n = todo.pop()
        if n == goal:
            return True
        if n not in seen:
            seen.add(n)
            todo.extend(deps[n])
    return False


def _place(order: list[_Item], deps: dict[int, list[int]], facts: Facts, options: PlanOptions) -> list[int]:
    """Each item's horizon index, in order: the earliest its constraints allow that has room."""
    limits = (options.now, options.next)
    count = [0, 0]
    per_barrier: dict[str, int] = {}
    level = text_value(facts, "engagement.level")
    horizon: list[int] = []
    for i, it in enumerate(order):
        earliest, why = _earliest(it, [(order[j], horizon[j]) for j in deps[i]], level)
        h = earliest
        eric = it.rec.category == "implementation_strategy" and it.barriers
        if eric and h < 2 and all(per_barrier.get(b, 0) >= options.eric_per_barrier for b in it.barriers):
            h = 2
            why.append(EricPerBarrierReason(it.barriers[0], options.eric_per_barrier))
        h, more = _with_room(h, earliest, _due(it), count, limits)
        why.extend(more)
        if h < 2:
            count[h] += 1
            if eric:
                for b in it.barriers:
                    per_barrier[b] = per_barrier.get(b, 0) + 1
        it.reasons.extend(why)
        horizon.append(h)
    return horizon


def _earliest(it: _Item, before: list[tuple[_Item, int]], level: str | None) -> tuple[int, list[PlanReason]]:
    """The earliest horizon an item may take, and why: its rules' `not_before`, Spectrum pacing (two or
    more steps past the case's engagement `level`), and the items it follows (`before`, each with its
    horizon), one horizon after theirs."""
    earliest = 0
    why: list[PlanReason] = []
    for r in it.rules:
        if r.not_before and HORIZON_IDS.index(r.not_before) > earliest:
            earliest = HORIZON_IDS.index(r.not_before)
            why = [NotBeforeReason(r.not_before)]
    current = SPECTRUM.index(level if level in SPECTRUM else PACE_UNKNOWN)
    spectrum = [SPECTRUM.index(x) for x in it.rec.tags.get("spectrum_level", ()) if x in SPECTRUM]
    if spectrum and min(spectrum) - current >= 2:
        earliest = max(earliest, 1 if min(spectrum) - current == 2 else 2)
        why.append(PacingReason(SPECTRUM[min(spectrum)], level if level in SPECTRUM else None))
    for other, where in before:
        earliest = max(earliest, min(where + 1, 2))
        why.append(AfterReason(other.rec.rule_id, HORIZON_IDS[where]))
    return earliest, why


def _due(it: _Item) -> int:
    """The latest horizon an item's rules allow (`due`; 2, Later, when none says)."""
    due = 2
    for r in it.rules:
        if r.due:
            due = min(due, HORIZON_IDS.index(r.due))
    return due


def _with_room(
    h: int, earliest: int, due: int, count: list[int], limits: tuple[int, int]
) -> tuple[int, list[PlanReason]]:
    """The first horizon from `h` with room (Later always has room; an item due in Next stays there though
    it is full), and the reasons that says: kept though full (`due`), moved on because full (`capacity`)."""
    full: CapacityReason | None = None
    while h < 2 and count[h] >= limits[h] and not (h == 1 and due == 1 and h >= earliest):
        full = CapacityReason(HORIZON_IDS[h], limits[h])
        h += 1
    why: list[PlanReason] = []
    if due == 1 and h == 1 and count[1] >= limits[1]:
        why.append(DueReason("next"))
    if full:
        why.append(full)
    return h, why
