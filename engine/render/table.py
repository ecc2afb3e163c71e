"""The default terminal view: one table per category, proofs underneath with --explain."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ..results import Result
from ..vocabulary import CATEGORIES, CATEGORY_TITLES
from .prooftext import proof_lines

WIDTH = 100


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or "-"


def render_table(result: Result, *, explain: bool = False, categories: tuple[str, ...] = ()) -> str:
    out = [f"Case {result.case_id}: {len(result.recommendations)} recommendation(s)"]
    groups = result.by_category()
    n = 0
    for cat in CATEGORIES:
        recs = groups.get(cat, [])
        if not recs or (categories and cat not in categories):
            continue
        out += ["", f"== {CATEGORY_TITLES[cat]} ({len(recs)}) =="]
        rows = []
        numbered = []
        for rec in recs:
            n += 1
            numbered.append((n, rec))
            body = _wrap(rec.title, 62) + "\n" + "\n".join(_wrap("- " + a, 62) for a in rec.actions)
            rows.append([n, rec.priority, body, _wrap(", ".join(rec.rule_ids), 18)])
        out.append(tabulate(rows, headers=["#", "priority", "recommendation", "rule"], tablefmt="simple_grid"))
        if explain:
            for num, rec in numbered:
                out.append(f"  #{num} why:")
                for proof in rec.explanation:
                    out += ["    " + line for line in proof_lines(proof)]
    if result.missing_information:
        out += ["", "Not stated (would sharpen the advice): " + ", ".join(result.missing_information)]
    for w in result.warnings:
        out.append(f"warning: {w}")
    return "\n".join(out) + "\n"
