"""The interview: the questions that build a case file, asked one at a time.

The flow lives here and the terminal does not: a `Console` (click in the CLI, a script in the
tests) asks each `Question` (see `questions`), which refuses a wrong answer as it is typed.

The questions form one ordered plan (`questions.plan`), recomputed after every answer because
some answers change what comes next. Every prompt says where it is in the plan; `<` goes back one
question. After every answer the case so far is written atomically, and beside it a small
progress file (`.NAME.interview`) records which questions were asked, so `--from` resumes at the
first question never asked, even in the middle of a CFIR domain where Enter left some constructs
unrated on purpose. The progress file is removed when the interview ends.
"""

from __future__ import annotations

import json
import os
import shlex
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from engine.errors import Problem, UsageError
from engine.io.casewriter import case_data, get, put, write_case
from engine.io.outputs import atomic_write, check_writable
from engine.model import vocabulary as v
from engine.model.case import Case
from engine.model.cues import find_cues
from engine.model.fields import BY_PATH
from engine.practitioner.questions import (
    BACK,
    BARRIERS,
    CASE_ID,
    CFIR_INTRO,
    CLEAR,
    FACILITATORS,
    HELP,
    INTRO,
    NOT_UTF8,
    QUICK_INTRO,
    QUICK_PATHS,
    REST,
    SKIP,
    SUBS,
    InvalidAnswer,
    Question,
    Section,
    Step,
    cfir_question,
    construct_id,
    gate_question,
    plan,
    quick_sections,
    sections,
)

if TYPE_CHECKING:
    from engine.model.results import Result


class Interrupted(Exception):
    """Raised by a console when the user stops (Ctrl-C or end of input)."""


class InterviewStopped(Exception):
    """The interview ended early; everything answered so far is in `path` (None: nothing saved)."""

    def __init__(self, path: Path | None, quick: bool = False) -> None:
        self.path = path
        if path is None:
            msg = "interview stopped; nothing was saved"
        else:
            msg = (
                f"interview stopped; your answers so far are saved in {path}. "
                f"Resume with: isp-advisor interview --from {path}" + (" --quick" if quick else "")
            )
        super().__init__(msg)


class Console(Protocol):
    """The terminal, as the interview sees it."""

    def ask(self, question: Question, default: str) -> Any:
        """Ask until `question.convert` accepts the answer (Enter gives `default`); return its result."""

    def say(self, text: str) -> None:
        """Print a line."""

    def confirm(self, text: str, default: bool) -> bool:
        """A yes/no question about the interview itself."""


# ------------------------------------------------------------------ running it


