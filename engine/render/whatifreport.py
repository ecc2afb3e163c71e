"""What-if diffs as a terminal table or JSON.

The table is wrapped to the terminal's width (`width`); when even a wrapped table would leave the
recommendation too narrow a column to read, each change is a short block of lines instead.
"""

from __future__ import annotations

import re

from tabulate import tabulate

from engine.model.conditions import fmt_value
from engine.model.diffs import WhatIfDiff
from engine.model.vocabulary import CATEGORY_TITLES
from engine.render.jsonout import dumps
from engine.render.table import MIN_WIDTH, cols, fit_lines, wrap

HEADERS = ["change", "priority", "recommendation", "category", "rule"]
MIN_TITLE = 28
"""The narrowest recommendation column worth a table; below it the changes are listed."""
_ID_PIECES = re.compile(r"(?<=[-.])")

Row = tuple[str, str, str, str, tuple[str, ...]]
"""change, priority, recommendation, category, rule ids."""


def render_diff(d: WhatIfDiff, fmt: str = "table", width: int = 100) -> str:
    if fmt == "json":
        return dumps(d.to_dict())
    width = max(width, MIN_WIDTH)
    changes = ", ".join(f"{c.path}={'(unstated)' if c.value is None else fmt_value(c.value)}" for c in d.changes)
    out = fit_lines(
        [
            f"What if, for {d.case_id}: {changes}",
            f"{len(d.before.recommendations)} recommendation(s) before, {len(d.after.recommendations)} "
            f"after: {len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed priority, "
            f"{d.unchanged} unchanged.",
        ],
        width,
    )
    rows: list[Row] = [("+ added", r.priority, r.title, CATEGORY_TITLES[r.category], r.rule_ids) for r in d.added]
    rows += [("- removed", r.priority, r.title, CATEGORY_TITLES[r.category], r.rule_ids) for r in d.removed]
    rows += [
        (
            "~ priority",
            f"{c.before.priority} -> {c.after.priority}",
            c.after.title,
            CATEGORY_TITLES[c.after.category],
            c.after.rule_ids,
        )
        for c in d.changed
    ]
    if rows:
        out += ["", *(_table(rows, width) or _listed(rows, width))]
    else:
        out += ["", "No recommendation changes."]
    return "\n".join(out) + "\n"


def _table(rows: list[Row], width: int) -> list[str] | None:
    """The changes as a table of at most `width` columns, cells wrapped (a rule id only after '-' or
    '.', one id a line); None when the recommendation column would be narrower than MIN_TITLE."""
    ids = [i for r in rows for i in r[4]]
    texts = [(r[0], r[1], r[2], r[3]) for r in rows]
    natural = [max(cols(HEADERS[i]), *(cols(t[i]) for t in texts)) for i in range(4)]
    natural.append(max(cols(HEADERS[4]), *(cols(i) + 1 for i in ids)))  # + 1: the comma after an id
    piece = max((cols(p) + 1 for i in ids for p in _ID_PIECES.split(i)), default=1)  # ids break after - or .
    room = width - natural[0] - natural[1] - 2 * (len(HEADERS) - 1)  # simple format: two spaces between
    category_w = min(natural[3], 17)  # "Implementation strategies (ERIC)" in two lines
    rule_w = max(min(natural[4], (room - category_w) * 2 // 5), piece)
    title_w = min(natural[2], room - category_w - rule_w)
    rule_w = min(natural[4], room - category_w - title_w)  # what a short title leaves to the ids
    category_w = min(natural[3], room - title_w - rule_w)
    for _ in range(4):
        if title_w < min(MIN_TITLE, natural[2]):
            return None
        cells = [
            [
                r[0],
                r[1],
                "\n".join(wrap(r[2], title_w)),
                "\n".join(wrap(r[3], category_w)),
                "\n".join(x for i in _listed_ids(r[4]) for x in wrap(i, rule_w)),
            ]
            for r in rows
        ]
        lines = tabulate(cells, headers=HEADERS, tablefmt="simple", disable_numparse=True).splitlines()
        excess = max(cols(line) for line in lines) - width
        if excess <= 0:
            return lines
        title_w -= excess
    return None


def _listed_ids(ids: tuple[str, ...]) -> list[str]:
    """Rule ids one a line, each but the last with its comma (a wrapped id then reads as one)."""
    return [f"{i}," for i in ids[:-1]] + list(ids[-1:])


def _listed(rows: list[Row], width: int) -> list[str]:
    """Each change as lines under its mark: the recommendation, then its priority, category and rules."""
    head = max(len(r[0]) for r in rows) + 2
    pad = " " * head
    out: list[str] = []
    for change, priority, title, category, rule_ids in rows:
        out += wrap(title, width, pad, change.ljust(head))
        out += wrap(f"priority {priority}; {category}; rule: {', '.join(rule_ids)}", width, pad)
    return out
