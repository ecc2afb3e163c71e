"""Assessments of one site over time: what changed, and what became of each recommendation.

`isp-advisor compare OLD NEW [NEWER ...]` gives the cases in any order: they are put in order of
`assessed_on` when every one states it (ties keep the argument order), else in argument order.
Each assessment is evaluated with the one before it as `previous`, so the change rules
(rules/perspectives.yaml) see `change.*` facts just as `recommend NEW --previous OLD` does.

Items are matched across assessments by their `key` (`<category>:<key>`, the item's identity: several
rule variants share one, e.g. TS-INTENSIVE-EARLY and TS-INTENSIVE-LAUNCH), by rule id only when an item
has no key. Each item of the earlier plan ends up in exactly one list:

- `kept`: its key is in the later plan, at the same horizon (the rule behind it may have changed:
  `old_rule_id` -> `rule_id`); `moved`: the same, at another horizon;
- `folded`: the later plan carries it inside another item (that item's `also`, matched by key or rule id);
- `held_back`: it fired but waits behind another item in the later plan (`plan.held_back`), with the reason;
- `continued`: relationship or conflict work (RELATIONSHIP_WORK) the later plan no longer lists while
  relationships worsened (RELATIONSHIP_FACTS, CONFLICT_TAGS, critical incidents): never retired then;
- `retired`: the rest, each with `because`: the facts it rested on that changed.

Items of the later plan not in the earlier one are `new`, or `unfolded` when the earlier plan carried
them inside another item.

The team's decisions (docs/decisions.md, "Across assessments"): with `decisions`, each assessment's
decisions file (`<stem>.plan.yaml` beside its case) is read. Each later assessment is evaluated with the
accepted items of the one before carried forward (`carried_from`), unless its own file mentions the key;
set-aside items stay in the compared plans, so the lists above compare what the rules advise and a
decision never makes an item look retired or new. `progress` (per step and overall) says where the
earlier assessment's decisions stand at the later one: done, under way, not started, overdue (due before
the later assessed_on, or `date`), set aside, and what became of each accepted item (`accepted_fate`:
still recommended, folded, held back, kept going, set aside by the later file, or no longer recommended
with `because`, the facts that changed). Rows of the later plan carry `team`: its decision on the item.

The JSON contract (grows additively): `{"case_id", "assessments": [dates or labels], "stage": {"from",
"to", "direction"}, "relationships": [{"path", "label", "from", "to", "direction"}], "changes": [{"path",
"from", "to", "direction"}], "recommendations": {"retired", "new", "moved", "kept", "folded", "held_back",
"continued", "unfolded"}, "progress": {...} | null}`, all from the first assessment to the last; `steps` holds
the same per pair of consecutive assessments, `series` each rated fact's values in order, and `debrief` the
questions for the improvement-cycle debrief (stage and relationships first, the team's overdue items and
accepted items no longer recommended last). The rows and the whole are typed, frozen msgspec structs
(engine/model/comparereport.py); `Comparison.report()` gives them to the renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from msgspec import UNSET, UnsetType
from msgspec.structs import replace as with_fields

from engine.errors import CaseError, Problem
from engine.evaluation.runner import Engine
from engine.model.case import Case
from engine.model.changes import FactChange, direction, fact_changes, resolved
from engine.model.comparereport import (
    AcceptedFate,
    BasisChange,
    ComparisonReport,
    ContinuedRow,
    DecisionCounts,
    DecisionEntry,
    DecisionProgress,
    FoldedRow,
    HeldBackRow,
    KeptRow,
    MovedRow,
    NewRow,
    RecommendationChanges,
    RelationshipChange,
    RetiredRow,
    SetAsideEntry,
    StageChange,
    StageDirection,
    Status,
    StepReport,
    TeamDecision,
    UnfoldedRow,
)
from engine.model.conditions import fmt_value
from engine.model.decisions import Decision, Decisions, carry_forward
from engine.model.facts import FACTS, Facts, FactValue, Scalar, one_value, stage_value
from engine.model.perspectives import effective_facts
from engine.model.placement import PlanOptions
from engine.model.results import Result
from engine.model.sitefacts import long_date
from engine.model.vocabulary import ENGAGEMENT_LEVELS, LEVELS, STAGES, Horizon

if TYPE_CHECKING:
    from engine.model.placement import Also, HeldBack
    from engine.model.results import Recommendation
    from engine.model.traces import Proof, Trace


# ---------------------------------------------------------------- relationships: declared data

RELATIONSHIP_FACTS: tuple[str, ...] = (
    "relationships.trust",
    "power.differential",
    "power.decision_making",
    "engagement.level",
    "cfir.outer_setting.critical_incidents",
)
"""Ordered facts reported first, as relationship changes (trust, power, engagement, critical incidents)."""

CONFLICT_TAGS: tuple[str, ...] = ("conflict_between_groups", "distrust_of_institutions")
"""Problem tags (case `problem.tags`) that state conflict or distrust: newly stated is a worsening."""

INCIDENT_EVENT = "critical_incident"
"""The event kind (case `events`) whose new entries are a worsening of relationships."""

RELATIONSHIP_WORK: frozenset[str] = frozenset(
    {
        "equity:build-trust",
        "equity:trust-worsened",
        "equity:distrust-of-institutions",
        "equity:community-view",
        "facilitation:conflict-at-core",
        "facilitation:conflict-between-groups",
        "facilitation:incident-divergent",
        "facilitation:divergent-views",
        "facilitation:mutual-understanding",
        "tailored_support:relationships-unknown",
    }
)
"""Item keys of relationship and conflict work (trust, conflict, division, divergent views): while
relationships worsen, an earlier item with one of these keys is `continued`, never `retired`."""


@dataclass(frozen=True)
class Assessment:
    source: str
    case: Case
    label: str
    result: Result
    facts: Facts | None = None
    """What the rules saw (Engine.case_facts): read to say why an item was retired."""
    own: Decisions | None = None
    """Its own decisions file (`<stem>.plan.yaml` beside the case), when there is one."""
    decisions: Decisions | None = None
    """The decisions it was evaluated with: its own, and the accepted items of the assessments before it
    that its own file does not mention (`carried_from` names the assessment whose file holds them)."""


@dataclass(frozen=True)
class AssessmentStep:
    """From one assessment to the next (or the first to the last)."""

    old: str
    new: str
    changes: tuple[FactChange, ...]
    retired: tuple[RetiredRow, ...]
    added: tuple[NewRow, ...]
    moved: tuple[MovedRow, ...]
    kept: tuple[KeptRow, ...] = ()
    folded: tuple[FoldedRow, ...] = ()
    held_back: tuple[HeldBackRow, ...] = ()
    continued: tuple[ContinuedRow, ...] = ()
    unfolded: tuple[UnfoldedRow, ...] = ()
    stage: StageChange = StageChange(old=None, new=None, direction="unstated")
    relationships: tuple[RelationshipChange, ...] = ()
    progress: DecisionProgress | None = None
    """The team's decisions up to the earlier assessment and what became of them (None without a
    decisions file): see `progress`."""

    def recommendations(self) -> RecommendationChanges:
        """What became of each item, as the JSON's `recommendations` object (`added` is its `new`)."""
        return RecommendationChanges(
            retired=self.retired,
            new=self.added,
            moved=self.moved,
            kept=self.kept,
            folded=self.folded,
            held_back=self.held_back,
            continued=self.continued,
            unfolded=self.unfolded,
        )

    def report(self) -> StepReport:
        """The step as the JSON's `steps` entries give it."""
        return StepReport(
            old=self.old,
            new=self.new,
            stage=self.stage,
            relationships=self.relationships,
            changes=self.changes,
            recommendations=self.recommendations(),
            progress=self.progress,
        )


