"""What if the case were different? Apply `PATH=VALUE` changes and diff the recommendations.

Changes are typed by the case contract (a rating is a number, a yes/no fact a boolean) and the
changed case is validated by the same `Case` model as a case file, so a bad `--set` gets the
same message a bad file would: field, allowed values, did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.errors import CaseError, Problem, UsageError, did_you_mean, parse_each
from engine.evaluation.runner import Engine
from engine.io.caseload import case_from_data
from engine.io.casewriter import case_data, put
from engine.model.case import Case
from engine.model.diffs import Assignment, PriorityChange, WhatIfDiff
from engine.model.facts import DERIVED_PREFIX, FACTS, SITE_SECTIONS, parse_value
from engine.model.results import Recommendation, Result
from engine.model.vocabulary import PRIORITIES

SET = "--set"
_UNSET = {"", "null", "none", "~"}


def parse_assignment(text: str) -> Assignment:
    """`engagement.level=collaborate` -> Assignment, typed by the fact's kind."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise UsageError(
            Problem(
                file=SET,
                code="syntax",
                message=f"'{text}' is not PATH=VALUE",
                hint="e.g. --set engagement.level=collaborate",
            )
        )
    if path.startswith(DERIVED_PREFIX):
        raise UsageError(
            Problem(
                file=SET,
                field=path,
                code="derived",
                message="is derived by the rules, not set",
                hint="set the case facts it is derived from",
            )
        )
    if path.split(".", 1)[0] in SITE_SECTIONS:
        raise UsageError(
            Problem(
                file=SET,
                field=path,
                code="record_fact",
                message="is counted from the case's lists, so it cannot be set or varied",
                hint="people, the problem's tags, events and assets are lists in the case file: "
                "edit a copy of the case and compare the two with 'isp-advisor compare'",
            )
        )
    spec = FACTS.get(path)
    if spec is None or path == "case_id":
        hint = (
            did_you_mean(path, SETTABLE)
            or "paths are the case file's keys joined by dots, e.g. power.differential or cfir.innovation.complexity"
        )
        raise UsageError(Problem(file=SET, field=path, code="unknown_fact", message="unknown fact path", hint=hint))
    return Assignment(path, _typed(path, raw.strip()), text)


SETTABLE = [p for p in FACTS if p != "case_id" and p.split(".", 1)[0] not in SITE_SECTIONS]
"""The fact paths `--set` and `--vary` take: the case's own fields (not the site's records' computed facts)."""


def _typed(path: str, raw: str) -> Any:
    """The value as the case model expects it; anything it cannot read is left for the model to refuse."""
    if raw.lower() in _UNSET:
        return None
    return parse_value(path, raw)


def apply(case: Case, changes: Iterable[Assignment]) -> Case:
    """The case with the changes made, validated like a case file (all problems at once)."""
    data = case_data(case)
    for change in changes:
        put(data, change.path, change.value)
    try:
        return case_from_data(data, SET)
    except CaseError as exc:
        raise CaseError([_as_set(p) for p in exc.problems]) from None


def _as_set(p: Problem) -> Problem:
    hint = p.hint or ("use true or false" if p.code == "bool_parsing" else "")
    return Problem(file=SET, field=p.field, message=p.message, code=p.code, hint=hint)


def whatif(engine: Engine, case: Case, settings: Iterable[str], date: str | None = None) -> WhatIfDiff:
    """Evaluate the case as it is and with `settings` (PATH=VALUE strings) applied, and diff."""
    changes = parse_each(settings, parse_assignment)
    if not changes:
        raise UsageError(
            Problem(
                file=SET,
                code="missing",
                message="nothing to change",
                hint="give at least one --set PATH=VALUE, e.g. --set engagement.level=collaborate",
            )
        )
    changed_case = apply(case, changes)
    return diff(
        engine, case.case_id, tuple(changes), engine.evaluate(case, date=date), engine.evaluate(changed_case, date=date)
    )


def diff(engine: Engine, case_id: str, changes: tuple[Assignment, ...], before: Result, after: Result) -> WhatIfDiff:
    """Match recommendations by what they recommend (category and merge key), not by which rule said it."""

    def keyed(result: Result) -> dict[tuple[str, str], Recommendation]:
        return {engine.by_id[r.rule_id].merge_key: r for r in result.recommendations}

    b, a = keyed(before), keyed(after)
    added = tuple(r for k, r in a.items() if k not in b)
    removed = tuple(r for k, r in b.items() if k not in a)
    changed = tuple(PriorityChange(b[k], a[k]) for k in a if k in b and a[k].priority != b[k].priority)
    same = sum(1 for k in a if k in b) - len(changed)
    changed = tuple(sorted(changed, key=lambda c: (PRIORITIES.index(c.after.priority), c.after.rule_id)))
    return WhatIfDiff(case_id, changes, before, after, added, removed, changed, same)
