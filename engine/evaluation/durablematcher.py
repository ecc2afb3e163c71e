"""The durable_rules matcher: everything that knows about durable_rules lives here, with its quirks.

The runner sees only the Matcher interface (engine/evaluation/matcher.py); encoding, sessions, markers,
priming, status codes and freeing are all here.

- Rulesets are created on durable_rules' C core directly (one per stratum); the engine only needs
  to know which rules matched, so no Python action is ever dispatched: a case fact is asserted,
  and the names of the pending actions are the rule ids. Each ruleset is freed (`delete_ruleset`)
  by `close()` or when the matcher is garbage collected, so memory stays flat over many engines.
- Asserting a fact that no rule's pattern accepts returns NOT_HANDLED: that means "nothing
  fired". It still opens a session, and deleting a session from a ruleset that has never handled
  a fact crashes the process: every ruleset is primed with one handled fact when it is created.
- One session per ruleset is reused across cases: after a case its facts are retracted (57% of
  a fresh session's cost is creating and zeroing it). A session that failed is deleted and
  replaced, so a failure never leaks into the next case.
- A fact may have at most 255 properties, a rule at most 64 alternative paths, and the C core
  has fixed tables (rules per ruleset, tests per rule, a 64-deep evaluation stack). A rule base
  beyond them raises DurableLimit before any case runs (the engine then uses the plain matcher);
  a case beyond them raises DurableLimit for that case (the engine evaluates it with the plain
  matcher and says so). Anything else unexpected is an EngineError naming the rules.
- Comparing a property with another that is missing is *true* in durable_rules, and values of
  different types compare; compiled conditions therefore guard references with `$ex` and the
  loader keeps each derived fact to one type.
- Every case fact carries a marker property and every compiled rule requires it, so a rule that
  holds when properties are absent (`$nex`) never matches anything but a case.
- An `$or` is split into one path per branch, so a rule fires once per branch that holds; the
  firings are de-duplicated here. Rules with the same condition share one durable rule.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import IntEnum
from typing import Any

import durable_rules_engine as _core
import msgspec
from durable_rules_engine import error as _DurableCoreError

from engine.errors import EngineError, Problem
from engine.evaluation.matching import DURABLE_MAX_PROPERTIES
from engine.model import operators
from engine.model.conditions import All, Condition, Not, Test, facts_read
from engine.model.facts import Facts, FactSpec, spec_for

MAX_PROPERTIES = DURABLE_MAX_PROPERTIES
MAX_PATHS = 64
"""durable_rules expands a condition into one network path per alternative (its disjunctive normal
form); nested `any`s multiply. Beyond this many paths it is refused, not silently slow."""
PRIME = "isp__prime"
"""A rule in every ruleset that matches only a priming fact, asserted once when the ruleset is
created (see the module notes). Rule ids starting with `isp__` are reserved (rulemodel)."""
MIXED_SUFFIX = "__mixed"
CASE_MARK = "isp__case"
"""A property only case facts carry (never the re-asserted session state)."""

Expr = dict[str, Any]


class Status(IntEnum):
    """What durable_rules' assert returns (rules.h)."""

    OK = 0
    NOT_HANDLED = 1
    OBSERVED = 2
    DEFERRED = 3


LIMITS: dict[int, str] = {
    106: "ERR_RULE_LIMIT_EXCEEDED: too many rules or actions in one ruleset",
    107: "ERR_RULE_EXISTS_LIMIT_EXCEEDED: too many 'exists' tests",
    108: "ERR_RULE_BETA_LIMIT_EXCEEDED: too many joins in one ruleset",
    113: "ERR_EXPRESSION_LIMIT_EXCEEDED: too many tests in one condition",
    302: "ERR_EVENT_MAX_PROPERTIES: more than 255 properties in one fact",
    303: "ERR_MAX_STACK_SIZE: more than 64 pending evaluations for one fact",
    304: "ERR_MAX_MESSAGES_IN_FRAME: too many matches in one frame",
}
"""durable_rules' error codes that mean one of its fixed tables is full (not that the input is wrong)."""

