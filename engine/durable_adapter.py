"""Everything that knows about durable_rules lives here, with its quirks.

- Its module-level host (`durable.lang`) is process-global and a ruleset name cannot be
  registered twice; we own one `durable.engine.Host` per compiled knowledge base instead, so
  several engines live in one process.
- `Host()` starts timer threads that dispatch actions in the background; a synchronous engine
  must not race them, so our host does not start them.
- Asserting a fact that no rule's pattern accepts raises MessageNotHandledException: that means
  "nothing fired", not an error. It still opens a session that must be deleted, and deleting a
  session from a ruleset that has never handled a fact crashes the process: every ruleset is
  primed with one handled fact when it is registered (PRIME).
- Asserting a fact identical to one already in the session raises MessageObservedException; each
  case gets its own session id (deleted after the case, so memory stays flat), so a repeat means
  a bug and is reported as an EngineError.
- Exceptions raised inside actions are swallowed into the session state (`exception`); we check
  for them and raise an EngineError.
- Posted events are consumed by the first rule that matches them; we assert facts, so every rule
  sees every case.
- A fact may have at most 255 properties; the compiler checks the worst case before any case runs.
- Comparing a property with another that is missing is *true* in durable_rules, and values of
  different types compare; compiled conditions therefore guard references with `$ex` and the
  loader keeps each derived fact to one type.
- After every action durable_rules re-asserts the session state (`{sid, id, $s}`) as a fact. A
  rule that holds when properties are absent (`$nex`) would match it and fire forever, so every
  case fact carries a marker property and every compiled rule requires it.
- An `$or` is split into one path per branch, so a rule fires once per branch that holds; the
  firings are de-duplicated here.
- Dispatching an action through the Host costs a Closure, a JSON dump of the session state and
  its re-assertion as a fact. The engine only needs to know which rules matched, so by default
  `run` drives the ruleset's core handle directly (assert, then start/complete each pending
  action without running Python code); rulesets are still registered through the Host. When
  Python actions are given (the benchmark's floor, tests), they run through the Host as usual.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any

import durable_rules_engine as _core
from durable import engine as _durable
from durable_rules_engine import error as _DurableCoreError

from .conditions import All, Condition, Not, Test
from .errors import EngineError, Problem
from .facts import Facts, FactSpec, spec_for

MAX_PROPERTIES = 255
PRIME = "isp__prime"
"""A rule in every ruleset that matches only a priming fact, asserted once when the rules are
registered. durable_rules crashes (segmentation fault) when a session is deleted from a ruleset
that has never handled a fact, and a case that no rule accepts still opens a session (the state
table holds 1,024 at most), so that session must be deleted: priming makes the delete safe."""
MIXED_SUFFIX = "__mixed"
CASE_MARK = "isp__case"
"""A property only case facts carry (never the re-asserted session state)."""

Expr = dict[str, Any]


def _noop(c: Any) -> None:
    return None


class DurableRejected(Exception):
    """durable_rules would not build some rules (e.g. its limit on tests in one condition)."""

    def __init__(self, rule_ids: list[str], message: str) -> None:
        super().__init__(message)
        self.rule_ids = rule_ids
        self.message = message


def _refused(definitions: dict[str, dict[str, Any]]) -> list[str]:
    """The rules durable_rules refuses when each is built on its own."""
    refused = []
    for rules in definitions.values():
        for rid, rule in rules.items():
            try:
                _SyncHost().register_rulesets({f"probe{next(DurableRunner._ids)}": {rid: dict(rule)}})
            except BaseException:  # noqa: BLE001 - any refusal marks the rule
                refused.append(rid)
    return refused


class _SyncHost(_durable.Host):  # type: ignore[misc]
    """A Host that runs actions only in the calling thread."""

    def _run(self) -> None:  # noqa: D102 - no background dispatch threads
        return None


def key(path: str) -> str:
    """The durable_rules property name of a fact path ('.' would read as nesting)."""
    return path.replace(".", "__")


# ---------------------------------------------------------------- facts -> durable fact


def encoder(spec: FactSpec | None) -> Callable[[Any], list[tuple[str, Any]]]:
    """How one fact's value becomes durable properties (ranks for ordered scales)."""
    if spec is None:
        return lambda value: []
    k = key(spec.path)
    if spec.kind == "rating":
        km = k + MIXED_SUFFIX
        return lambda value: [(km, 1)] if value == "mixed" else [(k, value)]
    if spec.kind == "ordered":
        ranks = {val: i for i, val in enumerate(spec.values)}
        return lambda value: [(k, ranks[value])]
    if spec.kind in ("text", "list"):
        return lambda value: [(k, 1)]
    return lambda value: [(k, value)]


