"""`isp-advisor interview --from CASE --group GROUP`: one group's view of the site, added or edited.

The same questions as the interview (engine/practitioner/questions.py), limited to what a perspective may state
(engagement, power, trust, capacity and the CFIR ratings), asked as GROUP sees the site. Answers
are saved after each one into the case's `perspectives` entry for GROUP (a new entry, or the one
already there), and the rest of the case is left as it was. Progress is kept beside the case in
`.NAME.GROUP.interview`, so a stopped group interview resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import Problem, UsageError, did_you_mean
from engine.io.casewriter import case_data, write_case
from engine.io.outputs import atomic_write, check_writable
from engine.model.case import Case
from engine.model.facts import GROUPS, PERSPECTIVE_SECTIONS
from engine.practitioner.interview import Console, Interrupted, Interview, InterviewStopped, _clean_extra
from engine.practitioner.questions import BARRIERS, CASE_ID, FACILITATORS, Step


def _in_perspective(path: str) -> bool:
    return (
        path.split(".", 1)[0] in PERSPECTIVE_SECTIONS
        or path.startswith("gate.")
        or path in (BARRIERS.path, FACILITATORS.path, CASE_ID.path)
    )


@dataclass
class GroupInterview(Interview):
    """An interview whose answers go into one perspective of `base` (the whole case's data)."""

    group: str = ""
    label: str = ""
    base: dict[str, Any] = field(default_factory=dict)

    def run(self) -> Case:
        who = f"{self.group} ({self.label})" if self.label else self.group
        self.console.say(
            f"The site as {who} see it: answer each question with this group's view; the case's "
            "other answers are kept as they are."
        )
        return super().run()

    def _plan(self) -> list[Step]:
        return [s for s in super()._plan() if _in_perspective(s.question.path)]

    def _start(self, steps: list[Step]) -> int:
        return max(1, super()._start(steps))  # the case id is the case's, never asked here

    def _full(self) -> dict[str, Any]:
        data = {k: val for k, val in self.base.items() if k != "perspectives"}
        entries = [dict(p) for p in self.base.get("perspectives") or []]
        mine = {k: val for k, val in self.data.items() if k in PERSPECTIVE_SECTIONS and val not in ({}, None)}
        at = next(
            (i for i, p in enumerate(entries) if p.get("group") == self.group and (p.get("label") or "") == self.label),
            None,
        )
        entry: dict[str, Any] = {"group": self.group, **({"label": self.label} if self.label else {}), **mine}
        if at is not None:
            entries[at] = entry if mine else entries[at]
            if not mine:
                entries.pop(at)
        elif mine:
            entries.append(entry)
        if entries:
            data["perspectives"] = entries
        return data

    def _save(self) -> Case:
        assert self.path is not None
        case = write_case(self.path, self._full(), force=True)
        self.saved = True
        progress = {
            "mode": "quick" if self.quick else "full",
            "group": self.group,
            "label": self.label,
            "asked": sorted(self.asked),
            "extra": dict(sorted(self.extra.items())),
        }
        atomic_write(group_progress_path(self.path, self.group), json.dumps(progress, indent=1) + "\n", force=True)
        return case

    def _forget_progress(self) -> None:
        assert self.path is not None
        p = group_progress_path(self.path, self.group)
        if p.is_file() and not p.is_symlink():
            p.unlink()


def group_progress_path(case_path: Path, group: str) -> Path:
    return case_path.with_name(f".{case_path.name}.{group}.interview")


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise UsageError(
            Problem(
                field="--group",
                code="unknown_group",
                message=f"'{group}' is not a group",
                hint=(did_you_mean(group, GROUPS) or "") + "; groups: " + ", ".join(GROUPS),
            )
        )
    return group


def _progress(path: Path, group: str) -> dict[str, Any]:
    p = group_progress_path(path, group)
    try:
        data = json.loads(p.read_text(encoding="utf-8")) if p.is_file() and not p.is_symlink() else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("group") != group:
        return {}
    asked = data.get("asked")
    extra = data.get("extra")
    return {
        "asked": {a for a in asked if isinstance(a, str)} if isinstance(asked, list) else set(),
        "extra": _clean_extra(extra) if isinstance(extra, dict) else {},
        "mode": data.get("mode"),
    }


def run_group_interview(
    console: Console,
    start: Case,
    from_path: str | os.PathLike[str],
    group: str,
    label: str = "",
    output: str | os.PathLike[str] | None = None,
    force: bool = False,
    quick: bool = False,
) -> tuple[Case, Path]:
    """Ask GROUP's view of the case in `from_path` and save it there (or to `output`)."""
    check_group(group)
    path = Path(output) if output is not None else Path(from_path)
    check_writable(path, force or path.resolve() == Path(from_path).resolve())
    base = case_data(start)
    current = next((p for p in start.perspectives or () if p.group == group and (p.label or "") == label), None)
    data: dict[str, Any] = {"case_id": start.case_id}
    if current is not None:
        data.update(current.model_dump(exclude_none=True, exclude={"group", "label"}))
    progress = _progress(path, group)
    quick = quick or progress.get("mode") == "quick"
    # a stopped group interview resumes where it stopped; editing a finished view starts at the first question
    interview = GroupInterview(
        console,
        data,
        path,
        resuming=bool(progress),
        force=True,
        quick=quick,
        extra=dict(progress.get("extra", {})),
        asked=set(progress.get("asked", set())),
        group=group,
        label=label,
        base=base,
    )
    try:
        case = interview.run()
    except Interrupted:
        stopped = InterviewStopped(interview.path if interview.saved else None, quick)
        if interview.saved:
            label_opt = f" --label {shlex.quote(label)}" if label else ""
            stopped.args = (
                f"interview stopped; {group}'s answers so far are saved in {path}. Resume with: "
                f"isp-advisor interview --from {path} --group {group}{label_opt}" + (" --quick" if quick else ""),
            )
        raise stopped from None
    return case, path


__all__ = ["GroupInterview", "run_group_interview", "group_progress_path", "check_group"]
