"""Answers to "why did this rule fire?" and "why not?" as text or JSON, from the data alone."""

from __future__ import annotations

import shlex
from typing import Any

from engine.model.conditions import fmt_value
from engine.model.facts import LIST_SEPARATOR, SITE_SECTIONS
from engine.model.placement import Standing
from engine.model.traces import FactEdit, Proof, WhyNot
from engine.render.jsonout import dumps
from engine.render.prooftext import proof_lines, test_line

TRY = "try: isp-advisor whatif "
"""How why-not's suggested command starts: that line is never wrapped, so it can be copied and run."""


def standing_text(s: Standing) -> str:
    """'In the plan: now, rank 3' / 'Fired, held back by X: ...' / 'Fired, folded into X ...'."""
    if s.state == "placed":
        return f"In the plan: {s.horizon}, rank {s.rank}."
    if s.state == "held_back":
        return f"Fired, held back by {s.by}: {s.reason}."
    if s.state == "folded":
        where = f" ({s.horizon}, rank {s.rank})" if s.horizon else ""
        return f"Fired, folded into {s.by}{where}: it already carries this ERIC strategy."
    if s.state == "derives":
        return "A derivation: it sets a fact other rules read, and recommends nothing itself."
    return ""


def render_explain(proof: Proof, fmt: str = "table", standing: Standing | None = None, width: int | None = None) -> str:
    """The proof tree of one rule on one case, and where its recommendation sits in the plan; the text
    wrapped to `width` columns when given (the terminal's, from the CLI)."""
    if fmt == "json":
        data = dict(proof.to_dict())
        if standing is not None:
            data["plan"] = standing.to_dict()
        return dumps(data)
    lines = proof_lines(proof)
    if not proof.fired:
        lines.append(f"(it did not fire; 'isp-advisor why-not CASE {proof.rule_id}' shows what would change that)")
    elif standing is not None and standing_text(standing):
        lines.append(standing_text(standing))
    return "\n".join(_fitted(lines, width)) + "\n"


def _fitted(lines: list[str], width: int | None) -> list[str]:
    """`lines` wrapped to `width` (unchanged without one); the suggested what-if command stays on one
    line, so that it can be copied and run as printed."""
    if width is None:
        return lines
    from engine.render.table import fit_lines

    return [x for line in lines for x in ([line] if line.lstrip().startswith(TRY) else fit_lines([line], width))]


def change_text(change: FactEdit) -> str:
    if change.value is None:
        return f"{change.fact}: {change.note or 'leave it unstated'}"
    if is_site_fact(change.fact):
        return site_change_text(change.fact, change.value)
    return f"set {change.fact} to {fmt_value(change.value)}"


def is_site_fact(path: str) -> bool:
    """A fact counted from the case's lists (people, problem tags, events, assets): edited in the case file."""
    return path.split(".", 1)[0] in SITE_SECTIONS


def site_change_text(path: str, value: Any) -> str:
    """The edit to the case file that gives a site fact this value."""
    section, _, rest = path.partition(".")
    if section == "problem":
        return f"state the problem: add {rest} to problem.tags"
    if section == "assets":
        return f"list an asset of kind {rest} under assets"
    if section == "events":
        kind, _, count = rest.rpartition(".")
        when = "before" if count == "days_since" else "after"
        return f"list an event of kind {kind} under events, {value} days {when} the reference date"
    group, _, what = rest.partition(".")
    if what == "count":
        return f"list {value} person(s) of the group {group} under people"
    if what == "leaving":
        return f"list {value} person(s) of the group {group} with status: leaving under people"
    if what == "leaving_days_until":
        return f"give a person of the group {group} status: leaving and until {value} days after the reference date"
    return f"list {value} person(s) of the group {group} with stance: {what.rpartition('.')[2]} under people"


def set_args(changes: tuple[FactEdit, ...]) -> str:
    """The what-if options that try the change: '--set a=b --set c=d', each PATH=VALUE shell-quoted."""
    return " ".join(f"--set {shlex.quote(f'{c.fact}={_set_value(c.value)}')}" for c in changes)


def _set_value(value: Any) -> str:
    """A value as `--set` reads it back: empty to unset, a list's items joined by the list separator."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return f"{LIST_SEPARATOR} ".join(str(x) for x in value)
    return fmt_value(value)


def render_why_not(answer: WhyNot, case_path: str = "CASE", fmt: str = "table", width: int | None = None) -> str:
    """Each failing condition with the case's value, and the smallest change that makes the rule fire;
    the text wrapped to `width` columns when given, except the what-if command to try."""
    if fmt == "json":
        return dumps(answer.to_dict())
    rid = answer.rule_id
    if answer.fired:
        status = standing_text(answer.standing) if answer.standing is not None else ""
        head = f"{rid} fired for this case" + (f". {status}" if status else "") + " Here is why:"
        if answer.standing is not None and answer.standing.state == "held_back":
            head = f"{rid} {status[0].lower()}{status[1:]} Here is why it fired:"
        return "\n".join(_fitted([head, *proof_lines(answer.proof)], width)) + "\n"
    out = [
        f"{rid} ({answer.proof.pack}) did not fire: {answer.proof.title}".rstrip(": "),
        "",
        "Conditions that did not hold:",
    ]
    out += [f"  [-] {test_line(t)}" for t in answer.failing]
    out += ["", "Smallest change that would make it fire:"]
    if answer.change is None:
        out.append("  none found: no change to one or two case facts makes it fire")
    else:
        out += [f"  {change_text(c)}" for c in answer.change]
        if not any(is_site_fact(c.fact) for c in answer.change):  # what-if sets the case's own fields only
            out.append(f"  {TRY}{shlex.quote(case_path)} {set_args(answer.change)}")
    out += ["", "Full evaluation:"] + ["  " + line for line in proof_lines(answer.proof)]
    return "\n".join(_fitted(out, width)) + "\n"