@dataclass(frozen=True)
class Comparison:
    case_id: str
    assessments: tuple[Assessment, ...]
    overall: AssessmentStep
    steps: tuple[AssessmentStep, ...]
    series: dict[str, tuple[Scalar, ...]]
    debrief: tuple[str, ...]

    def report(self) -> ComparisonReport:
        """The comparison as `isp-advisor compare --format json` writes it (the renderers read this)."""
        return ComparisonReport(
            case_id=self.case_id,
            assessments=tuple(a.label for a in self.assessments),
            sources=tuple(a.source for a in self.assessments),
            stage=self.overall.stage,
            relationships=self.overall.relationships,
            changes=self.overall.changes,
            recommendations=self.overall.recommendations(),
            steps=tuple(s.report() for s in self.steps),
            series=self.series,
            labels={p: FACTS[p].label for p in _paths_of(self)},
            debrief=self.debrief,
            progress=self.overall.progress,
        )

    def to_dict(self) -> dict[str, object]:
        """`report()` as fresh JSON-ready data."""
        return self.report().to_dict()


def _paths_of(c: Comparison) -> list[str]:
    seen = {ch.path for s in (c.overall, *c.steps) for ch in s.changes} | set(c.series)
    seen |= {r.path for s in (c.overall, *c.steps) for r in s.relationships}
    return [p for p in FACTS if p in seen]


def order(cases: Sequence[tuple[str, Case]]) -> list[tuple[str, Case]]:
    """By assessed_on when every case states it (stable), else as given; one case_id only."""
    if len(cases) < 2:
        raise CaseError(
            Problem(
                field="CASES",
                code="too_few",
                message="compare needs two or more assessments",
                hint="give the earlier and the later case file of the same site",
            )
        )
    first_id = cases[0][1].case_id
    wrong = [(src, c) for src, c in cases if c.case_id != first_id]
    if wrong:
        src, c = wrong[0]
        raise CaseError(
            Problem(
                file=src,
                field="case_id",
                code="other_site",
                message=f"case_id '{c.case_id}' is not '{first_id}' of {cases[0][0]}",
                hint="compare assessments of one site: give them the same case_id",
            )
        )
    import os

    seen: dict[str, str] = {}
    for src, _ in cases:
        real = os.path.realpath(src) if os.path.exists(src) else src
        if real in seen:
            raise CaseError(
                Problem(
                    file=src,
                    field="CASES",
                    code="same_file",
                    message="this file is given twice",
                    hint="compare an earlier and a later assessment: two different case files",
                )
            )
        seen[real] = src
    dated: dict[str, str] = {}
    for src, c in cases:
        if c.assessed_on and c.assessed_on in dated:
            raise CaseError(
                Problem(
                    file=src,
                    field="assessed_on",
                    code="same_date",
                    message=f"{dated[c.assessed_on]} is dated {c.assessed_on} too: two assessments "
                    "of one site on one day cannot be put in order",
                    hint="give each assessment its own assessed_on (several views of one day go "
                    "in one case, as perspectives)",
                )
            )
        if c.assessed_on:
            dated[c.assessed_on] = src
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


