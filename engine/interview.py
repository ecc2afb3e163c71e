"""The interview: the questions that build a case file, asked one at a time.

The flow lives here and the terminal does not: a `Console` (click in the CLI, a script in the
tests) asks each `Question`, and `Question.convert` checks the typed answer against the case
contract so a wrong answer is refused at once, not when the file is loaded later.

The questions form one ordered plan (`plan`), recomputed after every answer because some answers
change what comes next (a CFIR domain left unrated, subconstructs asked for, the constructs named
as barriers in quick mode). Every prompt says where it is in the plan; `<` goes back one question.
After every answer the case so far is written atomically, and beside it a small progress file
(`.NAME.interview`) records which questions were asked, so `--from` resumes at the first question
never asked, even in the middle of a CFIR domain where Enter left some constructs unrated on
purpose. The progress file is removed when the interview ends.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from . import glossary as g
from . import vocabulary as v
from .case import CASE_ID_RE, Case
from .casewriter import case_data, get, put, write_case
from .errors import Problem, UsageError, allowed, did_you_mean
from .facts import FACTS, parse_value
from .outputs import atomic_write, check_writable


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
BACK: Any = _Token("BACK")
"""'<': go back one question."""


class InvalidAnswer(ValueError):
    """An answer that does not fit the question; the console shows the message and asks again."""


class Interrupted(Exception):
    """Raised by a console when the user stops (Ctrl-C or end of input)."""


class InterviewStopped(Exception):
    """The interview ended early; everything answered so far is in `path` (None: nothing saved)."""

    def __init__(self, path: Path | None, quick: bool = False) -> None:
        self.path = path
        if path is None:
            msg = "interview stopped; nothing was saved"
        else:
            msg = (f"interview stopped; your answers so far are saved in {path}. "
                   f"Resume with: isp-advisor interview --from {path}" + (" --quick" if quick else ""))
        super().__init__(msg)


NOT_UTF8 = ("the answer holds bytes that are not UTF-8 text, so it cannot be saved; retype it "
            "(if accented letters come out wrong, set the terminal to UTF-8, e.g. LANG=C.UTF-8)")


@dataclass(frozen=True)
class Question:
    """One fact to ask about: its case path, how to ask, and how to read the answer.

    Paths outside the case (`gate.*`, `quick.*`) are answers about the interview itself: whether
    to rate a CFIR domain, which constructs are barriers. They are kept in the progress file.
    """

    path: str
    prompt: str
    kind: str  # "case_id", "text", "list", "bool", "choice", "rating" or "constructs"
    choices: tuple[str, ...] = ()
    glosses: dict[str, str] = field(default_factory=dict)
    help: str = ""
    subs: tuple[str, ...] = ()
    sign: int = 0
    """For a quick-mode rating: -1 a barrier (-1 or -2), +1 a facilitator (+1 or +2)."""

    def convert(self, raw: str) -> Any:
        """The value of a typed answer, a control token (SKIP, CLEAR, HELP, REST, SUBS, BACK), or InvalidAnswer."""
        if any("\udc80" <= ch <= "\udcff" for ch in raw):
            raise InvalidAnswer(NOT_UTF8)
        text = raw.strip()
        if text == "?":
            return HELP
        if text == "<":
            return BACK
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
            if self.kind == "constructs":
                return "; ".join(v.CFIR_IDS[x] for x in value)
            return "; ".join(str(x) for x in value)
        if self.kind == "rating" and isinstance(value, int) and value > 0:
            return f"+{value}"
        return str(value)

    def explain(self) -> str:
        """What '?' prints: what the question means, its choices, and the keys."""
        lines = [self.help] if self.help else []
        lines += [f"  {c}: {self.glosses[c]}" for c in self.choices if c in self.glosses]
        if self.kind == "constructs":
            lines += [textwrap.fill(f"{name}: " + ", ".join(_construct_names(domain)), 96, initial_indent="  ",
                                    subsequent_indent="    ") for domain, name in v.CFIR_DOMAINS.items()]
        lines.append(g.KEYS_HELP)
        return "\n".join(lines)


def _text(q: Question, text: str) -> Any:
    return text


def _list(q: Question, text: str) -> Any:
    return parse_value(q.path, text) or SKIP


def _bool(q: Question, text: str) -> Any:
    value = parse_value(q.path, text) if q.path in FACTS else _yes_no(text)
    if isinstance(value, bool):
        return value
    raise InvalidAnswer(f"'{text}' is not an answer to a yes/no question: type y or n "
                        "(Enter to skip, ? explains, < goes back)")


def _yes_no(text: str) -> bool | None:
    return {"y": True, "yes": True, "n": False, "no": False}.get(text.lower())


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
    if q.sign and not (isinstance(value, int) and not isinstance(value, bool) and value * q.sign in (1, 2)):
        what, scale = ("a barrier", "-1 or -2") if q.sign < 0 else ("a facilitator", "+1 or +2")
        raise InvalidAnswer(f"'{text}' is not a rating for {what}: type {scale} (< goes back to change the list)")
    if value == v.MIXED or (isinstance(value, int) and value in v.RATING_VALUES):
        return value
    raise InvalidAnswer(f"'{text}' is not a rating: type -2, -1, 0, +1, +2 or mixed "
                        "(? explains the construct, Enter skips it)")


def _constructs(q: Question, text: str) -> Any:
    out: list[str] = []
    for item in (x.strip() for x in re.split(r"[;,]", text)):
        if item:
            cfir_id = construct_id(item)
            if cfir_id not in out:
                out.append(cfir_id)
    return out or SKIP


_CONVERTERS = {"text": _text, "list": _list, "bool": _bool, "choice": _choice, "rating": _rating,
               "constructs": _constructs}


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _construct_names(domain: str) -> list[str]:
    return [name for cid, name in v.CFIR_IDS.items() if v.cfir_domain(cid) == domain]


def _names() -> dict[str, list[str]]:
    """Every way of naming a CFIR construct or subconstruct -> the ids it names."""
    out: dict[str, list[str]] = {}
    for cid, name in v.CFIR_IDS.items():
        short = cid.split(".", 1)[1]
        for form in {_norm(cid), _norm(short), _norm(short.rsplit(".", 1)[-1]) if "." in short else "",
                     _norm(name)} - {""}:
            if cid not in out.setdefault(form, []):
                out[form].append(cid)
    return out


def construct_id(typed: str) -> str:
    """The CFIR id a typed name or id stands for (case, spacing and punctuation aside), or InvalidAnswer."""
    names = _names()
    word = _norm(typed)
    found = names.get(word) or sorted({cid for form, ids in names.items() if form.startswith(word + " ")
                                       or form.endswith(" " + word) for cid in ids} if len(word) > 3 else ())
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidAnswer(f"'{typed}' could be " + " or ".join(f"{v.CFIR_IDS[c]} ({c})" for c in found)
                            + ": type the id")
    hint = did_you_mean(word, list(names), 0.6)
    if hint:
        guess = next(iter(re.findall(r"'([^']+)'", hint)), "")
        ids = names.get(guess, [])
        if len(ids) == 1:
            hint = f"did you mean '{v.CFIR_IDS[ids[0]]}' ({ids[0]})?"
    raise InvalidAnswer(f"'{typed}' is not a CFIR construct" + (f" ({hint})" if hint else "")
                        + "; type ? to list them")


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


def _help(path: str) -> str:
    return g.QUESTION_HELP.get(path, "")


def _choice_q(path: str, prompt: str, glosses: dict[str, str] | None = None, help: str = "") -> Question:
    choices = tuple(str(c) for c in FACTS[path].values)
    return Question(path, prompt, "choice", choices, dict(glosses or {}), help or _help(path))


def _level_q(path: str, prompt: str, help: str = "") -> Question:
    return _choice_q(path, f"{prompt} (low/moderate/high)", help=help)


def _bool_q(path: str, prompt: str) -> Question:
    return Question(path, f"{prompt} (y/n)", "bool", help=_help(path))


@dataclass(frozen=True)
class Section:
    """A group of questions saved together; `domain` is set for a CFIR domain."""

    key: str
    title: str
    intro: str
    questions: tuple[Question, ...]
    domain: str = ""


def cfir_question(cfir_id: str, sign: int = 0) -> Question:
    subs = tuple(s for s in v.CFIR_SUBCONSTRUCTS if s.startswith(cfir_id + ".")) if not sign else ()
    if sign:
        hint = "barrier: -1 or -2" if sign < 0 else "facilitator: +1 or +2"
    else:
        hint = "-2..+2, mixed, ? explains" + (", s subconstructs" if subs else "")
    return Question(f"cfir.{cfir_id}", f"  {v.CFIR_IDS[cfir_id]} ({hint})", "rating",
                    help=g.cfir_gloss(cfir_id) + "\n  Scale: " + g.RATING_SCALE, subs=subs, sign=sign)


def sections() -> tuple[Section, ...]:
    """Every section of the full interview, in the order asked."""
    capacity = tuple(_level_q(f"capacity.{c}", name, g.CAPACITY_GLOSSES[c]) for c, name in v.CAPACITY_TYPES.items())
    out = [
        Section("site", "Site and innovation", "", (
            Question("site", "Site (organisation or team)", "text", help=_help("site")),
            Question("innovation", "Innovation (what is being implemented)", "text", help=_help("innovation")),
            _choice_q("setting", "Setting"),
            _choice_q("stage", "Implementation stage", g.STAGE_GLOSSES),
        )),
        Section("challenge", "The challenge",
                "Is the main challenge technical or adaptive?", (
                    _choice_q("challenge.type", "Challenge type", g.CHALLENGE_GLOSSES),
                    Question("challenge.summary", "In a sentence, the challenge", "text",
                             help=_help("challenge.summary")),
                )),
        Section("engagement", "Community engagement",
                "Where the community stands on the Spectrum of Community Engagement to Ownership:", (
                    _choice_q("engagement.level", "Engagement now", g.ENGAGEMENT_GLOSSES),
                    _choice_q("engagement.target", "Engagement wanted", g.ENGAGEMENT_GLOSSES),
                )),
        Section("power", "Power and trust", "", (
            _level_q("power.differential", "Power differential between decision makers and the community",
                     _help("power.differential")),
            _choice_q("power.decision_making", "Who makes the decisions", g.DECISION_GLOSSES),
            _level_q("relationships.trust", "Trust between the site, partners and community",
                     _help("relationships.trust")),
        )),
        Section("capacity", "Capacity", "How strong each kind of capacity is (? explains each):", capacity),
        Section("leadership", "Leadership", "", (
            _bool_q("leadership.transition", "Is a leadership transition under way?"),
            _bool_q("leadership.emerging_leaders", "Are emerging leaders being cultivated?"),
        )),
        Section("equity", "Equity", "", (
            Question("equity.priority_populations", "Priority populations (separate with ;)", "list",
                     help=_help("equity.priority_populations")),
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
    notes = Question("notes", "Anything else to note", "text", help=_help("notes"))
    out.append(Section("notes", "Notes", "", (notes,)))
    return tuple(out)


QUICK_PATHS = ("stage", "challenge.type", "engagement.level", "engagement.target", "power.differential",
               "power.decision_making", "relationships.trust", *(f"capacity.{c}" for c in v.CAPACITY_TYPES),
               "equity.priority_populations", "equity.disparities_identified",
               "equity.structural_racism_acknowledged")
"""What quick mode asks before the CFIR barriers and facilitators: the facts the shipped rules read most."""

BARRIERS = Question("quick.barriers", "Which CFIR constructs are the main barriers here? (names or ids; ? lists them)",
                    "constructs", help=g.BARRIERS_HELP)
FACILITATORS = Question("quick.facilitators",
                        "Which CFIR constructs are the main facilitators? (names or ids; ? lists them)",
                        "constructs", help=g.FACILITATORS_HELP)


def quick_sections() -> tuple[Section, ...]:
    """The quick interview's sections: the full interview's questions on QUICK_PATHS, then the CFIR lists."""
    out = []
    for s in sections():
        qs = tuple(q for q in s.questions if q.path in QUICK_PATHS)
        if qs:
            out.append(replace(s, questions=qs))
    out.append(Section("quick.barriers", "CFIR barriers", "The CFIR constructs that hold the site back most:",
                       (BARRIERS,)))
    out.append(Section("quick.facilitators", "CFIR facilitators", "The CFIR constructs that help the site most:",
                       (FACILITATORS,)))
    return tuple(out)


def gate_question(section: Section) -> Question:
    n = len(section.questions)
    return Question(f"gate.{section.domain}", f"{section.title} ({n} constructs). Rate them? (y/n)", "bool",
                    help=g.cfir_domain_help(section.domain, n))


CASE_ID = Question("case_id", "Case id (letters, digits, - and _; e.g. riverside-fqhc)", "case_id",
                   help=g.QUESTION_HELP["case_id"])

INTRO = ("ISP Advisor interview. Press Enter to skip a question or keep the value in [brackets];\n"
         "'?' explains a question, '<' goes back one, '-' clears a value, '.' skips the rest of a section.")

QUICK_INTRO = ("ISP Advisor quick interview: the facts the rules use most, then the CFIR constructs you see as\n"
               "barriers or facilitators. Enter skips, '?' explains, '<' goes back, '-' clears, '.' skips a section.")

CFIR_INTRO = ("CFIR 2.0 ratings, domain by domain. Rate each construct as it affects this site:\n  "
              + g.RATING_SCALE + ".\n  Enter skips a construct, '.' the rest of the domain, 's' rates a construct's "
              "subconstructs.")


@dataclass(frozen=True)
class Step:
    """One question in the plan, with the section it belongs to and the group '.' skips."""

    section: Section
    question: Question
    group: str


def plan(data: dict[str, Any], extra: dict[str, Any], quick: bool) -> list[Step]:
    """The questions still to be asked or already asked, in order, given the answers so far."""
    steps = [Step(Section("case_id", "Case", "", (CASE_ID,)), CASE_ID, "case_id")]
    for section in (quick_sections() if quick else sections()):
        if section.domain:
            gate = gate_question(section)
            steps.append(Step(section, gate, section.key))
            if extra.get(gate.path) is False:
                continue
        for q in section.questions:
            steps.append(Step(section, q, section.key))
            if q.kind == "constructs":
                sign = -1 if q is BARRIERS else 1
                for cid in extra.get(q.path) or ():
                    steps.append(Step(section, cfir_question(cid, sign), section.key))
            for sub in q.subs:
                if extra.get(f"subs.{q.path[5:]}") or get(data, f"cfir.{sub}") is not None:
                    steps.append(Step(section, cfir_question(sub), q.path))
    return steps


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
        steps = plan(self.data, self.extra, self.quick)
        i = self._start(steps)
        if i == 0:
            self._ask_case_id()
            i = 1
        elif self.resuming:
            assert self.path is not None
            if i < len(steps):
                step = steps[i]
                self.console.say(f"Resuming {self.path} at {step.section.title}, question {i + 1} of "
                                 f"~{len(steps)}; '<' goes back to earlier answers.")
            self._save()
        history: list[str] = []
        shown: str | None = None
        while True:
            steps = plan(self.data, self.extra, self.quick)
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
            i = [s.question.path for s in plan(self.data, self.extra, self.quick)].index(step.question.path) + 1
        self.console.say("")
        case = self._save()
        self._forget_progress()
        return case

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
        total = len(plan(self.data, self.extra, self.quick))
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
                    raise UsageError(Problem(file=str(self.path), code="exists", message="already exists",
                                             hint="give another file with -o FILE, edit it with --from, "
                                                  "or use --force"))
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
            named = [k for k, val in self.data.get("cfir", {}).items()
                     if isinstance(val, int) and not isinstance(val, bool) and val * sign > 0]
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
            self.console.say("Named on both sides, so left out here (the full interview can rate them mixed): "
                             + ", ".join(v.CFIR_IDS[c] for c in both))
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
            self.console.say(textwrap.fill("  ".join(f"{i} {c}" for i, c in enumerate(q.choices, 1)), 96,
                                           initial_indent="  ", subsequent_indent="  "))

    def _save(self) -> Case:
        # Whether this file may be replaced was settled before the first save (run_interview's
        # check, --force or the user's answer in _ask_case_id); from then on it is our own file.
        assert self.path is not None
        case = write_case(self.path, self.data, force=True)
        self.saved = True
        progress = {"mode": "quick" if self.quick else "full", "asked": sorted(self.asked),
                    "extra": dict(sorted(self.extra.items()))}
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
    return out


def run_interview(console: Console, *, start: Case | None = None, output: str | os.PathLike[str] | None = None,
                  from_path: str | os.PathLike[str] | None = None, force: bool = False,
                  quick: bool = False) -> tuple[Case, Path]:
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
    interview = Interview(console, case_data(start) if start is not None else {}, path,
                          resuming=start is not None, force=force or editing_in_place, quick=quick,
                          extra=dict(progress.get("extra", {})), asked=set(progress.get("asked", set())))
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


__all__ = ["Question", "Section", "Step", "Console", "Interview", "InvalidAnswer", "Interrupted", "InterviewStopped",
           "run_interview", "sections", "quick_sections", "plan", "cfir_question", "construct_id", "progress_path",
           "read_progress", "SKIP", "CLEAR", "HELP", "REST", "SUBS", "BACK", "QUICK_PATHS"]
