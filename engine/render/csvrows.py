"""recommendations.csv: one row per case x recommendation, flat enough for a spreadsheet or pandas.

Rows are built from the output contract (`Result.to_dict()`), not from engine objects, so a
result read back from results.jsonl (batch --resume) gives the same bytes as a fresh one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from engine.model.sharing import NOTHING_SHARED, Shared
from engine.model.vocabulary import TAG_KEYS

SEPARATOR = ";"
"""Joins several values in one cell (rule ids, tags), as in CSV input."""

ACTIONS_SEPARATOR = " | "
"""Joins a recommendation's actions in the `actions` cell (actions are sentences that may hold ';')."""

HEADER: tuple[str, ...] = (
    "case_id",
    "rank",
    "horizon",
    "category",
    "rule_ids",
    "title",
    "priority",
    "priority_rank",
    "score",
    *TAG_KEYS,
    "site",
    "first_action",
    "actions",
    "assessed_on",
)
"""New columns are appended at the end, so a spreadsheet or script reading columns by position keeps working."""
PRIORITY_RANKS = {"high": "1", "medium": "2", "low": "3"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_BREAK = re.compile(r"(\r\n|\r|\n)")


def cell(text: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe, and so
    does every line of it (a spreadsheet may split a cell at a bare CR or LF and read each piece as a cell)."""
    if "\r" not in text and "\n" not in text:
        return "'" + text if text.startswith(FORMULA_START) else text
    parts = _BREAK.split(text)
    return "".join(p if i % 2 or not p.startswith(FORMULA_START) else "'" + p for i, p in enumerate(parts))


def rows(result: dict[str, Any], site: str = "") -> list[list[str]]:
    """The CSV rows of one result, in plan order (rank 1 first); `site` is the case's site name.

    `result` needs only `case_id` and `recommendations` (each as in the output contract), so the
    batch can pass the shared per-recommendation dicts without building the whole result's data;
    its `assessed_on`, when present, fills the last column (several assessments of one site).
    """
    out = []
    site_cell = cell(site)
    dated = cell(str(result.get("assessed_on") or ""))
    for n, rec in enumerate(result["recommendations"], 1):
        tags = rec.get("tags", {})
        actions = [str(a) for a in rec.get("actions", ())]
        out.append(
            [
                cell(result["case_id"]),
                str(rec.get("rank", n)),
                rec.get("horizon", ""),
                rec["category"],
                cell(SEPARATOR.join(rec["rule_ids"])),
                cell(rec["title"]),
                rec["priority"],
                PRIORITY_RANKS.get(rec["priority"], ""),
                str(rec["score"]),
                *(SEPARATOR.join(tags.get(k, ())) for k in TAG_KEYS),
                site_cell,
                cell(actions[0] if actions else ""),
                cell(ACTIONS_SEPARATOR.join(actions)),
                dated,
            ]
        )
    return out


def result_text(
    case_id: str,
    site: str,
    placed: Iterable[tuple[Any, Any]],
    assessed_on: str | None = None,
    shared: Shared = NOTHING_SHARED,
) -> str:
    """The CSV text of one result straight from its Recommendation objects and placements: the same
    bytes as `to_text(rows(result.to_dict(), site))` (tests check it), built from per-recommendation
    pieces kept in `shared.csv` (recommendations are shared across the cases of a batch)."""
    head = quoted(cell(case_id)) + ","
    site_text = quoted(cell(site))
    dated = quoted(cell(assessed_on or ""))
    out = []
    for n, (rec, place) in enumerate(placed, 1):
        entry = shared.csv.get(id(rec))
        if entry is None or entry[0] is not rec:
            entry = shared.csv.put(id(rec), (rec, _parts(rec)))
        middle, tail = entry[1]
        rank, horizon = (str(place.rank), place.horizon) if place is not None else (str(n), "")
        out.append(f"{head}{rank},{quoted(horizon)},{middle},{site_text},{tail},{dated}\n")
    return "".join(out)


def _parts(rec: Any) -> tuple[str, str]:
    score = int(rec.score) if float(rec.score).is_integer() else rec.score
    actions = [str(a) for a in rec.actions]
    middle = [
        rec.category,
        cell(SEPARATOR.join(rec.rule_ids)),
        cell(rec.title),
        rec.priority,
        PRIORITY_RANKS.get(rec.priority, ""),
        str(score),
        *(SEPARATOR.join(rec.tags.get(k, ())) for k in TAG_KEYS),
    ]
    tail = [cell(actions[0] if actions else ""), cell(ACTIONS_SEPARATOR.join(actions))]
    return ",".join(map(quoted, middle)), ",".join(map(quoted, tail))


def quoted(text: str) -> str:
    """One field as the CSV writers here write it (minimal quoting, '\\n' line ends): quoted when it holds
    a comma, a quote, a line feed or a carriage return (csv.writer leaves a bare CR unquoted when lines end
    in LF, and a spreadsheet then starts a new row there)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def to_text(table: Iterable[Iterable[str]]) -> str:
    """CSV text for some rows (every field through `quoted`, '\\n' line ends): the one CSV writer of the
    package (recommendations.csv, `plan --format csv`, `sweep --format csv`)."""
    return "".join(",".join(quoted(str(f)) for f in row) + "\n" for row in table)


def header_text() -> str:
    return to_text([list(HEADER)])