class FactEncoder:
    """Encodes facts for durable_rules; encoders are built once per path."""

    def __init__(self) -> None:
        self._cache: dict[str, Callable[[Any], list[tuple[str, Any]]]] = {}

    def encode(self, facts: Facts, into: dict[str, Any]) -> dict[str, Any]:
        into[CASE_MARK] = 1
        cache = self._cache
        for path, value in facts.items():
            enc = cache.get(path)
            if enc is None:
                enc = cache[path] = encoder(spec_for(path))
            for k, val in enc(value):
                into[k] = val
        return into


# ---------------------------------------------------------------- conditions -> durable expressions


def _rank(spec: FactSpec, value: Any) -> Any:
    if spec.kind == "ordered":
        return spec.values.index(value)
    return value


def _or(items: list[Expr]) -> Expr:
    return items[0] if len(items) == 1 else {"$or": items}


def _and(items: list[Expr]) -> Expr:
    return items[0] if len(items) == 1 else {"$and": items}


def _ex(k: str) -> Expr:
    return {"$ex": {k: 1}}


def _nex(k: str) -> Expr:
    return {"$nex": {k: 1}}


_DOP = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte", "not_equals": "$neq"}
_FLIP = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}


def _present(spec: FactSpec) -> Expr:
    k = key(spec.path)
    return _or([_ex(k), _ex(k + MIXED_SUFFIX)]) if spec.kind == "rating" else _ex(k)


def _absent(spec: FactSpec) -> Expr:
    k = key(spec.path)
    return _and([_nex(k), _nex(k + MIXED_SUFFIX)]) if spec.kind == "rating" else _nex(k)


def _equals(spec: FactSpec, value: Any) -> Expr:
    k = key(spec.path)
    if spec.kind == "rating" and value == "mixed":
        return _ex(k + MIXED_SUFFIX)
    return {k: _rank(spec, value)}


def _not_equals(spec: FactSpec, value: Any) -> Expr:
    """Present and different (a missing fact is never 'different')."""
    k = key(spec.path)
    if spec.kind == "rating":
        if value == "mixed":
            return _ex(k)
        return _or([{"$neq": {k: value}}, _ex(k + MIXED_SUFFIX)])
    return {"$neq": {k: _rank(spec, value)}}


def _ref_test(t: Test, spec: FactSpec, rspec: FactSpec, op: str) -> Expr:
    k, rk = key(spec.path), key(rspec.path)
    both = [_ex(k), _ex(rk)]
    if op == "equals":
        num = _and(both + [{k: {"$m": rk}}])
        if spec.kind == "rating":
            return _or([num, _and([_ex(k + MIXED_SUFFIX), _ex(rk + MIXED_SUFFIX)])])
        return num
    if op == "not_equals":
        num = _and(both + [{"$neq": {k: {"$m": rk}}}])
        if spec.kind == "rating":
            return _or([num, _and([_ex(k + MIXED_SUFFIX), _ex(rk)]), _and([_ex(k), _ex(rk + MIXED_SUFFIX)])])
        return num
    return _and(both + [{_DOP[op]: {k: {"$m": rk}}}])


def _positive(t: Test) -> Expr:
    spec = spec_for(t.fact)
    assert spec is not None
    if t.op == "exists":
        return _present(spec) if t.value else _absent(spec)
    if t.ref is not None:
        rspec = spec_for(t.ref)
        assert rspec is not None
        return _ref_test(t, spec, rspec, t.op)
    if t.op == "equals":
        return _equals(spec, t.value)
    if t.op == "not_equals":
        return _not_equals(spec, t.value)
    if t.op == "in":
        return _or([_equals(spec, x) for x in t.value])
    if t.op == "not_in":
        return _and([_not_equals(spec, x) for x in t.value])
    return {_DOP[t.op]: {key(spec.path): _rank(spec, t.value)}}


