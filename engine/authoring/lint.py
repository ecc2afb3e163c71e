"""Checking rule packs for the mistakes a rule author can make, before a practitioner sees them.

`lint` loads the packs leniently (every load problem becomes a finding instead of stopping the
run), then checks what loaded: derivation cycles, rules that can never fire, derived facts no
rule derives or reads, yes/no facts whose "not stated" a rule reads like "no" (`unstated`). Every
finding names the file, line and rule id, like `opa check`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import msgspec

from engine.authoring.lintsalvage import salvage
from engine.errors import Problem, RuleError
from engine.evaluation.satisfiable import can_hold, conflict, derived_values
from engine.model.checks import Finding, Severity
from engine.model.conditions import Condition, describe, facts_read, fmt_value
from engine.model.facts import DERIVED_PREFIX, FactValue, is_computed
from engine.model.rules import Rule, RuleBase
from engine.rulepacks.loader import scan_rulebase
from engine.rulepacks.strata import producers, stratify

# Loader problem codes that already say what is wrong; any other code is a schema error.
_KEPT_CODES = {
    "unknown_tag",
    "unknown_fact",
    "unknown_source",
    "duplicate_id",
    "nothing_to_override",
    "unknown_rule",
    "derived_type",
    "bad_operator",
    "bad_value",
    "bad_reference",
    "unknown_var",
    "syntax",
    "alias",
    "duplicate_key",
    "empty",
    "too_large",
    "encoding",
    "derivation_cycle",
    "runaway_derivation",
    "no_actions",
    "no_sources",
    "unknown_placeholder",
    "self_reference",
    "bad_number",
    "unfillable_placeholder",
    "bad_waits_for",
    "key_too_long",
}


def lint(extra: Sequence[str | os.PathLike[str]] = (), shipped: bool = True) -> list[Finding]:
    """Every finding for the packs `load_engine(extra, shipped)` would load, in one run, sorted by location.

    The rules the loader refused are repaired just enough to be checked as well (lintsalvage), so
    a schema error does not hide an unknown source, nor an unknown source a rule that never fires.
    A rule folder that does not exist is a usage mistake, not a finding: it raises RuleError.
    """
    return lint_with_headroom(extra, shipped)[0]


def lint_with_headroom(
    extra: Sequence[str | os.PathLike[str]] = (), shipped: bool = True
) -> tuple[list[Finding], tuple[int, int]]:
    """`lint`'s findings and `property_use` of the same loaded packs (the packs are read once)."""
    base, problems = scan_rulebase(extra, shipped)
    missing = [p for p in problems if p.code == "not_found"]
    if missing:
        raise RuleError(missing)
    salvaged, problems = salvage(problems, base.rules, base.sources)
    checked = msgspec.structs.replace(base, rules=base.rules + tuple(salvaged))
    findings = [from_problem(p) for p in problems]
    findings += checks(checked)
    findings += durable_findings(base)
    findings += headroom_findings(base)
    from engine.rulepacks.loader import source_overrides

    findings += [
        Finding(p.file, p.line, "", p.code, "warning", p.message, p.field, p.hint)
        for p in source_overrides(extra, shipped)
    ]
    return sorted(set(findings)), property_use(base)


def durable_findings(base: RuleBase) -> list[Finding]:
    """Rules beyond durable_rules' fixed limits, by rule and limit: they load, but run on the plain
    matcher (which fires the same rules), so this is a warning. Skipped where durable_rules is
    not installed; the loaded rules only (salvaged ones may not compile)."""
    from engine.evaluation.matcher import durable_installed

    if not durable_installed() or not base.rules:
        return []
    from engine.evaluation.durablematcher import durable_limits

    try:
        strata = stratify(base.rules)
    except RuleError:
        return []  # cycles are reported on their own
    by_id = {r.id: r for r in base.rules}
    out: list[Finding] = []
    hint = (
        "split the rule, or name a part of it with a derived fact; or keep it: the plain matcher runs it "
        "(--matcher python)"
    )
    for found in durable_limits([[(r.id, r.when) for r in s] for s in strata]):
        rids = [rid for rid in found.rule_ids if rid in by_id]
        detail = f" ({found.detail})" if found.detail else ""
        if len(rids) > 10:  # a ruleset's size: one finding, at its first rule
            rids, detail = rids[:1], f"{detail} and {len(found.rule_ids) - 1} more rules"
        for rid in rids:
            rule = by_id[rid]
            out.append(
                Finding(
                    rule.file,
                    rule.line,
                    rid,
                    "durable_limit",
                    "warning",
                    f"beyond durable_rules' limit {found.limit}{detail}: the rules run on the plain matcher",
                    "when",
                    hint,
                )
            )
    return out


HEADROOM_WARNING = 0.9
"""Warn when a case fact may use more than this share of durable_rules' properties."""


def property_use(base: RuleBase) -> tuple[int, int]:
    """(properties a case fact may fill at most, durable_rules' limit): only the facts some rule reads
    are asserted, a CFIR rating takes two (its value and its 'mixed' mark), plus the engine's marker."""
    from engine.evaluation.matcher import DURABLE_MAX_PROPERTIES

    reads = {p for r in base.rules for p in facts_read(r.when)}
    used = 1 + sum(2 if p.startswith("cfir.") else 1 for p in reads)
    return used, DURABLE_MAX_PROPERTIES


