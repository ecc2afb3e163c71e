"""A folder of example cases, loaded whole: the corpus that coverage and diff run over."""

from __future__ import annotations

import os
from pathlib import Path

from .case import Case, load_case
from .errors import CaseError, Problem, UsageError

CASE_SUFFIXES = (".yaml", ".yml", ".json")


def load_corpus(folder: str | os.PathLike[str]) -> list[Case]:
    """Every case file directly in `folder`, sorted by name; all bad files reported at once."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(Problem(file=str(root), code="not_found", message="case folder not found",
                                 hint="give a folder of case files, e.g. --cases cases"))
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix in CASE_SUFFIXES)
    if not files:
        raise UsageError(Problem(file=str(root), code="empty", message="holds no case files (*.yaml, *.json)",
                                 hint="give a folder of case files, e.g. --cases cases"))
    cases: list[Case] = []
    problems: list[Problem] = []
    for f in files:
        try:
            cases.append(load_case(f))
        except CaseError as exc:
            problems.extend(exc.problems)
    if problems:
        raise CaseError(problems)
    return cases