def _negative(t: Test) -> Expr:
    """The exact complement of `_positive(t)` (a missing fact makes a test false, so its negation true)."""
    spec = spec_for(t.fact)
    assert spec is not None
    if t.op == "exists":
        return _absent(spec) if t.value else _present(spec)
    missing = [_absent(spec)]
    if t.ref is not None:
        rspec = spec_for(t.ref)
        assert rspec is not None
        missing.append(_absent(rspec))
        if t.op in _FLIP:
            k, rk = key(spec.path), key(rspec.path)
            # an unordered value (mixed) on either side also makes the comparison false
            return _or([_nex(k), _nex(rk), {_DOP[_FLIP[t.op]]: {k: {"$m": rk}}}])
        flipped = Test(t.fact, "not_equals" if t.op == "equals" else "equals", None, t.ref)
        return _or(missing + [_positive(flipped)])
    if t.op in _FLIP:
        return _or([_nex(key(spec.path)), {_DOP[_FLIP[t.op]]: {key(spec.path): _rank(spec, t.value)}}])
    opposite = {"equals": "not_equals", "not_equals": "equals", "in": "not_in", "not_in": "in"}[t.op]
    return _or(missing + [_positive(Test(t.fact, opposite, t.value))])


def compile_condition(cond: Condition, negate: bool = False) -> Expr:
    """A condition tree -> one durable_rules expression, negations pushed down to the tests."""
    if isinstance(cond, Test):
        return _negative(cond) if negate else _positive(cond)
    if isinstance(cond, Not):
        return compile_condition(cond.item, not negate)
    parts = [compile_condition(c, negate) for c in cond.items]
    conj = isinstance(cond, All) != negate
    return _and(parts) if conj else _or(parts)


MAX_PATHS = 64
"""durable_rules expands a condition into one network path per alternative (its disjunctive normal
form); nested `any`s multiply. Beyond this many paths a rule is refused, not silently slow."""


def path_count(cond: Condition) -> int:
    """How many alternative paths durable_rules builds for a condition."""

    def count(expr: Any) -> int:
        if isinstance(expr, dict) and "$or" in expr:
            return sum(count(x) for x in expr["$or"])
        if isinstance(expr, dict) and "$and" in expr:
            n = 1
            for x in expr["$and"]:
                n *= count(x)
            return n
        return 1

    return count(compile_condition(cond))


# ---------------------------------------------------------------- running


def _each(actions: list[Callable[[Any], None]]) -> Callable[[Any], None]:
    if len(actions) == 1:
        return actions[0]

    def run_all(c: Any) -> None:
        for act in actions:
            act(c)

    return run_all


