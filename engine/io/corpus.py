"""A folder of example cases, loaded whole: the corpus that coverage and diff run over."""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import CaseError, Problem, UsageError
from engine.io.caseload import load_case
from engine.io.inputs import CASE_SUFFIXES, case_files
from engine.model.case import Case


def load_corpus(folder: str | os.PathLike[str]) -> list[Case]:
    """Every case file under `folder`, found as batch finds them (`inputs.case_files`: recursive,
    suffixes in any case, hidden files and folders skipped); all bad files reported at once."""
    root = Path(folder)
    if not root.is_dir():
        raise UsageError(
            Problem(
                file=str(root),
                code="not_found",
                message="case folder not found",
                hint="give a folder of case files, e.g. --cases cases",
            )
        )
    files = case_files(root)
    if not files:
        raise UsageError(
            Problem(
                file=str(root),
                code="empty",
                message=f"holds no case files ({', '.join('*' + s for s in CASE_SUFFIXES)})",
                hint="give a folder of case files, e.g. --cases cases",
            )
        )
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
