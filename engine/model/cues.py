"""Cues: a case's own words that suggest a fact it does not state, put to the practitioner as questions.

The lexicon is data, declared once in engine/data/cues.yaml: each entry names a fact (`path` and
`value`), the phrases that suggest it, whether it is protective, and the question to ask. A cue is
raised only while the case leaves that fact unstated, and it only suggests: the case is never changed
and no rule reads a cue as the fact.

    equity.tribal_sovereignty, leadership.transition, ...
                              (a true/false fact of the case; unstated = None, and an explicit false
                              settles it as much as a true)
    problem.tags              (value: a problem tag id; unstated = not among the case's tags)
    events                    (value: an event kind id; unstated = no event of that kind listed)

The free text is read in a fixed order (site, innovation, challenge.summary, notes, people[i].role,
events[i].summary); cues come in lexicon order, the first match of an entry winning. Matching is
whole-word and case-insensitive. Each entry's phrases are compiled once, on first use, escaped, into
one pattern: no case text is ever compiled, and a search takes time linear in the text's length. A
field's words are collected once, and an entry is searched for only where every word of one of its
phrases occurs (a 1 MB notes field costs one pass, not one per entry).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, get_args

import msgspec
import yaml
from pydantic import BaseModel

from engine.model import sitevocab as sv
from engine.model.case import Case

CUES_FILE = Path(__file__).resolve().parent.parent / "data" / "cues.yaml"

KEYS = ("path", "value", "protective", "phrases", "question")
"""The keys of a lexicon entry, all required."""

TAGS_PATH = "problem.tags"
EVENTS_PATH = "events"
FOUND = "{found}"

PHRASE_RE = re.compile(r"[a-z0-9]+(?:[ '][a-z0-9]+)*")
"""A phrase: lower-case ASCII words joined by single spaces or apostrophes (it starts and ends with a
word character, so its `\\b` boundaries hold)."""

WORD_RE = re.compile(r"\w+")

ASCII_FOLD: dict[str, str] = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
"""The only non-ASCII characters IGNORECASE matches to an ASCII letter or digit (dotted and dotless i,
long s, the Kelvin sign), each with the letter (tests/test_cues.py checks every code point)."""

_FOLD = str.maketrans(ASCII_FOLD)

MAX_PHRASE = 80

_SEPARATOR = r"[ \t\r\n\u00a0\-\u2010\u2011]{1,3}"
"""What a space inside a phrase matches in the text: a space, a line break or a hyphen (at most three)."""

_APOSTROPHE = r"['\u2019\u02bc]"
"""What an apostrophe inside a phrase matches: a straight or a typographic one."""


class LexiconError(ValueError):
    """The cue lexicon file is malformed: raised when it is loaded, naming the entry and what is wrong."""


class CueEntry(msgspec.Struct, frozen=True):
    """One lexicon entry: the fact its phrases suggest and the question they raise."""

    path: str
    value: str | bool
    """A problem tag or an event kind (str), or a yes/no fact's value (bool)."""
    protective: bool
    phrases: tuple[str, ...]
    question: str
    words: tuple[frozenset[str], ...]
    """Each phrase's words: the pattern can match only a text holding all the words of one phrase."""

    @property
    def pattern(self) -> re.Pattern[str]:
        """All the phrases as one case-insensitive, whole-word pattern, the longest tried first (compiled
        on first use and kept per process by `_compile`: importing the lexicon stays cheap for commands that
        never read a case, and the entry itself holds nothing but its fields)."""
        return _compile(self.phrases)

    def may_match(self, words: frozenset[str]) -> bool:
        """Whether a text with these words (see words_of) can hold one of the phrases."""
        return any(need <= words for need in self.words)


class Cue(msgspec.Struct, frozen=True):
    """A fact the case's words suggest but the case does not state, and the question to settle it."""

    path: str
    value: str | bool
    found: str
    """The matched words exactly as the case writes them."""
    in_: str
    """The field they were found in: site, innovation, challenge.summary, notes, people[2].role, events[0].summary."""
    question: str
    protective: bool
    """True when the fact's absence must not be read as "no" (a Tribal Nation's authority, a critical incident)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "value": self.value,
            "found": self.found,
            "in": self.in_,
            "question": self.question,
            "protective": self.protective,
        }


def _boolean_paths() -> frozenset[str]:
    """The case's true/false facts as `section.field` (equity.tribal_sovereignty, leadership.transition, ...)."""
    out: set[str] = set()
    for name, info in Case.model_fields.items():
        for section in get_args(info.annotation):
            if isinstance(section, type) and issubclass(section, BaseModel):
                out.update(
                    f"{name}.{field}"
                    for field, f in section.model_fields.items()
                    if set(get_args(f.annotation)) == {bool, type(None)}
                )
    return frozenset(out)


