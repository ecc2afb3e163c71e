"""Proof trees as indented plain-text lines (shared by the table and Markdown printers)."""

from __future__ import annotations

from typing import Any

from engine.model import operators
from engine.model.conditions import MISSING, fmt_value
from engine.model.traces import Proof, Trace

_WORDS = {o.name: o.words for o in operators.REGISTRY}


def value(x: Any) -> str:
    return "not stated" if x is MISSING or x is None else fmt_value(x)


def test_line(t: Trace) -> str:
    """'engagement.level is at or below consult (case: inform)'; a value from a group's view or a
    previous assessment says so: '(case: -2; community_members's view, the most critical)'."""
    note = f"; {t.note}" if t.note else ""
    if t.operator == "exists":
        want = "is stated" if t.expected else "is not stated"
        return f"{t.fact} {want} ({t.source}: {value(t.actual)}{note})"
    rhs = f"{t.ref} ({value(t.ref_actual)})" if t.ref else value(t.expected)
    return f"{t.fact} {_WORDS[t.operator]} {rhs} ({t.source}: {value(t.actual)}{note})"


def mark(held: bool) -> str:
    return "[+]" if held else "[-]"


def proof_lines(proof: Proof, indent: int = 0) -> list[str]:
    pad = "  " * indent
    verb = "fired" if proof.fired else "did not fire"
    head = f"{pad}{proof.rule_id} ({proof.pack}"
    head += f", overriding {proof.overrides}) {verb}" if proof.overrides else f") {verb}"
    if proof.derived:
        head += ", deriving " + ", ".join(f"{k}={fmt_value(v)}" for k, v in proof.derived.items())
    return [head + ":"] + trace_lines(proof.condition, indent + 1)


def trace_lines(t: Trace, indent: int) -> list[str]:
    pad = "  " * indent
    if t.op == "test":
        lines = [f"{pad}{mark(t.held)} {test_line(t)}"]
        if t.derived_from is not None:
            lines += [f"{pad}    from " + proof_lines(t.derived_from, 0)[0]]
            lines += trace_lines(t.derived_from.condition, indent + 3)
        return lines
    if t.op in ("all", "any") and len(t.children) == 1:
        return trace_lines(t.children[0], indent)
    word = {"all": "all of", "any": "any of", "not": "not"}[t.op]
    lines = [f"{pad}{mark(t.held)} {word}:"]
    for c in t.children:
        lines += trace_lines(c, indent + 1)
    return lines