# ---------------------------------------------------------------- stage and relationships


def stage_change(old: Facts, new: Facts) -> StageChange:
    """The stage's way: forward | back | unchanged | new | gone | unstated (never left out)."""
    a, b = stage_value(old), stage_value(new)
    way: StageDirection
    if a is None and b is None:
        way = "unstated"
    elif a is None:
        way = "new"
    elif b is None:
        way = "gone"
    else:
        ia, ib = STAGES.index(a), STAGES.index(b)
        way = "forward" if ib > ia else "back" if ib < ia else "unchanged"
    return StageChange(old=a, new=b, direction=way)


def relationship_changes(old_case: Case, new_case: Case, old: Facts, new: Facts) -> list[RelationshipChange]:
    """Trust, power, engagement, conflict and critical incidents stated in either assessment, in that order."""
    out = [
        RelationshipChange(
            path=p,
            label=_name(p),
            old=one_value(old.get(p)),
            new=one_value(new.get(p)),
            direction=direction(p, old.get(p), new.get(p)),
        )
        for p in RELATIONSHIP_FACTS
        if p in old or p in new
    ]
    out += _conflict_changes(_tags(old_case), _tags(new_case))
    incidents = _incident_change(old_case, new_case)
    return out + ([incidents] if incidents else [])


def _conflict_changes(was_tags: set[str], now_tags: set[str]) -> list[RelationshipChange]:
    """Each conflict tag (CONFLICT_TAGS) stated in either assessment: newly stated is a worsening."""
    out = []
    for tag in CONFLICT_TAGS:
        was, now = tag in was_tags, tag in now_tags
        if was or now:
            out.append(
                RelationshipChange(
                    path=f"problem.{tag}",
                    label=tag.replace("_", " ").capitalize(),
                    old=was,
                    new=now,
                    direction="unchanged" if was == now else "worsened" if now else "gone",
                )
            )
    return out


def _incident_change(old_case: Case, new_case: Case) -> RelationshipChange | None:
    """The critical incidents recorded at each assessment (counted by date), when either records one;
    a date not recorded before is a worsening, named in `note`."""
    before, after = _incident_dates(old_case), _incident_dates(new_case)
    if not before and not after:
        return None
    fresh = sorted(after - before)
    return RelationshipChange(
        path=f"events.{INCIDENT_EVENT}",
        label="Critical incidents recorded",
        old=len(before),
        new=len(after),
        direction="worsened" if fresh else "unchanged" if after else "gone",
        note="new: " + ", ".join(fresh) if fresh else UNSET,
    )


def _incident_dates(case: Case) -> set[str]:
    """The dates of the critical incidents the case records."""
    return {e.on for e in case.events or () if e.kind == INCIDENT_EVENT}


def _tags(case: Case) -> set[str]:
    return set(case.problem.tags) if case.problem and case.problem.tags else set()


def worsened_reasons(relationships: Iterable[RelationshipChange]) -> list[str]:
    """What made relationships worse, in plain words ("trust fell from moderate to low")."""
    out = []
    for r in relationships:
        if r.direction != "worsened":
            continue
        p, a, b = r.path, _words(r.old), _words(r.new)
        if p == "relationships.trust":
            out.append(f"trust fell from {a} to {b}")
        elif p == "power.differential":
            out.append(f"the power differential rose from {a} to {b}")
        elif p == "power.decision_making":
            out.append(f"decisions moved from {a} to {b}")
        elif p == "engagement.level":
            out.append(f"community engagement slipped from {a} to {b}")
        elif p.startswith("problem."):
            out.append(f"{r.label.lower()} is now stated")
        elif p.startswith("events."):
            out.append(f"a critical incident was recorded ({(r.note or '').removeprefix('new: ')})")
        else:
            out.append(f"{r.label} worsened from {a} to {b}")
    return out


# ---------------------------------------------------------------- matching items


_R = TypeVar("_R")


@dataclass(frozen=True)
class _Item:
    rec: Recommendation
    horizon: Horizon
    also: tuple[Also, ...]

    @property
    def ident(self) -> str:
        return self.rec.key or f"rule:{self.rec.rule_id}"


def _items(result: Result) -> dict[str, _Item]:
    items = (_Item(rec, place.horizon, place.also) for rec, place in result.placed())
    return {it.ident: it for it in sorted(items, key=lambda it: it.rec.rule_id)}


def _carries(host: _Item, rec_key: str, rule_ids: Iterable[str]) -> Also | None:
    ids = set(rule_ids)
    for also in host.also:
        if (rec_key and also.key == rec_key) or ids & set(also.rule_ids):
            return also
    return None


def _held(result: Result, item: _Item) -> HeldBack | None:
    for held in result.plan.held_back if result.plan else ():
        if (item.rec.key and held.recommendation.key == item.rec.key) or held.rule_id in item.rec.rule_ids:
            return held
    return None


