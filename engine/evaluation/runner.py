"""Running a case: facts in, rule firings (a Matcher), recommendations with proofs out.

Rules are compiled once per Engine. Rules that read derived facts run after the rules that
derive them: the engine orders rules into strata (a rule's stratum is one more than the
highest stratum of any rule deriving a fact it reads), asserts the case into each stratum's
ruleset in turn and adds what each stratum derived before the next, so chaining reaches a
fixed point in one pass. Cycles are refused when the rules are loaded.

Matching is delegated to a Matcher (engine/evaluation/matcher.py): durable_rules by default, the plain
compiled matcher where durable_rules is absent, asked for, or beyond its fixed limits. An engine
holds C memory through durable_rules: use it as a context manager, or `close()` it.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import msgspec

from engine import __version__
from engine.errors import Problem, UsageError, did_you_mean
from engine.evaluation.explain import candidate_values, prune, smallest_change, trace
from engine.evaluation.matcher import Matcher, MatchSession
from engine.evaluation.matcher import build as build_matcher
from engine.model.case import Case
from engine.model.conditions import MISSING, Condition, facts_read, holds
from engine.model.config import RulesArg, config_of
from engine.model.cues import Cue, find_cues
from engine.model.decisions import Decisions
from engine.model.facts import DERIVED_PREFIX, FACTS, KEY_FACTS, SITE_SECTIONS, Facts, FactValue, is_computed
from engine.model.jsontext import OUTPUT_VERSION
from engine.model.placement import PlanOptions, Standing
from engine.model.results import Derivation, Recommendation, Result
from engine.model.rules import Rule, RuleBase, Source
from engine.model.sharing import Shared
from engine.model.sitefacts import AsOf, as_of, site_facts
from engine.model.traces import Proof, WhyNot, barriers_matched
from engine.model.vocabulary import CFIR_DOMAINS, TAG_KEYS
from engine.plan.planner import build_plan, standing
from engine.rulepacks.loader import Packs, load_rulebase
from engine.rulepacks.placeholders import FACTS_READ, case_values, fill, has_placeholders, site_texts, values_for
from engine.rulepacks.placeholders import reads as placeholder_names
from engine.rulepacks.strata import producers as derived_by
from engine.rulepacks.strata import stratify


class Firing(msgspec.Struct, frozen=True):
    """The raw outcome of matching: what fired and what was derived, before explanation."""

    facts: Facts
    fired: tuple[str, ...]
    derivations: dict[str, tuple[FactValue, str]]
    warnings: tuple[str, ...]


class CaseWork(msgspec.Struct):
    """One case's state while its proofs and recommendations are made: what the per-case methods share
    (instead of threading seven parameters through each)."""

    facts: Facts
    derivations: dict[str, tuple[FactValue, str]]
    """Derived fact name -> (value, the rule that derived it)."""
    origins: dict[str, tuple[str, str]] | None = None
    """Where a value came from when not the case's own top level (a group's view, a previous assessment)."""
    known: dict[str, str | None] = msgspec.field(default_factory=dict)
    """The case's placeholder text (the same for every rule of the case)."""
    proofs: dict[str, Proof] = msgspec.field(default_factory=dict)
    """Rule id -> its proof on this case, made once."""
    derivation: Callable[[str], Proof | None] = msgspec.field(default=lambda path: None)
    """A derived fact's path -> the proof of the rule that derived it (set by `Engine._work`)."""


V = TypeVar("V")


