"""The interview: the questions that build a case file, asked one at a time.

The flow lives here and the terminal does not: a `Console` (click in the CLI, a script in the
tests) asks each `Question`, and `Question.convert` checks the typed answer against the case
contract so a wrong answer is refused at once, not when the file is loaded later. After every
answer the case so far is written atomically, so Ctrl-C, a closed laptop or a crash never costs
more than the answer being typed; `--from` reopens that file to resume or edit it.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from . import glossary as g
from . import vocabulary as v
from .case import CASE_ID_RE, Case
from .casewriter import case_data, get, put, write_case
from .errors import Problem, UsageError, allowed, did_you_mean
from .facts import FACTS, parse_value
from .outputs import check_writable


class _Token:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SKIP: Any = _Token("SKIP")
"""Enter with nothing to keep: leave the fact unstated."""
CLEAR: Any = _Token("CLEAR")
"""'-': remove the current value."""
HELP: Any = _Token("HELP")
"""'?': show what the question means, then ask again."""
REST: Any = _Token("REST")
"""'.': skip the rest of this section."""
SUBS: Any = _Token("SUBS")
"""'s': rate a CFIR construct's subconstructs."""


class InvalidAnswer(ValueError):
    """An answer that does not fit the question; the console shows the message and asks again."""


class Interrupted(Exception):
    """Raised by a console when the user stops (Ctrl-C or end of input)."""