def _step(a: Assessment, b: Assessment) -> AssessmentStep:
    """From assessment `a` to `b`: the facts and relationships that changed, and each item of either plan
    in the one list that says what became of it."""
    old, new = _items(a.result), _items(b.result)
    old_facts, new_facts = effective_facts(a.case)[0], effective_facts(b.case)[0]
    relationships = tuple(relationship_changes(a.case, b.case, old_facts, new_facts))
    worse = "; ".join(worsened_reasons(relationships))
    earlier = [_earlier_row(item, new, a, b, worse) for item in old.values()]
    later = [_later_row(item, old, b) for ident, item in new.items() if ident not in old]
    return AssessmentStep(
        a.label,
        b.label,
        tuple(fact_changes(old_facts, new_facts)),
        retired=_only(earlier, RetiredRow),
        added=_only(later, NewRow),
        moved=_only(earlier, MovedRow),
        kept=_only(earlier, KeptRow),
        folded=_only(earlier, FoldedRow),
        held_back=_only(earlier, HeldBackRow),
        continued=_only(earlier, ContinuedRow),
        unfolded=_only(later, UnfoldedRow),
        stage=stage_change(old_facts, new_facts),
        relationships=relationships,
    )


_EarlierRow = KeptRow | MovedRow | FoldedRow | HeldBackRow | ContinuedRow | RetiredRow
"""What became of an item of the earlier plan: one row, whose class is the list it belongs in."""


def _earlier_row(item: _Item, new: dict[str, _Item], a: Assessment, b: Assessment, worse: str) -> _EarlierRow:
    """What became of one item of the earlier plan `a` in the later plan `b` (items `new`): kept or moved
    (the later plan holds its key), folded, held back, continued (relationship work while relationships
    worsen, `worse` saying how) or retired."""
    rec = item.rec
    now = new.get(item.ident)
    if now is not None:
        team = _team(b, now.rec.key)
        if now.horizon == item.horizon:
            return KeptRow(
                rule_id=now.rec.rule_id,
                key=now.rec.key,
                title=now.rec.title,
                horizon=now.horizon,
                old_rule_id=rec.rule_id,
                team=team,
            )
        return MovedRow(
            rule_id=now.rec.rule_id,
            key=now.rec.key,
            title=now.rec.title,
            old=item.horizon,
            new=now.horizon,
            old_rule_id=rec.rule_id,
            team=team,
        )
    host = next((h for h in new.values() if _carries(h, rec.key, rec.rule_ids)), None)
    if host is not None:
        return FoldedRow(
            rule_id=rec.rule_id,
            key=rec.key,
            title=rec.title,
            horizon=item.horizon,
            into_rule_id=host.rec.rule_id,
            into_key=host.rec.key,
            into_title=host.rec.title,
            into_horizon=host.horizon,
        )
    held = _held(b.result, item)
    if held is not None:
        return HeldBackRow(
            rule_id=rec.rule_id, key=rec.key, title=rec.title, horizon=item.horizon, by=held.by, reason=held.reason
        )
    if worse and rec.key in RELATIONSHIP_WORK:
        return ContinuedRow(rule_id=rec.rule_id, key=rec.key, title=rec.title, horizon=item.horizon, reason=worse)
    because = tuple(_because(rec.explanation, a.facts, b.facts))
    return RetiredRow(rule_id=rec.rule_id, key=rec.key, title=rec.title, horizon=item.horizon, because=because)


def _later_row(item: _Item, old: dict[str, _Item], b: Assessment) -> NewRow | UnfoldedRow:
    """An item of the later plan `b` that the earlier plan (items `old`) did not hold: back on its own
    when an earlier item carried it, else new."""
    rec, team = item.rec, _team(b, item.rec.key)
    host = next((h for h in old.values() if _carries(h, rec.key, rec.rule_ids)), None)
    if host is None:
        return NewRow(rule_id=rec.rule_id, key=rec.key, title=rec.title, horizon=item.horizon, team=team)
    return UnfoldedRow(
        rule_id=rec.rule_id,
        key=rec.key,
        title=rec.title,
        horizon=item.horizon,
        was_in_rule_id=host.rec.rule_id,
        was_in_key=host.rec.key,
        was_in_title=host.rec.title,
        team=team,
    )


def _only(rows: Iterable[object], kind: type[_R]) -> tuple[_R, ...]:
    """The rows of one class, in their order."""
    return tuple(r for r in rows if isinstance(r, kind))


def _team(b: Assessment, key: str) -> TeamDecision | UnsetType:
    """The later assessment's decision on an item of its plan (its own or carried), else UNSET (no `team`)."""
    decided = b.decisions.by_key().get(key) if b.decisions and key else None
    return TeamDecision.of(decided) if decided is not None else UNSET


def _because(proofs: Sequence[Proof], old: Facts | None, new: Facts | None) -> list[BasisChange]:
    """The facts a retired item rested on (its proofs, down through derived facts) whose value changed."""
    if old is None or new is None:
        return []
    read: dict[str, None] = {}

    def walk(t: Trace) -> None:
        if t.op != "test":
            for c in t.children:
                walk(c)
            return
        if t.derived_from is not None:
            walk(t.derived_from.condition)
            return
        for p in (t.fact, t.ref):
            if p.startswith("change.") and old.get(p[7:]) != new.get(p[7:]):
                p = p[7:]  # a change fact: say how the fact itself changed
            if p:
                read.setdefault(p, None)

    for proof in proofs:
        walk(proof.condition)
    return [
        BasisChange(path=p, label=_name(p), old=old.get(p), new=new.get(p)) for p in read if old.get(p) != new.get(p)
    ]


# ---------------------------------------------------------------- comparing