_CODE_RE = re.compile(r"error code: (\d+)")


class DurableLimit(Exception):
    """durable_rules cannot hold this rule base or this case within its fixed limits.

    `limit` names the limit; `rule_ids` the rules concerned (empty when it is the case, or all of
    a ruleset when it is the ruleset's size)."""

    def __init__(self, limit: str, rule_ids: Sequence[str] = (), detail: str = "") -> None:
        super().__init__(limit)
        self.limit = limit
        self.rule_ids = tuple(rule_ids)
        self.detail = detail


def error_code(exc: BaseException) -> int | None:
    """The numeric code of a durable_rules core error ('... error code: 303')."""
    m = _CODE_RE.search(str(exc))
    return int(m.group(1)) if m else None


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
    """Encodes facts for durable_rules; encoders are built once per path.

    With `reads`, only those paths are encoded (a fact no rule tests need not reach durable_rules,
    which keeps a case fact well inside its property limit)."""

    def __init__(self, reads: Iterable[str] | None = None) -> None:
        self._cache: dict[str, Callable[[Any], list[tuple[str, Any]]]] = {}
        self._reads = None if reads is None else frozenset(reads)

    def encode(self, facts: Facts, into: dict[str, Any]) -> dict[str, Any]:
        into[CASE_MARK] = 1
        cache = self._cache
        for path, value in facts.items():
            enc = cache.get(path)
            if enc is None:
                wanted = self._reads is None or path in self._reads
                enc = cache[path] = encoder(spec_for(path) if wanted else None)
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


_DOP = {o.name: o.durable for o in operators.REGISTRY if o.durable}
_FLIP = {o.name: o.complement for o in operators.REGISTRY if o.family == "order"}


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
    if operators.BY_NAME[t.op].family == "exists":
        return _present(spec) if t.value else _absent(spec)
    if t.ref is not None:
        rspec = spec_for(t.ref)
        assert rspec is not None
        return _ref_test(t, spec, rspec, t.op)
    declared = operators.BY_NAME[t.op]
    if declared.family == "equality":
        return _not_equals(spec, t.value) if declared.negated else _equals(spec, t.value)
    if declared.family == "membership":
        if declared.negated:
            return _and([_not_equals(spec, x) for x in t.members()])
        return _or([_equals(spec, x) for x in t.members()])
    return {_DOP[t.op]: {key(spec.path): _rank(spec, t.value)}}


def _negative(t: Test) -> Expr:
    """The exact complement of `_positive(t)` (a missing fact makes a test false, so its negation true)."""
    spec = spec_for(t.fact)
    assert spec is not None
    if operators.BY_NAME[t.op].family == "exists":
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
        flipped = Test(t.fact, operators.BY_NAME[t.op].complement, None, t.ref)
        return _or(missing + [_positive(flipped)])
    if t.op in _FLIP:
        return _or([_nex(key(spec.path)), {_DOP[_FLIP[t.op]]: {key(spec.path): _rank(spec, t.value)}}])
    opposite = operators.BY_NAME[t.op].complement
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


def _paths(expr: Expr) -> int:
    """How many alternative paths durable_rules builds for a compiled expression."""
    if isinstance(expr, dict) and "$or" in expr:
        return sum(_paths(x) for x in expr["$or"])
    if isinstance(expr, dict) and "$and" in expr:
        n = 1
        for x in expr["$and"]:
            n *= _paths(x)
        return n
    return 1


def _expressions(strata: Sequence[Stratum]) -> dict[Condition, Expr]:
    """Each distinct condition of the strata compiled once (rules share conditions: decision-table rows)."""
    out: dict[Condition, Expr] = {}
    for s in strata:
        for _, cond in s:
            if cond not in out:
                out[cond] = compile_condition(cond)
    return out


# ---------------------------------------------------------------- the matcher

Stratum = Sequence[tuple[str, Condition]]


