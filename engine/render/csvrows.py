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

HEADER: tuple[str, ...] = ("case_id", "rank", "horizon", "category", "rule_ids", "title", "priority",
                           "priority_rank", "score", *TAG_KEYS)
PRIORITY_RANKS = {"high": "1", "medium": "2", "low": "3"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_START) else text


def rows(result: dict[str, Any]) -> list[list[str]]:
    """The CSV rows of one result, in plan order (rank 1 first)."""
    out = []
    for n, rec in enumerate(result["recommendations"], 1):
        tags = rec.get("tags", {})
        out.append([cell(result["case_id"]), str(rec.get("rank", n)), rec.get("horizon", ""), rec["category"],
                    cell(SEPARATOR.join(rec["rule_ids"])), cell(rec["title"]), rec["priority"],
                    PRIORITY_RANKS.get(rec["priority"], ""), str(rec["score"]),
                    *(SEPARATOR.join(tags.get(k, ())) for k in TAG_KEYS)])
    return out


def to_text(table: list[list[str]]) -> str:
    """CSV text for some rows (quoted where needed, '\\n' line ends)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    return buf.getvalue()


def header_text() -> str:
    return to_text([list(HEADER)])