def compare(
    engine: Engine,
    cases: Sequence[tuple[str, Case]],
    options: PlanOptions | None = None,
    date: str | None = None,
    decisions: bool | Sequence[Decisions | None] = False,
) -> Comparison:
    """Evaluate each assessment (with the one before as `previous`) and compare them; `date` is the
    reference date of any assessment that states no assessed_on.

    `decisions`: True reads each assessment's decisions file beside its source (`<stem>.plan.yaml`; the
    sources must then be the case files' paths, as `isp-advisor compare` gives them), False (the
    default) reads none; or the decisions of each case, in the order of `cases`. Each
    later assessment is evaluated with the accepted items of the one before carried forward (unless its
    own file mentions the key); set-aside items stay in the compared plans (the lists compare what the
    rules advise), and `progress` reports what the team decided and what became of it."""
    ordered = order(cases)
    labels = _labels(ordered)
    own = _own_decisions(cases, ordered, decisions)
    assessments: list[Assessment] = []
    for i, ((src, case), label) in enumerate(zip(ordered, labels, strict=True)):
        previous = ordered[i - 1][1] if i else None
        effective = _carried(own[i], assessments[-1].decisions, assessments[-1].label) if i else own[i]
        assessments.append(
            Assessment(
                src,
                case,
                label,
                engine.evaluate(case, options, previous, date, _advised(effective)),
                engine.case_facts(case, previous, date)[0],
                own[i],
                effective,
            )
        )
    steps = tuple(
        _with_progress(_step(a, b), assessments[: i + 1], b, date)
        for i, (a, b) in enumerate(zip(assessments, assessments[1:], strict=False))
    )
    overall = _with_progress(_step(assessments[0], assessments[-1]), assessments[:-1], assessments[-1], date)
    facts = [effective_facts(a.case)[0] for a in assessments]
    wanted = [p for p in FACTS if p.startswith("cfir.")] + [p for p in FACTS if p in _TREND_FACTS]
    series = {p: tuple(one_value(f.get(p)) for f in facts) for p in wanted if any(p in f for f in facts)}
    return Comparison(
        ordered[0][1].case_id,
        tuple(assessments),
        overall,
        steps,
        series,
        tuple(debrief(overall, facts, labels, overall.progress)),
    )


# ---------------------------------------------------------------- the team's decisions across assessments


def _own_decisions(
    cases: Sequence[tuple[str, Case]], ordered: Sequence[tuple[str, Case]], decisions: bool | Sequence[Decisions | None]
) -> list[Decisions | None]:
    """Each ordered assessment's own decisions: its file beside the source, none, or as given."""
    if isinstance(decisions, bool):
        if not decisions:
            return [None] * len(ordered)
        from engine.io.decisionfile import find_decisions

        return [find_decisions(src, case.case_id) for src, case in ordered]
    given = list(decisions)
    if len(given) != len(cases):
        raise ValueError(f"{len(given)} decisions for {len(cases)} cases")
    return [given[next(i for i, t in enumerate(cases) if t is o)] for o in ordered]


def _carried(current: Decisions | None, previous: Decisions | None, label: str) -> Decisions | None:
    """carry_forward, keeping `carried_from` of a decision already carried into the previous assessment
    (it names the assessment whose file holds the decision)."""
    out = carry_forward(current, previous, label)
    first = {d.key: d.carried_from for d in previous.items if d.carried_from} if previous else {}
    if out is None or not first:
        return out
    return Decisions(
        out.case_id,
        tuple(with_fields(d, carried_from=first[d.key]) if d.carried_from and d.key in first else d for d in out.items),
        out.path,
    )


def _advised(decisions: Decisions | None) -> Decisions | None:
    """The decisions an assessment is evaluated with here: all but set-aside ones, so the compared plans
    hold what the rules advise (a set-aside item is reported under progress, never as retired or new)."""
    if decisions is None:
        return None
    return Decisions(decisions.case_id, tuple(d for d in decisions.items if d.decision != "set_aside"), decisions.path)


def _with_progress(
    step: AssessmentStep, earlier: Sequence[Assessment], later: Assessment, date: str | None
) -> AssessmentStep:
    from dataclasses import replace

    worse = "; ".join(worsened_reasons(step.relationships))
    return replace(step, progress=progress(earlier, later, later.case.assessed_on or date, worse))


def _taken_up(d: Decision) -> bool:
    """Accepted, or given a status, an owner or a due date (and not set aside)."""
    return d.decision != "set_aside" and bool(d.decision == "accepted" or d.status or d.owner or d.due)