BOOLEAN_PATHS = _boolean_paths()
"""The true/false facts of the case a cue may suggest (their value in the lexicon is true or false)."""


def _phrase_pattern(phrase: str) -> str:
    return _SEPARATOR.join(_APOSTROPHE.join(re.escape(part) for part in word.split("'")) for word in phrase.split(" "))


@functools.lru_cache(maxsize=1024)
def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """The phrases as one pattern: escaped literals, longest first (so 'tribal nation' wins over 'tribal')."""
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    return re.compile(r"\b(?:" + "|".join(_phrase_pattern(p) for p in ordered) + r")\b", re.IGNORECASE)


def _check_value(path: str, value: object) -> str:
    """What is wrong with `value` for `path` ('' when nothing)."""
    if path == TAGS_PATH:
        return (
            ""
            if isinstance(value, str) and value in sv.PROBLEM_TAGS
            else (f"unknown problem tag {value!r}; one of: {', '.join(sv.PROBLEM_TAGS)}")
        )
    if path == EVENTS_PATH:
        return (
            ""
            if isinstance(value, str) and value in sv.EVENT_KINDS
            else (f"unknown event kind {value!r}; one of: {', '.join(sv.EVENT_KINDS)}")
        )
    if path in BOOLEAN_PATHS:
        return "" if isinstance(value, bool) else f"{path} is true or false, not {value!r}"
    return f"unknown path {path!r}; one of: {TAGS_PATH}, {EVENTS_PATH}, " + ", ".join(sorted(BOOLEAN_PATHS))


def _entry(raw: Any) -> CueEntry:
    """One raw entry checked and compiled; LexiconError (without the entry's place) when it is wrong."""
    _check_keys(raw)
    path, value, protective, phrases, question = (raw[k] for k in KEYS)
    if not isinstance(path, str):
        raise LexiconError(f"path must be text, not {path!r}")
    wrong = _check_value(path, value)
    if wrong:
        raise LexiconError(wrong)
    if not isinstance(protective, bool):
        raise LexiconError(f"protective is true or false, not {protective!r}")
    _check_phrases(phrases)
    _check_question(question)
    return CueEntry(
        path, value, protective, tuple(phrases), question.strip(), tuple(frozenset(WORD_RE.findall(p)) for p in phrases)
    )


def _check_keys(raw: object) -> None:
    """An entry is a mapping of exactly KEYS."""
    if not isinstance(raw, dict):
        raise LexiconError(f"an entry is a mapping of {', '.join(KEYS)}, not {type(raw).__name__}")
    missing = [k for k in KEYS if k not in raw]
    if missing:
        raise LexiconError(f"missing {', '.join(missing)}")
    unknown = [str(k) for k in raw if k not in KEYS]
    if unknown:
        raise LexiconError(f"unknown key {', '.join(unknown)}; an entry has {', '.join(KEYS)}")


def _check_phrases(phrases: object) -> None:
    """A non-empty list of distinct phrases, each lower-case ASCII words (at most MAX_PHRASE characters)."""
    if not isinstance(phrases, list) or not phrases:
        raise LexiconError("phrases must be a non-empty list")
    for phrase in phrases:
        if not (
            isinstance(phrase, str)
            and phrase == phrase.lower()
            and len(phrase) <= MAX_PHRASE
            and PHRASE_RE.fullmatch(phrase)
        ):
            raise LexiconError(
                f"phrase {phrase!r} is not lower-case ASCII words joined by single spaces or "
                f"apostrophes (at most {MAX_PHRASE} characters)"
            )
    twice = sorted({p for i, p in enumerate(phrases) if p in phrases[:i]})
    if twice:
        raise LexiconError(f"phrase {twice[0]!r} is given twice")


def _check_question(question: object) -> None:
    """The question holds FOUND (where the matched words go) and no other braces."""
    if (
        not isinstance(question, str)
        or FOUND not in question
        or "{" in question.replace(FOUND, "")
        or "}" in question.replace(FOUND, "")
    ):
        raise LexiconError(f"question must be text with {FOUND} (the matched words) and no other braces")


