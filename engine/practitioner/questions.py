"""The interview's questions: how each is asked, how a typed answer is read, and their order.

`Question.convert` checks a typed answer against the case contract (and the CFIR vocabulary) so
a wrong answer is refused as it is typed. `plan` lays out every question in order given the
answers so far: a CFIR domain answered "no" drops its constructs, 's' adds a construct's
subconstructs, and in quick mode the constructs named as barriers or facilitators add their ratings.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from engine.errors import allowed, clip, did_you_mean, printable
from engine.io.casewriter import get
from engine.model import sitevocab as sv
from engine.model import vocabulary as v
from engine.model.case import CASE_ID_RE, Asset, Event, Person
from engine.model.dates import parse_date
from engine.model.facts import FACTS, parse_value
from engine.model.fields import FIELDS, SECTIONS, CaseField
from engine.practitioner import glossary as g

if TYPE_CHECKING:
    from pydantic import BaseModel


class _Token:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SKIP: Final = _Token("SKIP")
"""Enter with nothing to keep: leave the fact unstated."""
CLEAR: Final = _Token("CLEAR")
"""'-': remove the current value."""
HELP: Final = _Token("HELP")
"""'?': show what the question means, then ask again."""
REST: Final = _Token("REST")
"""'.': skip the rest of this section."""
SUBS: Final = _Token("SUBS")
"""'s': rate a CFIR construct's subconstructs."""
BACK: Final = _Token("BACK")
"""'<': go back one question."""


class InvalidAnswer(ValueError):
    """An answer that does not fit the question; the console shows the message and asks again. The
    message echoes what was typed: it is cut and its control characters written as escapes (a pasted
    terminal escape or a 20 MB answer is never echoed whole)."""

    def __init__(self, message: str) -> None:
        super().__init__(clip(printable(message), 400))


MAX_ANSWER = 20_000
"""The longest answer read (characters): longer ones are refused before they are parsed or echoed."""


NOT_UTF8 = (
    "the answer holds bytes that are not UTF-8 text, so it cannot be saved; retype it "
    "(if accented letters come out wrong, set the terminal to UTF-8, e.g. LANG=C.UTF-8)"
)


@dataclass(frozen=True)
class Question:
    """One fact to ask about: its case path, how to ask, and how to read the answer.

    Paths outside the case (`gate.*`, `quick.*`) are answers about the interview itself: whether
    to rate a CFIR domain, which constructs are barriers. They are kept in the progress file.
    """

    path: str
    prompt: str
    kind: str  # "case_id", "text", "list", "bool", "choice", "rating", "constructs", "count", "date",
    # "people", "tags", "events" or "assets"
    choices: tuple[str, ...] = ()
    glosses: dict[str, str] = field(default_factory=dict)
    help: str = ""
    subs: tuple[str, ...] = ()
    sign: int = 0
    """For a quick-mode rating: -1 a barrier (-1 or -2), +1 a facilitator (+1 or +2)."""

    def convert(self, raw: str) -> Any:
        """The value of a typed answer, a control token (SKIP, CLEAR, HELP, REST, SUBS, BACK), or InvalidAnswer."""
        if len(raw) > MAX_ANSWER:
            raise InvalidAnswer(
                f"the answer is {len(raw):,} characters long; at most {MAX_ANSWER:,} are read "
                "(keep long notes in the case file)"
            )
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
                raise InvalidAnswer(
                    f"'{text}' is not a valid case id: use letters, digits, '-' and '_' "
                    f"(e.g. {_slug(text) or 'riverside-fqhc'})"
                )
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
            return _record_text(self.kind, value)
        if self.kind == "rating" and isinstance(value, int) and value > 0:
            return f"+{value}"
        return str(value)

    def explain(self) -> str:
        """What '?' prints: what the question means, its choices, and the keys."""
        lines = [self.help] if self.help else []
        lines += [f"  {c}: {self.glosses[c]}" for c in self.choices if c in self.glosses]
        if self.kind == "constructs":
            lines += [
                textwrap.fill(
                    f"{name}: " + ", ".join(_construct_names(domain)), 96, initial_indent="  ", subsequent_indent="    "
                )
                for domain, name in v.CFIR_DOMAINS.items()
            ]
        lines.append(g.KEYS_HELP)
        return "\n".join(lines)