class PerRule(dict[str, V]):
    """Rule id -> what the engine reads from that rule alone, made on first use and kept for the engine's life
    (the rule base is fixed once loaded, so an entry never goes stale). A one-case command reads a few dozen
    of the several hundred rules, so the engine makes nothing per rule before it fires."""

    def __init__(self, make: Callable[[str], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, rule_id: str) -> V:
        value = self[rule_id] = self._make(rule_id)
        return value


class Engine:
    """A compiled knowledge base. Build once per process; evaluate many cases."""

    def __init__(self, base: RuleBase, matcher: str | None = None, verbose: bool = False, share: bool = True) -> None:
        """`matcher`: durable or python (default: $ISP_ADVISOR_MATCHER, else durable where installed);
        `verbose`: say on stderr which matcher runs the rules when it is not the one asked for;
        `share`: keep work shared across cases (False: every case computed afresh, the same output)."""
        self.base = base
        self.rules: tuple[Rule, ...] = base.rules
        self.by_id: dict[str, Rule] = {r.id: r for r in base.rules}
        self.strata = stratify(base.rules)
        pairs = [[(r.id, r.when) for r in stratum] for stratum in self.strata]
        self.matcher: Matcher
        self.matcher, _why = build_matcher(pairs, matcher, verbose)
        self._pairs = pairs
        self._plain_matcher: Matcher | None = self.matcher if self.matcher.name == "python" else None
        self._reads = reads = set().union(*(r.reads() for r in base.rules))
        self._asked = _asked_facts(reads)
        """The facts `missing` reports when a case leaves them out, in FACTS order."""
        self._reads_cfir = any(p.startswith("cfir.") for p in reads)
        producers = self._producers = derived_by(base.rules)
        by_id = self.by_id
        self._proof_inputs = PerRule(lambda rid: self._closure(by_id[rid], producers))
        """Rule id -> every fact its proof shows (what its proof's key is made of)."""
        self._proof_derived = PerRule(lambda rid: _derived_names(self._proof_inputs[rid]))
        self.shared = Shared(enabled=share)
        """Work shared across the cases this engine evaluates (engine/model/sharing.py): proofs,
        recommendations, test traces, JSON fragments, what the planner ranks by."""
        self._templated = PerRule(lambda rid: _templated(by_id[rid]))
        """Rule id -> whether its texts hold placeholders."""
        self._text_inputs = PerRule(lambda rid: _text_inputs(by_id[rid], self._templated[rid]))
        """Rule id -> the facts its texts depend on (part of a recommendation's key); made for a rule when it
        first fires (a one-case command reads a few dozen of several hundred rules)."""
        self._site_names = PerRule(lambda rid: tuple(sorted(n for n in _names(by_id[rid]) if ":" in n)))
        """Rule id -> the site placeholders its texts use (their text is part of what a recommendation is)."""
        self._static = PerRule(lambda rid: _fixed_parts(by_id[rid], base))
        """Rule id -> what it fixes in each of its recommendations (asked only of rules that recommend)."""
        self.info: dict[str, Any] = {
            "name": "isp-advisor",
            "version": __version__,
            "output_version": OUTPUT_VERSION,
            "rulesets": [{"name": p.name, "version": p.version} for p in base.packs],
            "matcher": self.matcher.name,
        }
        self._info_json = json.dumps(self.info)
        """Each result gets its own copy of `info`: a caller editing one result's engine block must
        not change the next result's."""

    def close(self) -> None:
        """Free the matcher's memory (durable_rules' C rulesets); idempotent."""
        self.matcher.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _plain(self) -> Matcher:
        """The plain matcher for these rules (built on first use when durable_rules is the matcher)."""
        if self._plain_matcher is None:
            from engine.evaluation.pymatcher import PythonMatcher

            self._plain_matcher = PythonMatcher(self._pairs)
        return self._plain_matcher

    @staticmethod
    def _closure(rule: Rule, producers: dict[str, list[Rule]]) -> tuple[str, ...]:
        """Every fact a rule's proof shows: what it reads and, for derived facts, what their rules read."""
        seen: set[str] = set()
        todo = [rule]
        done: set[str] = set()
        while todo:
            r = todo.pop()
            if r.id in done:
                continue
            done.add(r.id)
            for path in r.reads():
                seen.add(path)
                todo.extend(producers.get(path, ()))
        return tuple(sorted(seen))

    # ------------------------------------------------------------ matching

    def _match(self, facts: Facts, session: MatchSession) -> Firing:
        facts = dict(facts)
        fired: list[str] = []
        derivations: dict[str, tuple[FactValue, str]] = {}
        warnings: list[str] = []
        new: Facts = {}
        for k in range(len(self.strata)):
            ids = session.match(k, facts, new)
            fired.extend(ids)
            new = {}
            for rule in sorted((self.by_id[i] for i in ids if self.by_id[i].derive), key=lambda r: r.sort_key):
                for name, value in rule.derive.items():
                    prior = derivations.get(name)
                    if prior is None:
                        derivations[name] = (value, rule.id)
                        new[DERIVED_PREFIX + name] = value
                    elif prior[0] != value or type(prior[0]) is not type(value):
                        warnings.append(
                            f"derived.{name}: {rule.id} derives {value!r} but {prior[1]} "
                            f"already derived {prior[0]!r}; kept {prior[0]!r}"
                        )
            facts.update(new)
        return Firing(facts, tuple(sorted(fired)), derivations, tuple(warnings))

    def fire(self, facts: Facts) -> Firing:
        """Match with the engine's matcher. A case durable_rules cannot hold within its fixed
        limits (many strong ratings overflow its evaluation stack) is matched by the plain
        matcher, which fires the same rules, and the result says so in its warnings."""
        if self.matcher.name == "durable":
            from engine.evaluation.durablematcher import DurableLimit

            try:
                with self.matcher.session() as session:
                    return self._match(facts, session)
            except DurableLimit as exc:
                firing = self.fire_python(facts)
                note = (
                    f"durable_rules could not evaluate this case within its limits ({exc.limit}); "
                    "it was evaluated by the plain matcher, which fires the same rules"
                )
                return Firing(firing.facts, firing.fired, firing.derivations, (note, *firing.warnings))
        with self.matcher.session() as session:
            return self._match(facts, session)

    def fire_python(self, facts: Facts) -> Firing:
        """Match with the plain compiled matcher (the explainer's semantics)."""
        with self._plain().session() as session:
            return self._match(facts, session)

    # ------------------------------------------------------------ evaluation

    def evaluate(
        self,
        case: Case,
        plan: PlanOptions | None = None,
        previous: Case | None = None,
        date: str | None = None,
        decisions: Decisions | None = None,
    ) -> Result:
        """Evaluate a case; with `previous` (an earlier assessment of the site) rules see change facts.
        `date` (YYYY-MM-DD) is the reference date of day counts when the case states no `assessed_on`.
        `decisions`: the team's decisions on the plan's items (engine/io/decisionfile.py reads them)."""
        facts, origins = self.case_facts(case, previous, date)
        reference = as_of(case, date)
        cues = find_cues(case)
        waiting = {_protective_fact(c): c.question for c in cues if c.protective}
        result = self._result(
            self.fire(facts), case.case_id, plan, origins, site_texts(case, reference), waiting, decisions
        )
        return with_context(result, case, previous, date, cues)

    def case_facts(
        self, case: Case, previous: Case | None = None, date: str | None = None
    ) -> tuple[Facts, dict[str, tuple[str, str]]]:
        """What the rules see: the case's facts, the groups' views combined where the case states
        none, the site's own facts (people, problem, events, assets, day counts from the reference
        date) and the computed facts (perspectives, changes since `previous`) some rule reads."""
        from engine.model.changes import change_facts
        from engine.model.perspectives import effective_facts, perspective_facts

        facts, origins = effective_facts(case)
        facts.update(site_facts(case, as_of(case, date)))
        wanted = self._reads.__contains__
        if case.perspectives:
            more, notes = perspective_facts(case, wanted)
            facts.update(more)
            origins.update(notes)
        if previous is not None:
            old, _ = effective_facts(previous)
            more, notes = change_facts(
                old,
                effective_facts(case)[0],
                previous.assessed_on or "the previous assessment",
                case.assessed_on or "this assessment",
                wanted,
            )
            facts.update(more)
            origins.update(notes)
        return facts, origins

    def evaluate_facts(self, facts: Facts, case_id: str, plan: PlanOptions | None = None) -> Result:
        firing = self.fire(facts)
        return self._result(firing, case_id, plan)

    def _result(
        self,
        firing: Firing,
        case_id: str,
        options: PlanOptions | None = None,
        origins: dict[str, tuple[str, str]] | None = None,
        site: dict[str, str] | None = None,
        waiting: dict[str, str] | None = None,
        decisions: Decisions | None = None,
    ) -> Result:
        """`site`: the case's site placeholder texts (placeholders.site_texts); `waiting`: the protective
        facts the case leaves unstated but cues, with their questions (their items are held back)."""
        facts = firing.facts
        work = self._work(firing, origins, {**case_values(facts), **(site or {})})
        groups: dict[tuple[str, str], list[Rule]] = {}
        for rid in firing.fired:
            rule = self.by_id[rid]
            if not rule.derive:
                groups.setdefault(rule.merge_key, []).append(rule)
        recs = [
            self._recommendation(sorted(members, key=lambda r: r.sort_key) if len(members) > 1 else members, work)
            for members in groups.values()
        ]
        recs.sort(key=lambda r: r.sort_key)
        ordered, plan = build_plan(recs, self.by_id, facts, options, waiting, decisions, self.shared)
        derived = {
            name: Derivation(name, value, rid, self._proof(rid, work))
            for name, (value, rid) in firing.derivations.items()
        }
        return Result(
            case_id=case_id,
            engine=json.loads(self._info_json),
            recommendations=ordered,
            derived_facts=derived,
            missing_information=self.missing(facts),
            warnings=firing.warnings,
            fired=firing.fired,
            plan=plan,
        )

    def _work(
        self, firing: Firing, origins: dict[str, tuple[str, str]] | None, known: dict[str, str | None] | None = None
    ) -> CaseWork:
        """The per-case state of a firing, its derivation lookup bound to it."""
        work = CaseWork(firing.facts, firing.derivations, origins, known or {})
        derivations = firing.derivations

        def derivation(path: str) -> Proof | None:
            entry = derivations.get(path[len(DERIVED_PREFIX) :])
            return self._proof(entry[1], work) if entry else None

        work.derivation = derivation
        return work

    def _proof_key(self, rule_id: str, work: CaseWork) -> tuple[Hashable, ...]:
        """What a rule's proof depends on: the values of the facts it shows, who derived them and,
        for facts from the groups' views or a previous assessment, where they came from."""
        get, derivations, origins = work.facts.get, work.derivations, work.origins
        paths = self._proof_inputs[rule_id]
        key = (
            rule_id,
            *[tuple(v) if isinstance(v := get(p, MISSING), list) else v for p in paths],
            *[derivations[n][1] if n in derivations else None for n in self._proof_derived[rule_id]],
        )
        if origins:
            key += tuple([origins.get(p) for p in paths])
        return key

    def _proof(self, rule_id: str, work: CaseWork, key: tuple[Hashable, ...] | None = None) -> Proof:
        """`key`: the rule's `_proof_key`, when the caller has computed it already."""
        proof = work.proofs.get(rule_id)
        if proof is None:
            # A proof depends only on the values of the facts its rule reads, through the rules that
            # derived them; across a portfolio those repeat, so proofs are shared (frozen data).
            if key is None:
                key = self._proof_key(rule_id, work)
            proof = self.shared.proofs.get(key)
            if proof is None:
                rule = self.by_id[rule_id]
                t = trace(rule.when, work.facts, work.derivation, work.origins, self.shared.traces)
                proof = Proof(rule.id, rule.pack, rule.title, t.held, prune(t), dict(rule.derive), rule.overrides)
                self.shared.proofs.put(key, proof)
            work.proofs[rule_id] = proof
        return proof

    def _text_key(self, rule_id: str, proof_key: tuple[Hashable, ...], work: CaseWork) -> tuple[Hashable, ...]:
        """What a rule's recommendation depends on: its proof's key, the facts its texts read and the
        site texts (people's names, dates, assets' words) its placeholders name."""
        get, known = work.facts.get, work.known
        return (
            proof_key
            + tuple([tuple(v) if isinstance(v := get(p, MISSING), list) else v for p in self._text_inputs[rule_id]])
            + tuple([known.get(n) for n in self._site_names[rule_id]])
        )

    def _texts(
        self, rule: Rule, facts: Facts, proof: Proof, known: dict[str, str | None]
    ) -> tuple[str, tuple[str, ...], str]:
        """The rule's title, actions and rationale for this case: the first text and rationale variants
        whose conditions hold (else the rule's own), placeholders filled from the case. `known` is the
        case's own placeholder text (the same for every rule of the case)."""
        rationale = next((var.text for var in rule.variants if holds(var.when, facts)), rule.rationale)
        title, actions = rule.title, rule.actions
        choice = next((c for c in rule.texts if holds(c.when, facts)), None)
        if choice is not None:
            title, actions = choice.title or title, choice.actions or actions
        if not self._templated[rule.id]:
            return title, actions, rationale
        values = values_for(facts, barriers_matched((proof,), self.shared), rule.fallbacks, known)
        return fill(title, values), tuple(fill(a, values) for a in actions), fill(rationale, values)

    def _recommendation(self, members: list[Rule], work: CaseWork) -> Recommendation:
        first, facts, known = members[0], work.facts, work.known
        if len(members) == 1:  # the common case: one rule, so the recommendation itself can be shared
            proof_key = self._proof_key(first.id, work)
            key = self._text_key(first.id, proof_key, work)
            rec = self.shared.recommendations.get(key)
            if rec is None:
                _, tags, _, sources = self._static[first.id]
                proof = self._proof(first.id, work, proof_key)
                title, actions, rationale = self._texts(first, facts, proof, known)
                rec = Recommendation(
                    rule_ids=(first.id,),
                    category=first.category,
                    title=title,
                    priority=first.priority,
                    score=first.score,
                    actions=actions,
                    tags=tags,
                    rationale=rationale,
                    sources=sources,
                    explanation=(proof,),
                    key=first.item_key,
                    addresses=_addresses(members, facts),
                )
                self.shared.recommendations.put(key, rec)
            return rec
        # merged recommendations are shared too (variants of one site repeat them): one is made from
        # its members' proofs and texts alone, so it is keyed by each member's key as above
        proof_keys = [self._proof_key(r.id, work) for r in members]
        key = tuple([self._text_key(r.id, k, work) for r, k in zip(members, proof_keys, strict=True)])
        rec = self.shared.merged.get(key)
        if rec is not None:
            return rec
        explanation = tuple(self._proof(r.id, work, k) for r, k in zip(members, proof_keys, strict=True))
        texts = [self._texts(r, facts, p, known) for r, p in zip(members, explanation, strict=True)]
        actions = _union(a for t in texts for a in t[1])
        tags = {k: _union(t for r in members for t in r.tags.get(k, ())) for k in TAG_KEYS}
        rationale = " ".join(_union(t[2] for t in texts if t[2]))
        sources = tuple(self.base.sources[s] for s in _union(s for r in members for s in r.sources))
        rec = Recommendation(
            rule_ids=tuple(r.id for r in members),
            category=first.category,
            title=texts[0][0],
            priority=first.priority,
            score=max(r.score for r in members),
            actions=actions,
            tags=tags,
            rationale=rationale,
            sources=sources,
            explanation=explanation,
            key=first.item_key,
            addresses=_addresses(members, facts),
        )
        self.shared.merged.put(key, rec)
        return rec

    def missing(self, facts: Facts) -> tuple[str, ...]:
        """Key facts the case leaves unstated that some rule reads; CFIR domains with no rating."""
        out = [p for p in self._asked if p not in facts]
        if self._reads_cfir:
            rated = {p.split(".")[1] for p in facts if p.startswith("cfir.")}
            out += [f"cfir.{d}" for d in CFIR_DOMAINS if d not in rated]
        return tuple(out)

    # ------------------------------------------------------------ questions about one rule

    def rule(self, rule_id: str) -> Rule:
        rule = self.by_id.get(rule_id)
        if rule is None:
            raise UsageError(
                Problem(
                    field="RULE_ID",
                    code="unknown_rule",
                    message=f"no rule '{rule_id}' is loaded",
                    hint=did_you_mean(rule_id, self.by_id, 0.5) or "list the rules with 'isp-advisor rules list'",
                )
            )
        return rule

    def explain(self, case: Case, rule_id: str, previous: Case | None = None) -> Proof:
        """The proof of one rule on one case (fired or not)."""
        rule = self.rule(rule_id)
        case_facts, origins = self.case_facts(case, previous)
        result_firing = self.fire(case_facts)
        work = self._work(result_firing, origins)
        t = trace(rule.when, work.facts, work.derivation, origins)
        fired = rule.id in result_firing.fired
        return Proof(rule.id, rule.pack, rule.title, fired, prune(t) if fired else t, dict(rule.derive), rule.overrides)

    def why_not(self, case: Case, rule_id: str) -> WhyNot:
        """Each condition with its actual value, and the smallest change that makes the rule fire."""
        from engine.evaluation.explain import failing

        proof = self.explain(case, rule_id)
        base_facts, _ = self.case_facts(case)
        if proof.fired:
            return WhyNot(rule_id, True, proof, (), (), self.standing(case, rule_id))

        def fires(trial: Facts) -> bool:
            return rule_id in self.fire_python(trial).fired

        paths = [p for p in self._inputs_of(rule_id) if candidate_values(p) and not is_computed(p)]
        return WhyNot(
            rule_id,
            False,
            proof,
            tuple(failing(proof.condition)),
            tuple(c) if (c := smallest_change(paths, base_facts, fires)) is not None else None,
        )

    def standing(self, case: Case, rule_id: str, options: PlanOptions | None = None) -> Standing:
        """Where a rule's recommendation ended up in the case's plan: placed, held back, folded, not fired."""
        rule = self.rule(rule_id)
        result = self.evaluate(case, options)
        assert result.plan is not None
        return standing(rule_id, result.recommendations, result.plan, result.fired, bool(rule.derive))

    def _inputs_of(self, rule_id: str, seen: set[str] | None = None) -> list[str]:
        """Case facts a rule depends on, through the rules deriving what it reads."""
        seen = seen if seen is not None else set()
        if rule_id in seen:
            return []
        seen.add(rule_id)
        out: list[str] = []
        producers = self._producers
        for path in sorted(self.by_id[rule_id].reads()):
            if path.startswith(DERIVED_PREFIX):
                for p in producers.get(path, []):
                    out += self._inputs_of(p.id, seen)
            else:
                out.append(path)
        return sorted(set(out), key=out.index)


def with_context(
    result: Result, case: Case, previous: Case | None, date: str | None = None, cues: tuple[Cue, ...] = ()
) -> Result:
    """The result with the groups' views (`perspectives`), the changes since `previous`, the
    reference date (`as_of`) and the cues the case's own words raise."""
    from msgspec.structs import replace

    from engine.model.changes import fact_changes
    from engine.model.perspectives import effective_facts, summary

    views = summary(case)
    changes = None
    if previous is not None:
        changes = [c.to_dict() for c in fact_changes(effective_facts(previous)[0], effective_facts(case)[0])]
    reference = as_of(case, date)
    return replace(
        result,
        perspectives=views,
        changes=changes,
        assessed_on=case.assessed_on,
        as_of=reference,
        cues=cues,
        warnings=result.warnings + _past_departures(case, reference),
    )


def _past_departures(case: Case, reference: AsOf | None) -> tuple[str, ...]:
    """A person still 'leaving' on a day before the reference date has probably left: say so."""
    if reference is None:
        return ()
    return tuple(
        f"people[{i}]: {p.role} is 'leaving' with until {p.until}, before {reference.date} "
        f"(the {reference.source.lstrip('-')}): if they have gone, write status: left"
        for i, p in enumerate(case.people or ())
        if p.status == "leaving" and p.until and p.until < reference.date
    )


PLACEHOLDER_FACTS = (
    "site",
    "innovation",
    "equity.priority_populations",
    "stage",
    "setting",
    "engagement.level",
    "engagement.target",
    "challenge.summary",
    "capacity.intervention_specific",
    "capacity.general",
    "capacity.analytic",
    "capacity.adaptive",
)
"""The case facts placeholders read (`{barriers}` comes from the proof)."""


def _conditions_of_texts(rule: Rule) -> list[Condition]:
    """The conditions that choose a rule's text: its rationale and text variants'."""
    return [v.when for v in rule.variants] + [c.when for c in rule.texts]


def _rule_texts(rule: Rule) -> tuple[str, ...]:
    return rule.all_texts


def _names(rule: Rule) -> frozenset[str]:
    return placeholder_names(_rule_texts(rule))


def _placeholder_facts(rule: Rule) -> set[str]:
    """The case facts a templated rule's texts are filled from (site placeholders are keyed by their
    text instead; every placeholder fact when a name is unknown, which the load-time check prevents)."""
    names = {n for n in _names(rule) if ":" not in n}
    derived = {n for n in names if n.startswith("derived.")}  # a derived word is its own fact
    if not names - derived <= FACTS_READ.keys():
        return set(PLACEHOLDER_FACTS)
    return {p for n in names - derived for p in FACTS_READ[n]} | derived


def _templated(rule: Rule) -> bool:
    return any(has_placeholders(t) for t in _rule_texts(rule))


def _addresses(members: Sequence[Rule], facts: Facts) -> tuple[str, ...]:
    """The problem tags the case states that an item's rules answer."""
    return tuple(t for t in _union(t for r in members for t in r.addresses) if facts.get(f"problem.{t}") is True)


def _protective_fact(cue: Cue) -> str:
    """The protective fact path a cue asks about (`events` cues name their kind)."""
    return f"{cue.path}.{cue.value}" if cue.path == "events" else cue.path


_H = TypeVar("_H", bound=Hashable)


def _union(items: Iterable[_H]) -> tuple[_H, ...]:
    """The items once each, in first-seen order."""
    seen: dict[_H, None] = {}
    for x in items:
        seen.setdefault(x, None)
    return tuple(seen)


def load_engine(
    rules: RulesArg = (), shipped: bool = True, matcher: str | None = None, packs: Packs | None = None
) -> Engine:
    """Load, validate and compile the shipped packs plus any local rule folders (`matcher`: see Engine).

    `rules` may be an EngineConfig (engine/model/config.py): its folders, shipped flag, matcher and
    verbosity are used (a `matcher` given here wins). `packs`: the rule files as a caller already read
    them (engine.rulepacks.loader.read_packs), so that its digest names the very bytes compiled here."""
    config = config_of(rules, shipped, matcher)
    with collector_paused():
        return Engine(load_rulebase(config, packs=packs), config.matcher, config.verbose, config.share)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a rule base is read and compiled, then as it was.

    The load makes some 100,000 long-lived objects (rules, conditions, durable_rules' definitions) and
    almost no garbage, yet the collector, triggered by allocations, walked them some 90 times: about 20 ms
    of a cold command's 0.35 s (bench/RESULTS.md, issue 24's fourth round). Whatever garbage the load did
    leave is collected at the next collection after it. Nothing else changes: the same objects, the same
    outputs."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _asked_facts(reads: set[str]) -> tuple[str, ...]:
    """The key, true/false, ordered and enumerated facts some rule reads (not CFIR ratings, capacity
    levels or the site's own sections), in FACTS order: what `missing` reports when a case leaves them out."""
    skip = ("cfir.", "capacity_levels.", *(f"{s}." for s in SITE_SECTIONS))
    return tuple(
        p
        for p in FACTS
        if p in reads and (p in KEY_FACTS or FACTS[p].kind in ("bool", "ordered", "enum")) and not p.startswith(skip)
    )


def _derived_names(paths: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p[len(DERIVED_PREFIX) :] for p in paths if p.startswith(DERIVED_PREFIX))


def _text_inputs(rule: Rule, templated: bool) -> tuple[str, ...]:
    """The facts a rule's texts depend on: their variants' conditions, its stated-problem tags and, for a
    templated rule, the facts its placeholders read."""
    found = {p for cond in _conditions_of_texts(rule) for p in facts_read(cond)}
    found |= {f"problem.{t}" for t in rule.addresses}
    if templated:
        found |= _placeholder_facts(rule)
    return tuple(sorted(found))


def _fixed_parts(
    rule: Rule, base: RuleBase
) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]], str, tuple[Source, ...]]:
    """What a rule fixes in each of its recommendations: its actions, tags (every key), rationale and sources."""
    return (
        rule.actions,
        {k: rule.tags.get(k, ()) for k in TAG_KEYS},
        rule.rationale,
        tuple(base.sources[s] for s in rule.sources),
    )