@dataclass
class Interview:
    """One run of the interview, writing to `path` (and its progress file) after every answer."""

    console: Console
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    resuming: bool = False
    force: bool = False
    quick: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    """Answers about the interview itself: CFIR domain gates, subconstructs asked for, quick-mode lists."""
    asked: set[str] = field(default_factory=set)
    """Questions answered or skipped on purpose (as opposed to never reached)."""
    saved: bool = False
    """Whether this run has written `path` (only then may a stop say the answers are saved there)."""
    _explained: set[tuple[tuple[str, str], ...]] = field(default_factory=set)

    def run(self) -> Case:
        self.console.say(QUICK_INTRO if self.quick else INTRO)
        steps = self._plan()
        i = self._start(steps)
        if i == 0:
            self._ask_case_id()
            i = 1
        elif self.resuming:
            assert self.path is not None
            if i < len(steps):
                step = steps[i]
                self.console.say(
                    f"Resuming {self.path} at {step.section.title}, question {i + 1} of "
                    f"~{len(steps)}; '<' goes back to earlier answers."
                )
            self._save()
        history: list[str] = []
        shown: str | None = None
        while True:
            steps = self._plan()
            if i >= len(steps):
                break
            step = steps[i]
            if step.section.key != shown:
                self._enter(step.section, shown)
                shown = step.section.key
            answer = self._ask(step, i, len(steps))
            keys = [s.question.path for s in steps]
            if answer is BACK:
                i = self._back(history, keys, i)
                continue
            history.append(step.question.path)
            if answer is REST:
                for s in steps[i:]:
                    if s.group == step.group:
                        self.asked.add(s.question.path)
                self._save()
                i = max(k for k, s in enumerate(steps) if s.group == step.group) + 1
                continue
            if answer is SUBS:  # the subconstructs come next; '<' goes back to rate the construct itself
                self.extra[f"subs.{step.question.path[5:]}"] = True
                self.asked.add(step.question.path)
            else:
                self._answer(step.question, answer)
            self._save()
            i = [s.question.path for s in self._plan()].index(step.question.path) + 1
        self.console.say("")
        case = self._save()
        self._forget_progress()
        return case

    def _plan(self) -> list[Step]:
        """The questions, given the answers so far (a group's interview asks fewer:
        engine.practitioner.groupinterview)."""
        return plan(self.data, self.extra, self.quick)

    def _start(self, steps: list[Step]) -> int:
        """The first question never asked (0 for a new interview; the first again when all are answered)."""
        if not self.resuming:
            return 0
        for i, step in enumerate(steps):
            if not self._answered(step.question):
                return i
        return 1

    def _answered(self, q: Question) -> bool:
        if q.path in self.asked:
            return True
        if q.path.startswith("gate."):
            domain = q.path[5:]
            return any(v.cfir_domain(k) == domain for k in self.data.get("cfir", {}))
        if q.path.startswith("quick."):
            return q.path in self.extra or self._current(q) is not None
        return get(self.data, q.path) is not None

    def _back(self, history: list[str], keys: list[str], i: int) -> int:
        while history:
            key = history.pop()
            if key in keys:
                return keys.index(key)
        if i > 1:
            return i - 1
        self.console.say("This is the first question.")
        return i

    def _enter(self, section: Section, previous: str | None) -> None:
        self.console.say("")
        if section.domain and (previous is None or not previous.startswith("cfir.")):
            self.console.say(CFIR_INTRO)
            self.console.say("")
        if section.domain:
            self.console.say(section.intro)
        elif section.key != "case_id":
            self.console.say(f"{section.title}. {section.intro}".rstrip())

    def _ask_case_id(self) -> None:
        current = self.data.get("case_id", "")
        total = len(self._plan())
        shown = replace(CASE_ID, prompt=f"[Case · 1 of ~{total}] {CASE_ID.prompt}")
        while True:
            case_id = self.console.ask(shown, current)
            if case_id is HELP:
                self.console.say(CASE_ID.explain())
            elif case_id is BACK:
                self.console.say("This is the first question.")
            else:
                break
        self.data["case_id"] = case_id
        self.asked.add(CASE_ID.path)
        if self.path is None:
            self.path = Path(f"{case_id}.yaml")
            if self.path.exists() and not self.force:
                if not self.console.confirm(f"{self.path} already exists. Replace it?", False):
                    raise UsageError(
                        Problem(
                            file=str(self.path),
                            code="exists",
                            message="already exists",
                            hint="give another file with -o FILE, edit it with --from, or use --force",
                        )
                    )
        self._save()
        self.console.say(f"Answers are saved to {self.path} as you go.")

    def _ask(self, step: Step, i: int, total: int) -> Any:
        """Ask one question until it gets an answer other than '?'; return the answer (a value or a token)."""
        q = step.question
        if q.path == CASE_ID.path:
            self._ask_case_id()
            return SKIP
        if q.kind == "choice":
            self._list_choices(q)
        where = f"[{step.section.title.removeprefix('CFIR: ')} · {i + 1} of ~{total}] "
        shown = replace(q, prompt=where + q.prompt.strip())
        while True:
            answer = self.console.ask(shown, q.show(self._current(q)))
            if answer is not HELP:
                return answer
            self.console.say(q.explain())

    def _current(self, q: Question) -> Any:
        if q.path.startswith("gate."):
            return self.extra.get(q.path, True)
        if q.path.startswith("quick."):
            if q.path in self.extra:
                return self.extra[q.path] or None
            sign = -1 if q is BARRIERS else 1
            named = [
                k
                for k, val in self.data.get("cfir", {}).items()
                if isinstance(val, int) and not isinstance(val, bool) and val * sign > 0
            ]
            return named or None
        current = get(self.data, q.path)
        if current is None and q.sign:
            return q.sign
        return current

    def _answer(self, q: Question, answer: Any) -> None:
        self.asked.add(q.path)
        if answer is SKIP:
            if q.sign or q.path.startswith("gate."):  # Enter takes the default shown
                return
            if q.path.startswith("quick."):
                self._name_constructs(q, [])
            return
        value = None if answer is CLEAR else answer
        if q.kind in RECORD_KEYS and isinstance(value, list):
            value = _kept(get(self.data, q.path) or [], value, RECORD_KEYS[q.kind])
        if q.path.startswith("gate."):
            self.extra[q.path] = bool(value) if value is not None else True
        elif q.path.startswith("quick."):
            self._name_constructs(q, list(value or []))
        else:
            put(self.data, q.path, value)

    def _name_constructs(self, q: Question, ids: list[str]) -> None:
        """Record the constructs named; a construct rated on that side but no longer named is unrated."""
        sign = -1 if q is BARRIERS else 1
        other = self.extra.get((FACILITATORS if q is BARRIERS else BARRIERS).path) or []
        both = [c for c in ids if c in other]
        if both:
            self.console.say(
                "Named on both sides, so left out here (the full interview can rate them mixed): "
                + ", ".join(v.CFIR_IDS[c] for c in both)
            )
            ids = [c for c in ids if c not in both]
        self.extra[q.path] = ids
        for cid, val in list(self.data.get("cfir", {}).items()):
            if isinstance(val, int) and not isinstance(val, bool) and val * sign > 0 and cid not in ids:
                put(self.data, f"cfir.{cid}", None)
                self.asked.discard(f"cfir.{cid}")
        for cid in ids:  # a construct named anew is rated when it is reached, not before
            if get(self.data, f"cfir.{cid}") is None:
                self.asked.discard(f"cfir.{cid}")

    def _list_choices(self, q: Question) -> None:
        """Number the choices; the first time a set of glosses appears, explain each choice too."""
        key = tuple(q.glosses.items())
        if q.glosses and key not in self._explained:
            self._explained.add(key)
            width = max(len(c) for c in q.choices)
            for i, c in enumerate(q.choices, 1):
                self.console.say(f"  {i} {c:<{width}}  {q.glosses.get(c, '')}".rstrip())
        elif len(q.choices) > 3:
            self.console.say(
                textwrap.fill(
                    "  ".join(f"{i} {c}" for i, c in enumerate(q.choices, 1)),
                    96,
                    initial_indent="  ",
                    subsequent_indent="  ",
                )
            )

    def _save(self) -> Case:
        # Whether this file may be replaced was settled before the first save (run_interview's
        # check, --force or the user's answer in _ask_case_id); from then on it is our own file.
        assert self.path is not None
        case = write_case(self.path, self.data, force=True)
        self.saved = True
        progress = {
            "mode": "quick" if self.quick else "full",
            "asked": sorted(self.asked),
            "extra": dict(sorted(self.extra.items())),
        }
        atomic_write(progress_path(self.path), json.dumps(progress, indent=1) + "\n", force=True)
        return case

    def _forget_progress(self) -> None:
        assert self.path is not None
        p = progress_path(self.path)
        if p.is_file() and not p.is_symlink():
            p.unlink()