def _text(q: Question, text: str) -> str:
    return text


def _list(q: Question, text: str) -> list[str] | _Token:
    return [x.strip() for x in text.split(";") if x.strip()] or SKIP


def _bool(q: Question, text: str) -> bool:
    value = parse_value(q.path, text) if q.path in FACTS else _yes_no(text)
    if isinstance(value, bool):
        return value
    raise InvalidAnswer(
        f"'{text}' is not an answer to a yes/no question: type y or n (Enter to skip, ? explains, < goes back)"
    )


def _yes_no(text: str) -> bool | None:
    return {"y": True, "yes": True, "n": False, "no": False}.get(text.lower())


def _choice(q: Question, text: str) -> str:
    word = re.sub(r"[\s-]+", "_", text.lower())
    if word.isdigit() and 1 <= int(word) <= len(q.choices):
        return q.choices[int(word) - 1]
    if word in q.choices:
        return word
    starts = [c for c in q.choices if c.startswith(word)]
    if len(starts) == 1:
        return starts[0]
    hint = did_you_mean(word, q.choices)
    raise InvalidAnswer(
        f"'{text}' is not one of the choices"
        + (f" ({hint})" if hint else "")
        + "; "
        + allowed(q.choices)
        + f", or 1-{len(q.choices)}"
    )


def _rating(q: Question, text: str) -> Any:
    value = parse_value(q.path, text)
    if q.sign and not (isinstance(value, int) and not isinstance(value, bool) and value * q.sign in (1, 2)):
        what, scale = ("a barrier", "-1 or -2") if q.sign < 0 else ("a facilitator", "+1 or +2")
        raise InvalidAnswer(f"'{text}' is not a rating for {what}: type {scale} (< goes back to change the list)")
    if value == v.MIXED or (isinstance(value, int) and value in v.RATING_VALUES):
        return value
    raise InvalidAnswer(
        f"'{text}' is not a rating: type -2, -1, 0, +1, +2 or mixed (? explains the construct, Enter skips it)"
    )


def _constructs(q: Question, text: str) -> list[str] | _Token:
    out: list[str] = []
    for item in (x.strip() for x in re.split(r"[;,]", text)):
        if item:
            cfir_id = construct_id(item)
            if cfir_id not in out:
                out.append(cfir_id)
    return out or SKIP


def _count(q: Question, text: str) -> int:
    if text.isdigit() and 1 <= int(text) <= 1000:
        return int(text)
    raise InvalidAnswer(f"'{text}' is not a number of sites: type a whole number from 1 to 1000")


def _date(q: Question, text: str) -> str:

    try:
        return parse_date(text).isoformat()
    except ValueError:
        raise InvalidAnswer(f"'{text}' is not a date: type it as YYYY-MM-DD, e.g. 2026-03-02") from None


def _vocab_id(word: str, ids: dict[str, str], what: str) -> str:
    """A typed vocabulary id (spaces or hyphens for '_', any case, a unique prefix), or InvalidAnswer."""
    key = re.sub(r"[\s-]+", "_", word.strip().lower())
    if key in ids:
        return key
    starts = [i for i in ids if i.startswith(key)] if key else []
    if len(starts) == 1:
        return starts[0]
    hint = did_you_mean(key, list(ids))
    article = "an" if what[:1] in "aeiou" else "a"
    raise InvalidAnswer(
        f"'{word.strip()}' is not {article} {what}" + (f" ({hint})" if hint else "") + "; " + allowed(list(ids))
    )


