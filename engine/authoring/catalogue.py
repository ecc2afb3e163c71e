"""What the loaded knowledge base contains, for people: rule summaries, one rule in full, and the
Markdown catalogue (docs/rules.md) grouped by category.

Everything here is derived from the loaded RuleBase alone and is deterministic, so the
generated catalogue can be checked into the repository and a test can tell when it is stale.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from engine.errors import Problem, UsageError, did_you_mean
from engine.model.conditions import describe, fmt_value, to_data
from engine.model.jsontext import number
from engine.model.rules import Rule, RuleBase
from engine.model.vocabulary import CATEGORY_TITLES
from engine.render.mdtext import md_text
from engine.rulepacks.loader import load_rulebase


def kind(rule: Rule) -> str:
    """A rule's category, or 'derive' for a rule that sets derived facts."""
    return rule.category or "derive"


def status(rule: Rule) -> str:
    return f"overrides {rule.overrides}" if rule.overrides else ""


def summaries(base: RuleBase, category: str | None = None) -> list[dict[str, Any]]:
    """One row per rule (and per disabled rule), sorted by id: what `rules list` shows."""
    rows = [
        {
            "id": r.id,
            "kind": kind(r),
            "priority": r.priority if not r.derive else "",
            "pack": r.pack,
            "title": r.title or _derives(r),
            "status": status(r),
        }
        for r in base.rules
        if category is None or r.category == category
    ]
    if category is None:
        rows += [
            {"id": rid, "kind": "", "priority": "", "pack": "", "title": "", "status": f"disabled by {pack}"}
            for rid, pack in base.disabled.items()
        ]
    return sorted(rows, key=lambda row: row["id"])


def _derives(rule: Rule) -> str:
    return "sets " + ", ".join(f"derived.{k} = {fmt_value(v)}" for k, v in rule.derive.items())


def lookup(rule_id: str, extra: Sequence[str | os.PathLike[str]] = ()) -> tuple[RuleBase, Rule]:
    """Load the packs and find one rule; a disabled or unknown id is a usage error with a hint."""
    base = load_rulebase(extra)
    rule = base.rule(rule_id)
    if rule is not None:
        return base, rule
    if rule_id in base.disabled:
        raise UsageError(
            Problem(
                field="RULE_ID",
                code="disabled",
                rule_id=rule_id,
                message=f"is disabled by pack '{base.disabled[rule_id]}'",
                hint="remove it from that pack's 'disable' list to use it again",
            )
        )
    raise UsageError(
        Problem(
            field="RULE_ID",
            code="unknown_rule",
            message=f"no rule '{rule_id}' is loaded",
            hint=did_you_mean(rule_id, [r.id for r in base.rules], 0.5)
            or "list the rules with 'isp-advisor rules list'",
        )
    )


def rule_dict(rule: Rule) -> dict[str, Any]:
    """One rule in full as plain data (its condition in rule-file form)."""
    out: dict[str, Any] = {"id": rule.id, "pack": rule.pack, "file": rule.file, "line": rule.line, "kind": kind(rule)}
    if rule.table:
        out["table"] = rule.table
    if rule.overrides:
        out["overrides"] = rule.overrides
    if rule.derive:
        out["derive"] = dict(rule.derive)
    else:
        out.update(
            title=rule.title,
            category=rule.category,
            priority=rule.priority,
            score=rule.score,
            key=rule.key or rule.title,
            actions=list(rule.actions),
            tags={k: list(v) for k, v in rule.tags.items() if v},
            rationale=rule.rationale,
            sources=list(rule.sources),
        )
        if rule.specification:
            out["specification"] = spec_dict(rule.specification)
    if rule.description:
        out["description"] = rule.description
    out["when"] = to_data(rule.when)
    out["when_text"] = describe(rule.when)
    return out


SPEC_FIELDS: tuple[str, ...] = ("actor", "target", "dose", "mechanism")
"""What a rule's `specification:` may state (Proctor, Powell & McMillen 2013; docs/plan-spec.md)."""


def spec_dict(flat: dict[str, str]) -> dict[str, Any]:
    """A rule's specification in rule-file form: {actor, target, dose: {frequency, duration}, mechanism,
    mechanism_source}, each key only when the rule states it."""
    out: dict[str, Any] = {k: flat[k] for k in ("actor", "target") if k in flat}
    dose = {k: flat[k] for k in ("frequency", "duration") if k in flat}
    if dose:
        out["dose"] = dose
    out.update({k: flat[k] for k in ("mechanism", "mechanism_source") if k in flat})
    return out


def spec_lines(rule: Rule, base: RuleBase) -> list[str]:
    """'specification:' for a terminal: what the rule states, the mechanism's source in full, and what the
    plan leaves to agree with the team."""
    spec = rule.specification
    if rule.derive:
        return []
    if not spec:
        return ["  specification: none stated (actor, target, dose and mechanism: to agree with the team)"]
    lines = ["  specification:"]
    lines += [f"    {k + ':':<11}{spec[k]}" for k in ("actor", "target") if k in spec]
    dose = "; ".join(f"{k} {spec[k]}" for k in ("frequency", "duration") if k in spec)
    if dose:
        lines.append(f"    {'dose:':<11}{dose}")
    if "mechanism" in spec:
        key = spec.get("mechanism_source", "")
        src = base.sources.get(key)
        lines.append(f"    {'mechanism:':<11}{spec['mechanism']}")
        lines.append(f"{'':<15}source: [{key}] {src.citation if src else '(unknown)'}")
    stated = {"dose" if k in ("frequency", "duration") else k for k in spec}
    left = [k for k in SPEC_FIELDS if k not in stated]
    if left:
        lines.append(f"    to agree with the team: {', '.join(left)}")
    return lines