def progress(
    earlier: Sequence[Assessment], later: Assessment, as_of: str | None, worse: str = ""
) -> DecisionProgress | None:
    """The team's decisions up to the last of `earlier` (the decisions files of those assessments, the
    latest entry per key) and where they stand at `later`: `done`, `under_way`, `not_started` (accepted
    without a status is not started), `overdue` (due before `as_of`, the later assessed_on or --date,
    and not done), `set_aside` (with the reason) and `accepted_fate`: what became of each accepted item
    in the later plan. None when none of `earlier` has a decisions file."""
    read = tuple(a.label for a in earlier if a.own is not None)
    if not read:
        return None
    entries: dict[str, tuple[Decision, str]] = {}
    for a in earlier:
        for d in a.own.items if a.own else ():
            entries[d.key] = (d, a.label)  # a later file's entry wins; the first one's place is kept
    new_items = _items(later.result)
    where = [later, *reversed(earlier)]
    lists: dict[str, list[DecisionEntry]] = {"done": [], "under_way": [], "not_started": []}
    overdue: list[DecisionEntry] = []
    set_aside: list[SetAsideEntry] = []
    fates: list[AcceptedFate] = []
    for key, (d, at) in entries.items():
        if d.decision == "set_aside":
            now = new_items.get(key)
            horizon = now.horizon if now else None
            set_aside.append(
                SetAsideEntry(key=key, title=_title(key, where), reason=d.reason, decided_at=at, horizon=horizon)
            )
        elif _taken_up(d):
            status = _status(d)
            title = _title(key, where)
            entry = DecisionEntry(key=key, title=title, decided_at=at, owner=d.owner, due=d.due, status=status)
            lists[entry.status].append(entry)
            overdue += [entry] if d.overdue(as_of) else []
            fates.append(_fate(entry, earlier, later, new_items, worse))
    counts = DecisionCounts(
        accepted=len(fates),
        done=len(lists["done"]),
        under_way=len(lists["under_way"]),
        not_started=len(lists["not_started"]),
        overdue=len(overdue),
        set_aside=len(set_aside),
    )
    return DecisionProgress(
        decisions_of=read,
        as_of=as_of,
        counts=counts,
        done=tuple(lists["done"]),
        under_way=tuple(lists["under_way"]),
        not_started=tuple(lists["not_started"]),
        overdue=tuple(overdue),
        set_aside=tuple(set_aside),
        accepted_fate=tuple(fates),
    )


def _status(d: Decision) -> Status:
    """An accepted item's status: the decisions file's loader admits only decisions.STATUSES; none is not started."""
    return "done" if d.status == "done" else "under_way" if d.status == "under_way" else "not_started"


def _found(result: Result, key: str) -> tuple[str, Sequence[Proof]] | None:
    """The title and proofs of the item with this key in a plan: placed, folded into another item, or held back."""
    for rec, place in result.placed():
        if rec.key == key:
            return rec.title, rec.explanation
        for also in place.also:
            if also.key == key:
                return also.title, also.explanation
    for held in result.plan.held_back if result.plan else ():
        if held.recommendation.key == key:
            return held.recommendation.title, held.recommendation.explanation
    return None


def _title(key: str, where: Sequence[Assessment]) -> str:
    return next((found[0] for a in where if (found := _found(a.result, key)) is not None), key)


def _fate(
    entry: DecisionEntry, earlier: Sequence[Assessment], later: Assessment, new_items: dict[str, _Item], worse: str
) -> AcceptedFate:
    """What became of one accepted item in the later plan: still_recommended (at its horizon), folded
    (into which item), held_back, continued (relationship work while relationships worsen), set_aside
    (by the later assessment's own file) or no_longer_recommended (`because`: the facts it rested on
    that changed; `why`: the same in words)."""
    key = entry.key
    base = AcceptedFate(
        key=key, title=entry.title, decided_at=entry.decided_at, status=entry.status, fate="no_longer_recommended"
    )  # each return below sets its own fate
    own = later.own.by_key().get(key) if later.own else None
    if own is not None and own.decision == "set_aside":
        return with_fields(base, fate="set_aside", reason=own.reason)
    now = new_items.get(key)
    if now is not None:
        team = later.decisions.by_key().get(key) if later.decisions else None
        carried = team.carried_from if team else None
        rule_id = now.rec.rule_id
        return with_fields(base, fate="still_recommended", rule_id=rule_id, horizon=now.horizon, carried_from=carried)
    host = next((h for h in new_items.values() if _carries(h, key, ())), None)
    if host is not None:
        return with_fields(
            base,
            fate="folded",
            into_rule_id=host.rec.rule_id,
            into_key=host.rec.key,
            into_title=host.rec.title,
            into_horizon=host.horizon,
        )
    held = _held_key(later.result, key)
    if held is not None:
        return with_fields(base, fate="held_back", by=held.by, reason=held.reason)
    source = next(((a, found) for a in reversed(earlier) if (found := _found(a.result, key)) is not None), None)
    if source is not None and worse and key in RELATIONSHIP_WORK:
        return with_fields(base, fate="continued", reason=worse)
    because = tuple(_because(source[1][1], source[0].facts, later.facts)) if source else ()
    why = "; ".join(_moved(b) for b in because)
    return with_fields(base, fate="no_longer_recommended", because=because, why=why)


def _held_key(result: Result, key: str) -> HeldBack | None:
    """The held-back entry of the plan whose item has this key, if any."""
    return next((h for h in result.plan.held_back if h.recommendation.key == key), None) if result.plan else None


_SAID_AS = {"stage": "the stage", "engagement.level": "community engagement"}


def _moved(change: BasisChange) -> str:
    """One changed fact in words, with its way: "trust rose from low to high", "the stage moved on from
    installation to initial implementation", "workload no longer stated as a problem"."""
    path, a, b = change.path, change.old, change.new
    label = _SAID_AS.get(path) or (
        change.label if path.startswith("cfir.") else change.label[:1].lower() + change.label[1:]
    )
    if path.startswith("problem."):
        words = path[len("problem.") :].replace("_", " ")
        return f"{words} is {'now' if b else 'no longer'} stated as a problem"
    if isinstance(a, bool) or isinstance(b, bool):
        return f"{label}: {'now so' if b else 'no longer so'}"
    if a is None:
        return f"{label} is now stated ({_words(b)})"
    if b is None:
        return f"{label} is no longer stated (was {_words(a)})"
    up = _rose(a, b)
    if up is None:
        return f"{label} changed from {_words(a)} to {_words(b)}"
    way = ("moved on" if up else "went back") if path == "stage" else "rose" if up else "fell"
    return f"{label} {way} from {_words(a)} to {_words(b)}"


