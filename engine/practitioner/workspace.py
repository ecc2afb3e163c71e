"""A workspace: the folder of case files a team keeps (`isp-advisor serve --workspace DIR`).

Only files directly inside the workspace are read or written: a case is named by its stem (the file
name without `.yaml`, `.yml` or `.json`), checked against a strict pattern, and its resolved path must
lie inside the workspace (no `..`, no symlink out). Decisions files (`<stem>.plan.yaml`) go with their
case. Everything here is plain Python the web app and tests call alike.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from engine.errors import CaseError, IspAdvisorError, Problem, UsageError
from engine.io.decisionfile import decisions_path, find_decisions
from engine.io.inputs import CASE_SUFFIXES, DECISIONS_SUFFIX
from engine.model.case import Case

STEM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}\Z")
"""A case's name in a workspace: letters, digits, '-' and '_' (a case id is one)."""

MAX_UPLOAD = 1_000_000
"""The largest case file accepted from an upload (the same limit as every case file)."""


@dataclass(frozen=True)
class Entry:
    """One case of the workspace, as the start page lists it."""

    stem: str
    file: str
    case_id: str = ""
    site: str = ""
    innovation: str = ""
    stage: str = ""
    assessed_on: str = ""
    start_here: int = 0
    open_decisions: int = 0
    """Items of Start here and Next without a decision."""
    error: str = ""
    """Why the file could not be read ('' when it could)."""


class Workspace:
    """The folder of a team's case files."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        path = Path(root)
        if not path.is_dir():
            raise UsageError(
                Problem(
                    file=str(path),
                    code="not_found",
                    message="workspace folder not found",
                    hint="give an existing folder with --workspace DIR",
                )
            )
        self.root = path.resolve()

    # ------------------------------------------------------------ naming

    def case_path(self, stem: str, must_exist: bool = True) -> Path:
        """The case file named `stem`, inside the workspace; UsageError for anything else."""
        if not STEM_RE.match(stem or ""):
            raise UsageError(
                Problem(
                    field="case",
                    code="bad_name",
                    message=f"{stem[:40]!r} is not a case name",
                    hint="case names are letters, digits, '-' and '_'",
                )
            )
        for suffix in CASE_SUFFIXES:
            candidate = self.root / f"{stem}{suffix}"
            if candidate.exists() or candidate.is_symlink():
                return self._inside(candidate)
        if must_exist:
            raise UsageError(
                Problem(
                    field="case",
                    code="not_found",
                    message=f"no case named {stem!r} here",
                    hint="open one from the start page",
                )
            )
        return self._inside(self.root / f"{stem}.yaml")

    def decisions_file(self, stem: str) -> Path:
        return self._inside(decisions_path(self.case_path(stem)))

    def _inside(self, path: Path) -> Path:
        """`path` if it (after symlinks) is a regular file directly in the workspace, or is to be created there."""
        outside = UsageError(
            Problem(
                file=path.name,
                code="outside",
                message="this file lies outside the workspace",
                hint="keep case files directly in the workspace folder (no links out of it)",
            )
        )
        if path.is_symlink() or path.exists():
            real = path.resolve()
            if real.parent != self.root:
                raise outside
            if not real.is_file():
                raise UsageError(
                    Problem(
                        file=path.name,
                        code="not_file",
                        message="not a regular file",
                        hint="keep case files as plain files in the workspace",
                    )
                )
        elif path.parent.resolve() != self.root:
            raise outside
        return path

    # ------------------------------------------------------------ listing

    def stems(self) -> list[str]:
        """The workspace's case files (not decisions files), by name."""
        out = []
        for entry in sorted(os.scandir(self.root), key=lambda e: e.name):
            name = entry.name
            if name.startswith(".") or name.lower().endswith(DECISIONS_SUFFIX):
                continue
            stem, dot, suffix = name.rpartition(".")
            if dot and f".{suffix.lower()}" in CASE_SUFFIXES and STEM_RE.match(stem):
                out.append(stem)
        return list(dict.fromkeys(out))

    def entries(self, engine: object | None = None) -> list[Entry]:
        """Every case with what the start page shows (its plan's size when `engine` is given)."""
        from engine.io.caseload import load_case

        out = []
        for stem in self.stems():
            try:
                path = self.case_path(stem)
                case = load_case(path)
            except IspAdvisorError as exc:
                out.append(Entry(stem, f"{stem}", error=exc.problems[0].render() if exc.problems else str(exc)))
                continue
            start, open_ = 0, 0
            if engine is not None:
                try:
                    decisions = find_decisions(path, case.case_id)
                    result = engine.evaluate(case, decisions=decisions)  # type: ignore[attr-defined]
                except IspAdvisorError as exc:
                    out.append(Entry(stem, path.name, case.case_id, error=exc.problems[0].render()))
                    continue
                placed = result.placed()
                start = sum(1 for _, p in placed if p.horizon == "now")
                open_ = sum(1 for _, p in placed if p.horizon in ("now", "next") and p.decision is None)
            out.append(
                Entry(
                    stem,
                    path.name,
                    case.case_id,
                    case.site or "",
                    case.innovation or "",
                    (case.stage or "").replace("_", " "),
                    case.assessed_on or "",
                    start,
                    open_,
                )
            )
        return out

    def assessments_of(self, case_id: str) -> list[tuple[str, Case]]:
        """Every readable case of the workspace with this case id, oldest assessment first."""
        from engine.io.caseload import load_case

        found = []
        for stem in self.stems():
            try:
                case = load_case(self.case_path(stem))
            except (CaseError, UsageError):
                continue
            if case.case_id == case_id:
                found.append((stem, case))
        return sorted(found, key=lambda sc: (sc[1].assessed_on or "", sc[0]))


def examples_dir() -> Path:
    """The example cases that come with the tool: the checkout's cases/ or the installed copy."""
    here = Path(__file__).resolve().parents[2] / "cases"
    if (here / "riverside-fqhc.yaml").is_file():
        return here
    import isp_advisor_cases  # the installed copy of cases/ (see pyproject.toml)

    return Path(next(iter(isp_advisor_cases.__path__)))


def examples() -> list[str]:
    """The shipped example cases' stems."""
    return sorted(p.stem for p in examples_dir().glob("*.yaml"))