def headroom_findings(base: RuleBase) -> list[Finding]:
    """A warning when the facts the rules read come close to durable_rules' properties in one fact."""
    used, limit = property_use(base)
    if used <= limit * HEADROOM_WARNING or not base.rules:
        return []
    first = base.rules[0]
    return [
        Finding(
            first.file,
            first.line,
            "",
            "durable_headroom",
            "warning",
            f"a case may fill {used} of durable_rules' {limit} properties in one fact",
            "when",
            "read fewer distinct fact paths (a derived fact can stand for several), or "
            "run on the plain matcher (--matcher python)",
        )
    ]


def checks(base: RuleBase) -> list[Finding]:
    """The checks of what loaded (including the salvaged rules); a new check adds one line here."""
    findings, cyclic = cycles(base.rules)
    findings += [f for f in never_fires(base) if f.rule_id not in cyclic]
    findings += unused_derived(base)
    from engine.authoring.planlint import plan_findings
    from engine.authoring.unstated import unstated_findings

    findings += unstated_findings(base)

    findings += plan_findings(base)
    return findings


def has_errors(findings: Sequence[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def from_problem(p: Problem) -> Finding:
    """A load problem as an error finding with a specific code where one applies."""
    code = p.code if p.code in _KEPT_CODES else "schema"
    message, hint = p.message, p.hint
    if p.code == "no_actions":
        message = "a recommending rule needs at least one action"
        hint = "list the concrete steps under recommend.actions"
    return Finding(p.file, p.line, p.rule_id, code, "error", message, p.field, hint)


def cycles(rules: Sequence[Rule]) -> tuple[list[Finding], set[str]]:
    """Derivation cycles (and runaway chains), found the way the engine orders rules into strata,
    with the ids of every rule on a cycle (their 'never fires' is the cycle's).

    The ordering is computed once; the members of the cycles are looked for only when it found one.
    """
    try:
        stratify(rules)
    except RuleError as exc:
        found = [from_problem(p) for p in exc.problems]
        cyclic = _on_cycles(rules) if any(p.code == "derivation_cycle" for p in exc.problems) else set()
        return found, cyclic
    return [], set()


def _on_cycles(rules: Sequence[Rule]) -> set[str]:
    """Ids of rules that depend, through derived facts, on themselves."""
    derives = producers(rules)
    needs = {r.id: {p.id for path in r.reads() for p in derives.get(path, [])} for r in rules}
    out = set()
    for start in needs:
        seen: set[str] = set()
        todo = list(needs[start])
        while todo:
            rid = todo.pop()
            if rid == start:
                out.add(start)
                break
            if rid not in seen:
                seen.add(rid)
                todo.extend(needs.get(rid, ()))
    return out


def never_fires(base: RuleBase) -> list[Finding]:
    """Rules whose condition holds for no case: contradictions, empty ranges, underived facts."""
    values = derived_values(base.rules)
    derivable = {DERIVED_PREFIX + n for r in base.rules for n in r.derive}
    out: list[Finding] = []
    for rule in base.rules:
        underived = sorted(
            p for p in rule.reads() if p.startswith(DERIVED_PREFIX) and p not in derivable and not is_computed(p)
        )  # computed facts are set by the engine, not derived
        if can_hold(rule.when, values):
            out += [
                _finding(
                    rule,
                    "underived_fact",
                    "warning",
                    f"reads {p}, which no rule derives",
                    f"derive it in a rule (derive: {{{p[len(DERIVED_PREFIX) :]}: ...}}) or fix the name",
                )
                for p in underived
            ]
            continue
        if underived:
            out.append(
                _finding(
                    rule,
                    "never_fires",
                    "error",
                    f"can never fire: it reads {', '.join(underived)}, which no rule derives",
                    "derive the fact in a rule, fix its name, or remove the condition",
                )
            )
            continue
        core = conflict(rule.when, values)
        out.append(
            _finding(
                rule,
                "never_fires",
                "error",
                "can never fire: " + _why(core, values),
                "fix the values or remove one of these conditions",
            )
        )
    return out


def _why(core: list[Condition], values: dict[str, list[FactValue]]) -> str:
    texts = [" ".join(line.strip() for line in describe(c).splitlines()) for c in core]
    if len(core) == 1:
        reads = sorted(p for p in facts_read(core[0]) if p.startswith(DERIVED_PREFIX))
        if reads:
            set_to = "; ".join(
                f"{p} is only ever set to {', '.join(map(fmt_value, values.get(p, [])))}"
                for p in reads
                if values.get(p)
            )
            return f"'{texts[0]}' holds for no value" + (f" ({set_to})" if set_to else "")
        return f"'{texts[0]}' holds for no value"
    return "these conditions cannot all hold: " + "; ".join(f"'{t}'" for t in texts)


def unused_derived(base: RuleBase) -> list[Finding]:
    """Derive rules whose facts no rule reads: dead ends in the chain (a warning)."""
    read: set[str] = set()
    for r in base.rules:
        read |= r.reads()
    out = []
    for rule in base.rules:
        for name in rule.derive:
            if DERIVED_PREFIX + name not in read:
                out.append(
                    _finding(
                        rule,
                        "unused_derived",
                        "warning",
                        f"derives '{name}', which no rule reads",
                        f"use it in a condition ({{fact: derived.{name}, ...}}) or remove the rule",
                        field=f"derive.{name}",
                    )
                )
    return out


def _finding(rule: Rule, code: str, severity: Severity, message: str, hint: str, field: str = "when") -> Finding:
    return Finding(rule.file, rule.line, rule.id, code, severity, message, field, hint)