def _rose(a: FactValue, b: FactValue) -> bool | None:
    """Whether `b` is above `a` on the scale they share (stage, level, engagement level) or as numbers;
    None when they share none."""
    scale = next((s for s in (STAGES, LEVELS, tuple(ENGAGEMENT_LEVELS)) if a in s and b in s), None)
    if scale is not None:
        return scale.index(b) > scale.index(a)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return b > a
    return None


_TREND_FACTS = (
    "relationships.trust",
    "engagement.level",
    "power.differential",
    "capacity.intervention_specific",
    "capacity.general",
    "capacity.analytic",
    "capacity.adaptive",
    "capacity_levels.individual",
    "capacity_levels.organization",
    "capacity_levels.network",
    "capacity_levels.system",
)


_COMPUTED_NAMES = {
    "change.": "Change in {}",
    "derived.divergent.": "Groups' views differ on {}",
    "derived.community_lower.": "Community members' view much lower on {}",
    "derived.resolved.": "{} resolved",
    "derived.lowest_group.": "Group with the lowest view of {}",
    "derived.highest_group.": "Group with the highest view of {}",
    "derived.missing_group.": "No view from {}",
}
_COMPUTED_ANY = {
    "derived.divergent.any": "Groups' views differ",
    "derived.resolved.any": "A barrier resolved",
    "derived.community_lower.any": "Community members' view much lower than leadership's",
}


def _name(path: str) -> str:
    """A fact path in words (computed facts too: `change.relationships.trust` is "Change in Trust")."""
    spec = FACTS.get(path)
    if spec is not None:
        return spec.label.removeprefix("CFIR: ") or path
    if path in _COMPUTED_ANY:
        return _COMPUTED_ANY[path]
    for prefix, text in _COMPUTED_NAMES.items():
        rest = path[len(prefix) :]
        if path.startswith(prefix) and rest:
            return text.format(_name(rest) if rest in FACTS else rest.replace("_", " "))
    return path


# ---------------------------------------------------------------- the debrief


def debrief(
    overall: AssessmentStep, facts: list[Facts], labels: list[str], progress: DecisionProgress | None = None
) -> list[str]:
    """Questions for the improvement-cycle debrief: the stage and relationships first, then the ratings,
    then what became of the recommendations, then the team's decisions (`progress`): each overdue item
    and each accepted item no longer recommended."""
    out: list[str] = _stage_questions(overall.stage) + _relationship_questions(overall, labels[0])
    first, last = facts[0], facts[-1]
    shown = {r.path for r in overall.relationships}
    for p in resolved(first, last):
        if p not in shown:
            out.append(
                f"{_name(p)} went from {fmt_value(first[p])} to {fmt_value(last[p])}: what did the team do "
                "that helped, and what will keep it there once its strategies are retired?"
            )
    others = [c for c in overall.changes if c.path not in shown]
    for c in others:
        if c.direction == "worsened":
            out.append(
                f"{_name(c.path)} worsened ({_val(c.old)} to {_val(c.new)}): what changed for the people "
                f"involved since {labels[0]}, and who sees it that way?"
            )
    stuck = [p for p in FACTS if p.startswith("cfir.") and all(isinstance(x := f.get(p), int) and x < 0 for f in facts)]
    for p in stuck:
        out.append(
            f"{_name(p)} has stayed a barrier in all {len(facts)} assessments: are its strategies the "
            "right ones, or is the barrier somewhere else?"
        )
    for c in others:
        if c.direction == "new":
            out.append(
                f"{_name(c.path)} is rated for the first time ({_val(c.new)}): who rated it, and what "
                "would the earlier assessment have said?"
            )
        elif c.direction == "gone":
            out.append(f"{_name(c.path)} is no longer rated (was {_val(c.old)}): was it dropped on purpose?")
    if overall.retired:
        out.append(_retired_question(overall.retired))
    if not out:
        out.append(
            "Nothing rated changed: is the work reaching the things it aims to move, or are the ratings out of date?"
        )
    return out + (_decision_questions(progress, labels[-1]) if progress else [])


def _decision_questions(progress: DecisionProgress, last: str) -> list[str]:
    """One question per overdue item, and one per accepted item the last assessment no longer recommends."""
    out = []
    for e in progress.overdue:
        who = f" (owner {e.owner})" if e.owner else ""
        state = "is still under way" if e.status == "under_way" else "has not started"
        out.append(
            f"'{e.title}' was due {long_date(e.due or '')}{who} and {state}: what is in the way, and "
            "what date can the team keep now?"
        )
    for f in progress.accepted_fate:
        if f.fate != "no_longer_recommended":
            continue
        because = f"because {f.why}" if f.why else "though nothing it rested on changed (the rules may have)"
        head = f"The team accepted '{f.title}' at {f.decided_at}"
        if f.status == "done":
            out.append(
                f"{head} and has done it; {_the(last)} no longer recommends it {because}: what will keep "
                "the gain once the work stops?"
            )
        else:
            state = "under way" if f.status == "under_way" else "not started"
            out.append(
                f"{head} ({state}), and {_the(last)} no longer recommends it {because}: finish the work "
                "or stop it? Agree it with the people doing it, and say what replaces it."
            )
    return out


