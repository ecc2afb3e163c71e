"""What one case's evaluation gives back to the run: a results line or an errors.jsonl line.

Kept apart from the run (batchrun.py) and the executors (executors.py), which both make them, so the
two depend on this module and not on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.errors import Problem, capped, display_name
from engine.io.inputs import Item

Outcome = tuple[Any, ...]
"""("ok", ...) or ("error", errors.jsonl line, ...): see batchrun.evaluate_item."""


def error_row(item: Item, problems: Sequence[Problem], case_id: str | None) -> dict[str, Any]:
    """One errors.jsonl line: where, which case, which field, what is wrong (all problems kept)."""
    kind, source, line, row, _ = item
    problems = capped(problems)
    first = problems[0]
    return {
        "source": display_name(source),
        "line": first.line or line or None,
        "row": row or None,
        "case_id": case_id,
        "field": first.field or None,
        "message": first.message,
        "hint": first.hint or None,
        "code": first.code,
        "problems": [{"line": p.line or None, "field": p.field or None, "message": p.message,
                      "hint": p.hint or None, "code": p.code} for p in problems],
    }


def worker_died(item: Item) -> Outcome:
    """The error line of a case whose worker died twice while evaluating it alone."""
    return ("error", error_row(item, [Problem(
        code="worker_died", message="the worker process evaluating this case died "
        "(killed, or out of memory)", hint="try it alone with 'isp-advisor recommend'; "
        "the other cases were evaluated")], None))