def _definitions(
    strata: Sequence[Stratum], expressions: Mapping[Condition, Expr] | None = None
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, ...]]]:
    """One durable ruleset definition per stratum; rules with the same condition (decision-table
    rows on one construct, say) share one durable rule, named after the first of them. `expressions`:
    the conditions already compiled (`_expressions`)."""
    exprs = expressions if expressions is not None else _expressions(strata)
    members: dict[str, tuple[str, ...]] = {}
    out: list[dict[str, Any]] = []
    for stratum in strata:
        groups: dict[Condition, list[str]] = {}
        for rid, cond in stratum:
            groups.setdefault(cond, []).append(rid)
        definition: dict[str, Any] = {}
        for cond, rids in groups.items():
            members[rids[0]] = tuple(rids)
            definition[rids[0]] = {"all": [{"m": _and([{CASE_MARK: 1}, exprs[cond]])}]}
        if definition:
            definition[PRIME] = {"all": [{"m": {PRIME: 1}}]}
        out.append(definition)
    return out, members


def _create(name: str, definition: dict[str, Any]) -> int:
    handle: int = _core.create_ruleset(name, msgspec.json.encode(definition).decode())
    return handle


def _free(handles: list[int]) -> None:
    """Delete C rulesets (idempotent: the list is emptied)."""
    while handles:
        try:
            _core.delete_ruleset(handles.pop())
        except _DurableCoreError:
            pass


def _drain(handle: int, state: int) -> list[str]:
    """Start and complete every pending action of a session without running Python code: the
    action names are the (first) rule ids of the rules that matched."""
    names: list[str] = []
    pending = _core.start_action_for_state(handle, state)
    message = pending[1] if pending else None
    while message:
        # the message is '{"<rule id>": {...the fact...}}'; rule ids never need JSON escapes
        names.append(message[2 : message.index('"', 2)])
        message = _core.complete_and_start_action(handle, state)
    return names


def _prime(handle: int) -> None:
    """Give a ruleset one handled fact before any case (see PRIME)."""
    code, state = _core.assert_fact(handle, msgspec.json.encode({"sid": PRIME, PRIME: 1}).decode())[:2]
    if code == Status.OK:
        _drain(handle, state)
    _core.delete_state(handle, PRIME)


def _static_limits(
    strata: Sequence[Stratum], expressions: Mapping[Condition, Expr] | None = None
) -> list[DurableLimit]:
    """The limits that can be checked without building: paths per condition, properties per fact.
    `expressions`: the conditions already compiled (`_expressions`)."""
    exprs = expressions if expressions is not None else _expressions(strata)
    paths = {cond: _paths(expr) for cond, expr in exprs.items()}
    found = [
        DurableLimit(
            f"at most {MAX_PATHS} alternative paths per condition",
            (rid,),
            f"the condition expands to {paths[cond]} alternative paths",
        )
        for s in strata
        for rid, cond in s
        if paths[cond] > MAX_PATHS
    ]
    reads = {p for s in strata for _, cond in s for p in facts_read(cond)}
    if len(reads) + 2 > MAX_PROPERTIES:
        found.append(
            DurableLimit(
                f"at most {MAX_PROPERTIES} properties in one fact",
                sorted({rid for s in strata for rid, _ in s}),
                f"the rules read {len(reads)} distinct facts",
            )
        )
    return found


def combined(found: Sequence[DurableLimit]) -> DurableLimit:
    """Several limits as one (the first limit's name, every rule, every detail)."""
    if len(found) == 1:
        return found[0]
    limits = "; ".join(dict.fromkeys(x.limit for x in found))
    return DurableLimit(limits, [r for x in found for r in x.rule_ids], "; ".join(x.detail for x in found if x.detail))


def durable_limits(strata: Sequence[Stratum]) -> list[DurableLimit]:
    """What durable_rules cannot hold in these strata, by rule, without keeping anything built:
    conditions with too many paths, conditions it refuses, rulesets beyond its tables, facts with
    too many properties. Shared by the matcher (which then refuses the rule base) and lint."""
    found = _static_limits(strata)
    if any("properties" in x.limit for x in found):
        return found  # every rule is concerned: nothing more to learn by building
    beyond = {rid for x in found for rid in x.rule_ids}
    definitions, members = _definitions([[(rid, c) for rid, c in s if rid not in beyond] for s in strata])
    for index, definition in enumerate(definitions):
        if definition:
            found += _stratum_limits(index, definition, members)
    return found