def _the(label: str) -> str:
    """An assessment by its label: "the assessment of 2026-10-13", "assessment 2"."""
    return label if label.startswith("assessment ") else f"the assessment of {label}"


def _stage_questions(stage: StageChange) -> list[str]:
    a, b, way = _words(stage.old), _words(stage.new), stage.direction
    if way == "forward":
        return [
            f"The stage moved on from {a} to {b}: which work of the earlier stage is finished, and what does "
            "the new stage ask of the team?"
        ]
    if way == "back":
        return [f"The stage went back from {a} to {b}: what happened, and what does the team need to start again?"]
    if way == "new":
        return [f"The stage is stated for the first time ({b}): what would the earlier assessment have said?"]
    if way == "gone":
        return [f"The stage is no longer stated (was {a}): was it dropped on purpose?"]
    return []


def _relationship_questions(overall: AssessmentStep, since: str) -> list[str]:
    out: list[str] = []
    for r in overall.relationships:
        name, way, a, b = r.label, r.direction, _words(r.old), _words(r.new)
        if r.path.startswith("problem."):
            if way == "worsened":
                out.append(
                    f"{name} is now stated as a problem: who is in it, and what does each side need "
                    "before they can work together?"
                )
            elif way == "gone":
                out.append(
                    f"{name} is no longer stated as a problem: is it settled, and how will the team know "
                    "if it comes back?"
                )
        elif r.path.startswith("events."):
            if way == "worsened":
                out.append(
                    f"A critical incident was recorded since {since} ({r.note or ''}): how are the "
                    "people involved, and what must the plan change because of it?"
                )
        elif way == "worsened":
            out.append(
                f"{name} worsened ({a} to {b}): what changed for the people involved since {since}, and "
                "who sees it that way?"
            )
        elif way == "improved":
            out.append(f"{name} improved ({a} to {b}): what helped, and how will the team keep it there?")
        elif way == "new":
            out.append(
                f"{name} is rated for the first time ({b}): who rated it, and what would the earlier "
                "assessment have said?"
            )
        elif way == "gone":
            out.append(f"{name} is no longer rated (was {a}): was it dropped on purpose?")
    if overall.continued:
        n = len(overall.continued)
        titles = "; ".join(r.title for r in overall.continued[:3]) + ("; ..." if n > 3 else "")
        out.append(
            f"{_cap(overall.continued[0].reason)}: keep doing the relationship work the plan no longer "
            f"lists ({n} {'item' if n == 1 else 'items'}: {titles}). Do not stop it now; agree with the "
            "people doing it how to carry on."
        )
    return out


def _retired_question(retired: Sequence[RetiredRow]) -> str:
    n = len(retired)
    head = f"{n} {'item is' if n == 1 else 'items are'} no longer recommended"
    seen: dict[str, BasisChange] = {}
    for r in retired:
        for b in r.because:
            seen.setdefault(b.path, b)
    if not seen:
        return (
            f"{head}, though nothing they rested on changed (the rules may have): check with the people "
            "doing them before anything stops."
        )
    rank = {p: i for i, p in enumerate(FACTS)}
    ordered = sorted(seen.values(), key=lambda b: (rank.get(b.path, len(rank)), b.path))
    named = "; ".join(_said(b) for b in ordered[:3])
    more = f"; and {len(ordered) - 3} more" if len(ordered) > 3 else ""
    it = "it" if n == 1 else "them"
    return (
        f"{head} because what {'it' if n == 1 else 'they'} rested on has changed ({named}{more}): agree "
        f"with the people doing {it} whether to finish the work or stop, and say what replaces {it}."
    )


def _said(change: BasisChange) -> str:
    """One changed fact in words: "Available Resources -2 to +1", "workload no longer stated as a problem"."""
    path, a, b = change.path, change.old, change.new
    if path.startswith("problem."):
        words = path[len("problem.") :].replace("_", " ")
        return f"{words} {'now' if b else 'no longer'} stated as a problem"
    if isinstance(a, bool) or isinstance(b, bool):
        return f"{change.label.lower()}: {'now' if b else 'no longer'} the case"
    return f"{change.label} {_words(a)} to {_words(b)}"


def _val(value: object) -> str:
    return "not stated" if value is None else fmt_value(value)


def _words(value: object) -> str:
    return _val(value).replace("_", " ")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


__all__ = [
    "Assessment",
    "Comparison",
    "AssessmentStep",
    "compare",
    "order",
    "debrief",
    "load_previous",
    "progress",
    "RELATIONSHIP_FACTS",
    "RELATIONSHIP_WORK",
    "CONFLICT_TAGS",
    "stage_change",
    "relationship_changes",
    "worsened_reasons",
]


def load_previous(path: str, case: Case) -> Case:
    """The earlier assessment for `recommend --previous`: the same site (case_id), else refused."""
    from engine.io.caseload import load_case

    previous = load_case(path)
    if previous.case_id != case.case_id:
        raise CaseError(
            Problem(
                file=path,
                field="case_id",
                code="other_site",
                message=f"case_id '{previous.case_id}' is not '{case.case_id}'",
                hint="--previous takes an earlier assessment of the same site (same case_id)",
            )
        )
    return previous
