"""What-if diffs as a terminal table or JSON."""

from __future__ import annotations

from tabulate import tabulate

from engine.model.conditions import fmt_value
from engine.model.diffs import WhatIfDiff
from engine.model.vocabulary import CATEGORY_TITLES
from engine.render.jsonout import dumps


def render_diff(d: WhatIfDiff, fmt: str = "table") -> str:
    if fmt == "json":
        return dumps(d.to_dict())
    changes = ", ".join(f"{c.path}={'(unstated)' if c.value is None else fmt_value(c.value)}" for c in d.changes)
    out = [f"What if, for {d.case_id}: {changes}",
           f"{len(d.before.recommendations)} recommendation(s) before, {len(d.after.recommendations)} after: "
           f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed priority, "
           f"{d.unchanged} unchanged."]
    rows = [["+ added", r.priority, r.title, CATEGORY_TITLES[r.category], ", ".join(r.rule_ids)] for r in d.added]
    rows += [["- removed", r.priority, r.title, CATEGORY_TITLES[r.category], ", ".join(r.rule_ids)]
             for r in d.removed]
    rows += [["~ priority", f"{c.before.priority} -> {c.after.priority}", c.after.title,
              CATEGORY_TITLES[c.after.category], ", ".join(c.after.rule_ids)] for c in d.changed]
    if rows:
        out += ["", tabulate(rows, headers=["change", "priority", "recommendation", "category", "rule"],
                             tablefmt="simple", maxcolwidths=[None, None, 44, 20, 18])]
    else:
        out += ["", "No recommendation changes."]
    return "\n".join(out) + "\n"
