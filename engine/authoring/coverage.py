"""How the knowledge base behaves over a corpus of cases: which rules fire how often, which never do.

A rule that fires on no example case is either untested or dead; a case left with nothing in a
category is a gap in the knowledge base (or in the case). Both are worth a rule author's look.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from engine.evaluation.runner import Engine, load_engine
from engine.io.corpus import load_corpus
from engine.model.case import Case
from engine.model.checks import Coverage, RuleCoverage
from engine.model.vocabulary import CATEGORIES


def coverage(engine: Engine, cases: Sequence[Case]) -> Coverage:
    """Run every case and count, per rule, the cases it fired on."""
    fired: dict[str, list[str]] = {r.id: [] for r in engine.rules}
    empty: dict[str, tuple[str, ...]] = {}
    for case in cases:
        result = engine.evaluate(case)
        for rid in result.fired:
            fired[rid].append(case.case_id)
        got = {r.category for r in result.recommendations}
        missing = tuple(c for c in CATEGORIES if c not in got)
        if missing:
            empty[case.case_id] = missing
    rules = tuple(
        RuleCoverage(r.id, r.category or "derive", tuple(fired[r.id])) for r in sorted(engine.rules, key=lambda r: r.id)
    )
    return Coverage(tuple(c.case_id for c in cases), rules, empty)


def coverage_of(extra: Sequence[str | os.PathLike[str]], cases_dir: str | os.PathLike[str]) -> Coverage:
    """Coverage of the packs `load_engine(extra)` loads over the case files in `cases_dir`.

    The cases are loaded first: a bad case folder fails before the engine is compiled.
    """
    cases = load_corpus(cases_dir)
    return coverage(load_engine(extra), cases)
