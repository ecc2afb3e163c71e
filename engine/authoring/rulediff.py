"""The impact of a change to the rule base: what each example case would be told differently.

Before a rule author ships an edit, `rules diff OLD NEW --cases DIR` runs both versions on the
same cases and lists, per case, the recommending rules that appear, disappear or change priority.
Rules are compared by id, so a reworded title is not a change but a new id is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from engine.errors import Problem, RuleError
from engine.evaluation.runner import Engine, load_engine
from engine.io.corpus import load_corpus
from engine.model.case import Case
from engine.model.config import EngineConfig
from engine.model.diffs import CaseDiff, RuleChange, RuleDiff
from engine.model.results import Result
from engine.rulepacks.loader import shipped_rules_dir


def _recommended(result: Result) -> dict[str, tuple[str, str]]:
    """Rule id -> (title, priority of the recommendation it contributes to)."""
    return {rid: (rec.title, rec.priority) for rec in result.recommendations for rid in rec.rule_ids}


def diff_case(old: Result, new: Result) -> CaseDiff:
    before, after = _recommended(old), _recommended(new)
    changes = []
    for rid in sorted(set(before) | set(after)):
        b, a = before.get(rid), after.get(rid)
        if b is not None and a is not None and b[1] == a[1]:
            continue
        title = (a or b or ("", ""))[0]
        changes.append(RuleChange(rid, title, b[1] if b else "", a[1] if a else ""))
    return CaseDiff(new.case_id, tuple(changes))


def diff(old: Engine, new: Engine, cases: Sequence[Case]) -> RuleDiff:
    """Run every case on both engines and compare their recommendations rule by rule."""
    return RuleDiff(tuple(diff_case(old.evaluate(c), new.evaluate(c)) for c in cases))


def diff_folders(
    old: str | os.PathLike[str], new: str | os.PathLike[str], cases_dir: str | os.PathLike[str], shipped: bool = True
) -> RuleDiff:
    """Diff two rule folders on a corpus, each loaded as every other command loads `--rules DIR`.

    With `shipped` (the default) each side is the shipped packs with the folder loaded over them,
    so a local folder keeps the shipped sources and rules it builds on; a side that is the shipped
    folder itself is just the shipped packs. Without it each folder is a complete rule base, loaded
    alone (`--no-shipped`: comparing two versions of the whole rule base). Folders in
    $ISP_ADVISOR_RULES are added to both sides alike, so they do not show as changes.
    """
    cases = load_corpus(cases_dir)
    return diff(_side(old, "OLD", shipped), _side(new, "NEW", shipped), cases)


def _side(folder: str | os.PathLike[str], name: str, shipped: bool) -> Engine:
    if shipped and _is_shipped(Path(folder)):
        return load_engine(EngineConfig((), shipped=True))
    try:
        return load_engine(EngineConfig((os.fspath(folder),), shipped=shipped))
    except RuleError as exc:
        dups = [p for p in exc.problems if p.code == "duplicate_id"]
        if not shipped or not dups:
            raise
        summary = Problem(
            file=str(folder),
            field=name,
            code="duplicate_id",
            message=f"{len(dups)} rule(s) here are already defined by the shipped packs "
            f"(first: {dups[0].rule_id or dups[0].message})",
            hint="to compare two complete rule folders, add --no-shipped; "
            "to replace a shipped rule, mark it 'overrides: true'",
        )
        # A copy of the whole rule base repeats every id: the one line that says why is enough.
        others = [p for p in exc.problems if p.code != "duplicate_id"]
        raise RuleError([summary, *others, *(dups if len(dups) <= 3 else [])]) from None


def _is_shipped(folder: Path) -> bool:
    try:
        return folder.resolve() == shipped_rules_dir().resolve()
    except OSError:
        return False
