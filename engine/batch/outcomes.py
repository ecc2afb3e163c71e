"""What one case's evaluation gives back to the run: a results line or an errors.jsonl line.

Kept apart from the run (batchrun.py) and the executors (executors.py), which both make them, so the
two depend on this module and not on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from engine.batch.tablerows import CaseTables
from engine.errors import Problem, capped, display_name
from engine.io.inputs import Item
from engine.model.config import EngineConfig


class RunSettings(msgspec.Struct, frozen=True):
    """What every process of a batch run is given: a local worker when it starts, each Dask task with its
    chunk (engine.batch.executors), and the run's own process (`batchrun._init`)."""

    config: EngineConfig
    reusable: frozenset[str] = frozenset()
    """Content hashes of the cases an earlier run already evaluated (`--resume`)."""
    digest: str | None = None
    """The rule packs' digest (engine.rulepacks.loader.read_packs); None when a file could not be read."""
    explanations: str = "full"
    date: str | None = None
    redacted: tuple[str, ...] = ()
    with_tables: bool = False

    @property
    def large(self) -> bool:
        """Worth sending to a cluster's workers once rather than with every task (a resume's hashes)."""
        return bool(self.reusable)


class Evaluated(msgspec.Struct, frozen=True):
    """A case evaluated: its results line and CSV rows as UTF-8 bytes (written as they come), what the
    portfolio summary keeps of it, and its table rows (`--tables`) or None."""

    case_id: str
    sha: str
    """The case text's content hash (the resume index's key)."""
    line: bytes
    csv: bytes
    digest: dict[str, Any]
    slim: dict[str, Any]
    rows: CaseTables | None = None


class Failed(msgspec.Struct, frozen=True):
    """A case that could not be evaluated: its errors.jsonl line."""

    row: dict[str, Any]


class Reused(msgspec.Struct, frozen=True):
    """A case whose results line an earlier run already holds (`--resume`, same content)."""

    sha: str


Outcome = Evaluated | Failed | Reused
"""What one case gives back to the run (batchrun.evaluate_item); consumers `match` on the three."""


def stated_case_id(data: object) -> str | None:
    """The case_id a case's parsed data states, if any: what its error row names when it fails validation."""
    if isinstance(data, dict) and isinstance(data.get("case_id"), str):
        return str(data["case_id"])
    return None


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
        "problems": [
            {
                "line": p.line or None,
                "field": p.field or None,
                "message": p.message,
                "hint": p.hint or None,
                "code": p.code,
            }
            for p in problems
        ],
    }


def worker_died(item: Item) -> Outcome:
    """The error line of a case whose worker died twice while evaluating it alone."""
    return Failed(
        error_row(
            item,
            [
                Problem(
                    code="worker_died",
                    message="the worker process evaluating this case died (killed, or out of memory)",
                    hint="try it alone with 'isp-advisor recommend'; the other cases were evaluated",
                )
            ],
            None,
        )
    )