def _items(text: str) -> list[str]:
    return [x.strip() for x in text.split(";") if x.strip()]


def _valid(model: type[BaseModel], record: dict[str, Any]) -> dict[str, Any]:
    """A typed record checked as the case file would check it, so a bad answer is asked again."""
    from pydantic import ValidationError

    try:
        return model.model_validate(record).model_dump(exclude_none=True)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        error = (err.get("ctx") or {}).get("error")
        field = ".".join(str(x) for x in err["loc"])
        raise InvalidAnswer(f"{field}: {getattr(error, 'message', None) or err['msg']}") from None


def _people(q: Question, text: str) -> list[dict[str, Any]] | _Token:
    out = []
    for item in _items(text):
        who, sep, group = item.rpartition(":")
        if not sep or not who.strip():
            raise InvalidAnswer(
                f"'{item}' needs a role and a group, as 'role: group' (e.g. 'care managers: "
                "frontline_staff'); ? lists the groups"
            )
        name, comma, role = who.rpartition(",")
        person = {"role": (role if comma else who).strip(), "group": _vocab_id(group, sv.PEOPLE_GROUPS, "people group")}
        if comma and name.strip():
            person = {"name": name.strip(), **person}
        out.append(_valid(Person, person))
    return out or SKIP


def _tags(q: Question, text: str) -> list[str] | _Token:
    out: list[str] = []
    for item in re.split(r"[;,]", text):
        if item.strip():
            tag = _vocab_id(item, sv.PROBLEM_TAGS, "problem tag")
            if tag not in out:
                out.append(tag)
    return out or SKIP


def _events(q: Question, text: str) -> list[dict[str, Any]] | _Token:
    out = []
    for item in _items(text):
        kind, _, on = item.rpartition(" ")
        if not kind.strip():
            raise InvalidAnswer(f"'{item}' needs a kind and a date, as 'kind YYYY-MM-DD' (e.g. 'launch 2026-04-01')")
        out.append(_valid(Event, {"kind": _vocab_id(kind, sv.EVENT_KINDS, "event kind"), "on": _date(q, on)}))
    return out or SKIP


def _assets(q: Question, text: str) -> list[dict[str, Any]] | _Token:
    out = []
    for item in _items(text):
        kind, sep, words = item.partition(":")
        asset = {"kind": _vocab_id(kind, sv.ASSET_KINDS, "asset kind")}
        if sep and words.strip():
            asset["summary"] = words.strip()
        out.append(_valid(Asset, asset))
    return out or SKIP


_CONVERTERS = {
    "text": _text,
    "list": _list,
    "bool": _bool,
    "choice": _choice,
    "rating": _rating,
    "constructs": _constructs,
    "count": _count,
    "date": _date,
    "people": _people,
    "tags": _tags,
    "events": _events,
    "assets": _assets,
}


def _record_text(kind: str, value: list[Any]) -> str:
    """A stored list of records as the text that would be typed to give it."""
    if kind == "people":
        return "; ".join((f"{p['name']}, " if p.get("name") else "") + f"{p['role']}: {p['group']}" for p in value)
    if kind == "events":
        return "; ".join(f"{e['kind']} {e['on']}" for e in value)
    if kind == "assets":
        return "; ".join(a["kind"] + (f": {a['summary']}" if a.get("summary") else "") for a in value)
    return "; ".join(str(x) for x in value)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _construct_names(domain: str) -> list[str]:
    return [name for cid, name in v.CFIR_IDS.items() if v.cfir_domain(cid) == domain]


def _names() -> dict[str, list[str]]:
    """Every way of naming a CFIR construct or subconstruct -> the ids it names."""
    out: dict[str, list[str]] = {}
    for cid, name in v.CFIR_IDS.items():
        short = cid.split(".", 1)[1]
        for form in {_norm(cid), _norm(short), _norm(short.rsplit(".", 1)[-1]) if "." in short else "", _norm(name)} - {
            ""
        }:
            if cid not in out.setdefault(form, []):
                out[form].append(cid)
    return out


