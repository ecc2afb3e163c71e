"""One exception family for everything a user can get wrong.

Every error carries one or more `Problem`s (code, message, location, hint) so that a file's
problems are reported all at once, sorted by location, and the CLI turns them into messages
and exit codes in a single place.
"""

from __future__ import annotations

import difflib
import errno
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

MAX_PROBLEMS = 50
"""At most this many problems of one file are reported; the rest are counted in one more line."""

SHOWN_CHARS = 80
"""Echoed values (a bad key, a bad value) are cut to this many characters."""

_LIMITS = {"file": 400, "field": 200, "message": 600, "hint": 600, "rule_id": 200}
"""Longest text kept in each part of a Problem: a 1 MB value must not be echoed whole."""


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` cut to `limit` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\u2026"


def printable(text: str) -> str:
    """`text` with control, format and lone surrogate characters written as escapes.

    Messages echo keys, values and file names from untrusted files: a raw newline would forge an
    error line, an ANSI/OSC escape would drive the terminal (title, clipboard).
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """A value as echoed in a message: its repr, escaped and cut to `limit` characters."""
    return clip(printable(repr(value[: limit * 4] if isinstance(value, str) else value)), limit)


def display_name(name: str) -> str:
    """A file name as text that can always be encoded: undecodable bytes become \\xNN escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class FieldInvalid(ValueError):
    """A value a model refuses, with the fix kept apart from the message (never joined into one string).

    Raised inside pydantic validators; engine/io/validation.py reads `hint` back from the error."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with one place in one file."""

    file: str = ""
    line: int = 0
    field: str = ""
    message: str = ""
    code: str = "invalid"
    rule_id: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        for name, limit in _LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, str) and (len(value) > limit or not value.isprintable()):
                object.__setattr__(self, name, clip(printable(display_name(value[: limit * 2])), limit))

    def render(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        parts = [where]
        if self.rule_id:
            parts.append(f"rule {self.rule_id}")
        if self.field:
            parts.append(self.field)
        text = ": ".join(parts) + f": {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def os_reason(exc: OSError) -> str:
    """An OS error as words with its errno name, e.g. 'No space left on device (ENOSPC)'."""
    code = errno.errorcode.get(exc.errno or 0, "")
    return f"{exc.strerror or exc}" + (f" ({code})" if code else "")


class IspAdvisorError(Exception):
    """Base of every error the tool reports to a user; exit code 2 unless said otherwise."""

    exit_code = 2
    kind = "error"

    def __init__(self, problems: Problem | Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(problems)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class CaseError(IspAdvisorError):
    """A case file that cannot be read or does not follow the case contract."""

    kind = "case"


class RuleError(IspAdvisorError):
    """A rule pack, sources registry or rule test that cannot be loaded."""

    kind = "rules"


class UsageError(IspAdvisorError):
    """A command line that cannot be carried out (missing file, clash of options, ...)."""

    kind = "usage"


class OutputError(IspAdvisorError):
    """An output that cannot be written (read-only folder, full disk, a name too long, ...)."""

    kind = "output"


class IspAdvisorWarning(UserWarning):
    """Something the user should know that does not stop the command (shown as 'warning: ...')."""


def warn(message: str) -> None:
    """Tell the user something without stopping; the CLI prints it as one 'warning:' line."""
    warnings.warn(IspAdvisorWarning(printable(message)), stacklevel=2)


def capped(problems: Sequence[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first `limit` problems, then one line counting the rest (a 1 MB case can hold 490,000)."""
    problems = list(problems)
    if len(problems) <= limit:
        return problems
    rest = problems[limit:]
    more = Problem(
        file=rest[0].file,
        line=rest[0].line,
        code="more_problems",
        message=f"... and {len(rest):,} more problems",
        hint="fix these first, then run it again",
    )
    return problems[:limit] + [more]


class EngineError(IspAdvisorError):
    """The rule engine failed while running a valid case (a bug or a durable_rules fault)."""

    kind = "engine"
    exit_code = 1


def _replace(p: Problem, **kw: object) -> Problem:
    data = {f: getattr(p, f) for f in Problem.__dataclass_fields__}
    data.update(kw)
    return Problem(**data)  # type: ignore[arg-type]


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """A ' (did you mean ...?)'-style hint, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return f"did you mean '{close[0]}'?" if close else ""


def allowed(values: Iterable[object], limit: int = 12) -> str:
    """'allowed: a, b, c' for a hint, shortened when the list is long."""
    vals = [str(v) for v in values]
    more = f", ... ({len(vals)} in all)" if len(vals) > limit else ""
    return "allowed: " + ", ".join(vals[:limit]) + more


def parse_each(texts: Iterable[str], parse: Callable[[str], T]) -> list[T]:
    """`parse` applied to every text, every refusal collected and raised together (one UsageError),
    so a command line with several mistakes is corrected in one go."""
    out: list[T] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            out.append(parse(text))
        except UsageError as exc:
            problems += exc.problems
    if problems:
        raise UsageError(problems)
    return out
