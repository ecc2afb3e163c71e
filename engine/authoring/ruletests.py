"""Rule tests: YAML files of cases with the recommendations they must (not) get.

They live next to the packs they test (`rules/tests/*.yaml` for the shipped packs,
`<dir>/tests/*.yaml` for a local folder) and run on the same packs `recommend` would load:

    tests:
      - name: a consulted community under a high power differential
        case: {case_id: t1, power: {differential: high}, engagement: {level: consult}}
        present:
          - EQ-SHARE-POWER                       # by rule id: the rule fired
          - {rule: EQ-SHARE-POWER, priority: high}
          - {tag: "equity_element:dismantle_power_structures"}
        absent: [EQ-WIDE-GAP]

`case` is a mapping (the case itself) or a path relative to the test file. Rule ids and tags
are checked against what is loaded, so a typo cannot make an `absent` test pass by accident.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import CaseError, FieldInvalid, Problem, RuleError, did_you_mean
from engine.io.caseload import load_case, validate_case
from engine.io.documents import Document, dotted, load
from engine.model import vocabulary as v
from engine.model.case import Case
from engine.model.checks import Outcome
from engine.model.config import folders_of
from engine.model.results import Result
from engine.model.vocabulary import Priority
from engine.rulepacks.loader import rule_dirs, shipped_rules_dir

if TYPE_CHECKING:  # the runner (and durable_rules) load only when tests run: `schema tests` stays light
    from engine.evaluation.runner import Engine

TESTS_DIR = "tests"


class Expectation(BaseModel):
    """One recommendation that must be present (or absent): by rule id or by 'key:tag id'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str | None = None
    tag: str | None = Field(None, description="'key:id', e.g. eric_strategy:promote_adaptability")
    priority: Priority | None = None

    @model_validator(mode="after")
    def _one(self) -> Expectation:
        if (self.rule is None) == (self.tag is None):
            raise FieldInvalid(
                "give exactly one of 'rule' or 'tag'",
                "e.g. {rule: EQ-SHARE-POWER} or {tag: 'equity_element:dismantle_power_structures'}",
            )
        return self

    def label(self) -> str:
        what = f"rule {self.rule}" if self.rule else f"tag {self.tag}"
        return what + (f" with priority {self.priority}" if self.priority else "")


class RuleTestModel(BaseModel):
    """One test: a case and what its recommendations must and must not include."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    case: str | dict[str, Any] = Field(description="the case inline, or a path relative to this file")
    present: list[str | Expectation] = []
    absent: list[str | Expectation] = []

    @model_validator(mode="after")
    def _something(self) -> RuleTestModel:
        if not self.present and not self.absent:
            raise FieldInvalid("a test needs 'present' or 'absent'", "list rule ids or {tag: 'key:id'} entries")
        return self


class RuleTestFile(BaseModel):
    """A rule test file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tests: list[RuleTestModel] = Field(min_length=1)


@dataclass(frozen=True)
class _Loaded:
    file: str
    line: int
    name: str
    case: Case
    present: tuple[Expectation, ...]
    absent: tuple[Expectation, ...]


def rule_test_files(extra: Sequence[str | os.PathLike[str]] = (), shipped: bool = True) -> list[Path]:
    """The test files of every loaded rule folder, in load order."""
    return [f for d in rule_dirs(extra, shipped) for f in sorted((d / TESTS_DIR).glob("*.y*ml"))]


def local_folders(extra: Sequence[str | os.PathLike[str]] = (), shipped: bool = True) -> list[Path]:
    """The loaded rule folders other than the shipped one (--rules and $ISP_ADVISOR_RULES)."""
    home = shipped_rules_dir().resolve()
    return [d for d in rule_dirs(extra, shipped) if d.resolve() != home]


def run_rule_tests(
    extra: Sequence[str | os.PathLike[str]] = (), shipped: bool = True, files: Sequence[Path] | None = None
) -> list[Outcome]:
    """Run the tests kept next to the loaded packs on an engine of those packs.

    Bad test files raise RuleError with every problem located (exit code 2 in the CLI).
    """
    from engine.evaluation.runner import load_engine

    engine = load_engine(extra, shipped)
    todo = rule_test_files(extra, shipped) if files is None else list(files)
    problems: list[Problem] = []
    loaded = [t for f in todo for t in _load_file(f, engine, problems)]
    if problems:
        raise RuleError(problems)
    shipped_dir = shipped_rules_dir().resolve() if folders_of(extra, shipped)[1] else None
    return [_run(t, engine, shipped_dir is not None and shipped_dir in Path(t.file).resolve().parents) for t in loaded]