class DurableRunner:
    """Compiled rulesets (one per stratum) registered in a host of their own."""

    _ids = itertools.count(1)

    def __init__(self, strata: Sequence[Sequence[tuple[str, Condition]]],
                 action: Callable[[str], Callable[[Any], None]] | None = None) -> None:
        self.names = [f"isp{next(self._ids)}_s{i}" for i in range(len(strata))]
        self._fired: list[str] = []
        self._errors: list[BaseException] = []
        self._fast = action is None
        make = action or self._recorder
        definitions: dict[str, dict[str, Any]] = {}
        # Rules with the same condition (decision-table rows on one construct, say) share one
        # durable_rules rule, named after the first of them; a firing stands for all of them.
        self._members: dict[str, tuple[str, ...]] = {}
        for name, stratum in zip(self.names, strata, strict=True):
            groups: dict[Condition, list[str]] = {}
            for rid, cond in stratum:
                groups.setdefault(cond, []).append(rid)
            definitions[name] = {}
            for cond, rids in groups.items():
                self._members[rids[0]] = tuple(rids)
                definitions[name][rids[0]] = {"all": [{"m": _and([{CASE_MARK: 1}, compile_condition(cond)])}],
                                              "run": self._guard(_each([make(rid) for rid in rids]))}
            if definitions[name]:
                definitions[name][PRIME] = {"all": [{"m": {PRIME: 1}}], "run": _noop}
        self.definitions = definitions
        self.host = _SyncHost()
        try:
            # durable_rules deletes 'run' from the definitions it is given: give it copies
            self.host.register_rulesets({n: {rid: dict(rule) for rid, rule in d.items()}
                                         for n, d in definitions.items() if d})
        except BaseException as exc:  # durable refuses a definition: find which rules it refuses
            refused = [rid for first in _refused(definitions) for rid in self._members.get(first, (first,))]
            raise DurableRejected(refused, str(exc)) from None
        self._active = {n for n, d in definitions.items() if d}
        self._handles = {n: self.host.get_ruleset(n)._handle for n in self._active}
        self._prime()

    def _guard(self, action: Callable[[Any], None]) -> Callable[[Any], None]:
        """Keep an action's exception for us instead of letting durable_rules swallow it."""
        errors = self._errors

        def guarded(c: Any) -> None:
            try:
                action(c)
            except BaseException as exc:  # noqa: BLE001 - re-raised after the assert returns
                errors.append(exc)

        return guarded

    def _recorder(self, rule_id: str) -> Callable[[Any], None]:
        fired = self._fired

        def action(c: Any) -> None:
            fired.append(rule_id)

        return action

    def run(self, stratum: int, fact: dict[str, Any]) -> list[str]:
        """Assert one case fact into a stratum's ruleset; the ids of the rules that fired."""
        name = self.names[stratum]
        if name not in self._active:
            return []
        if self._fast:
            return self._run_core(self._handles[name], fact)
        fired = self._fired
        fired.clear()
        try:
            self.host.assert_fact(name, fact)
        except _durable.MessageNotHandledException:
            return []
        except _durable.MessageObservedException:
            raise EngineError(Problem(code="durable_observed", field=str(fact.get("sid")),
                                      message="durable_rules saw the same case twice in one session",
                                      hint="each case needs its own session id")) from None
        except _DurableCoreError as exc:
            raise EngineError(Problem(code="durable_error", message=f"durable_rules failed: {exc}",
                                      hint=f"a fact may have at most {MAX_PROPERTIES} properties")) from None
        if self._errors:
            failure = self._errors[0]
            self._errors.clear()
            raise EngineError(Problem(code="action_failed",
                                      message=f"a rule action failed: {type(failure).__name__}: {failure}"))
        return list(dict.fromkeys(fired))

    def _prime(self) -> None:
        """Give every ruleset one handled fact before any case (see PRIME)."""
        for name in self._active:
            self.host.assert_fact(name, {"sid": PRIME, PRIME: 1})
            self.host.delete_state(name, PRIME)

    def _run_core(self, handle: Any, fact: dict[str, Any]) -> list[str]:
        """Match without dispatching Python actions: the names of the pending actions are the rule ids."""
        try:
            code, state = _core.assert_fact(handle, json.dumps(fact, ensure_ascii=False))[:2]
        except _DurableCoreError as exc:
            raise EngineError(Problem(code="durable_error", message=f"durable_rules failed: {exc}",
                                      hint=f"a fact may have at most {MAX_PROPERTIES} properties")) from None
        if code == 3:
            state = 0
        if code == 1:  # not handled: no rule's pattern accepts the fact
            return []
        if code == 2:
            raise EngineError(Problem(code="durable_observed", field=str(fact.get("sid")),
                                      message="durable_rules saw the same case twice in one session",
                                      hint="each case needs its own session id"))
        fired: dict[str, None] = {}
        pending = _core.start_action_for_state(handle, state)
        message = pending[1] if pending else None
        while message:
            # the message is '{"<rule id>": {...the fact...}}'; rule ids never need JSON escapes
            fired[message[2:message.index('"', 2)]] = None
            message = _core.complete_and_start_action(handle, state)
        members = self._members
        return [rid for first in fired for rid in members.get(first, ())]

    def forget(self, sid: str) -> None:
        """Delete a case's session in every ruleset, so memory stays flat across cases."""
        for name in self._active:
            try:
                self.host.delete_state(name, sid)
            except _DurableCoreError:
                pass  # no state was created: nothing matched in that ruleset
