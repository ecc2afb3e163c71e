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

HEADER: tuple[str, ...] = ("case_id", "rank", "category", "rule_ids", "title", "priority", "score", *TAG_KEYS)


def rows(result: dict[str, Any]) -> list[list[str]]:
    """The CSV rows of one result, in its recommendation order (rank 1 first)."""
    out = []
    for rank, rec in enumerate(result["recommendations"], 1):
        tags = rec.get("tags", {})
        out.append([result["case_id"], str(rank), rec["category"], SEPARATOR.join(rec["rule_ids"]), rec["title"],
                    rec["priority"], str(rec["score"]), *(SEPARATOR.join(tags.get(k, ())) for k in TAG_KEYS)])
    return out


def to_text(table: list[list[str]]) -> str:
    """CSV text for some rows (quoted where needed, '\\n' line ends)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(table)
    return buf.getvalue()


def header_text() -> str:
    return to_text([list(HEADER)])