class InterviewStopped(Exception):
    """The interview ended early; everything answered so far is in `path` (None: nothing saved)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is None:
            msg = "interview stopped; nothing was saved"
        else:
            msg = (f"interview stopped; your answers so far are saved in {path}. "
                   f"Resume with: isp-advisor interview --from {path}")
        super().__init__(msg)


@dataclass(frozen=True)
class Question:
    """One fact to ask about: its case path, how to ask, and how to read the answer."""

    path: str
    prompt: str
    kind: str  # "case_id", "text", "list", "bool", "choice" or "rating"
    choices: tuple[str, ...] = ()
    glosses: dict[str, str] = field(default_factory=dict)
    help: str = ""
    subs: tuple[str, ...] = ()

    def convert(self, raw: str) -> Any:
        """The value of a typed answer, a control token (SKIP, CLEAR, HELP, REST, SUBS), or InvalidAnswer."""
        text = raw.strip()
        if self.kind == "case_id":
            if not text:
                raise InvalidAnswer("a case id is required: a short name such as riverside-fqhc")
            if not CASE_ID_RE.match(text):
                raise InvalidAnswer(f"'{text}' is not a valid case id: use letters, digits, '-' and '_' "
                                    f"(e.g. {_slug(text) or 'riverside-fqhc'})")
            return text
        if text == "":
            return SKIP
        if text == "-":
            return CLEAR
        if text == "?" and (self.help or self.glosses):
            return HELP
        if text == ".":
            return REST
        if text.lower() == "s" and self.subs:
            return SUBS
        return _CONVERTERS[self.kind](self, text)

    def show(self, value: Any) -> str:
        """A stored value as the text that would be typed to give it (the prompt's default)."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return "; ".join(str(x) for x in value)
        if self.kind == "rating" and isinstance(value, int) and value > 0:
            return f"+{value}"
        return str(value)

    def explain(self) -> str:
        """What '?' prints."""
        lines = [self.help] if self.help else []
        lines += [f"  {c}: {self.glosses[c]}" for c in self.choices if c in self.glosses]
        return "\n".join(lines)


def _text(q: Question, text: str) -> Any:
    return text


def _list(q: Question, text: str) -> Any:
    return parse_value(q.path, text) or SKIP


def _bool(q: Question, text: str) -> Any:
    value = parse_value(q.path, text)
    if isinstance(value, bool):
        return value
    raise InvalidAnswer(f"'{text}' is not an answer to a yes/no question: type y or n (Enter to skip)")


def _choice(q: Question, text: str) -> Any:
    word = re.sub(r"[\s-]+", "_", text.lower())
    if word.isdigit() and 1 <= int(word) <= len(q.choices):
        return q.choices[int(word) - 1]
    if word in q.choices:
        return word
    starts = [c for c in q.choices if c.startswith(word)]
    if len(starts) == 1:
        return starts[0]
    hint = did_you_mean(word, q.choices)
    raise InvalidAnswer(f"'{text}' is not one of the choices" + (f" ({hint})" if hint else "") + "; "
                        + allowed(q.choices) + f", or 1-{len(q.choices)}")


def _rating(q: Question, text: str) -> Any:
    value = parse_value(q.path, text)
    if value == v.MIXED or (isinstance(value, int) and value in v.RATING_VALUES):
        return value
    raise InvalidAnswer(f"'{text}' is not a rating: type -2, -1, 0, +1, +2 or mixed "
                        "(? explains the construct, Enter skips it)")


_CONVERTERS = {"text": _text, "list": _list, "bool": _bool, "choice": _choice, "rating": _rating}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-_").lower()[:64]


class Console(Protocol):
    """The terminal, as the interview sees it."""

    def ask(self, question: Question, default: str) -> Any:
        """Ask until `question.convert` accepts the answer (Enter gives `default`); return its result."""

    def say(self, text: str) -> None:
        """Print a line."""

    def confirm(self, text: str, default: bool) -> bool:
        """A yes/no question about the interview itself."""


# ------------------------------------------------------------------ the questions


def _choice_q(path: str, prompt: str, glosses: dict[str, str] | None = None, help: str = "") -> Question:
    choices = tuple(str(c) for c in FACTS[path].values)
    return Question(path, prompt, "choice", choices, dict(glosses or {}), help)


def _level_q(path: str, prompt: str, help: str = "") -> Question:
    return _choice_q(path, f"{prompt} (low/moderate/high)", help=help)


def _bool_q(path: str, prompt: str) -> Question:
    return Question(path, f"{prompt} (y/n)", "bool")


@dataclass(frozen=True)
class Section:
    """A group of questions saved together; `domain` is set for a CFIR domain."""

    key: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    domain: str = ""


def cfir_question(cfir_id: str) -> Question:
    subs = tuple(s for s in v.CFIR_SUBCONSTRUCTS if s.startswith(cfir_id + "."))
    hint = "-2..+2, mixed, ? explains" + (", s subconstructs" if subs else "")
    return Question(f"cfir.{cfir_id}", f"  {v.CFIR_IDS[cfir_id]} ({hint})", "rating",
                    help=g.cfir_gloss(cfir_id) + "\n  Scale: " + g.RATING_SCALE, subs=subs)


def sections() -> tuple[Section, ...]:
    """Every section of the interview, in the order asked."""
    capacity = tuple(_level_q(f"capacity.{c}", name, g.CAPACITY_GLOSSES[c]) for c, name in v.CAPACITY_TYPES.items())
    out = [
        Section("site", "Site and innovation", "", (
            Question("site", "Site (organisation or team)", "text"),
            Question("innovation", "Innovation (what is being implemented)", "text"),
            _choice_q("setting", "Setting"),
            _choice_q("stage", "Implementation stage", g.STAGE_GLOSSES),
        )),
        Section("challenge", "The challenge",
                "Is the main challenge technical or adaptive?", (
                    _choice_q("challenge.type", "Challenge type", g.CHALLENGE_GLOSSES),
                    Question("challenge.summary", "In a sentence, the challenge", "text"),
                )),
        Section("engagement", "Community engagement",
                "Where the community stands on the Spectrum of Community Engagement to Ownership:", (
                    _choice_q("engagement.level", "Engagement now", g.ENGAGEMENT_GLOSSES),
                    _choice_q("engagement.target", "Engagement wanted", g.ENGAGEMENT_GLOSSES),
                )),
        Section("power", "Power and trust", "", (
            _level_q("power.differential", "Power differential between decision makers and the community",
                     "How unequal power is between those who decide and those affected."),
            _choice_q("power.decision_making", "Who makes the decisions", g.DECISION_GLOSSES),
            _level_q("relationships.trust", "Trust between the site, partners and community"),
        )),
        Section("capacity", "Capacity", "How strong each kind of capacity is (? explains each):", capacity),
        Section("leadership", "Leadership", "", (
            _bool_q("leadership.transition", "Is a leadership transition under way?"),
            _bool_q("leadership.emerging_leaders", "Are emerging leaders being cultivated?"),
        )),
        Section("equity", "Equity", "", (
            Question("equity.priority_populations", "Priority populations (separate with ;)", "list"),
            _bool_q("equity.disparities_identified", "Have disparities been identified?"),
            _bool_q("equity.structural_racism_acknowledged", "Is structural racism acknowledged?"),
            _bool_q("equity.community_defined_evidence", "Is community-defined evidence used?"),
            _choice_q("equity.cultural_adaptation", "Cultural adaptation", g.CULTURAL_ADAPTATION_GLOSSES),
        )),
    ]
    for domain, name in v.CFIR_DOMAINS.items():
        ids = [c for c in v.CFIR_CONSTRUCTS if v.cfir_domain(c) == domain]
        out.append(Section(f"cfir.{domain}", f"CFIR: {name}", g.CFIR_DOMAIN_GLOSSES[domain],
                           tuple(cfir_question(c) for c in ids), domain))
    out.append(Section("notes", "Notes", "", (Question("notes", "Anything else to note", "text"),)))
    return tuple(out)


CASE_ID = Question("case_id", "Case id (letters, digits, - and _; e.g. riverside-fqhc)", "case_id")

INTRO = ("ISP Advisor interview. Press Enter to skip a question or keep the value in [brackets];\n"
         "'-' clears a value, '?' explains a question, '.' skips the rest of a section.")

CFIR_INTRO = ("CFIR 2.0 ratings, domain by domain. Rate each construct as it affects this site:\n  "
              + g.RATING_SCALE + ".\n  Enter skips a construct, '.' the rest of the domain, 's' rates a construct's "
              "subconstructs.")


# ------------------------------------------------------------------ running it


@dataclass
class Interview:
    """One run of the interview, writing to `path` after every answer."""

    console: Console
    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    resuming: bool = False
    force: bool = False
    saved: bool = False
    """Whether this run has written `path` (only then may a stop say the answers are saved there)."""
    _explained: set[tuple[tuple[str, str], ...]] = field(default_factory=set)

    def run(self) -> Case:
        self.console.say(INTRO)
        self._ask_case_id()
        cfir_said = False
        for section in sections():
            if section.domain and not cfir_said:
                self.console.say("")
                self.console.say(CFIR_INTRO)
                cfir_said = True
            self._section(section)
        self.console.say("")
        return self._save()

    def _ask_case_id(self) -> None:
        current = self.data.get("case_id", "")
        case_id = self.console.ask(CASE_ID, current)
        self.data["case_id"] = case_id
        if self.path is None:
            self.path = Path(f"{case_id}.yaml")
            if self.path.exists() and not self.force:
                if not self.console.confirm(f"{self.path} already exists. Replace it?", False):
                    raise UsageError(Problem(file=str(self.path), code="exists", message="already exists",
                                             hint="give another file with -o FILE, edit it with --from, "
                                                  "or use --force"))
        self._save()
        self.console.say(f"Answers are saved to {self.path} as you go.")

    def _section(self, section: Section) -> None:
        self.console.say("")
        filled = [q for q in self._questions(section) if get(self.data, q.path) is not None]
        if section.domain:
            if filled and self.resuming:
                if not self.console.confirm(f"{section.title}: {len(filled)} rated. Change these ratings?", False):
                    return
            elif not self.console.confirm(f"{section.title} ({len(section.questions)} constructs). Rate them?",
                                          True):
                return
            self.console.say(section.intro)
        elif filled and self.resuming:
            if not self.console.confirm(f"{section.title}: filled in. Change it?", False):
                return
        else:
            self.console.say(f"{section.title}. {section.intro}".rstrip())
        for q in list(self._questions(section)):  # fixed now: 's' must not add questions mid-section
            if not self._ask(q):
                break

    def _questions(self, section: Section) -> Iterator[Question]:
        """The section's questions; a subconstruct is asked where the case already rates it."""
        for q in section.questions:
            yield q
            for sub in q.subs:
                if get(self.data, f"cfir.{sub}") is not None:
                    yield cfir_question(sub)

    def _ask(self, q: Question) -> bool:
        """Ask one question and save the answer; False when the user skips the rest of the section."""
        if q.kind == "choice":
            self._list_choices(q)
        while True:
            current = get(self.data, q.path)
            answer = self.console.ask(q, q.show(current))
            if answer is HELP:
                self.console.say(q.explain())
                continue
            if answer is REST:
                return False
            if answer is SUBS:
                for sub in q.subs:
                    if not self._ask(cfir_question(sub)):
                        break
                continue
            if answer is SKIP:
                return True
            value = None if answer is CLEAR else answer
            if value != current or type(value) is not type(current):
                put(self.data, q.path, value)
                self._save()
            return True

    def _list_choices(self, q: Question) -> None:
        """Number the choices; the first time a set of glosses appears, explain each choice too."""
        key = tuple(q.glosses.items())
        if q.glosses and key not in self._explained:
            self._explained.add(key)
            width = max(len(c) for c in q.choices)
            for i, c in enumerate(q.choices, 1):
                self.console.say(f"  {i} {c:<{width}}  {q.glosses.get(c, '')}".rstrip())
        elif len(q.choices) > 3:
            self.console.say(textwrap.fill("  ".join(f"{i} {c}" for i, c in enumerate(q.choices, 1)), 96,
                                           initial_indent="  ", subsequent_indent="  "))

    def _save(self) -> Case:
        # Whether this file may be replaced was settled before the first save (run_interview's
        # check, --force or the user's answer in _ask_case_id); from then on it is our own file.
        assert self.path is not None
        case = write_case(self.path, self.data, force=True)
        self.saved = True
        return case


def run_interview(console: Console, *, start: Case | None = None, output: str | os.PathLike[str] | None = None,
                  from_path: str | os.PathLike[str] | None = None, force: bool = False) -> tuple[Case, Path]:
    """Ask every question, saving as it goes; return the finished case and where it was written.

    The file written is `output`, else the `--from` file (edited in place), else `<case_id>.yaml`.
    An existing file is replaced only with `force`, when it is the file being edited, or after the
    user confirms. Raises InterviewStopped (with the saved path) when the user stops early.
    """
    path = Path(output) if output is not None else (Path(from_path) if from_path is not None else None)
    editing_in_place = path is not None and from_path is not None and _same_file(path, Path(from_path))
    if path is not None and not editing_in_place:
        check_writable(path, force)
    elif path is not None:
        check_writable(path, True)
    interview = Interview(console, case_data(start) if start is not None else {}, path,
                          resuming=start is not None, force=force or editing_in_place)
    try:
        case = interview.run()
    except Interrupted:
        # Only a file this run has written holds the answers: stopping at "X already exists.
        # Replace it?" leaves X as it was, another case's file.
        raise InterviewStopped(interview.path if interview.saved else None) from None
    assert interview.path is not None
    return case, interview.path


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


__all__ = ["Question", "Section", "Console", "Interview", "InvalidAnswer", "Interrupted", "InterviewStopped",
           "run_interview", "sections", "cfir_question", "SKIP", "CLEAR", "HELP", "REST", "SUBS"]
