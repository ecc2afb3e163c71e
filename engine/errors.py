"""One exception family for everything a user can get wrong.

Every error carries one or more `Problem`s (code, message, location, hint) so that a file's
problems are reported all at once, sorted by location, and the CLI turns them into messages
and exit codes in a single place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field


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

    def with_file(self, file: str) -> IspAdvisorError:
        """The same error with `file` filled in where the problem had none."""
        fixed = [p if p.file else _replace(p, file=file) for p in self.problems]
        return type(self)(fixed)


class CaseError(IspAdvisorError):
    """A case file that cannot be read or does not follow the case contract."""

    kind = "case"


class RuleError(IspAdvisorError):
    """A rule pack, sources registry or rule test that cannot be loaded."""

    kind = "rules"


class UsageError(IspAdvisorError):
    """A command line that cannot be carried out (missing file, clash of options, ...)."""

    kind = "usage"


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


@dataclass
class ProblemList:
    """Collects problems while a file is checked, so all are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, **kw: object) -> None:
        self.problems.append(Problem(**kw))  # type: ignore[arg-type]

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_as(self, cls: type[IspAdvisorError]) -> None:
        if self.problems:
            raise cls(self.problems)
