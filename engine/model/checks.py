"""What the rule authors' checks report, as plain data: lint findings, rule-test outcomes, coverage.

Computed in engine/authoring/; rendered by engine/render/authoringreport.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One thing lint found, located like a compiler message."""

    file: str
    line: int
    rule_id: str
    code: str
    severity: Severity
    message: str
    field: str = ""
    hint: str = ""

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else (self.file or "<rules>")
        text = f"{where}: {self.severity}: {self.code}: "
        if self.rule_id:
            text += f"rule {self.rule_id}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "rule_id": self.rule_id,
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def summary(findings: Sequence[Finding]) -> str:
    """'2 errors, 1 warning' (or 'no problems found')."""
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "no problems found"
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


@dataclass(frozen=True)
class Outcome:
    """The result of one rule test."""

    file: str
    line: int
    name: str
    failures: tuple[str, ...]
    shipped: bool = False
    """Whether the test comes with the shipped packs (not from a --rules folder)."""

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "name": self.name,
            "passed": self.passed,
            "failures": list(self.failures),
            "shipped": self.shipped,
        }


@dataclass(frozen=True)
class RuleCoverage:
    rule_id: str
    kind: str
    """The rule's category, or 'derive' for a derivation rule."""
    cases: tuple[str, ...]
    """Ids of the cases it fired on."""

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "kind": self.kind, "fired": len(self.cases), "cases": list(self.cases)}


@dataclass(frozen=True)
class Coverage:
    cases: tuple[str, ...]
    rules: tuple[RuleCoverage, ...]
    empty_categories: dict[str, tuple[str, ...]]
    """Case id -> the categories in which it got no recommendation."""

    @property
    def never_fired(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.rules if not r.cases)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.cases),
            "rules": [r.to_dict() for r in self.rules],
            "never_fired": list(self.never_fired),
            "empty_categories": {k: list(v) for k, v in self.empty_categories.items()},
        }