def load_lexicon(path: Path = CUES_FILE) -> tuple[CueEntry, ...]:
    """Read and check a cue lexicon: every entry well formed, one entry per (path, value), and every
    entry of one path equally protective. Raises LexiconError naming the entry."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(data, list) or not data:
        raise LexiconError(f"{path.name}: the lexicon is a non-empty list of entries")
    entries: list[CueEntry] = []
    seen: dict[tuple[str, str], int] = {}
    protective: dict[str, bool] = {}
    for number, raw in enumerate(data, 1):
        where = f"{path.name} entry {number}"
        if isinstance(raw, dict) and isinstance(raw.get("path"), str):
            where += f" ({raw['path']}" + (f" {raw.get('value')!r})" if "value" in raw else ")")
        try:
            entry = _entry(raw)
        except LexiconError as exc:
            raise LexiconError(f"{where}: {exc}") from None
        key = (entry.path, repr(entry.value))
        if key in seen:
            raise LexiconError(f"{where}: the same path and value as entry {seen[key]}; merge their phrases")
        seen[key] = number
        if protective.setdefault(entry.path, entry.protective) != entry.protective:
            raise LexiconError(
                f"{where}: protective differs from the other {entry.path} entries; a path is "
                "protective or not as a whole"
            )
        entries.append(entry)
    return tuple(entries)


LEXICON: tuple[CueEntry, ...] = load_lexicon()
"""The shipped lexicon, in file order (the order cues are raised in)."""

PROTECTIVE_PATHS: frozenset[str] = frozenset(e.path for e in LEXICON if e.protective)
"""The paths whose cues are protective: their absence from a case must not be read as "no"."""


def free_text(case: Case) -> Iterator[tuple[str, str]]:
    """The case's free text as (field, text), in the order cues are looked for."""
    challenge = case.challenge.summary if case.challenge else None
    for field, text in (
        ("site", case.site),
        ("innovation", case.innovation),
        ("challenge.summary", challenge),
        ("notes", case.notes),
    ):
        if text:
            yield field, text
    for i, person in enumerate(case.people or ()):
        yield f"people[{i}].role", person.role
    for i, event in enumerate(case.events or ()):
        if event.summary:
            yield f"events[{i}].summary", event.summary


def words_of(text: str) -> frozenset[str]:
    """The text's words as a phrase's words can match them: lower-cased ASCII (with ASCII_FOLD's letters
    folded); a word with any other non-ASCII character matches no phrase word and is left out."""
    words: set[str] = set()
    for match in WORD_RE.finditer(text):
        word = match.group(0)
        if not word.isascii():
            word = word.translate(_FOLD)
            if not word.isascii():
                continue
        words.add(word.lower())
    return frozenset(words)


def is_stated(case: Case, path: str, value: str | bool) -> bool:
    """Whether the case already states the fact a cue at (path, value) would suggest (either way, for a
    true/false fact: an explicit false settles it as much as a true)."""
    if path == TAGS_PATH:
        return case.problem is not None and value in case.problem.tags
    if path == EVENTS_PATH:
        return any(event.kind == value for event in case.events or ())
    section, field = path.split(".", 1)
    part = getattr(case, section)
    return part is not None and getattr(part, field) is not None


def keyword_index(lexicon: Sequence[CueEntry]) -> dict[str, frozenset[int]]:
    """Word -> the entries one of whose phrases holds it as its longest word: an entry can match a text
    only if the text holds one of its phrases' longest words, so each text is searched for few entries."""
    index: dict[str, set[int]] = {}
    for i, entry in enumerate(lexicon):
        for need in entry.words:
            if need:
                index.setdefault(max(sorted(need), key=len), set()).add(i)
    return {word: frozenset(ids) for word, ids in index.items()}


_INDEX = keyword_index(LEXICON)


def find_cues(case: Case, lexicon: Sequence[CueEntry] = LEXICON) -> tuple[Cue, ...]:
    """The cues the case's own words raise: at most one per (path, value), in lexicon order, each the
    first match in field order, and none for a fact the case states. The case is only read."""
    index = _INDEX if lexicon is LEXICON else keyword_index(lexicon)
    texts = []
    for field, text in free_text(case):
        words = words_of(text)
        texts.append((field, text, words, set().union(*(index.get(w, ()) for w in words))))
    out: list[Cue] = []
    for i, entry in enumerate(lexicon):
        if not any(i in candidates for *_, candidates in texts) or is_stated(case, entry.path, entry.value):
            continue
        for field, text, words, candidates in texts:
            match = entry.pattern.search(text) if i in candidates and entry.may_match(words) else None
            if match:
                found = match.group(0)
                question = entry.question.replace(FOUND, " ".join(found.split()))
                out.append(Cue(entry.path, entry.value, found, field, question, entry.protective))
                break
    return tuple(out)
