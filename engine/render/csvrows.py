"""recommendations.csv: one row per case x recommendation, flat enough for a spreadsheet or pandas.

Rows are built from the output contract (`Result.to_dict()`), not from engine objects, so a
result read back from results.jsonl (batch --resume) gives the same bytes as a fresh one.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..vocabulary import TAG_KEYS

SEPARATOR = ";"
"""Joins several values in one cell (rule ids, tags), as in CSV input."""

ACTIONS_SEPARATOR = " | "
"""Joins a recommendation's actions in the `actions` cell (actions are sentences that may hold ';')."""

HEADER: tuple[str, ...] = ("case_id", "rank", "horizon", "category", "rule_ids", "title", "priority",
                           "priority_rank", "score", *TAG_KEYS, "site", "first_action", "actions")
"""New columns are appended at the end, so a spreadsheet or script reading columns by position keeps working."""
PRIORITY_RANKS = {"high": "1", "medium": "2", "low": "3"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(result: dict[str, Any], site: str = "") -> list[list[str]]:
    """The CSV rows of one result, in plan order (rank 1 first); `site` is the case's site name.

    `result` needs only `case_id` and `recommendations` (each as in the output contract), so the
    batch can pass the shared per-recommendation dicts without building the whole result's data.
    """
    out = []
    site_cell = cell(site)
    for n, rec in enumerate(result["recommendations"], 1):
        tags = rec.get("tags", {})
        actions = [str(a) for a in rec.get("actions", ())]
        out.append([cell(result["case_id"]), str(rec.get("rank", n)), rec.get("horizon", ""), rec["category"],
                    cell(SEPARATOR.join(rec["rule_ids"])), cell(rec["title"]), rec["priority"],
                    PRIORITY_RANKS.get(rec["priority"], ""), str(rec["score"]),
                    *(SEPARATOR.join(tags.get(k, ())) for k in TAG_KEYS),
                    site_cell, cell(actions[0] if actions else ""), cell(ACTIONS_SEPARATOR.join(actions))])
    return out


def to_text(table: list[list[str]]) -> str:
    """CSV text for some rows (quoted where needed, '\\n' line ends)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    return buf.getvalue()


def header_text() -> str:
    return to_text([list(HEADER)])