def _stratum_limits(index: int, definition: dict[str, Any], members: dict[str, tuple[str, ...]]) -> list[DurableLimit]:
    """What durable_rules refuses in one stratum's definition: nothing when it builds; else each condition
    it refuses on its own, or (its tables too small for them together) the stratum as a whole."""
    try:
        _free([_create(f"isp-probe{next(_ids)}", definition)])
        return []
    except _DurableCoreError as exc:
        code = error_code(exc)
    refused = []
    if code != 106:  # a condition it refuses (or many together): find which, one at a time
        for first, rule in definition.items():
            try:
                _free([_create(f"isp-probe{next(_ids)}", {first: rule})])
            except _DurableCoreError as one:
                refused.append((first, error_code(one)))
    if refused:
        return [
            DurableLimit(
                LIMITS.get(one_code or 0, f"a condition it cannot build (error {one_code})"),
                members.get(first, (first,)),
            )
            for first, one_code in refused
        ]
    rids = [rid for first in definition if first != PRIME for rid in members.get(first, (first,))]
    return [
        DurableLimit(
            LIMITS.get(code or 0, f"error {code}"),
            rids,
            f"stratum {index} holds {len(rids)} rules ({len(definition) - 1} distinct conditions)",
        )
    ]


_ids = itertools.count(1)


class _Compiled:
    """One set of C rulesets (one per stratum) and the session id in use; kept for reuse."""

    def __init__(self, key: bytes, names: list[str], handles: list[int | None]) -> None:
        self.key = key
        self.names = names
        self.by_stratum = handles
        self.sid = 0


POOL_SIZE = 2
"""Closed rulesets kept per distinct rule base for the next engine on the same rules.

durable_rules' `delete_ruleset` frees a ruleset but not the inner tables of its sessions (about
5 MB for the shipped packs once a case has matched), so building and freeing engines would grow a
process without bound; reusing the closed rulesets of identical rules keeps it flat."""
_POOL: dict[bytes, list[_Compiled]] = {}


def _release(compiled: _Compiled) -> None:
    """A closed matcher's rulesets: back to the pool, or freed when the pool is full."""
    free = _POOL.setdefault(compiled.key, [])
    if len(free) < POOL_SIZE and compiled.by_stratum:
        free.append(compiled)
        return
    _free([h for h in compiled.by_stratum if h is not None])
    compiled.by_stratum = []