def rule_text(rule: Rule, base: RuleBase) -> str:
    """One rule for a terminal: what it says, when it fires (in words), what it recommends."""
    lines = [
        f"{rule.id}: {rule.title or _derives(rule)}",
        f"  pack:      {rule.pack} ({rule.file}:{rule.line})" + (f", table {rule.table}" if rule.table else ""),
    ]
    if rule.overrides:
        lines.append(f"  overrides: {rule.overrides}")
    if rule.derive:
        lines.append(f"  derives:   {', '.join(f'{k} = {fmt_value(v)}' for k, v in rule.derive.items())}")
    else:
        lines.append(f"  category:  {rule.category}   priority: {rule.priority}   score: {number(rule.score)}")
    if rule.description:
        lines.append(f"  about:     {rule.description}")
    lines.append("  fires when:")
    lines += ["    " + line for line in describe(rule.when).splitlines()]
    if rule.actions:
        lines.append("  actions:")
        lines += [f"    - {a}" for a in rule.actions]
    tags = [f"{k}: {', '.join(v)}" for k, v in rule.tags.items() if v]
    if tags:
        lines.append("  tags:")
        lines += [f"    {t}" for t in tags]
    if rule.rationale:
        lines.append(f"  rationale: {rule.rationale}")
    lines += spec_lines(rule, base)
    for key in rule.sources:
        src = base.sources.get(key)
        lines.append(f"  source:    [{key}] {src.citation if src else '(unknown)'}")
    return "\n".join(lines) + "\n"


def catalogue(base: RuleBase) -> str:
    """The Markdown catalogue of every loaded rule, by category, with the sources at the end."""
    recommending = [r for r in base.rules if not r.derive]
    out = [
        "# The rule catalogue",
        "",
        "<!-- Generated by `isp-advisor rules docs -o docs/rules.md --force`; do not edit by hand. -->",
        "",
        f"{len(recommending)} recommending rules and {len(base.rules) - len(recommending)} derivation rules "
        f"in {len(base.packs)} packs: " + ", ".join(f"{p.name} {p.version}" for p in base.packs) + ".",
        "",
        "Conditions are given in plain language. A fact the case does not state makes a test false "
        "(see docs/rule-language.md).",
        "",
    ]
    out += ["## Contents", ""]
    out += [
        f"- [{title}](#{_anchor(title)})"
        for cat, title in CATEGORY_TITLES.items()
        if any(r.category == cat for r in recommending)
    ]
    out += ["- [Derived facts](#derived-facts)", "- [Sources](#sources)", ""]
    for cat, title in CATEGORY_TITLES.items():
        rules = sorted((r for r in recommending if r.category == cat), key=lambda r: r.sort_key)
        if not rules:
            continue
        out += [f"## {title}", "", f"{len(rules)} rules, highest priority first.", ""]
        for r in rules:
            out += _entry(r)
    return "\n".join(out + _derived_section(base) + _sources_section(base)) + "\n"


def _derived_section(base: RuleBase) -> list[str]:
    """The catalogue's table of derivation rules: what each sets, and when."""
    out = [
        "## Derived facts",
        "",
        "Derivation rules set facts under `derived.` that other rules read; they recommend nothing.",
        "",
        "| rule | sets | when |",
        "|---|---|---|",
    ]
    for r in sorted((r for r in base.rules if r.derive), key=lambda r: r.id):
        sets = ", ".join(f"`{k}` = {fmt_value(v)}" for k, v in r.derive.items())
        out.append(f"| `{r.id}` | {sets} | {_one_line(r)} |")
    return out


def _sources_section(base: RuleBase) -> list[str]:
    """The catalogue's sources: every source some rule cites, with its link and whether it is judgement."""
    out = ["", "## Sources", ""]
    for key in sorted({k for r in base.rules for k in r.sources}):
        src = base.sources.get(key)
        if src is not None:
            link = f" <{src.url}>" if src.url else ""
            note = " (the authors' judgement)" if src.kind == "authors_judgement" else ""
            out.append(f'- <a id="src-{key}"></a>**{key}**: {src.citation}{link}{note}')
    return out


def _entry(r: Rule) -> list[str]:
    where = f"{r.pack}, `{Path(r.file).name}`" + (f", table `{r.table}`" if r.table else "")
    head = f"`{r.id}` · priority {r.priority}" + (f" · score {number(r.score)}" if r.score else "")
    lines = [f"### {md_text(r.title)}", "", f"{head} · {where}", "", "**When:**", ""]
    lines += ["    " + line for line in describe(r.when).splitlines()]
    lines += ["", "**Actions:**", ""] + [f"- {md_text(a)}" for a in r.actions]
    tags = [f"{k}: {', '.join(v)}" for k, v in r.tags.items() if v]
    if tags:
        lines += ["", "**Tags:** " + "; ".join(tags)]
    lines += ["", "**Sources:** " + ", ".join(f"[{k}](#src-{k})" for k in r.sources), ""]
    return lines


def _one_line(r: Rule) -> str:
    return " ".join(line.strip() for line in describe(r.when).splitlines()).replace("|", "\\|")


def _anchor(title: str) -> str:
    keep = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -")
    return keep.replace(" ", "-")