def progress_path(case_path: Path) -> Path:
    """Where the interview keeps which questions it asked: a hidden file beside the case."""
    return case_path.with_name(f".{case_path.name}.interview")


def read_progress(case_path: Path) -> dict[str, Any]:
    """The progress saved beside a case file, or {} (none, unreadable or not ours: start from the values)."""
    p = progress_path(case_path)
    try:
        if not p.is_file() or p.stat().st_size > 1_000_000:
            return {}
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    asked = data.get("asked")
    extra = data.get("extra")
    out: dict[str, Any] = {"mode": data.get("mode") if data.get("mode") in ("quick", "full") else "full"}
    out["asked"] = {a for a in asked if isinstance(a, str)} if isinstance(asked, list) else set()
    out["extra"] = _clean_extra(extra) if isinstance(extra, dict) else {}
    return out


RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "people": ("name", "role", "group"),
    "events": ("kind", "on"),
    "assets": ("kind", "summary"),
}
"""What a typed record answer says of a record: the rest (stance, status, until, an event's summary) is
kept from the stored record it matches, so Enter on the value in [brackets] changes nothing."""


def _kept(old: list[dict[str, Any]], new: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """`new` records, each replaced by the stored record it matches on `keys` (used once each)."""
    pool = list(old)
    out = []
    for rec in new:
        match = next((o for o in pool if all(o.get(k) == rec.get(k) for k in keys)), None)
        if match is not None:
            pool.remove(match)
        out.append(match if match is not None else rec)
    return out


def _clean_extra(extra: dict[str, Any]) -> dict[str, Any]:
    """Only the entries the interview writes, with values of the right kind (the file may be edited)."""
    out: dict[str, Any] = {}
    for key, val in extra.items():
        if key.startswith("gate.") and key[5:] in v.CFIR_DOMAINS and isinstance(val, bool):
            out[key] = val
        elif key.startswith("subs.") and key[5:] in v.CFIR_CONSTRUCTS and val is True:
            out[key] = True
        elif key in (BARRIERS.path, FACILITATORS.path) and isinstance(val, list):
            out[key] = [c for c in val if isinstance(c, str) and c in v.CFIR_IDS]
        elif key == "cued" and isinstance(val, list):
            out[key] = [p for p in val if isinstance(p, str) and p in BY_PATH]
    return out


def cued_paths(case: Case) -> list[str]:
    """The case fields the case's own words raise questions about (engine/model/cues.py), in cue order."""
    out: list[str] = []
    for cue in find_cues(case):
        path = cue.path if cue.path in BY_PATH else ""
        if path and path not in out:
            out.append(path)
    return out


def run_interview(
    console: Console,
    *,
    start: Case | None = None,
    output: str | os.PathLike[str] | None = None,
    from_path: str | os.PathLike[str] | None = None,
    force: bool = False,
    quick: bool = False,
) -> tuple[Case, Path]:
    """Ask the questions, saving as it goes; return the finished case and where it was written.

    The file written is `output`, else the `--from` file (edited in place), else `<case_id>.yaml`.
    An existing file is replaced only with `force`, when it is the file being edited, or after the
    user confirms. Resuming starts at the first question never asked (see `read_progress`); a
    quick interview stays quick when resumed. Raises InterviewStopped (with the saved path) when
    the user stops early.
    """
    path = Path(output) if output is not None else (Path(from_path) if from_path is not None else None)
    editing_in_place = path is not None and from_path is not None and _same_file(path, Path(from_path))
    if path is not None and not editing_in_place:
        check_writable(path, force)
    elif path is not None:
        check_writable(path, True)
    progress = read_progress(Path(from_path)) if from_path is not None else {}
    quick = quick or progress.get("mode") == "quick"
    extra = dict(progress.get("extra", {}))
    if start is not None and "cued" not in extra:  # asked first, and kept in place for the whole interview
        extra["cued"] = cued_paths(start)
    interview = Interview(
        console,
        case_data(start) if start is not None else {},
        path,
        resuming=start is not None,
        force=force or editing_in_place,
        quick=quick,
        extra=extra,
        asked=set(progress.get("asked", set())),
    )
    try:
        case = interview.run()
    except Interrupted:
        # Only a file this run has written holds the answers: stopping at "X already exists.
        # Replace it?" leaves X as it was, another case's file.
        raise InterviewStopped(interview.path if interview.saved else None, quick) from None
    assert interview.path is not None
    return case, interview.path


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


# ------------------------------------------------------------------ the ending


def closing_lines(result: Result, path: str | os.PathLike[str], case_id: str, width: int = 100) -> list[str]:
    """What the interview ends with: the Start-here items by title (one or two lines each), then the
    commands that show the rest, naming the file written. Short, so nothing scrolls Start here away."""
    width = max(min(width, 100), 40)
    where = shlex.quote(str(path))
    placed = result.placed()
    now = [rec for rec, place in placed if place.horizon == "now"]
    out: list[str] = []
    if now:
        out += textwrap.wrap(f"Start here (the first 30 days): {len(now)} of {len(placed)} recommendation(s)", width)
        for n, rec in enumerate(now, 1):
            out += _two_lines(rec.title, width, f"{n:>3}. ")
    elif placed:
        out += textwrap.wrap(f"{len(placed)} recommendation(s); none to start with in the first 30 days.", width)
    else:
        out += textwrap.wrap("No recommendations yet: the case states too little for any rule; answer more with", width)
        out.append(f"  isp-advisor interview --from {where}")
    asked = [c for c in result.cues if c.protective]
    if asked:
        out += [
            "",
            *textwrap.wrap(
                f"First answer {len(asked)} question(s) the case's own words raise (some items wait for them):", width
            ),
            f"  isp-advisor interview --from {where}",
        ]
    report = shlex.quote(f"{case_id}-report.html")
    commands = [
        (f"isp-advisor recommend {where}", "the whole plan, each item with its reasons"),
        (f"isp-advisor plan {where}", "who does what, when and how often, and the measures"),
        (f"isp-advisor recommend {where} --format html -o {report}", "a report to share"),
    ]
    out += ["", "See the rest:"]
    pad = max(len(cmd) for cmd, _ in commands[:2])
    for cmd, what in commands:
        line = f"  {cmd:<{pad}}   {what}"
        out.append(line if len(line) <= width else f"  {cmd}   ({what})")
    return out


def _two_lines(text: str, width: int, head: str) -> list[str]:
    """`text` wrapped under `head` in at most two lines (the second cut with '…' when it is longer)."""
    pad = " " * len(head)
    lines = textwrap.wrap(text, width, initial_indent=head, subsequent_indent=pad, break_on_hyphens=False)
    if len(lines) <= 2:
        return lines
    rest = textwrap.shorten(" ".join(line.strip() for line in lines[1:]), width - len(pad), placeholder=" …")
    return [lines[0], pad + rest]


__all__ = [
    "Question",
    "Section",
    "Step",
    "Console",
    "Interview",
    "InvalidAnswer",
    "Interrupted",
    "InterviewStopped",
    "run_interview",
    "closing_lines",
    "sections",
    "quick_sections",
    "plan",
    "cfir_question",
    "construct_id",
    "gate_question",
    "progress_path",
    "read_progress",
    "SKIP",
    "CLEAR",
    "HELP",
    "REST",
    "SUBS",
    "BACK",
    "QUICK_PATHS",
    "CASE_ID",
    "BARRIERS",
    "FACILITATORS",
    "NOT_UTF8",
]
