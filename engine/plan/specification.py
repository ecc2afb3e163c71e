"""Strategy specification (Proctor, Powell & McMillen 2013) of one placed recommendation.

Actor, target, dose and mechanism come from the first of the item's rules whose `specification:`
block states them; else from the cited default of the first of the item's ERIC strategies that has
one (engine/data/eric_specification.yaml, engine/plan/ericspec.py) — the target and the mechanism for
any item, the actor and the dose only for an ERIC item (ACTION_FIELDS); the team's decided owner wins
for the actor. The action is the rule's own first action; the target's CFIR constructs, the outcomes
and the justification come from the proof and the tags. Whatever neither states is TO_AGREE (the
mechanism: MECHANISM_TBD) — never filled. `field_sources` records where each field came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.model.facts import Facts
from engine.model.placement import Placement
from engine.model.results import Recommendation
from engine.model.rules import Rule, Source
from engine.model.specdata import MECHANISM_TBD, SPEC_FIELDS, TO_AGREE, FieldSource, Specified, short_cite
from engine.model.traces import barriers_matched
from engine.plan import ericspec
from engine.rulepacks.placeholders import fill, values_for


def specify(
    rec: Recommendation,
    place: Placement,
    rules: Mapping[str, Rule],
    facts: Facts,
    why: str,
    superseded: Sequence[str] = (),
) -> Specified:
    """Specify one placed recommendation; `why` is the one-line 'why for this site' of the plan views;
    `superseded`: the barriers of the items this one holds back by superseding them (it takes their place)."""
    members = [rules[i] for i in rec.rule_ids if i in rules]
    barriers = tuple(
        dict.fromkeys((*barriers_matched(rec.explanation), *(b for a in place.also for b in a.barriers), *superseded))
    )
    fields, origin, by = _from_rules(members, rec, facts, barriers)
    eric = tuple(dict.fromkeys((*rec.tags.get("eric_strategy", ()), *(a.eric_strategy for a in place.also))))
    _from_eric_defaults(fields, origin, eric, rec)
    target_cfir = barriers or tuple(rec.tags.get("cfir", ()))
    stage = facts.get("stage")
    decided = place.decision
    if decided is not None and decided.owner:
        actor = decided.owner
        origin["actor"] = FieldSource("actor", "decision")
    else:
        actor = fields.get("actor", TO_AGREE)
    field_sources = tuple(origin.get(n, FieldSource(n, "open")) for n in SPEC_FIELDS)
    return Specified(
        rule_id=rec.rule_id,
        rule_ids=rec.rule_ids,
        title=rec.title,
        eric_strategy=eric,
        horizon=place.horizon,
        rank=place.rank,
        actor=actor,
        action=rec.actions[0] if rec.actions else rec.title,
        actions=rec.actions,
        target=fields.get("target", TO_AGREE),
        target_cfir=target_cfir,
        barriers=barriers,
        stage=str(stage).replace("_", " ") if stage else TO_AGREE,
        frequency=fields.get("frequency", TO_AGREE),
        duration=fields.get("duration", TO_AGREE),
        outcomes=tuple(rec.tags.get("implementation_outcome", ())),
        justification=justification(rec, why),
        sources=rec.sources,
        mechanism=fields.get("mechanism", MECHANISM_TBD),
        mechanism_source=fields.get("mechanism_source", ""),
        specified_by=tuple(by),
        due=decided.due or "" if decided is not None else "",
        key=rec.key,
        field_sources=field_sources,
    )


def _from_rules(
    members: Sequence[Rule], rec: Recommendation, facts: Facts, barriers: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, FieldSource], list[str]]:
    """The fields the item's rules state (the first rule stating a field wins; placeholders filled), where
    each came from, and the rules that stated any."""
    fields: dict[str, str] = {}
    by: list[str] = []
    origin: dict[str, FieldSource] = {}
    for r in members:
        for key, text in r.specification.items():
            if key not in fields:
                fields[key] = (
                    fill(text, values_for(facts, barriers, r.fallbacks)) if key != "mechanism_source" else text
                )
                origin.setdefault(key, FieldSource(key, "rule", rule_id=r.id))
                if r.id not in by:
                    by.append(r.id)
    if "mechanism" in fields:
        key = fields.get("mechanism_source", "")
        origin["mechanism"] = FieldSource(
            "mechanism", "rule", rule_id=origin["mechanism"].rule_id, source=key, cite=_cite(key, rec.sources)
        )
    return fields, origin, by


def _from_eric_defaults(
    fields: dict[str, str], origin: dict[str, FieldSource], eric: tuple[str, ...], rec: Recommendation
) -> None:
    """The fields no rule states, from the cited default of the first of the item's ERIC strategies that has
    one (the actor and the dose only for an ERIC item: ACTION_FIELDS)."""
    defaults = ericspec.table()
    own_strategy = rec.category == "implementation_strategy"
    for name in SPEC_FIELDS:
        if name in fields or (name in ACTION_FIELDS and not own_strategy):
            continue
        d = ericspec.default_for(eric, name, defaults)
        if d is not None:
            fields[name] = d.text
            origin[name] = FieldSource(
                name, "eric_default", eric_strategy=d.strategy, source=d.source, cite=_cite(d.source, rec.sources)
            )
            if name == "mechanism":
                fields["mechanism_source"] = d.source


def _cite(key: str, cited: Sequence[Source]) -> str:
    """A source key as a short citation: from the rule's own sources, else the shipped registry; '' if unknown."""
    if not key:
        return ""
    found = next((s for s in cited if s.key == key), None) or ericspec.shipped_sources().get(key)
    return short_cite(found) if found is not None else ""


ACTION_FIELDS = ("actor", "frequency", "duration")
"""Who acts and how much belong to the item's own action: a strategy's cited default fills them only for
an ERIC item (whose action is the strategy itself). What the strategy targets and how it works hold for
any item carrying the strategy, so the target and the mechanism defaults fill every item. (A senior
practitioner's review found an ERIC default's actor or dose false of a site's own item: 'local personnel'
for a support practitioner's co-led session, 'continuously, throughout the implementation' for a
response to one incident.)"""


def justification(rec: Recommendation, why: str) -> str:
    """The proof's facts and the cited sources, in one or two lines."""
    cites = "; ".join(dict.fromkeys(short_cite(s) for s in rec.sources)) or "no source"
    figure = f" ({rec.score:g}% of experts endorse it for this barrier)" if rec.score else ""
    return f"Because {why}{figure}. Source: {cites}."


def names(values: Sequence[str]) -> str:
    return ", ".join(v.replace("_", " ") for v in values)