def _load_file(path: Path, engine: Engine, problems: list[Problem]) -> list[_Loaded]:
    try:
        doc = load(path, RuleError)
        model = RuleTestFile.model_validate(doc.data)
    except RuleError as exc:
        problems.extend(exc.problems)
        return []
    except ValidationError as exc:
        from engine.io.validation import problems_from

        problems.extend(problems_from(exc, doc, RuleTestFile))
        return []
    out = []
    for i, test in enumerate(model.tests):
        loc: tuple[str | int, ...] = ("tests", i)
        case = _case(doc, loc, test.case, problems)
        present = _expectations(doc, loc + ("present",), test.present, engine, problems)
        absent = _expectations(doc, loc + ("absent",), test.absent, engine, problems)
        if case is not None:
            out.append(_Loaded(doc.path, doc.line_of(loc), test.name, case, present, absent))
    return out


def _case(
    doc: Document, loc: tuple[str | int, ...], case: str | dict[str, Any], problems: list[Problem]
) -> Case | None:
    here = loc + ("case",)
    if isinstance(case, str):
        target = Path(doc.path).parent / case
        if not target.is_file():
            problems.append(
                Problem(
                    file=doc.path,
                    line=doc.line_of(here),
                    field=dotted(here),
                    code="not_found",
                    message=f"case file {case} not found",
                    hint="give a path relative to the test file, or the case inline",
                )
            )
            return None
        try:
            return load_case(target)
        except CaseError as exc:
            problems.extend(exc.problems)
            return None
    lines = {k[len(here) :]: n for k, n in doc.lines.items() if k[: len(here)] == here}
    try:
        return validate_case(Document(doc.path, case, lines))
    except CaseError as exc:
        problems.extend(_inside(p, here) for p in exc.problems)
        return None


def _inside(p: Problem, loc: tuple[str | int, ...]) -> Problem:
    """An inline case's problem, its field given from the top of the test file."""
    field = dotted(loc) + (f".{p.field}" if p.field else "")
    return Problem(file=p.file, line=p.line, field=field, message=p.message, code=p.code, hint=p.hint)


def _expectations(
    doc: Document, loc: tuple[str | int, ...], items: list[str | Expectation], engine: Engine, problems: list[Problem]
) -> tuple[Expectation, ...]:
    out = []
    for i, item in enumerate(items):
        exp = Expectation(rule=item, tag=None) if isinstance(item, str) else item
        file, line, field = doc.path, doc.line_of(loc + (i,)), dotted(loc + (i,))
        if exp.rule is not None and exp.rule not in engine.by_id:
            problems.append(
                Problem(
                    file=file,
                    line=line,
                    field=field,
                    code="unknown_rule",
                    rule_id=exp.rule,
                    message=f"no rule '{exp.rule}' is loaded",
                    hint=did_you_mean(exp.rule, engine.by_id, 0.5) or "list the rules with 'isp-advisor rules list'",
                )
            )
            continue
        if exp.tag is not None:
            key, _, tag = exp.tag.partition(":")
            if key not in v.TAG_VOCABULARIES or tag not in v.TAG_VOCABULARIES[key]:
                choices = v.TAG_VOCABULARIES[key] if key in v.TAG_VOCABULARIES else v.TAG_KEYS
                word = tag if key in v.TAG_VOCABULARIES else key
                problems.append(
                    Problem(
                        file=file,
                        line=line,
                        field=field,
                        code="unknown_tag",
                        message=f"unknown tag '{exp.tag}'",
                        hint=did_you_mean(word, choices)
                        or "write it as 'key:id', e.g. 'eric_strategy:promote_adaptability'",
                    )
                )
                continue
        out.append(exp)
    return tuple(out)


def _run(test: _Loaded, engine: Engine, shipped: bool) -> Outcome:
    result = engine.evaluate(test.case)
    failures = [f"expected {e.label()}, {_seen(e, result)}" for e in test.present if not matches(e, result)]
    failures += [f"expected no {e.label()}, but it was recommended" for e in test.absent if matches(e, result)]
    return Outcome(test.file, test.line, test.name, tuple(failures), shipped)


def matches(exp: Expectation, result: Result) -> bool:
    """Whether a result satisfies one expectation (a derive rule matches when it fired)."""
    if exp.rule is not None:
        if exp.priority is None:
            return exp.rule in result.fired
        return any(exp.rule in r.rule_ids and r.priority == exp.priority for r in result.recommendations)
    assert exp.tag is not None
    key, _, tag = exp.tag.partition(":")
    return any(
        tag in r.tags.get(key, ()) and (exp.priority is None or r.priority == exp.priority)
        for r in result.recommendations
    )


def _seen(exp: Expectation, result: Result) -> str:
    if exp.rule is not None:
        rec = next((r for r in result.recommendations if exp.rule in r.rule_ids), None)
        if rec is not None:
            return f"but it has priority {rec.priority}"
        return "but it did not fire"
    return "but no recommendation has that tag" + (" with that priority" if exp.priority else "")