class DurableMatcher:
    """Compiled rulesets (one per stratum) on durable_rules' C core; one reusable session each."""

    name = "durable"

    def __init__(self, strata: Sequence[Stratum]) -> None:
        self._rules = [tuple(rid for rid, _ in s) for s in strata]
        exprs = _expressions(strata)
        found = _static_limits(strata, exprs)
        if found:
            raise combined(found)
        self.definitions, self._members = _definitions(strata, exprs)
        key = msgspec.json.encode(self.definitions, order="sorted")
        free = _POOL.get(key)
        if free:
            compiled = free.pop()
        else:
            serial = next(_ids)
            compiled = _Compiled(key, [f"isp{serial}_s{i}" for i in range(len(strata))], [])
            try:
                for name, definition in zip(compiled.names, self.definitions, strict=True):
                    handle = _create(name, definition) if definition else None
                    compiled.by_stratum.append(handle)
                    if handle is not None:
                        _prime(handle)
            except _DurableCoreError:
                _free([h for h in compiled.by_stratum if h is not None])
                found = durable_limits(strata)
                if found:
                    raise combined(found) from None
                raise
        self._compiled = compiled
        self.names = compiled.names
        self._by_stratum = compiled.by_stratum
        self._finalizer = weakref.finalize(self, _release, compiled)
        self.encoder = FactEncoder({p for s in strata for _, cond in s for p in facts_read(cond)})
        self._asserted: list[tuple[int, str]] = []
        self.reuse = True
        """Retract each case's facts from one session instead of creating a session per case."""

    @property
    def _sid(self) -> int:
        return self._compiled.sid

    @property
    def _handles(self) -> list[int]:
        """The live C rulesets (empty once closed)."""
        return [h for h in self._by_stratum if h is not None] if self._finalizer.alive else []

    def close(self) -> None:
        """Release the C rulesets (idempotent): kept for the next matcher of the same rules, or
        freed; this matcher cannot be used afterwards."""
        if self._finalizer.alive and self._asserted:
            self._reset()  # closed mid-case: never hand a session with facts in it to the next matcher
        self._finalizer()

    def __enter__(self) -> DurableMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> DurableSession:
        return DurableSession(self)

    # the session's work, kept here where the handles are

    def _sid_text(self) -> str:
        return f"c{self._sid}"

    def _assert(self, stratum: int, fact: dict[str, Any]) -> list[str]:
        handle = self._by_stratum[stratum]
        if handle is None:
            return []
        fact["sid"] = self._sid_text()
        text = msgspec.json.encode(fact).decode()
        try:
            code, state = _core.assert_fact(handle, text)[:2]
        except _DurableCoreError as exc:
            self._reset()
            number = error_code(exc)
            if number in LIMITS:
                raise DurableLimit(LIMITS[number]) from None
            raise self._unexpected(stratum, f"durable_rules failed: {exc}") from None
        if code == Status.NOT_HANDLED:
            return []
        self._asserted.append((handle, text))
        if code == Status.OBSERVED:
            self._reset()
            raise self._unexpected(stratum, "durable_rules saw the same case twice in one session")
        if code not in (Status.OK, Status.DEFERRED):
            self._reset()
            raise self._unexpected(stratum, f"durable_rules returned status {code}")
        try:
            names = _drain(handle, state) if code == Status.OK else []
        except _DurableCoreError as exc:
            self._reset()
            raise self._unexpected(stratum, f"durable_rules failed while matching: {exc}") from None
        members = self._members
        out: dict[str, None] = {}
        for first in names:
            rids = members.get(first)
            if rids is None:
                self._reset()
                raise self._unexpected(stratum, f"durable_rules reported an unknown rule '{first}'")
            for rid in rids:
                out[rid] = None
        return list(out)

    def _end_case(self) -> None:
        """Retract the case's facts so the session is empty for the next case (or start afresh)."""
        asserted, self._asserted = self._asserted, []
        if not self.reuse:
            self._reset()
            return
        for handle, text in asserted:
            try:
                code = _core.retract_fact(handle, text)[0]
            except _DurableCoreError:
                code = -1
            if code not in (Status.OK, Status.DEFERRED):
                self._reset()
                return

    def _reset(self) -> None:
        """Delete this session in every ruleset and move on to a fresh session id (in every one:
        a fact no rule accepted still opened the session, and durable_rules' state table is
        fixed, so an undeleted session is a slot lost for good)."""
        for handle in self._handles:
            try:
                _core.delete_state(handle, self._sid_text())
            except _DurableCoreError:
                pass
        self._asserted = []
        self._compiled.sid += 1

    def _unexpected(self, stratum: int, message: str) -> EngineError:
        rules = self._rules[stratum]
        shown = ", ".join(rules[:8]) + (f" and {len(rules) - 8} more" if len(rules) > 8 else "")
        return EngineError(
            Problem(
                code="durable_error",
                message=f"{message} (stratum {stratum}: rules {shown})",
                hint="run with --matcher python to evaluate without durable_rules, and report this",
            )
        )


class DurableSession:
    """One case's matching: the case fact grows stratum by stratum with what was derived."""

    def __init__(self, matcher: DurableMatcher) -> None:
        self._matcher = matcher
        self._fact: dict[str, Any] = {}

    def match(self, stratum: int, facts: Facts, new: Facts) -> list[str]:
        fact = self._fact
        encoder = self._matcher.encoder
        if not fact:
            encoder.encode(facts, fact)
        elif new:
            encoder.encode(new, fact)
        return self._matcher._assert(stratum, dict(fact))

    def close(self) -> None:
        self._matcher._end_case()

    def __enter__(self) -> DurableSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