def construct_id(typed: str) -> str:
    """The CFIR id a typed name or id stands for (case, spacing and punctuation aside), or InvalidAnswer."""
    names = _names()
    word = _norm(typed)
    found = names.get(word) or sorted(
        {cid for form, ids in names.items() if form.startswith(word + " ") or form.endswith(" " + word) for cid in ids}
        if len(word) > 3
        else ()
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise InvalidAnswer(
            f"'{typed}' could be " + " or ".join(f"{v.CFIR_IDS[c]} ({c})" for c in found) + ": type the id"
        )
    hint = did_you_mean(word, list(names), 0.6)
    if hint:
        guess = next(iter(re.findall(r"'([^']+)'", hint)), "")
        ids = names.get(guess, [])
        if len(ids) == 1:
            hint = f"did you mean '{v.CFIR_IDS[ids[0]]}' ({ids[0]})?"
    raise InvalidAnswer(f"'{typed}' is not a CFIR construct" + (f" ({hint})" if hint else "") + "; type ? to list them")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-_").lower()[:64]


# ------------------------------------------------------------------ the questions


def _help(path: str) -> str:
    return g.QUESTION_HELP.get(path, "")


CHOICE_GLOSSES: dict[str, dict[str, str]] = {
    "stage": g.STAGE_GLOSSES,
    "challenge.type": g.CHALLENGE_GLOSSES,
    "engagement.level": g.ENGAGEMENT_GLOSSES,
    "engagement.target": g.ENGAGEMENT_GLOSSES,
    "power.decision_making": g.DECISION_GLOSSES,
    "equity.cultural_adaptation": g.CULTURAL_ADAPTATION_GLOSSES,
}
"""What '?' says of each choice of a choice question."""

_KINDS = {
    "text": "text",
    "list": "list",
    "bool": "bool",
    "choice": "choice",
    "count": "count",
    "date": "date",
    "people": "people",
    "tags": "tags",
    "events": "events",
    "assets": "assets",
}
"""Registry kind -> question kind."""


def field_question(f: CaseField) -> Question:
    """The interview's question for one registry field."""
    if f.kind == "choice":
        choices = tuple(str(c) for c in FACTS[f.path].values)
        return Question(f.path, f.prompt, "choice", choices, dict(CHOICE_GLOSSES.get(f.path, {})), f.help)
    choices = tuple(sv.PROBLEM_TAGS) if f.kind == "tags" else ()
    return Question(f.path, f.prompt, _KINDS[f.kind], choices, help=f.help)


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
    return Question(
        f"cfir.{cfir_id}",
        f"  {v.CFIR_IDS[cfir_id]} ({hint})",
        "rating",
        help=g.cfir_gloss(cfir_id) + "\n  Scale: " + g.RATING_SCALE,
        subs=subs,
        sign=sign,
    )


def sections() -> tuple[Section, ...]:
    """Every section of the full interview, in the order asked: the registry's fields by section, the
    CFIR domains where the registry places them."""
    by_section: dict[str, list[Question]] = {}
    for f in FIELDS:
        if f.prompt:
            by_section.setdefault(f.section, []).append(field_question(f))
    out = []
    for sec in SECTIONS:
        if sec.key == "cfir":
            for domain, name in v.CFIR_DOMAINS.items():
                ids = [c for c in v.CFIR_CONSTRUCTS if v.cfir_domain(c) == domain]
                out.append(
                    Section(
                        f"cfir.{domain}",
                        f"CFIR: {name}",
                        g.CFIR_DOMAIN_GLOSSES[domain],
                        tuple(cfir_question(c) for c in ids),
                        domain,
                    )
                )
        elif by_section.get(sec.key):
            out.append(Section(sec.key, sec.title, sec.intro, tuple(by_section[sec.key])))
    return tuple(out)


QUICK_PATHS = tuple(f.path for f in FIELDS if f.quick)
"""What quick mode asks before the CFIR barriers and facilitators: the site's and the innovation's names,
then the facts the shipped rules read most."""

BARRIERS = Question(
    "quick.barriers",
    "Which CFIR constructs are the main barriers here? (names or ids; ? lists them)",
    "constructs",
    help=g.BARRIERS_HELP,
)
FACILITATORS = Question(
    "quick.facilitators",
    "Which CFIR constructs are the main facilitators? (names or ids; ? lists them)",
    "constructs",
    help=g.FACILITATORS_HELP,
)


def quick_sections() -> tuple[Section, ...]:
    """The quick interview's sections: the full interview's questions on QUICK_PATHS, then the CFIR lists."""
    out = []
    for s in sections():
        qs = tuple(q for q in s.questions if q.path in QUICK_PATHS)
        if qs:
            out.append(replace(s, questions=qs))
    out.append(
        Section("quick.barriers", "CFIR barriers", "The CFIR constructs that hold the site back most:", (BARRIERS,))
    )
    out.append(
        Section(
            "quick.facilitators", "CFIR facilitators", "The CFIR constructs that help the site most:", (FACILITATORS,)
        )
    )
    return tuple(out)


def gate_question(section: Section) -> Question:
    n = len(section.questions)
    return Question(
        f"gate.{section.domain}",
        f"{section.title} ({n} constructs). Rate them? (y/n)",
        "bool",
        help=g.cfir_domain_help(section.domain, n),
    )


CASE_ID = Question(
    "case_id", "Case id (letters, digits, - and _; e.g. riverside-fqhc)", "case_id", help=_help("case_id")
)

INTRO = (
    "ISP Advisor interview. Press Enter to skip a question or keep the value in [brackets];\n"
    "'?' explains a question, '<' goes back one, '-' clears a value, '.' skips the rest of a section."
)

QUICK_INTRO = (
    "ISP Advisor quick interview: the site's and the innovation's names (the report is titled by them),\n"
    "the facts the rules use most, then the CFIR constructs you see as barriers or facilitators.\n"
    "Enter skips, '?' explains, '<' goes back, '-' clears, '.' skips a section."
)

CFIR_INTRO = (
    "CFIR 2.0 ratings, domain by domain. Rate each construct as it affects this site:\n  "
    + g.RATING_SCALE
    + ".\n  Enter skips a construct, '.' the rest of the domain, 's' rates a construct's "
    "subconstructs."
)


@dataclass(frozen=True)
class Step:
    """One question in the plan, with the section it belongs to and the group '.' skips."""

    section: Section
    question: Question
    group: str


CUED = Section(
    "cued",
    "Questions the case raises",
    "The case's own words suggest these, but it does not state them; answer them first:",
    (),
)


def cued_first(all_sections: tuple[Section, ...], cued: list[str]) -> tuple[Section, ...]:
    """The sections with the questions on `cued` paths taken out and asked first, in their own section."""
    questions = {f.path: field_question(f) for f in FIELDS if f.path in cued and f.prompt}
    first = tuple(questions[p] for p in cued if p in questions)
    if not first:
        return all_sections
    rest = tuple(
        replace(sec, questions=tuple(q for q in sec.questions if q.path not in questions)) for sec in all_sections
    )
    return (replace(CUED, questions=first), *(sec for sec in rest if sec.questions or sec.domain))


def plan(data: dict[str, Any], extra: dict[str, Any], quick: bool) -> list[Step]:
    """The questions still to be asked or already asked, in order, given the answers so far (the
    questions the case's own words raise, `extra["cued"]`, first)."""
    steps = [Step(Section("case_id", "Case", "", (CASE_ID,)), CASE_ID, "case_id")]
    for section in cued_first(quick_sections() if quick else sections(), list(extra.get("cued") or ())):
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
